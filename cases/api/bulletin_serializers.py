"""The 通报 in the API: what a reader gets, and what a supervisor sends to draft one."""

from rest_framework import serializers

from ..models import Bulletin, BulletinItem, ConductViolation


class BulletinItemSerializer(serializers.ModelSerializer):
    violation = serializers.IntegerField(source="violation_id", read_only=True)
    occurred_on = serializers.DateField(source="violation.occurred_on", read_only=True)
    community = serializers.IntegerField(source="violation.community_id", read_only=True)
    community_name = serializers.CharField(source="violation.community.name", read_only=True)
    official = serializers.IntegerField(source="violation.official_id", read_only=True)
    official_name = serializers.CharField(source="violation.official.__str__", read_only=True)
    kind = serializers.CharField(source="violation.kind.name", read_only=True, help_text="负面清单情形")
    case_number = serializers.SerializerMethodField(help_text="相关诉求编号;没有相关诉求时为空")
    note = serializers.CharField(source="violation.note", read_only=True, help_text="情况说明")

    class Meta:
        model = BulletinItem
        fields = [
            "violation",
            "occurred_on",
            "community",
            "community_name",
            "official",
            "official_name",
            "kind",
            "case_number",
            "note",
            "handling",
        ]
        read_only_fields = fields

    def get_case_number(self, item: BulletinItem) -> str:
        return item.violation.case.number if item.violation.case_id else ""


class BulletinSerializer(serializers.ModelSerializer):
    street_name = serializers.CharField(source="street.name", read_only=True)
    number = serializers.CharField(read_only=True, help_text="期号,如 2026年第3期;草稿为空")
    bulletin_state = serializers.ChoiceField(
        source="state", choices=Bulletin.State.choices, read_only=True, help_text="draft=草稿,published=已发布"
    )
    published_by_name = serializers.SerializerMethodField()
    item_count = serializers.SerializerMethodField(help_text="列入的作风问题数")

    class Meta:
        model = Bulletin
        fields = [
            "id",
            "street",
            "street_name",
            "number",
            "title",
            "period_from",
            "period_to",
            "body",
            "bulletin_state",
            "corrects",
            "published_by",
            "published_by_name",
            "published_at",
            "created_at",
            "item_count",
        ]
        read_only_fields = fields

    def get_published_by_name(self, bulletin: Bulletin) -> str:
        return str(bulletin.published_by) if bulletin.published_by_id else ""

    def get_item_count(self, bulletin: Bulletin) -> int:
        counted = getattr(bulletin, "item_count", None)  # the list counts in its query; a detail has its items
        return counted if counted is not None else len(bulletin.items.all())


class BulletinDetailSerializer(BulletinSerializer):
    items = BulletinItemSerializer(many=True, read_only=True)

    class Meta(BulletinSerializer.Meta):
        fields = [*BulletinSerializer.Meta.fields, "items"]
        read_only_fields = fields


class BulletinEntrySerializer(serializers.Serializer):
    violation = serializers.PrimaryKeyRelatedField(
        queryset=ConductViolation.objects.select_related("official", "kind", "community"), help_text="作风问题记录编号"
    )
    handling = serializers.CharField(max_length=500, help_text="处理情况,如:诫勉谈话")


class BulletinCreateSerializer(serializers.Serializer):
    street = serializers.IntegerField(min_value=1, help_text="街道编号")
    title = serializers.CharField(max_length=100)
    period_from = serializers.DateField()
    period_to = serializers.DateField()
    body = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    corrects = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None, help_text="所更正的已发布通报编号"
    )
    items = BulletinEntrySerializer(many=True, allow_empty=False, max_length=200)
