from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lucun.models import User
from lucun.text import mask_phone

from .. import rules
from ..models import (
    AttentionTag,
    Household,
    VisitAssignment,
    VisitCycle,
    VisitLog,
    VisitRequest,
    VisitTeam,
    VisitTeamMember,
)


class VisitTeamMemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = VisitTeamMember
        fields = ["user", "name", "kind", "kind_display", "is_newcomer"]


class VisitTeamSerializer(serializers.ModelSerializer):
    members = VisitTeamMemberSerializer(many=True, read_only=True)
    warnings = serializers.SerializerMethodField(help_text="缺少的队员类别或新老搭配提醒")

    class Meta:
        model = VisitTeam
        fields = ["id", "name", "street", "leader", "is_active", "members", "warnings"]

    def get_warnings(self, team: VisitTeam) -> list[str]:
        return rules.team_warnings(team.members.all())


class VisitCycleSerializer(serializers.ModelSerializer):
    class Meta:
        model = VisitCycle
        fields = ["id", "street", "number", "starts_on", "ends_on"]


class VisitAssignmentSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    visits_logged = serializers.IntegerField(read_only=True)
    state = serializers.ChoiceField(choices=rules.PlanState.choices, read_only=True)

    class Meta:
        model = VisitAssignment
        fields = [
            "id",
            "cycle",
            "team",
            "team_name",
            "community",
            "community_name",
            "starts_on",
            "ends_on",
            "visits_logged",
            "state",
        ]


class AttentionTagSerializer(serializers.ModelSerializer):
    class Meta:
        model = AttentionTag
        fields = ["id", "code", "name", "sensitive"]


class HouseholdSerializer(serializers.ModelSerializer):
    """A household; the full phone and sensitive tags only for positions that may see them."""

    community_name = serializers.CharField(source="community.name", read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True, default="")
    phone = serializers.SerializerMethodField(help_text="有权限的职务得到完整号码,其他职务得到掩码号码")
    tags = serializers.SerializerMethodField()
    sensitive_visible = serializers.SerializerMethodField(help_text="本次返回是否包含敏感信息")

    class Meta:
        model = Household
        fields = [
            "id",
            "community",
            "community_name",
            "grid",
            "grid_name",
            "address",
            "group",
            "door_number",
            "estate",
            "building",
            "unit",
            "room",
            "head_name",
            "phone",
            "people_count",
            "attention_level",
            "tags",
            "last_visited_at",
            "sensitive_visible",
        ]

    def _sensitive(self, household: Household) -> bool:
        return self.context["sensitive"](household.community)

    def get_phone(self, household: Household) -> str:
        return household.phone if self._sensitive(household) else mask_phone(household.phone)

    @extend_schema_field(AttentionTagSerializer(many=True))
    def get_tags(self, household: Household) -> list[dict]:
        sensitive = self._sensitive(household)
        return AttentionTagSerializer([t for t in household.tags.all() if sensitive or not t.sensitive], many=True).data

    def get_sensitive_visible(self, household: Household) -> bool:
        return self._sensitive(household)


class VisitRequestSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True, default=None, allow_null=True)

    class Meta:
        model = VisitRequest
        fields = ["id", "text", "status", "case", "case_number", "created_at"]


class VisitLogSerializer(serializers.ModelSerializer):
    visitors = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    requests = VisitRequestSerializer(many=True, read_only=True)
    household_name = serializers.CharField(source="household.head_name", read_only=True)

    class Meta:
        model = VisitLog
        fields = [
            "id",
            "household",
            "household_name",
            "community",
            "team",
            "visited_at",
            "visitors",
            "method",
            "met",
            "family_note",
            "suggestions",
            "answered_on_spot",
            "duration_minutes",
            "requests",
            "idempotency_key",
            "created_by",
            "created_at",
        ]


class RequestInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=1000)
    answered = serializers.BooleanField(default=False, help_text="已当场解答")
    convert = serializers.BooleanField(default=False, help_text="转为诉求件(由记录人作为首问责任人)")


class VisitLogCreateSerializer(serializers.Serializer):
    """A new visit log. Send the same ``idempotency_key`` again after a failure: one log is made."""

    idempotency_key = serializers.UUIDField(help_text="客户端生成的提交键;重复提交同一键只会生成一条日志")
    household = serializers.PrimaryKeyRelatedField(queryset=Household.objects.none())
    team = serializers.PrimaryKeyRelatedField(queryset=VisitTeam.objects.all(), required=False, allow_null=True)
    visited_at = serializers.DateTimeField()
    visitors = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), many=True, help_text="至少两名走访人"
    )
    method = serializers.ChoiceField(choices=VisitLog.Method.choices, default=VisitLog.Method.HOME)
    met = serializers.ChoiceField(choices=VisitLog.Met.choices, default=VisitLog.Met.HEAD)
    family_note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    suggestions = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    answered_on_spot = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    duration_minutes = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=1440)
    requests = RequestInputSerializer(many=True, required=False, default=list, max_length=10)

    def __init__(self, *args, households=None, **kwargs):
        super().__init__(*args, **kwargs)
        if households is not None:
            self.fields["household"].queryset = households

    def validate_visitors(self, visitors):
        if len({u.pk for u in visitors}) < 2:
            raise serializers.ValidationError(_("民情日志至少需要两名走访人。"))
        return visitors
