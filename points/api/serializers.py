from rest_framework import serializers

from ..models import LedgerEntry, Redemption, RedemptionLine, Reward, ServiceClaim, ServiceType, Volunteer


class VolunteerSerializer(serializers.ModelSerializer):
    phone_masked = serializers.CharField(source="masked_phone", read_only=True, help_text="已脱敏的手机号")
    community_name = serializers.CharField(source="community.name", read_only=True)
    corps = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    balance = serializers.IntegerField(source="account.balance", read_only=True)

    class Meta:
        model = Volunteer
        fields = [
            "id",
            "name",
            "phone_masked",
            "community",
            "community_name",
            "corps",
            "joined_on",
            "active",
            "balance",
        ]


class ServiceTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceType
        fields = [
            "id",
            "code",
            "name",
            "unit",
            "points_per_unit",
            "monthly_cap",
            "evidence_required",
            "hours_per_unit",
            "description",
        ]


class ServiceClaimSerializer(serializers.ModelSerializer):
    volunteer_name = serializers.CharField(source="volunteer.name", read_only=True)
    service_type_name = serializers.CharField(source="service_type.name", read_only=True)

    class Meta:
        model = ServiceClaim
        fields = [
            "id",
            "volunteer",
            "volunteer_name",
            "community",
            "service_type",
            "service_type_name",
            "service_date",
            "quantity",
            "points",
            "points_awarded",
            "status",
            "reject_reason",
            "via",
            "batch",
            "note",
            "photo",
            "created_at",
            "decided_at",
        ]
        read_only_fields = fields


class ClaimSubmitSerializer(serializers.Serializer):
    volunteer = serializers.IntegerField(min_value=1)
    service_type = serializers.PrimaryKeyRelatedField(queryset=ServiceType.objects.filter(active=True))
    service_date = serializers.DateField()
    quantity = serializers.IntegerField(min_value=1, max_value=24)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    photo = serializers.ImageField(required=False, allow_null=True, default=None)


class ClaimRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class LedgerEntrySerializer(serializers.ModelSerializer):
    volunteer = serializers.IntegerField(source="account.volunteer_id", read_only=True)

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "volunteer",
            "community",
            "kind",
            "points",
            "balance_after",
            "claim",
            "redemption",
            "reverses",
            "idempotency_key",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class RewardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reward
        fields = [
            "id",
            "community",
            "shop_name",
            "name",
            "kind",
            "price_points",
            "stock",
            "market_value_yuan",
            "description",
            "active",
        ]


class RedemptionLineSerializer(serializers.ModelSerializer):
    reward_name = serializers.CharField(source="reward.name", read_only=True)

    class Meta:
        model = RedemptionLine
        fields = ["reward", "reward_name", "quantity", "unit_points", "points"]


class RedemptionSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    lines = RedemptionLineSerializer(many=True, read_only=True)

    class Meta:
        model = Redemption
        fields = [
            "id",
            "number",
            "volunteer",
            "community",
            "total_points",
            "idempotency_key",
            "lines",
            "created_at",
            "cancelled_at",
        ]
        read_only_fields = fields


class RedemptionItemSerializer(serializers.Serializer):
    reward = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=99)


class RedemptionCreateSerializer(serializers.Serializer):
    volunteer = serializers.IntegerField(min_value=1)
    items = RedemptionItemSerializer(many=True, min_length=1, max_length=50)
    idempotency_key = serializers.CharField(
        max_length=100, help_text="客户端为每次兑换生成的唯一键;重复提交同一键只会兑换一次,并返回第一次的结果。"
    )


class ErrorSerializer(serializers.Serializer):
    """A refused request: a rule's message and its code, or, when the body is malformed, field: [messages]."""

    detail = serializers.CharField(required=False)
    code = serializers.CharField(required=False)
