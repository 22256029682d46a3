"""Pages of the visiting plan: teams, the cycles and their assignments, and the coverage figures."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lucun.errors import NotAllowed, page_errors, require_permission
from lucun.models import Community, Street
from lucun.scoping import get_scoped_or_404, streets_for

from .. import permissions, rules, selectors, services
from ..forms import AssignmentForm, PlanBuildForm
from ..models import VisitAssignment, VisitTeam, VisitTeamMember

# ---------------------------------------------------------------------------------- teams and plan


def _street(request: HttpRequest) -> Street:
    streets = streets_for(request.user).order_by("name")
    chosen = request.GET.get("street")
    street = streets.filter(pk=chosen).first() if chosen and chosen.isdigit() else streets.first()
    if street is None:
        raise NotAllowed(_("您还没有可查看的街道。"))
    return street


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    teams = list(selectors.team_list(user=request.user))
    rows = [
        {"team": t, "members": list(t.members.all()), "warnings": rules.team_warnings(t.members.all())} for t in teams
    ]
    return render(request, "visits/team_list.html", {"rows": rows, "kinds": VisitTeamMember.Kind})


@login_required
def plan(request: HttpRequest) -> HttpResponse:
    street = _street(request)
    cycles = list(selectors.cycle_list(user=request.user).filter(street=street))
    chosen = request.GET.get("cycle", "")
    cycle = next((c for c in cycles if str(c.pk) == chosen), None) or selectors.current_cycle(street=street)
    index = cycles.index(cycle) if cycle in cycles else -1
    can_edit = permissions.can_edit_plan(request.user)
    last = cycles[-1] if cycles else None
    context = {
        "street": street,
        "cycle": cycle,
        "previous": cycles[index - 1] if index > 0 else None,
        "next": cycles[index + 1] if 0 <= index < len(cycles) - 1 else None,
        "assignments": selectors.assignments_with_state(user=request.user, cycle=cycle) if cycle else [],
        "can_edit": can_edit,
        "build_form": PlanBuildForm(
            initial={"starts_on": (last.ends_on + timedelta(days=1)) if last else timezone.localdate()}
        )
        if can_edit
        else None,
    }
    return render(request, "visits/plan.html", context)


@login_required
@require_POST
def plan_build(request: HttpRequest) -> HttpResponse:
    street = _street(request)
    require_permission(permissions.can_edit_plan(request.user), _("只有纪工委和街道班子成员可以安排走访。"))
    form = PlanBuildForm(request.POST)
    if form.is_valid():
        with page_errors(request) as call:
            cycles = services.cycle_plan_build(
                actor=request.user,
                street=street,
                starts_on=form.cleaned_data["starts_on"],
                cycles=form.cleaned_data["cycles"],
            )
        if call.ok:
            messages.success(request, _("已生成 %(n)d 轮走访安排。") % {"n": len(cycles)})
            return redirect(f"{_plan_url()}?cycle={cycles[0].pk}")
    else:
        messages.error(request, _("请填写有效的开始日期和轮次数(1—26)。"))
    return redirect("visits:plan")


def _plan_url() -> str:
    from django.urls import reverse

    return reverse("visits:plan")


@login_required
def assignment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_scoped_or_404(
        VisitAssignment.objects.select_related("cycle", "team", "community"), request.user, pk=pk
    )
    require_permission(
        permissions.can_edit_plan(request.user, assignment.community), _("只有纪工委和街道班子成员可以调整走访安排。")
    )
    street_id = assignment.cycle.street_id
    form = AssignmentForm(
        request.POST or None,
        teams=VisitTeam.objects.filter(street_id=street_id).order_by("sort_order", "name"),
        communities=Community.objects.filter(street_id=street_id).order_by("sort_order", "name"),
        initial={
            "team": assignment.team_id,
            "community": assignment.community_id,
            "starts_on": assignment.starts_on,
            "ends_on": assignment.ends_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        with page_errors(request, form) as call:
            services.assignment_update(actor=request.user, assignment=assignment, **form.cleaned_data)
        if call.ok:
            messages.success(request, _("走访安排已调整。"))
            return redirect(f"{_plan_url()}?cycle={assignment.cycle_id}")
    return render(request, "visits/assignment_form.html", {"assignment": assignment, "form": form})


# -------------------------------------------------------------------------------------------- coverage


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    require_permission(
        permissions.can_see_coverage(request.user), _("走访覆盖情况仅向街道班子成员、机关干部和纪工委开放。")
    )
    street = _street(request)
    today = timezone.localdate()
    cycles = list(selectors.cycle_list(user=request.user).filter(street=street))
    chosen = request.GET.get("cycle", "")
    cycle = next((c for c in cycles if str(c.pk) == chosen), None) or selectors.current_cycle(
        street=street, today=today
    )
    cycle_figures = (
        selectors.coverage(user=request.user, street=street, start=cycle.starts_on, end=cycle.ends_on, today=today)
        if cycle
        else None
    )
    year_figures = selectors.coverage(
        user=request.user, street=street, start=selectors.year_start(today), end=today, today=today
    )
    context = {
        "street": street,
        "cycles": cycles,
        "cycle": cycle,
        "cycle_figures": cycle_figures,
        "year_figures": year_figures,
        "today": today,
    }
    return render(request, "visits/coverage.html", context)
