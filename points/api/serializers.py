from django.urls import reverse
from rest_framework import serializers

from lucun.api.fields import IdField, PrivateFileField
from lucun.models import Community, phone_validator

from ..models import (
    LedgerEntry,
    Redemption,
    RedemptionLine,
    Reward,
    ServiceClaim,
    ServiceCorps,
    ServiceType,
    Volunteer,
)


class VolunteerSerializer(serializers.ModelSerializer):
    phone_masked = serializers.CharField(source="masked_phone", read_only=True, help_text="已脱敏的手机号")
    community_name = serializers.CharField(source="community.name", read_only=True)
    corps = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    balance = serializers.IntegerField(source="account.balance", read_only=True)
    member = serializers.IntegerField(
        source="member_id", read_only=True, allow_null=True, help_text="关联的家庭成员(民情账本),未关联为 null"
    )
    household = serializers.IntegerField(
        source="member.household_id", read_only=True, allow_null=True, help_text="该家庭成员所在的住户"
    )

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
            "member",
            "household",
        ]


class VolunteerUpdateSerializer(serializers.Serializer):
    """The fields a volunteer's record is changed with; a PATCH sends only the ones it changes."""

    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(
        max_length=20, allow_blank=True, validators=[phone_validator], help_text="11 位手机号,可为空"
    )
    corps = serializers.SlugRelatedField(
        slug_field="name", many=True, queryset=ServiceCorps.objects.active(), help_text="服务团名称"
    )
    joined_on = serializers.DateField()
    active = serializers.BooleanField()
    member = serializers.IntegerField(
        min_value=1,
        allow_null=True,
        help_text="本人所在住户的家庭成员 id(同一村(居));null 取消关联。需能查看住户家庭成员的职务。",
    )


class VolunteerCreateSerializer(VolunteerUpdateSerializer):
    community = serializers.PrimaryKeyRelatedField(queryset=Community.objects.all(), help_text="登记的村(居)")
    phone = serializers.CharField(
        max_length=20, allow_blank=True, required=False, default="", validators=[phone_validator]
    )
    corps = serializers.SlugRelatedField(
        slug_field="name",
        many=True,
        queryset=ServiceCorps.objects.active(),
        required=False,
        default=list,
        help_text="服务团名称",
    )
    joined_on = serializers.DateField(required=False, allow_null=True, default=None, help_text="默认今天")
    active = serializers.BooleanField(required=False, default=True)
    member = serializers.IntegerField(
        min_value=1,
        allow_null=True,
        required=False,
        default=None,
        help_text="本人所在住户的家庭成员 id(同一村(居)),可不填。需能查看住户家庭成员的职务。",
    )


class VolunteerTokenSerializer(serializers.ModelSerializer):
    """A volunteer's 一码通 after it was reissued or revoked (null: revoked)."""

    volunteer = serializers.IntegerField(source="pk", read_only=True)
    token_display = serializers.CharField(read_only=True, help_text="印在卡上的分组形式")
    public_url = serializers.SerializerMethodField(help_text="二维码中的地址;作废后为 null")

    class Meta:
        model = Volunteer
        fields = ["volunteer", "token", "token_display", "token_issued_at", "public_url"]
        read_only_fields = fields

    def get_public_url(self, obj: Volunteer) -> str | None:
        if not obj.token:
            return None
        url = reverse("points:public", args=[obj.token])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


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
    photo = PrivateFileField(label="佐证照片")

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
    volunteer = IdField()
    service_type = serializers.PrimaryKeyRelatedField(queryset=ServiceType.objects.active())
    service_date = serializers.DateField()
    quantity = serializers.IntegerField(min_value=1, max_value=24)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    # Any file: the service's image pipeline decides what is a photo and says why not, as on the pages.
    photo = serializers.FileField(required=False, allow_null=True, default=None)


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
    # The API's name for the model's is_active (上架), kept since it was published.
    active = serializers.BooleanField(source="is_active", read_only=True, label="上架")

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
            "sort_order",
        ]
        read_only_fields = fields


class RewardUpdateSerializer(serializers.ModelSerializer):
    """A catalogue item's fields; a PATCH sends only the ones it changes. Stock is a count after a stocktake."""

    shop_name = serializers.CharField(max_length=50)
    name = serializers.CharField(max_length=50)
    price_points = serializers.IntegerField(min_value=1, max_value=1_000_000)
    stock = serializers.IntegerField(
        min_value=0, max_value=1_000_000, allow_null=True, required=False, help_text="null 表示不限量(如理发等服务)"
    )
    market_value_yuan = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=0, allow_null=True, required=False
    )
    description = serializers.CharField(max_length=200, allow_blank=True, required=False)
    active = serializers.BooleanField(source="is_active", required=False, label="上架")
    sort_order = serializers.IntegerField(min_value=0, max_value=32767, required=False)

    class Meta:
        model = Reward
        fields = [
            "shop_name",
            "name",
            "kind",
            "price_points",
            "stock",
            "market_value_yuan",
            "description",
            "active",
            "sort_order",
        ]
        validators = []  # the service says which rule failed, in Chinese (one name per shop)


class RewardCreateSerializer(RewardUpdateSerializer):
    community = serializers.PrimaryKeyRelatedField(queryset=Community.objects.all(), help_text="提供商品的村(居)")

    class Meta(RewardUpdateSerializer.Meta):
        fields = ["community", *RewardUpdateSerializer.Meta.fields]


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
    reward = IdField()
    quantity = serializers.IntegerField(min_value=1, max_value=99)


class RedemptionCreateSerializer(serializers.Serializer):
    volunteer = IdField()
    items = RedemptionItemSerializer(many=True, min_length=1, max_length=50)
    idempotency_key = serializers.CharField(
        max_length=100, help_text="客户端为每次兑换生成的唯一键;重复提交同一键只会兑换一次,并返回第一次的结果。"
    )
