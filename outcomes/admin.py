from django.contrib import admin

from lucun.admin import ConfigRowAdmin

from .models import (
    CadreAdjustment,
    Callback,
    CallbackPool,
    ExternalFigure,
    GoalProgress,
    GoalReview,
    QuarterlyWarning,
    RedLine,
    RedLineRun,
    ReportSnapshot,
    SurveyRound,
    TalentRecord,
    TalentStep,
    TermGoal,
)


@admin.register(RedLine)
class RedLineAdmin(ConfigRowAdmin):
    """The red lines are configuration: names, thresholds and minimum samples are edited here."""

    list_display = ["name", "metric", "threshold", "min_base", "is_active", "sort_order"]
    list_editable = ["threshold", "min_base", "is_active", "sort_order"]


@admin.register(CallbackPool)
class CallbackPoolAdmin(ConfigRowAdmin):
    """Who calls residents back (回访人员库): never the case's handler or first responder, whatever the rows say."""

    list_display = ["name", "kind", "role", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """History: recorded through the pages and services, read here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Callback)
class CallbackAdmin(ReadOnlyAdmin):
    list_display = ["case", "round", "community", "mode", "assignee", "satisfaction", "solved", "answered_at"]
    list_filter = ["mode", "satisfaction", "community"]
    list_select_related = ["case", "community", "assignee"]


@admin.register(QuarterlyWarning)
class QuarterlyWarningAdmin(ReadOnlyAdmin):
    list_display = ["year", "quarter", "community", "cadre", "red_line", "source"]
    list_filter = ["year", "quarter", "red_line"]
    list_select_related = ["community", "cadre", "red_line"]


@admin.register(TalentRecord)
class TalentRecordAdmin(ReadOnlyAdmin):
    list_display = ["name", "community", "kind", "stage"]
    list_filter = ["kind", "stage", "community"]
    exclude = ["phone"]


for model in (RedLineRun, ReportSnapshot, SurveyRound, TalentStep, TermGoal, GoalProgress, GoalReview, CadreAdjustment):
    admin.site.register(model, ReadOnlyAdmin)


@admin.register(ExternalFigure)
class ExternalFigureAdmin(ReadOnlyAdmin):
    list_display = ["street", "month", "kind", "value", "source"]
    list_filter = ["kind", "street"]
