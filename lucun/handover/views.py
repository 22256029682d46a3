"""Pages of the hand-over: the people of one's scope, a person's work and positions, the hand-over form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..errors import flash_refused, page_errors
from ..models import Handover, HandoverItem, Position, Street
from . import held
from . import services as handover_services
from .forms import HandoverForm, PositionEndForm
from .rules import handover_area, may_hand_over, people, person_get, successors

PAGE_SIZE = 30


def _positions():
    return Prefetch(
        "positions",
        queryset=Position.objects.select_related("street", "community", "grid__community", "county").order_by(
            "ended_on", "-started_on", "pk"
        ),
    )


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    """人员与交接: the officials of the scope, current and former, to hand over their work or end a position."""
    if not may_hand_over(request.user):
        raise PermissionDenied
    rows = people(handover_area(request.user))
    q = (request.GET.get("q") or "").strip()
    if q:
        rows = rows.filter(Q(real_name__icontains=q) | Q(username__icontains=q))
    rows = rows.prefetch_related(_positions()).order_by("real_name", "username", "pk")
    page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "lucun/people/list.html", {"page_obj": page_obj, "q": q})


def _area_holdings(person, area):
    return held(
        user=person,
        communities=area.communities,
        streets=Street.objects.filter(pk__in=area.communities.values("street")),
        whole_streets=area.whole_streets,
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person, area = person_get(actor=request.user, pk=pk)
    positions = list(
        Position.objects.filter(area.positions(), user=person)
        .select_related("street", "community", "grid__community", "county")
        .order_by("ended_on", "-started_on", "pk")
    )
    current = {p.pk for p in Position.objects.current().filter(user=person)}
    handovers = (
        Handover.objects.filter(Q(leaver=person) | Q(successor=person))
        .select_related("leaver", "successor", "actor")
        .order_by("-created_at", "-id")[:20]
    )
    context = {
        "person": person,
        "positions": [(p, p.pk in current) for p in positions],
        "holdings": _area_holdings(person, area),
        "handovers": handovers,
        "end_form": PositionEndForm(),
    }
    return render(request, "lucun/people/detail.html", context)


@login_required
def handover_create(request: HttpRequest, pk: int) -> HttpResponse:
    person, area = person_get(actor=request.user, pk=pk)
    form = HandoverForm(request.POST or None, successors=successors(area, leaver=person))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with page_errors(request, form) as call:
            handover = handover_services.handover_make(
                actor=request.user,
                leaver=person,
                successor=data["successor"],
                reason=data["reason"],
                end_positions=data["end_positions"],
            )
        if call.ok:
            messages.success(
                request,
                _("已将%(leaver)s的工作移交给%(successor)s,并已通知接手人。")
                % {"leaver": person, "successor": handover.successor},
            )
            return redirect(handover)
    context = {"person": person, "form": form, "holdings": _area_holdings(person, area)}
    return render(request, "lucun/people/handover_form.html", context)


@login_required
@require_POST
def position_end(request: HttpRequest, pk: int, position_pk: int) -> HttpResponse:
    person, area = person_get(actor=request.user, pk=pk)
    position = get_object_or_404(Position.objects.filter(area.positions(), user=person), pk=position_pk)
    form = PositionEndForm(request.POST)
    if not form.is_valid():
        flash_refused(request, _("结束职务"), form)
        return redirect("person_detail", pk=person.pk)
    with page_errors(request) as call:
        handover_services.position_end(actor=request.user, position=position, reason=form.cleaned_data["reason"])
    if call.ok:
        messages.success(request, _("已结束%(name)s的职务:%(position)s。") % {"name": person, "position": position})
    return redirect("person_detail", pk=person.pk)


@login_required
def handover_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One hand-over and everything it moved: for the two people, whoever made it, and who may hand them over."""
    handover = get_object_or_404(
        Handover.objects.select_related("leaver", "successor", "actor", "street", "community"), pk=pk
    )
    user = request.user
    if user.pk not in (handover.leaver_id, handover.successor_id, handover.actor_id):
        try:
            person_get(actor=user, pk=handover.leaver_id)
        except (Http404, PermissionDenied) as exc:
            raise Http404 from exc
    items = HandoverItem.objects.filter(handover=handover).select_related("community").order_by("kind", "pk")
    page_obj = Paginator(items, 100).get_page(request.GET.get("page"))
    context = {
        "handover": handover,
        "counts": [
            (HandoverItem.Kind(kind).label, n)
            for kind, n in handover_services.handover_counts(handover=handover).items()
        ],
        "page_obj": page_obj,
    }
    return render(request, "lucun/people/handover_detail.html", context)
