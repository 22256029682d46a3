from django.contrib import admin

from lucun.admin import ConfigRowAdmin

from .models import (
    AgendaItem,
    ContestCriterion,
    ContestScore,
    FollowUpTask,
    Meeting,
    MeetingPhoto,
    MeetingStep,
    Participation,
    ProcedureStep,
    Venue,
)


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "community", "opening_hours", "is_active"]
    list_filter = ["kind", "is_active", "community"]
    search_fields = ["name", "address"]
    filter_horizontal = ["grids", "staff"]
    list_select_related = ["community"]


@admin.register(ProcedureStep)
class ProcedureStepAdmin(ConfigRowAdmin):
    list_display = ["sort_order", "name", "code", "rule", "is_active"]
    list_display_links = ["name"]


@admin.register(ContestCriterion)
class ContestCriterionAdmin(ConfigRowAdmin):
    list_display = ["sort_order", "name", "max_score", "is_active"]
    list_display_links = ["name"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class AgendaItemInline(ReadOnlyInline):
    model = AgendaItem
    fields = ["case", "decision", "result", "decided_by", "decided_at"]
    readonly_fields = fields


class StepInline(ReadOnlyInline):
    model = MeetingStep
    fields = ["step", "completed_at", "completed_by"]
    readonly_fields = fields


class ParticipationInline(ReadOnlyInline):
    model = Participation
    fields = ["role", "invited", "attended", "note"]
    readonly_fields = fields


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    """Meetings are run from their page; the admin shows them as recorded."""

    list_display = ["title", "kind", "community", "street", "starts_at", "held_at", "cancelled_at"]
    list_filter = ["kind", "community"]
    search_fields = ["title"]
    date_hierarchy = "starts_at"
    list_select_related = ["community", "street"]
    inlines = [ParticipationInline, StepInline, AgendaItemInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(FollowUpTask)
class FollowUpTaskAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "due_on", "done_at"]
    list_select_related = ["owner"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ContestScore)
class ContestScoreAdmin(admin.ModelAdmin):
    list_display = ["meeting", "community", "criterion", "judge", "score"]
    list_filter = ["criterion"]
    list_select_related = ["meeting", "community", "criterion"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(MeetingPhoto)
class MeetingPhotoAdmin(admin.ModelAdmin):
    list_display = ["meeting", "caption", "created_at"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
