from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import Case, CaseList, Category, Tier
from lucun.models import Community, User

from ..models import AgendaItem, Decision, FollowUpTask, Meeting, ParticipantRole, Participation, Venue


def _inline_enum(name: str, choices) -> type:
    """Return a ChoiceField class whose enum is written in place, not as a shared component.

    Field names such as kind, decision and case_list carry other choice sets in other apps; an enum
    wrapped in allOf is left where it is, so the schema has no component-name collisions.
    """
    values = [value for value, _label in choices]
    description = ";".join(f"{value or '(空)'}={label}" for value, label in choices)
    schema = {"allOf": [{"type": "string", "enum": values}], "description": description}
    return extend_schema_field(schema)(type(name, (serializers.ChoiceField,), {}))


VenueKindField = _inline_enum("VenueKindField", Venue.Kind.choices)
MeetingKindField = _inline_enum("MeetingKindField", Meeting.Kind.choices)
DecisionField = _inline_enum("DecisionField", [("", "未决定"), *Decision.choices])
SettledListField = _inline_enum(
    "SettledListField", [(CaseList.COMMUNITY, CaseList.COMMUNITY.label), (CaseList.SELF, CaseList.SELF.label)]
)
RoleField = _inline_enum("RoleField", ParticipantRole.choices)


class VenueSerializer(serializers.ModelSerializer):
    kind = VenueKindField(choices=Venue.Kind.choices, read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    grid_count = serializers.IntegerField(read_only=True)
    staff_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Venue
        fields = [
            "id",
            "name",
            "kind",
            "community",
            "community_name",
            "address",
            "opening_hours",
            "is_active",
            "grid_count",
            "staff_count",
        ]
        read_only_fields = fields


class VenueDetailSerializer(VenueSerializer):
    grids = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    staff = serializers.SerializerMethodField()

    class Meta(VenueSerializer.Meta):
        fields = [*VenueSerializer.Meta.fields, "grids", "staff"]
        read_only_fields = fields

    def get_staff(self, venue: Venue) -> list[str]:
        return [str(u) for u in venue.staff.all()]


class ParticipationSerializer(serializers.ModelSerializer):
    role = RoleField(choices=ParticipantRole.choices, read_only=True)

    class Meta:
        model = Participation
        fields = ["role", "invited", "attended", "note"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    kind = MeetingKindField(choices=Meeting.Kind.choices, read_only=True)
    community_name = serializers.SerializerMethodField()
    place = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    item_count = serializers.IntegerField(read_only=True)
    settled_count = serializers.IntegerField(read_only=True)
    attendance = serializers.IntegerField(read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "kind",
            "title",
            "community",
            "street",
            "held_in",
            "community_name",
            "venue",
            "location",
            "online_group",
            "place",
            "starts_at",
            "organiser",
            "status",
            "held_at",
            "cancelled_at",
            "cancel_reason",
            "item_count",
            "settled_count",
            "attendance",
        ]
        read_only_fields = fields

    def get_community_name(self, meeting: Meeting) -> str:
        return meeting.owner_name


class StepStateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    completed_at = serializers.DateTimeField(allow_null=True)
    completed_by = serializers.CharField(allow_blank=True)


class MeetingDetailSerializer(MeetingSerializer):
    participations = ParticipationSerializer(many=True, read_only=True)
    minutes = serializers.CharField(read_only=True)
    steps = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "participations", "minutes", "steps"]
        read_only_fields = fields

    def get_steps(self, meeting: Meeting) -> list[dict]:
        return StepStateSerializer(self.context.get("steps", []), many=True).data


class MeetingScheduleSerializer(serializers.Serializer):
    kind = MeetingKindField(choices=Meeting.Kind.choices)
    title = serializers.CharField(max_length=100)
    starts_at = serializers.DateTimeField()
    community = serializers.PrimaryKeyRelatedField(
        queryset=Community.objects.all(),
        required=False,
        allow_null=True,
        help_text="大家小家座谈会、线上议事:召开会议的村(居);党政联席会、擂台比武:下沉召开所在的村(居)。",
    )
    street = serializers.IntegerField(required=False, allow_null=True, help_text="党政联席会、擂台比武的街道编号")
    venue = serializers.PrimaryKeyRelatedField(queryset=Venue.objects.all(), required=False, allow_null=True)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    online_group = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    participants = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=5000),
        required=False,
        help_text="参会方 → 邀请人数;参会方取值:" + "、".join(ParticipantRole.values),
    )


class FollowUpTaskSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.__str__", read_only=True)

    class Meta:
        model = FollowUpTask
        fields = ["id", "title", "owner", "owner_name", "due_on", "done_at", "done_note"]
        read_only_fields = fields


class AgendaItemSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    case_title = serializers.CharField(source="case.title", read_only=True)
    case_state = serializers.CharField(source="case.state", read_only=True)
    case_list = serializers.CharField(source="case.case_list", read_only=True)
    community = serializers.IntegerField(source="case.community_id", read_only=True)
    decision = DecisionField(choices=[("", "未决定"), *Decision.choices], read_only=True)
    tasks = FollowUpTaskSerializer(many=True, read_only=True)

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "meeting",
            "position",
            "case_number",
            "case_title",
            "case_state",
            "case_list",
            "community",
            "summary",
            "decision",
            "result",
            "department",
            "due_on",
            "decided_by",
            "decided_at",
            "tasks",
        ]
        read_only_fields = fields


class AgendaAddSerializer(serializers.Serializer):
    case_number = serializers.CharField(max_length=30)


class RaiseCaseSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.active(), required=False)
    tier = serializers.SlugRelatedField(slug_field="code", queryset=Tier.objects.all(), required=False)
    case_list = serializers.ChoiceField(choices=CaseList.choices, default=CaseList.COMMUNITY)
    community = serializers.PrimaryKeyRelatedField(
        queryset=Community.objects.all(), required=False, allow_null=True, help_text="街道会议必填"
    )


class TaskInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    due_on = serializers.DateField()


class DecideSerializer(serializers.Serializer):
    decision = DecisionField(choices=Decision.choices)
    summary = serializers.CharField(max_length=5000)
    result = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    public_reply = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    case_list = SettledListField(
        choices=[CaseList.COMMUNITY, CaseList.SELF],
        required=False,
        default=CaseList.COMMUNITY,
        help_text="协商解决时的清单",
    )
    tasks = TaskInputSerializer(many=True, required=False)
    special_tier = serializers.BooleanField(required=False, default=True)
    department = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    handler = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    due_on = serializers.DateField(required=False, allow_null=True)


class DecisionResultSerializer(AgendaItemSerializer):
    warning = serializers.CharField(read_only=True, default="")

    class Meta(AgendaItemSerializer.Meta):
        fields = [*AgendaItemSerializer.Meta.fields, "warning"]
        read_only_fields = fields


class ProposedCaseSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    sent_up = serializers.BooleanField(read_only=True, help_text="由村(居)会议提交上来")

    class Meta:
        model = Case
        fields = ["id", "number", "title", "community", "community_name", "due_at", "handler_office", "sent_up"]
        read_only_fields = fields


class ProposeSerializer(serializers.Serializer):
    case_numbers = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, help_text="不传则列入全部建议议题"
    )


class StepCompleteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class FigureRowSerializer(serializers.Serializer):
    meetings = serializers.IntegerField()
    on_agenda = serializers.IntegerField()
    settled = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class CommunityFigureSerializer(FigureRowSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MonthFigureSerializer(FigureRowSerializer):
    month = serializers.CharField()


class JointFigureSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    communities = serializers.IntegerField()
    items = serializers.IntegerField()
    solved = serializers.IntegerField()


class FiguresSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    total = FigureRowSerializer()
    by_month = MonthFigureSerializer(many=True)
    by_community = CommunityFigureSerializer(many=True)
    joint = JointFigureSerializer()
    definitions = serializers.DictField(child=serializers.CharField())


class BallotCountsSerializer(serializers.Serializer):
    issued = serializers.IntegerField()
    used = serializers.IntegerField()
    voided = serializers.IntegerField()
    unused = serializers.IntegerField()


BallotStateField = _inline_enum("BallotStateField", [("unused", "未使用"), ("used", "已投票"), ("voided", "已作废")])


class BallotSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="票号")
    state = BallotStateField(choices=["unused", "used", "voided"])
    issued_at = serializers.DateTimeField()
    used_at = serializers.DateTimeField(allow_null=True)
    voided_at = serializers.DateTimeField(allow_null=True)
    void_reason = serializers.CharField()
    url = serializers.CharField(help_text="二维码里的完整网址(只对未使用的选票给出)", allow_blank=True)


class BallotListSerializer(serializers.Serializer):
    counts = BallotCountsSerializer()
    resident_weight = serializers.IntegerField()
    ballots = BallotSerializer(many=True)


class BallotIssueSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=1, max_value=2000, help_text="发放张数")


class BallotVoidSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text="作废原因")
    ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="要作废的票号;不填则作废全部未使用选票"
    )


class BallotVoidResultSerializer(serializers.Serializer):
    voided = serializers.IntegerField()
    counts = BallotCountsSerializer()


class BallotWeightSerializer(serializers.Serializer):
    resident_weight = serializers.IntegerField(min_value=0, max_value=100, help_text="群众评分权重(%)")


class BallotCriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    max_score = serializers.IntegerField()


class BallotCommunitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PublicBallotSerializer(serializers.Serializer):
    title = serializers.CharField()
    street = serializers.CharField()
    state = BallotStateField(choices=["unused", "used", "voided"])
    communities = BallotCommunitySerializer(many=True)
    criteria = BallotCriterionSerializer(many=True)


class BallotScoreInSerializer(serializers.Serializer):
    community = serializers.IntegerField()
    criterion = serializers.IntegerField()
    score = serializers.IntegerField(min_value=0)


class BallotSubmitSerializer(serializers.Serializer):
    scores = BallotScoreInSerializer(many=True, help_text="每个评分的村(居)须给出每一项评分")


class BallotReceiptSerializer(serializers.Serializer):
    communities = serializers.IntegerField(help_text="评了分的村(居)数")
