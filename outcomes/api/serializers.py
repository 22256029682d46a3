from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lucun.text import mask_phone

from .. import permissions
from ..independence import dependent_assignee
from ..models import (
    Callback,
    ContactMethod,
    GoalProgress,
    GoalReview,
    QuarterlyWarning,
    RedLine,
    ReportSnapshot,
    Satisfaction,
    TalentRecord,
    TermGoal,
)


@extend_schema_field(OpenApiTypes.STR)
class CodeField(serializers.ChoiceField):
    """A choice code shown as a plain string in the schema (its name clashes with other apps' enums)."""


class CallbackSerializer(serializers.ModelSerializer):
    method = CodeField(choices=ContactMethod.choices, read_only=True)
    # Empty until the callback is answered: the schema must allow the blank answer too.
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, read_only=True, allow_blank=True)
    case_number = serializers.CharField(source="case.number", read_only=True)
    case_title = serializers.CharField(source="case.title", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True, default=None, allow_null=True)
    assignee_name = serializers.SerializerMethodField(help_text="回访责任人;为空表示待指派")
    needs_reassignment = serializers.SerializerMethodField(
        help_text="回访责任人是该诉求的承办人或首问责任人(规则施行前的指派),需改派"
    )

    class Meta:
        model = Callback
        fields = [
            "id",
            "case",
            "case_number",
            "case_title",
            "round",
            "community",
            "community_name",
            "mode",
            "resolved_at",
            "team",
            "team_name",
            "assignee",
            "assignee_name",
            "needs_reassignment",
            "office",
            "attempts",
            "contacted",
            "solved",
            "satisfaction",
            "method",
            "note",
            "answered_at",
            "reopened",
        ]
        read_only_fields = fields

    def get_assignee_name(self, callback: Callback) -> str | None:
        return str(callback.assignee) if callback.assignee_id else None

    def get_needs_reassignment(self, callback: Callback) -> bool:
        return dependent_assignee(callback)


class CaseWithoutCallbackSerializer(serializers.Serializer):
    """A resolved case without a callback for its current resolution (待生成回访)."""

    id = serializers.IntegerField(
        help_text="诉求编号(id):生成回访时作为 ids 传给 /api/v1/bulk/outcomes.callback_create/"
    )
    number = serializers.CharField()
    title = serializers.CharField()
    community = serializers.IntegerField(source="community_id")
    community_name = serializers.CharField(source="community.name")
    state = serializers.CharField(help_text="resolved 已办结,或 closed 已归档")
    resolved_at = serializers.DateTimeField()
    round = serializers.IntegerField(source="reopen_count", help_text="办结轮次:0 为首次办结,发回重办后依次加一")
    handler_name = serializers.SerializerMethodField(help_text="承办人;为空表示无")
    anonymous = serializers.BooleanField(help_text="true:匿名反馈的诉求,生成的回访由群众凭查询码自评")

    def get_handler_name(self, case) -> str | None:
        return str(case.handler) if case.handler_id else None


class CallbackAssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(help_text="回访责任人的用户编号,取自可指派人员(candidates)")
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class CallbackCandidateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    pool = serializers.CharField(help_text="所属回访人员库")
    waiting = serializers.IntegerField(help_text="此人待回访的件数")


class CallbackRecordSerializer(serializers.Serializer):
    contacted = serializers.BooleanField()
    method = CodeField(choices=ContactMethod.choices, help_text="phone 电话回访 / visit 上门回访")
    solved = serializers.BooleanField(required=False, allow_null=True, default=None)
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class RateRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, required=False)
    name = serializers.CharField(required=False)
    bucket = serializers.DateField(required=False)
    judged = serializers.IntegerField()
    on_time = serializers.IntegerField()
    answered = serializers.IntegerField()
    solved = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    basically = serializers.IntegerField()
    dissatisfied = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)
    resolution_rate = serializers.FloatField(allow_null=True)
    satisfaction_rate = serializers.FloatField(allow_null=True)


class RatesSerializer(serializers.Serializer):
    period = serializers.CharField()
    dimension = serializers.CharField()
    bucket = serializers.CharField(allow_null=True)
    total = RateRowSerializer()
    groups = RateRowSerializer(many=True)
    buckets = RateRowSerializer(many=True)
    definitions = serializers.DictField(child=serializers.CharField())


class RedLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = RedLine
        fields = ["id", "code", "name", "description", "metric", "threshold", "min_base", "is_active"]


class WarningSerializer(serializers.ModelSerializer):
    source = CodeField(choices=QuarterlyWarning.Source.choices, read_only=True)
    red_line_name = serializers.CharField(source="red_line.name", read_only=True)
    cadre_name = serializers.CharField(source="cadre.get_full_name", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    provisional = serializers.BooleanField(
        source="is_provisional", read_only=True, help_text="季度尚未结束(暂定);红线按完整季度判定"
    )

    class Meta:
        model = QuarterlyWarning
        fields = [
            "id",
            "red_line",
            "red_line_name",
            "cadre",
            "cadre_name",
            "community",
            "community_name",
            "year",
            "quarter",
            "source",
            "value",
            "threshold",
            "evidence",
            "created_at",
            "provisional",
        ]


class GoalProgressSerializer(serializers.ModelSerializer):
    provisional = serializers.BooleanField(
        source="is_provisional",
        read_only=True,
        help_text="季度进行中:暂定进展,季度结束前可修改,进度滞后不作预警",
    )

    class Meta:
        model = GoalProgress
        fields = ["year", "quarter", "percent", "status", "note", "provisional"]


class MeasuredLineSerializer(serializers.Serializer):
    code = serializers.CharField(source="line.code")
    name = serializers.CharField(source="line.name")
    value = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    text = serializers.CharField()
    breached = serializers.BooleanField(help_text="按目前数据已超出阈值;季度进行中时只是暂定,不是预警")


class CommunityMeasuresSerializer(serializers.Serializer):
    community = serializers.IntegerField()
    community_name = serializers.CharField()
    lines = MeasuredLineSerializer(many=True)


class RedLineMeasuresSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="如 2026-Q2")
    provisional = serializers.BooleanField(help_text="季度尚未结束:数据为暂定,不产生预警和通知")
    communities = CommunityMeasuresSerializer(many=True)


class GoalReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = GoalReview
        fields = ["year", "result", "evidence"]


class GoalSerializer(serializers.ModelSerializer):
    progress = GoalProgressSerializer(many=True, read_only=True)
    reviews = GoalReviewSerializer(many=True, read_only=True)

    class Meta:
        model = TermGoal
        fields = ["id", "community", "title", "target", "term_start", "term_end", "progress", "reviews"]


class TalentSerializer(serializers.ModelSerializer):
    phone = serializers.SerializerMethodField()
    community_name = serializers.CharField(source="community.name", read_only=True)

    class Meta:
        model = TalentRecord
        fields = [
            "id",
            "community",
            "community_name",
            "name",
            "kind",
            "birth_year",
            "phone",
            "working_in",
            "strengths",
            "stage",
            "owner",
            "visit_log",
            "created_at",
            "stage_changed_at",
        ]

    @extend_schema_field(serializers.CharField())
    def get_phone(self, obj: TalentRecord) -> str:
        """The phone, masked unless the caller's position may see household phones in full."""
        cache = self.context.setdefault("_phone_rights", {})
        request = self.context.get("request")
        if obj.community_id not in cache:
            cache[obj.community_id] = bool(request) and permissions.can_see_talent_phone(request.user, obj.community)
        return obj.phone if cache[obj.community_id] else mask_phone(obj.phone)


class ReportSnapshotSerializer(serializers.ModelSerializer):
    """A stored monthly report, without its figures (the list)."""

    street_name = serializers.CharField(source="street.name", read_only=True)
    period_label = serializers.SerializerMethodField()
    satisfaction_rate = serializers.SerializerMethodField()

    class Meta:
        model = ReportSnapshot
        fields = ["id", "street", "street_name", "period", "period_label", "created_at", "satisfaction_rate"]
        read_only_fields = fields

    def get_period_label(self, snapshot: ReportSnapshot) -> str:
        return str(snapshot.data.get("period_label", snapshot.period))

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_satisfaction_rate(self, snapshot: ReportSnapshot):
        return (snapshot.data.get("rates") or {}).get("satisfaction_rate")


class ReportSnapshotDetailSerializer(ReportSnapshotSerializer):
    """A stored monthly report with its figures as they were reported (the same shape as the live report)."""

    data = serializers.JSONField(read_only=True)

    class Meta(ReportSnapshotSerializer.Meta):
        fields = [*ReportSnapshotSerializer.Meta.fields, "data"]
        read_only_fields = fields
