"""Pages of bulk actions: the bar a list page shows above its rows, the confirmation page that takes the action's
input, and the run's page with its progress and each row's result.

A list page ticks rows into a form of its own (``lucun/_bulk_bar.html``): each action's button sends the ticked
ids, or "all matching", with the page's filters, to ``bulk_start`` — a GET, nothing changes until the
confirmation page is sent.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ..errors import page_errors, require_permission
from ..exports import page_query
from ..jobs.views import job_progress
from ..models import BulkRun
from . import BulkAction, for_page, get, services

PREVIEW = 10
RESULTS_PAGE = 100


def page_context(request: HttpRequest, page: str) -> dict:
    """What a list page needs for its bulk bar: the actions it offers this person and its filters."""
    return {"bulk_actions": for_page(page, request.user), "bulk_filters": page_query(request.GET)}


def _back(action: BulkAction, filters: str) -> str:
    return reverse(action.page) + (f"?{filters}" if filters else "")


def _ids(values: list[str]) -> list[int]:
    return list(dict.fromkeys(int(v) for v in values if v.isdigit() and len(v) < 19))


@login_required
@require_http_methods(["GET", "POST"])
def bulk_start(request: HttpRequest, kind: str) -> HttpResponse:
    """GET: what will be done to how many rows, and the action's input; POST: start the run and show it."""
    action = get(kind)
    require_permission(action.allowed(request.user), services.REFUSED)
    source = request.POST if request.method == "POST" else request.GET
    filters = page_query(QueryDict(source.get("filters", "")))
    query = QueryDict(filters)
    everything = source.get("all") == "1"
    ids = _ids(source.getlist("id"))
    rows = action.rows(user=request.user, query=query)  # refused (403) where the page is
    if everything and action.select is None:
        count, preview, unseen = rows.count(), list(rows[:PREVIEW]), 0
    elif everything:
        first = action.page_ids(user=request.user, query=query, limit=PREVIEW)
        count, preview, unseen = rows.count(), list(action.lookup(user=request.user, ids=first).values()), 0
    elif action.pick is not None:
        chosen = action.lookup(user=request.user, ids=ids)
        count, preview, unseen = len(ids), [chosen[pk] for pk in ids if pk in chosen][:PREVIEW], len(ids) - len(chosen)
    else:
        chosen = action.scope(user=request.user).filter(pk__in=ids)
        found = chosen.count()
        count, preview, unseen = len(ids), list(chosen[:PREVIEW]), len(ids) - found
    if not count:
        messages.error(request, _("请先勾选要办理的记录,或选择“全部符合条件的记录”。"))
        return redirect(_back(action, filters))
    form = action.form(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        params = {name: request.POST.get(name, "") for name in form.fields}
        with page_errors(request, form) as call:
            run = services.bulk_run_start(
                actor=request.user, action=action, params=params, query=query, ids=ids, everything=everything
            )
        if call.ok:
            return redirect(run)
    context = {
        "action": action,
        "form": form,
        "count": count,
        "preview": [(str(action.describe(obj)), action.link(obj)) for obj in preview],
        "more": max(count - unseen - len(preview), 0),
        "unseen": unseen,
        "everything": everything,
        "ids": ids,
        "filters": filters,
        "back": _back(action, filters),
        "background": count > settings.LUCUN_BULK_SYNC_MAX,
    }
    return render(request, "lucun/bulk_start.html", context, status=400 if form.is_bound else 200)


def run_get(*, user, pk: int) -> BulkRun:
    """A run of the person who made it; anyone else's (or anonymous) is not found."""
    return get_object_or_404(BulkRun, pk=pk, created_by_id=user.pk)


def run_progress(run: BulkRun) -> dict:
    """The run's progress; once done, the address of its results (its own page, shown again)."""
    try:
        unit = get(run.kind).unit
    except Http404:  # an action no longer registered: its old runs still show
        unit = _("条")
    return job_progress(run, unit=str(unit), download_url=run.get_absolute_url())


@login_required
def bulk_run(request: HttpRequest, pk: int) -> HttpResponse:
    """The run: its progress while it runs, then each row's result (refused rows first with ?show=refused)."""
    run = run_get(user=request.user, pk=pk)
    rows = run.rows.order_by("position")
    show = request.GET.get("show", "")
    if show == "refused":
        rows = rows.filter(ok=False)
    try:
        action = get(run.kind)
        back = _back(action, run.query)
    except Http404:
        back = reverse("home")
    context = {
        "run": run,
        "progress": run_progress(run),
        "page_obj": Paginator(rows, RESULTS_PAGE).get_page(request.GET.get("page")),
        "show": show,
        "ok_count": run.done - run.refused if run.finished else 0,
        "back": back,
    }
    return render(request, "lucun/bulk_run.html", context)


@never_cache
@login_required
def bulk_run_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """The run's progress, for its page to poll."""
    return JsonResponse(run_progress(run_get(user=request.user, pk=pk)))
