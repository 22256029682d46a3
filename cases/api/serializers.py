from django.utils import timezone
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from lucun.api.fields import IdField
from lucun.bulk.api import BulkRunSerializer
from lucun.models import Community, Grid, User

from ..clock import colour_at
from ..models import ApprovalKind, Case, CaseEvent, CaseList, Category, Colour, ExtensionRequest, ReturnRequest, Tier
from ..selectors.approvals import approval_row_id


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "code", "description"]


class TierSerializer(serializers.ModelSerializer):
    time_limit_hours = serializers.SerializerMethodField()
    warn_before_hours = serializers.SerializerMethodField()

    class Meta:
        model = Tier
        fields = ["id", "code", "name", "rank", "time_limit_hours", "warn_before_hours", "description", "is_default"]

    def get_time_limit_hours(self, tier: Tier) -> float:
        return tier.time_limit.total_seconds() / 3600

    def get_warn_before_hours(self, tier: Tier) -> float:
        return tier.warn_before.total_seconds() / 3600


class CaseSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    tier_code = serializers.CharField(source="tier.code", read_only=True)
    first_responder_name = serializers.CharField(source="first_responder.__str__", read_only=True)
    handler_name = serializers.SerializerMethodField()
    live_colour = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "title",
            "description",
            "source",
            "community",
            "community_name",
            "grid",
            "category",
            "category_name",
            "tier",
            "tier_code",
            "case_list",
            "state",
            "colour",
            "live_colour",
            "opened_at",
            "due_at",
            "warn_at",
            "first_responder",
            "first_responder_name",
            "handler",
            "handler_name",
            "handler_office",
            "extended",
            "reopen_count",
            "resolved_at",
            "resolution",
            "public_reply",
            "closed_at",
            "cancel_reason",
        ]
        read_only_fields = fields

    def get_handler_name(self, case: Case) -> str:
        return str(case.handler) if case.handler_id else ""

    def get_live_colour(self, case: Case) -> str:
        return case.live_colour_value


# The case list's rows are built from plain values rather than through CaseSerializer's fields: the same JSON
# (tests hold the two equal, case by case), without a model instance and a field object's work per value.
# Each entry: the key of the row, and the column it comes from (None: the key is a column of its own).
CASE_ROW_COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("id", None),
    ("number", None),
    ("title", None),
    ("description", None),
    ("source", None),
    ("community", "community_id"),
    ("community_name", "community__name"),
    ("grid", "grid_id"),
    ("category", "category_id"),
    ("category_name", "category__name"),
    ("tier", "tier_id"),
    ("tier_code", "tier__code"),
    ("case_list", None),
    ("state", None),
    ("colour", None),
    ("live_colour", None),
    ("opened_at", None),
    ("due_at", None),
    ("warn_at", None),
    ("first_responder", "first_responder_id"),
    ("first_responder_name", None),
    ("handler", "handler_id"),
    ("handler_name", None),
    ("handler_office", None),
    ("extended", None),
    ("reopen_count", None),
    ("resolved_at", None),
    ("resolution", None),
    ("public_reply", None),
    ("closed_at", None),
    ("cancel_reason", None),
)
_NAMES = {"first_responder_name": "first_responder", "handler_name": "handler"}
_WHEN = frozenset({"opened_at", "due_at", "warn_at", "resolved_at", "closed_at"})
CASE_ROW_VALUES = tuple(
    column
    for key, source in CASE_ROW_COLUMNS
    for column in ((f"{_NAMES[key]}__real_name", f"{_NAMES[key]}__username") if key in _NAMES else (source or key,))
)


def case_rows(rows) -> list[dict]:
    """The JSON of ``CaseSerializer`` for cases read as ``values(*CASE_ROW_VALUES)`` (with ``live_colour``)."""
    zone = timezone.get_current_timezone()
    result = []
    for row in rows:
        out = {}
        for key, source in CASE_ROW_COLUMNS:
            if key in _WHEN:
                out[key] = _when(row[key], zone)
            elif key in _NAMES:  # str(user): the real name, else the username; nobody: ""
                who = _NAMES[key]
                out[key] = (row[f"{who}__real_name"] or row[f"{who}__username"]) if row[f"{who}_id"] else ""
            else:
                out[key] = row[source or key]
        if not out["live_colour"]:  # as Case.live_colour_value: the stored colour moved forward by the dates
            out["live_colour"] = colour_at(
                state=row["state"],
                colour=row["colour"],
                due_at=row["due_at"],
                warn_at=row["warn_at"],
                now=timezone.now(),
            )
        result.append(out)
    return result


def _when(value, zone) -> str | None:
    """A time as DRF's DateTimeField writes it: ISO 8601 in the current time zone, UTC as "Z"."""
    if not value:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, zone)
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class CaseOpenSerializer(serializers.Serializer):
    community = serializers.PrimaryKeyRelatedField(queryset=Community.objects.all())
    grid = serializers.PrimaryKeyRelatedField(queryset=Grid.objects.all(), required=False, allow_null=True)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.active())
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    source = serializers.ChoiceField(choices=Case.Source.choices)
    tier = serializers.SlugRelatedField(slug_field="code", queryset=Tier.objects.all(), required=False)
    case_list = serializers.ChoiceField(choices=CaseList.choices, required=False, default=CaseList.COMMUNITY)
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_phone = serializers.RegexField(r"^[0-9\-]{7,20}$", required=False, allow_blank=True)


class CaseEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "actor", "actor_name", "at", "note", "before", "after"]

    def get_actor_name(self, event: CaseEvent) -> str:
        return str(event.actor) if event.actor_id else ""


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class RequiredNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class MoveSerializer(serializers.Serializer):
    """Where the case goes: a community of the case's street (by id), optionally one of its grids."""

    community = serializers.PrimaryKeyRelatedField(queryset=Community.objects.all(), help_text="转到的村(居)编号")
    grid = serializers.PrimaryKeyRelatedField(
        queryset=Grid.objects.all(), required=False, allow_null=True, default=None, help_text="网格编号(可不填)"
    )
    reason = serializers.CharField(max_length=2000)

    def validate(self, attrs):
        grid, community = attrs.get("grid"), attrs["community"]
        if grid is not None and grid.community_id != community.pk:
            raise serializers.ValidationError({"grid": ["所选网格不属于该村(居)。"]})
        return attrs


class RegridSerializer(serializers.Serializer):
    grid = serializers.PrimaryKeyRelatedField(queryset=Grid.objects.all(), help_text="本村(居)的网格编号")
    reason = serializers.CharField(max_length=2000)


class ProgressSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000)
    contacted = serializers.BooleanField(default=False)


class AssignSerializer(serializers.Serializer):
    handler = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    handler_office = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class ResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=5000)
    public_reply = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    case_list = serializers.ChoiceField(choices=CaseList.choices, required=False, allow_null=True, default=None)


class ExtensionAskSerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=30)
    reason = serializers.CharField(max_length=2000)


class EscalateSerializer(serializers.Serializer):
    tier = serializers.SlugRelatedField(slug_field="code", queryset=Tier.objects.all(), required=False, allow_null=True)
    case_list = serializers.ChoiceField(choices=CaseList.choices, required=False, allow_null=True)
    reason = serializers.CharField(max_length=2000)


class DecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ExtensionRequestSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)

    class Meta:
        model = ExtensionRequest
        fields = ["id", "case_number", "extra_time", "reason", "created_at", "decision", "decided_at", "decision_note"]


class ReturnRequestSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)

    class Meta:
        model = ReturnRequest
        fields = ["id", "case_number", "reason", "created_at", "decision", "decided_at", "decision_note"]


class ColourCountSerializer(serializers.Serializer):
    red = serializers.IntegerField()
    yellow = serializers.IntegerField()
    green = serializers.IntegerField()


class CommunityColourSerializer(ColourCountSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ResolvedBucketSerializer(serializers.Serializer):
    tier = serializers.CharField(help_text="办理层级代码")
    name = serializers.CharField(help_text="办理层级名称")
    within_hours = serializers.FloatField(help_text="该层级的办理时限(小时)")
    count = serializers.IntegerField(help_text="登记后超过上一档时限、不超过本层级时限办结的诉求数")


@extend_schema_serializer(deprecate_fields=["within_day", "within_week", "within_month", "longer"])
class HotlineFiguresSerializer(serializers.Serializer):
    """12345 热线工单(来源为 12345 的诉求)在近一年的情况。"""

    received = serializers.IntegerField(help_text="近一年受理(登记)的 12345 诉求数")
    open = serializers.IntegerField(help_text="现未办结的 12345 诉求数")
    resolved = serializers.IntegerField(help_text="近一年办结的 12345 诉求数")
    on_time = serializers.IntegerField(help_text="其中按期办结的")
    on_time_rate = serializers.FloatField(allow_null=True, help_text="按期办结率(%);近一年没有办结时为空")


class ApprovalFiguresSerializer(serializers.Serializer):
    """延期、退回申请在所示诉求上的审批情况。"""

    waiting = serializers.IntegerField(help_text="等待审批的延期、退回申请数")
    escalated = serializers.IntegerField(help_text="其中等待超时、已转上级审批的")


class DashboardSerializer(serializers.Serializer):
    now = serializers.DateTimeField()
    totals = ColourCountSerializer()
    by_tier = serializers.DictField(child=ColourCountSerializer(), help_text="按办理层级代码分组的颜色计数")
    by_community = CommunityColourSerializer(many=True)
    resolved_count = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)
    mean_days = serializers.FloatField(allow_null=True)
    median_days = serializers.FloatField(allow_null=True)
    resolved_by_tier = ResolvedBucketSerializer(
        many=True, help_text="按办理层级时限分档的办结数,每个层级一档,按层级顺序;层级在管理后台配置"
    )
    resolved_beyond = serializers.IntegerField(help_text="超过最长层级时限才办结的诉求数")
    within_day = serializers.IntegerField(help_text="已弃用,请用 resolved_by_tier:登记后24小时内办结数")
    within_week = serializers.IntegerField(help_text="已弃用,请用 resolved_by_tier:24小时至7天内办结数")
    within_month = serializers.IntegerField(help_text="已弃用,请用 resolved_by_tier:7天至30天内办结数")
    longer = serializers.IntegerField(help_text="已弃用,请用 resolved_beyond:超过30天办结数")
    list_share = serializers.DictField(child=serializers.FloatField(allow_null=True))
    trend = serializers.ListField(child=serializers.DictField())
    hotline = HotlineFiguresSerializer(help_text="12345 热线工单作为单独来源的统计")
    approvals = ApprovalFiguresSerializer(help_text="所示诉求上等待审批的延期、退回申请")


COLOURS = Colour.values


class ApprovalWaitingSerializer(serializers.Serializer):
    """One request waiting for the caller's decision (the approvals inbox)."""

    kind = serializers.ChoiceField(
        source="request_kind", choices=ApprovalKind.choices, help_text="extension 延期、return 退回"
    )
    id = serializers.IntegerField(help_text="申请编号;审批时与 kind 一起提交")
    row_id = serializers.SerializerMethodField(
        help_text="批量操作(/api/v1/bulk/cases.approval_approve/ 等)的记录编号:申请编号×10,延期加 1、退回加 2"
    )
    case_number = serializers.CharField()
    case_title = serializers.CharField()
    community = serializers.CharField(source="community_name")
    requester = serializers.SerializerMethodField()
    extra_time = serializers.DurationField(source="asked", allow_null=True, help_text="申请延长的时间;退回申请为空")
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    waited_seconds = serializers.SerializerMethodField(help_text="已等待的秒数")
    escalated_at = serializers.DateTimeField(allow_null=True, help_text="超时转上级的时间;未转为空")

    def get_row_id(self, row) -> int:
        return approval_row_id(row["request_kind"], row["id"])

    def get_requester(self, row) -> str:
        return row["requester"] or row["requester_username"]

    def get_waited_seconds(self, row) -> int:
        return int((timezone.now() - row["created_at"]).total_seconds())


class ApprovalItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ApprovalKind.choices)
    id = IdField()


class ApprovalsDecideSerializer(serializers.Serializer):
    items = ApprovalItemSerializer(many=True, allow_empty=False, max_length=5000)
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="", help_text="驳回时必填")

    def validate(self, attrs):
        if not attrs["approve"] and not attrs["note"].strip():
            raise serializers.ValidationError({"note": ["驳回申请须填写理由。"]})
        return attrs


class ApprovalResultSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ApprovalKind.choices)
    id = serializers.IntegerField(source="pk")
    ok = serializers.BooleanField(help_text="是否已办理;未办理时 message 说明原因")
    message = serializers.CharField()
    case_number = serializers.CharField(allow_blank=True)


class ApprovalResultsSerializer(serializers.Serializer):
    results = ApprovalResultSerializer(many=True, help_text="每项申请的结果,按提交顺序;在后台办理时为空")
    run = BulkRunSerializer(help_text="这次批量审批:进度和每项结果(记录编号为 row_id)")
