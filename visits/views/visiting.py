"""Pages of 直面问 in the field and the office: find a household, log a visit, the ledger and its import."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lucun.errors import page_errors, require_permission
from lucun.models import Community, Grid, User
from lucun.scoping import communities_for, community_ids_for, get_scoped_or_404

from .. import ledger_io, permissions, selectors, services
from ..forms import ImportForm, LedgerFilterForm, VisitLogForm, VisitRequestFormSet
from ..models import AttentionTag, Household, VisitAssignment, VisitRequest, VisitTeam

LEDGER_PAGE_SIZE = 30
SEARCH_LIMIT = 30


def _visible_tags(household: Household, sensitive: bool) -> list[AttentionTag]:
    return [t for t in household.tags.all() if sensitive or not t.sensitive]


# -------------------------------------------------------------------------------- field: search, log


@login_required
def household_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:50]
    results = list(selectors.household_search(user=request.user, query=query)[:SEARCH_LIMIT]) if query else []
    return render(request, "visits/search.html", {"query": query, "results": results, "limit": SEARCH_LIMIT})


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_scoped_or_404(selectors.household_list(user=request.user), request.user, pk=pk)
    sensitive = permissions.can_see_sensitive(request.user, household.community)
    if sensitive:
        services.household_sensitive_viewed(
            actor=request.user, community=household.community, households=[household], where=_("住户页")
        )
    page = Paginator(selectors.household_timeline(household=household), 20).get_page(request.GET.get("page"))
    # "volunteer" is the reverse of the points app's optional link (Volunteer.member): joined here, no import.
    # A member without one raises on access, which a template would swallow: look it up once, here.
    members = list(household.members.select_related("volunteer")) if sensitive else []
    for member in members:
        member.linked_volunteer = getattr(member, "volunteer", None)
    context = {
        "household": household,
        "sensitive": sensitive,
        "tags": _visible_tags(household, sensitive),
        "members": members,
        "page_obj": page,
        "draft_clear": f"visit-{household.pk}" if request.GET.get("saved") else "",
        "open_requests": household.requests.filter(status="open").count(),
    }
    return render(request, "visits/household_detail.html", context)


def _visit_form_choices(user: User, household: Household):
    """Return (teams, visitor pool, default team, the community's visiting team) for logging a visit here."""
    street_id = household.community.street_id
    teams = VisitTeam.objects.filter(street_id=street_id, is_active=True).order_by("sort_order", "name")
    mine = list(selectors.teams_of(user=user).filter(street_id=street_id))
    today = timezone.localdate()
    assigned = (
        VisitAssignment.objects.filter(community=household.community, starts_on__lte=today, ends_on__gte=today)
        .select_related("team")
        .first()
    )
    team_ids = {t.pk for t in mine} | ({assigned.team_id} if assigned else set())
    if not team_ids:
        team_ids = set(teams.values_list("pk", flat=True))
    pool = (
        User.objects.filter(Q(pk=user.pk) | Q(visit_memberships__team__in=team_ids))
        .distinct()
        .order_by("real_name", "username")
    )
    default_team = assigned.team if assigned and assigned.team in mine else (mine[0] if mine else None)
    if default_team is None and assigned is not None:
        default_team = assigned.team
    visiting_team = assigned.team if assigned is not None else default_team
    return teams, pool, default_team, visiting_team


@login_required
def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_scoped_or_404(selectors.household_list(user=request.user), request.user, pk=pk)
    teams, pool, default_team, visiting_team = _visit_form_choices(request.user, household)
    kwargs = {
        "teams": teams,
        "visitors": pool,
        "user": request.user,
        "default_team": default_team,
        "visiting_team": visiting_team,
    }
    if request.method == "POST":
        form = VisitLogForm(request.POST, request.FILES, **kwargs)
        formset = VisitRequestFormSet(request.POST, prefix="req")
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            requests = [
                services.RequestInput(
                    text=f.cleaned_data["text"],
                    answered=f.cleaned_data.get("answered", False),
                    convert=f.cleaned_data.get("convert", False),
                )
                for f in formset.forms
                if f.cleaned_data.get("text", "").strip()
            ]
            with page_errors(request, form) as call:
                _log, created = services.visitlog_create(
                    actor=request.user,
                    household=household,
                    team=data["team"],
                    visited_at=data["visited_at"],
                    visitors=data["visitors"],
                    method=data["method"],
                    met=data["met"],
                    family_note=data["family_note"],
                    suggestions=data["suggestions"],
                    answered_on_spot=data["answered_on_spot"],
                    duration_minutes=data["duration_minutes"],
                    requests=requests,
                    photos=data["photos"],
                    idempotency_key=data["idempotency_key"],
                )
            if call.ok:
                if created:
                    messages.success(request, _("走访已记录。"))
                else:
                    messages.info(request, _("这次走访已经记录过,重复提交未再保存。"))
                return redirect(f"{household.get_absolute_url()}?saved=1")
    else:
        form = VisitLogForm(**kwargs)
        formset = VisitRequestFormSet(prefix="req")
    context = {"household": household, "form": form, "formset": formset, "draft_key": f"visit-{household.pk}"}
    return render(request, "visits/visit_form.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def request_convert(request: HttpRequest, pk: int) -> HttpResponse:
    """Turn a request heard on an earlier visit into a case."""
    item = get_scoped_or_404(VisitRequest.objects.select_related("household"), request.user, pk=pk)
    with page_errors(request) as call:
        case = services.visitrequest_convert(request=item, actor=request.user)
    if call.ok:
        # The number links to the new case: the official stays on the household but can follow it in one tap.
        link = format_html('<a href="{}">{}</a>', case.get_absolute_url(), case.number)
        messages.success(request, format_html(_("已转为诉求件 {number}。"), number=link))
    return redirect(item.household.get_absolute_url())


# ------------------------------------------------------------------------------------------- ledger


@login_required
def ledger_index(request: HttpRequest) -> HttpResponse:
    communities = list(communities_for(request.user).select_related("street").order_by("street__name", "sort_order"))
    if len(communities) == 1:
        return redirect("visits:ledger", community_id=communities[0].pk)
    return render(request, "visits/ledger_index.html", {"communities": communities})


@dataclass
class _Ledger:
    """A ledger page's community, what the user may see of it, and the filters chosen."""

    user: User
    community: Community
    sensitive: bool
    form: LedgerFilterForm
    filters: selectors.LedgerFilters
    tags: list[AttentionTag]
    grids: list[Grid]
    communities: list[int]

    def households(self):
        return selectors.ledger(
            user=self.user, community=self.community, filters=self.filters, communities=self.communities
        )


def _ledger_context(request: HttpRequest, community_id: int) -> _Ledger:
    # The ids of the user's communities, read once: the community is found among them (else 404, as if it did not
    # exist) and the households' statements name it without the scoping subquery.
    communities = community_ids_for(request.user)
    if community_id not in communities:
        raise Http404
    community = get_object_or_404(Community.objects.select_related("street"), pk=community_id)
    sensitive = permissions.can_see_sensitive(request.user, community)
    tags = list(selectors.attention_tags())
    grids = list(community.grids.order_by("sort_order", "name"))
    offered = tags if sensitive else [t for t in tags if not t.sensitive]
    form = LedgerFilterForm(request.GET or None, grids=grids, tags=offered)
    filters = selectors.LedgerFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.LedgerFilters(
            query=data["q"], grid=data["grid"], tag=data.get("tag"), level=data["level"], state=data["state"]
        )
    return _Ledger(request.user, community, sensitive, form, filters, tags, grids, communities)


def _rows(households, sensitive: bool) -> list[dict]:
    return [{"h": h, "tags": _visible_tags(h, sensitive)} for h in households]


@login_required
def ledger(request: HttpRequest, community_id: int) -> HttpResponse:
    found = _ledger_context(request, community_id)
    community, sensitive = found.community, found.sensitive
    households = selectors.ledger_page(
        user=request.user, community=community, filters=found.filters, communities=found.communities
    )
    page = Paginator(households, LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    # Each row's grid and tags from the rows the filter form read: one statement on the tag links, no join.
    grids = {grid.pk: grid for grid in found.grids}
    tags = [t for t in found.tags if sensitive or not t.sensitive]
    households = list(page.object_list)
    tagged = selectors.household_tag_ids(households=[h.pk for h in households]) if households and tags else {}
    rows = [
        {"h": h, "grid": grids.get(h.grid_id), "tags": [t for t in tags if t.pk in tagged.get(h.pk, ())]}
        for h in households
    ]
    if sensitive:
        services.household_sensitive_viewed(
            actor=request.user, community=community, households=households, where=_("民情账本")
        )
    context = {
        "community": community,
        "sensitive": sensitive,
        "form": found.form,
        "page_obj": page,
        "rows": rows,
        "can_import": permissions.can_edit_households(request.user, community),
        "query_string": request.GET.urlencode(),
    }
    return render(request, "visits/ledger.html", context)


@login_required
def ledger_export(request: HttpRequest, community_id: int) -> HttpResponse:
    found = _ledger_context(request, community_id)
    community, sensitive = found.community, found.sensitive
    households = list(found.households())
    if sensitive:
        services.household_sensitive_viewed(
            actor=request.user, community=community, households=households, where=_("导出民情账本")
        )
    content = ledger_io.export_ledger(community_name=community.name, households=households, sensitive=sensitive)
    response = HttpResponse(content, content_type=ledger_io.XLSX_CONTENT_TYPE)
    filename = f"ledger-{community.pk}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def ledger_print(request: HttpRequest, community_id: int) -> HttpResponse:
    found = _ledger_context(request, community_id)
    community, sensitive = found.community, found.sensitive
    rows = _rows(found.households(), sensitive)
    if sensitive:
        services.household_sensitive_viewed(
            actor=request.user, community=community, households=[r["h"] for r in rows], where=_("打印民情账本")
        )
    context = {"community": community, "sensitive": sensitive, "rows": rows, "printed_at": timezone.localtime()}
    return render(request, "visits/ledger_print.html", context)


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    content = ledger_io.import_template(tags=selectors.attention_tags())
    response = HttpResponse(content, content_type=ledger_io.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="household-import-template.xlsx"'
    return response


@login_required
def household_import(request: HttpRequest, community_id: int) -> HttpResponse:
    community = get_object_or_404(communities_for(request.user), pk=community_id)
    require_permission(permissions.can_edit_households(request.user, community), _("您的职务不能导入该村(居)的住户。"))
    report = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            rows = ledger_io.read_import_sheet(form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            report = services.household_import(actor=request.user, community=community, rows=rows)
            if report.ok:
                messages.success(request, _("已导入 %(n)d 户。") % {"n": report.created})
                return redirect("visits:ledger", community_id=community.pk)
            if not report.total:
                form.add_error("file", _("表格中没有住户行。"))
                report = None
    return render(request, "visits/import.html", {"community": community, "form": form, "report": report})
