"""红线与任期目标: quarterly warnings, the computation, recorded red lines, goals, adjustments."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lucun.errors import page_errors, require_permission
from lucun.models import Role
from lucun.scoping import communities_for, is_street_level, streets_for

from .. import forms, permissions, selectors, services
from ..models import RedLineRun
from ..periods import Period, last_complete_quarter, quarter_of
from ..report.figures import ADJUSTMENT_YEARS, replacement_figures
from .common import page


def _quarter(request: HttpRequest) -> tuple[int, int]:
    """The quarter asked for; by default the last complete one (red lines are judged on whole quarters)."""
    last = last_complete_quarter()
    try:
        year = int(request.GET.get("year", last.start.year))
        quarter = int(request.GET.get("quarter", last.quarter_number))
    except ValueError:
        return last.start.year, last.quarter_number
    return (year, quarter) if 1 <= quarter <= 4 and 2000 <= year <= 2100 else (last.start.year, last.quarter_number)


@login_required
def cadres(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view_cadres(request.user):
        raise PermissionDenied
    if not is_street_level(request.user):
        community = communities_for(request.user).order_by("sort_order").first()
        if community is None:
            raise Http404
        return redirect("outcomes:cadre_record", community_id=community.pk)
    year, quarter = _quarter(request)
    period = Period.quarter(year, quarter)
    visible = communities_for(request.user).order_by("sort_order", "name")
    warnings = selectors.warning_list(user=request.user, year=year, quarter=quarter)
    today = timezone.localdate()
    since = date(today.year - ADJUSTMENT_YEARS, 1, 1)
    complete, started = period.is_complete(today), period.has_started(today)
    # The quarter running is shown with its provisional figures; it warns nobody until it is complete.
    measures = (
        selectors.red_line_measures(user=request.user, year=year, quarter=quarter) if started and not complete else None
    )
    last = last_complete_quarter(today)
    record_in = (year, quarter) if complete else (last.start.year, last.quarter_number)
    warning_form = forms.WarningForm(initial={"year": record_in[0], "quarter": record_in[1]})
    warning_form.fields["community"].queryset = visible
    warning_form.fields["red_line"].queryset = selectors.red_lines().filter(metric="recorded")
    adjustment_form = forms.AdjustmentForm()
    adjustment_form.fields["community"].queryset = visible
    streets = streets_for(request.user)
    return render(
        request,
        "outcomes/cadres.html",
        {
            "year": year,
            "quarter": quarter,
            "complete": complete,
            "started": started,
            "measures": measures,
            "years": [y for y, _label in forms._year_choices()],
            "red_lines": selectors.red_lines(),
            "warnings": list(warnings),
            "runs": RedLineRun.objects.filter(street__in=streets, year=year, quarter=quarter).order_by("-evaluated_at")[
                :3
            ],
            "communities": visible,
            "can_supervise": permissions.can_supervise(request.user),
            "warning_form": warning_form,
            "adjustment_form": adjustment_form,
            "adjustments": page(request, selectors.adjustment_list(user=request.user)),
            "replacement": replacement_figures(visible, since=since, until=date(today.year + 1, 1, 1)),
        },
    )


@login_required
@require_POST
def redlines_evaluate(request: HttpRequest) -> HttpResponse:
    require_permission(permissions.can_supervise(request.user), _("只有纪工委或街道班子成员可以测算红线。"))
    form = forms.QuarterForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择要测算的年度和季度。"))
        return redirect("outcomes:cadres")
    year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
    total = 0
    with page_errors(request) as call:
        for street in streets_for(request.user):
            if permissions.can_supervise(request.user, street.communities.first()):
                total += services.redlines_evaluate(street=street, year=year, quarter=quarter).warnings
    if call.ok:
        messages.success(
            request, _("已测算 %(y)d 年第 %(q)d 季度,新增预警 %(n)d 条。") % {"y": year, "q": quarter, "n": total}
        )
    return redirect(f"{reverse('outcomes:cadres')}?year={year}&quarter={quarter}")


@login_required
@require_POST
def warning_create(request: HttpRequest) -> HttpResponse:
    form = forms.WarningForm(request.POST)
    form.fields["community"].queryset = communities_for(request.user)
    if form.is_valid():
        with page_errors(request) as call:
            services.warning_record(user=request.user, **form.cleaned_data)
        if call.ok:
            messages.success(request, _("红线记录已保存,已通知相关人员。"))
    else:
        messages.error(request, _("请完整填写红线、村(居)、季度和依据。"))
    return redirect(
        f"{reverse('outcomes:cadres')}?year={request.POST.get('year', '')}&quarter={request.POST.get('quarter', '')}"
    )


@login_required
@require_POST
def adjustment_create(request: HttpRequest) -> HttpResponse:
    form = forms.AdjustmentForm(request.POST)
    form.fields["community"].queryset = communities_for(request.user)
    if form.is_valid():
        with page_errors(request) as call:
            services.adjustment_record(user=request.user, **form.cleaned_data)
        if call.ok:
            messages.success(request, _("干部调整已记录。"))
    else:
        messages.error(request, _("请完整填写调整记录。"))
    return redirect("outcomes:cadres")


@login_required
def cadre_record(request: HttpRequest, community_id: int) -> HttpResponse:
    community = communities_for(request.user).select_related("street").filter(pk=community_id).first()
    if community is None or not permissions.can_view_cadres(request.user, community):
        raise Http404
    from ..services.cadres import secretaries

    today = timezone.localdate()
    period = Period.quarter(*quarter_of(today))
    last = last_complete_quarter(today)
    head_id = secretaries(communities=communities_for(request.user).filter(pk=community.pk), period=period).get(
        community.pk
    )
    head = None
    if head_id:
        from lucun.models import Position

        head = (
            Position.objects.filter(user_id=head_id, community=community, role=Role.COMMUNITY_CADRE)
            .select_related("user")
            .first()
        )
    goals = list(selectors.goal_list(user=request.user, community=community))
    supervise = permissions.can_supervise(request.user, community)
    return render(
        request,
        "outcomes/cadre_record.html",
        {
            "community": community,
            "head": head,
            "warnings": selectors.warning_list(user=request.user).filter(community=community),
            "goals": goals,
            "adjustments": selectors.adjustment_list(user=request.user).filter(community=community),
            "can_supervise": supervise,
            "can_progress": permissions.can_record_progress(request.user, community),
            "goal_form": forms.GoalForm(initial={"term_start": today.year, "term_end": today.year + 4}),
            # By default the quarter last ended; the one running may be reported too, as provisional.
            "progress_form": forms.GoalProgressForm(initial={"year": last.start.year, "quarter": last.quarter_number}),
            "review_form": forms.GoalReviewForm(initial={"year": today.year - 1}),
        },
    )


def _back(goal) -> HttpResponse:
    return redirect("outcomes:cadre_record", community_id=goal.community_id)


def _submit(request: HttpRequest, form, run, *, done: str, incomplete: str) -> None:
    """Run one POST action's service with the form's data and say how it went."""
    if not form.is_valid():
        messages.error(request, incomplete)
        return
    with page_errors(request) as call:
        run(**form.cleaned_data)
    if call.ok:
        messages.success(request, done)


@login_required
@require_POST
def goal_create(request: HttpRequest, community_id: int) -> HttpResponse:
    community = communities_for(request.user).filter(pk=community_id).first()
    if community is None:
        raise Http404
    _submit(
        request,
        forms.GoalForm(request.POST),
        lambda **data: services.goal_create(user=request.user, community=community, **data),
        done=_("任期目标已添加。"),
        incomplete=_("请填写目标和任期。"),
    )
    return redirect("outcomes:cadre_record", community_id=community.pk)


@login_required
@require_POST
def goal_progress(request: HttpRequest, pk: int) -> HttpResponse:
    goal = selectors.goal_get(user=request.user, pk=pk)
    _submit(
        request,
        forms.GoalProgressForm(request.POST),
        lambda **data: services.goal_progress_record(user=request.user, goal=goal, **data),
        done=_("季度进展已填报。"),
        incomplete=_("请完整填写季度进展。"),
    )
    return _back(goal)


@login_required
@require_POST
def goal_review(request: HttpRequest, pk: int) -> HttpResponse:
    goal = selectors.goal_get(user=request.user, pk=pk)
    _submit(
        request,
        forms.GoalReviewForm(request.POST),
        lambda **data: services.goal_review_record(user=request.user, goal=goal, **data),
        done=_("年度对账已记录。"),
        incomplete=_("请完整填写年度对账。"),
    )
    return _back(goal)
