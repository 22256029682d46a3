from django.contrib import admin
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from lucun.services import audit_record

from . import rules, services
from .audit import AuditAction
from .models import (
    AttentionTag,
    ContactCardBatch,
    DeactivationReason,
    FeedbackPoint,
    Household,
    HouseholdMember,
    PrintJob,
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
            action=AuditAction.HOUSEHOLD_UPDATE if change else AuditAction.HOUSEHOLD_CREATE,
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


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Created and stopped through the pages (they need a feedback channel and an audit row); read here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _deactivate_action(reason: str, label: str, service, argument: str):
    @admin.action(description=label)
    def action(modeladmin, request, queryset):
        stopped = 0
        for obj in queryset.filter(is_active=True):
            service(actor=request.user, reason=reason, **{argument: obj})
            stopped += 1
        modeladmin.message_user(request, _("已停用 %(n)d 项。") % {"n": stopped})

    action.__name__ = f"deactivate_{reason}"
    return action


@admin.register(ContactCardBatch)
class ContactCardBatchAdmin(_ReadOnlyAdmin):
    list_display = ["__str__", "team", "quantity", "contact_name", "is_active", "deactivation_reason", "created_at"]
    list_filter = ["is_active", "community__street", "community"]
    search_fields = ["community__name", "contact_name"]
    list_select_related = ["community", "team"]
    actions = [
        _deactivate_action(DeactivationReason.LOST, _("停用:遗失或损毁"), services.card_batch_deactivate, "batch"),
        _deactivate_action(DeactivationReason.SUPERSEDED, _("停用:已换新"), services.card_batch_deactivate, "batch"),
    ]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super(_ReadOnlyAdmin, self).has_change_permission(request, obj)


@admin.register(FeedbackPoint)
class FeedbackPointAdmin(_ReadOnlyAdmin):
    list_display = ["__str__", "place", "is_active", "deactivation_reason", "created_at"]
    list_filter = ["is_active", "place", "community__street", "community"]
    search_fields = ["community__name", "name"]
    list_select_related = ["community"]
    actions = [
        _deactivate_action(
            r.value, format_lazy("{}{}", _("停用:"), r.label), services.feedback_point_deactivate, "point"
        )
        for r in DeactivationReason
    ]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super(_ReadOnlyAdmin, self).has_change_permission(request, obj)


@admin.register(PrintJob)
class PrintJobAdmin(_ReadOnlyAdmin):
    list_display = ["__str__", "state", "done", "total", "created_by", "created_at", "finished_at", "expired_at"]
    list_filter = ["state"]
    list_select_related = ["batch", "batch__community", "created_by"]
