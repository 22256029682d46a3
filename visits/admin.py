from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from lucun.services import audit_record

from . import rules
from .models import (
    AttentionTag,
    Household,
    HouseholdMember,
    VisitAssignment,
    VisitCycle,
    VisitLog,
    VisitPhoto,
    VisitRequest,
    VisitTeam,
    VisitTeamMember,
)


class VisitTeamMemberInline(admin.TabularInline):
    model = VisitTeamMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(VisitTeam)
class VisitTeamAdmin(admin.ModelAdmin):
    list_display = ["name", "street", "leader", "is_active", "warnings"]
    list_filter = ["street", "is_active"]
    search_fields = ["name"]
    autocomplete_fields = ["leader"]
    inlines = [VisitTeamMemberInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("street", "leader").prefetch_related("members")

    @admin.display(description=_("提醒"))
    def warnings(self, team: VisitTeam) -> str:
        return ";".join(rules.team_warnings(team.members.all())) or "—"


class VisitAssignmentInline(admin.TabularInline):
    model = VisitAssignment
    extra = 0


@admin.register(VisitCycle)
class VisitCycleAdmin(admin.ModelAdmin):
    list_display = ["number", "street", "starts_on", "ends_on"]
    list_filter = ["street"]
    inlines = [VisitAssignmentInline]


@admin.register(AttentionTag)
class AttentionTagAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sensitive", "sort_order"]
    list_editable = ["sensitive", "sort_order"]


class HouseholdMemberInline(admin.TabularInline):
    model = HouseholdMember
    extra = 0


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["head_name", "address", "community", "grid", "attention_level", "last_visited_at"]
    list_filter = ["community__street", "attention_level", "tags"]
    search_fields = ["search_key"]
    list_select_related = ["community", "grid"]
    readonly_fields = ["address", "search_key", "last_visited_at"]
    autocomplete_fields = ["grid"]
    filter_horizontal = ["tags"]
    inlines = [HouseholdMemberInline]

    def save_model(self, request, obj, form, change):
        obj.address = rules.household_address(
            group=obj.group,
            door_number=obj.door_number,
            estate=obj.estate,
            building=obj.building,
            unit=obj.unit,
            room=obj.room,
        )
        obj.search_key = rules.household_search_key(head_name=obj.head_name, address=obj.address)
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="visits.household_update" if change else "visits.household_create",
            obj=obj,
            community=obj.community,
            summary=str(_("后台修改住户")),
        )


class VisitRequestInline(admin.TabularInline):
    model = VisitRequest
    extra = 0
    readonly_fields = ["text", "status", "created_at"]
    can_delete = False


class VisitPhotoInline(admin.TabularInline):
    model = VisitPhoto
    extra = 0
    readonly_fields = ["image", "width", "height"]
    can_delete = False


@admin.register(VisitLog)
class VisitLogAdmin(admin.ModelAdmin):
    """Visit logs are history: read-only here."""

    list_display = ["visited_at", "household", "community", "team", "method", "met"]
    list_filter = ["community__street", "method", "met", "team"]
    search_fields = ["household__search_key"]
    list_select_related = ["household", "community", "team"]
    inlines = [VisitRequestInline, VisitPhotoInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(VisitRequest)
class VisitRequestAdmin(admin.ModelAdmin):
    list_display = ["text", "household", "community", "status", "created_at"]
    list_filter = ["status", "community"]
    search_fields = ["text"]
    list_select_related = ["household", "community"]
    readonly_fields = ["log", "text", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
