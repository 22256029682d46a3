"""Pages of 党群联系卡 and 意见收集二维码: per-community lists, registering, printing and stopping them."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cases.selectors import feedback_channel_public_url
from lucun.errors import page_errors
from lucun.jobs.views import job_file, job_progress
from lucun.models import Community
from lucun.scoping import communities_for, get_scoped_or_404

from .. import permissions, printing, selectors, services
from ..forms import CardBatchForm, DeactivateForm, FeedbackPointForm
from ..models import ContactCardBatch, DeactivationReason, FeedbackPoint, PrintJob, VisitTeam

PAGE_SIZE = 20
JOBS_SHOWN = 10
BATCH_REASONS = [(r.value, r.label) for r in (DeactivationReason.LOST, DeactivationReason.SUPERSEDED)]
POINT_REASONS = DeactivationReason.choices


def _community(request: HttpRequest, community_id: int) -> Community:
    return get_object_or_404(communities_for(request.user).select_related("street"), pk=community_id)


@login_required
def card_index(request: HttpRequest) -> HttpResponse:
    rows = selectors.card_overview(user=request.user)
    if len(rows) == 1:
        return redirect("visits:card_batches", community_id=rows[0].community.pk)
    totals = {
        "batches": sum(r.batches for r in rows),
        "cards": sum(r.cards for r in rows),
        "posters": sum(r.posters for r in rows),
        "messages": sum(r.messages for r in rows),
    }
    return render(request, "visits/cards/index.html", {"rows": rows, "totals": totals})


@login_required
def card_batches(request: HttpRequest, community_id: int) -> HttpResponse:
    community = _community(request, community_id)
    page = Paginator(selectors.card_batch_list(user=request.user, community=community), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "community": community,
        "page_obj": page,
        "tab": "cards",
        "can_manage": permissions.can_manage_cards(request.user, community),
    }
    return render(request, "visits/cards/batches.html", context)


@login_required
def card_batch_create(request: HttpRequest, community_id: int) -> HttpResponse:
    community = _community(request, community_id)
    permissions.require_card_manager(request.user, community)
    teams = VisitTeam.objects.filter(street_id=community.street_id, is_active=True).order_by("sort_order", "name")
    form = CardBatchForm(
        request.POST or None,
        teams=teams,
        initial={
            "hotline": community.street.hotline,
            "contact_name": request.user.real_name,
            "contact_phone": request.user.phone,
        },
    )
    if request.method == "POST" and form.is_valid():
        with page_errors(request, form) as call:
            batch = services.card_batch_create(actor=request.user, community=community, **form.cleaned_data)
        if call.ok:
            messages.success(request, _("已登记 %(batch)s。可以生成打印文件了。") % {"batch": batch})
            return redirect(batch)
    status = 400 if form.is_bound else 200
    return render(request, "visits/cards/batch_form.html", {"community": community, "form": form}, status=status)


def _batch(request: HttpRequest, pk: int) -> ContactCardBatch:
    return get_scoped_or_404(selectors.card_batch_list(user=request.user), request.user, pk=pk)


@login_required
def card_batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    jobs = list(batch.print_jobs.select_related("created_by").order_by("-created_at", "-pk")[:JOBS_SHOWN])
    running = next((j for j in jobs if not j.finished), None)
    context = {
        "batch": batch,
        "community": batch.community,
        "address": feedback_channel_public_url(channel=batch.channel, request=request),
        "jobs": jobs,
        "running": running,
        "progress": _job_state(running) if running else None,
        "can_manage": permissions.can_manage_cards(request.user, batch.community),
        "deactivate_form": DeactivateForm(reasons=BATCH_REASONS),
        "per_page": printing.PER_PAGE,
    }
    return render(request, "visits/cards/batch_detail.html", context)


@login_required
@require_POST
def card_batch_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    permissions.require_card_manager(request.user, batch.community)
    form = DeactivateForm(request.POST, reasons=BATCH_REASONS)
    if not form.is_valid():
        messages.error(request, _("请选择停用原因。"))
    else:
        with page_errors(request) as call:
            services.card_batch_deactivate(actor=request.user, batch=batch, **form.cleaned_data)
        if call.ok:
            messages.success(request, _("已停用 %(batch)s。扫这批卡的人会看到提示,仍可向街道反映。") % {"batch": batch})
    return redirect(batch)


@login_required
@require_POST
def print_job_start(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    permissions.require_card_manager(request.user, batch.community)
    with page_errors(request) as call:
        services.print_job_create(
            actor=request.user,
            batch=batch,
            address=feedback_channel_public_url(channel=batch.channel, request=request),
        )
    if call.ok:
        messages.success(request, _("打印文件正在生成,完成后可在下方下载。"))
    return redirect(batch)


def _job(request: HttpRequest, pk: int) -> PrintJob:
    return get_scoped_or_404(selectors.print_job_list(user=request.user), request.user, "batch__community", pk=pk)


def _job_state(job: PrintJob) -> dict:
    return job_progress(job, unit=_("页"), download_url=reverse("visits:print_job_download", args=[job.pk]))


@never_cache
@login_required
def print_job_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """The job's progress, for the batch page to poll."""
    return JsonResponse(_job_state(_job(request, pk)))


def print_job_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's PDF for whoever may see its batch (404 for anyone else, signed in or not); 410 once expired."""
    job = _job(request, pk)
    return job_file(request, job, kind="print-job", back=reverse("visits:card_batch_detail", args=[job.batch_id]))


# ----------------------------------------------------------------------------------------------- posters


@login_required
def feedback_points(request: HttpRequest, community_id: int) -> HttpResponse:
    community = _community(request, community_id)
    page = Paginator(selectors.feedback_point_list(user=request.user, community=community), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "community": community,
        "page_obj": page,
        "tab": "posters",
        "can_manage": permissions.can_manage_cards(request.user, community),
        "deactivate_form": DeactivateForm(reasons=POINT_REASONS),
    }
    return render(request, "visits/cards/points.html", context)


@login_required
def feedback_point_create(request: HttpRequest, community_id: int) -> HttpResponse:
    community = _community(request, community_id)
    permissions.require_card_manager(request.user, community)
    form = FeedbackPointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with page_errors(request, form) as call:
            point = services.feedback_point_create(actor=request.user, community=community, **form.cleaned_data)
        if call.ok:
            messages.success(request, _("已登记二维码张贴点:%(point)s。") % {"point": point})
            return redirect("visits:feedback_points", community_id=community.pk)
    status = 400 if form.is_bound else 200
    return render(request, "visits/cards/point_form.html", {"community": community, "form": form}, status=status)


def _point(request: HttpRequest, pk: int) -> FeedbackPoint:
    return get_scoped_or_404(
        FeedbackPoint.objects.select_related("community", "community__street", "channel"), request.user, pk=pk
    )


@login_required
def feedback_point_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The A4 poster with its large QR code, ready to print."""
    point = _point(request, pk)
    if not point.is_active:
        raise Http404
    out = io.BytesIO()
    printing.poster_pdf(
        out,
        text=printing.PosterText(
            community=point.community.name,
            place=point.name,
            street=point.community.street.name,
            hotline=point.community.street.hotline,
        ),
        address=feedback_channel_public_url(channel=point.channel, request=request),
    )
    response = HttpResponse(out.getvalue(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="feedback-poster-{point.pk}.pdf"'
    return response


@login_required
@require_POST
def feedback_point_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    point = _point(request, pk)
    permissions.require_card_manager(request.user, point.community)
    form = DeactivateForm(request.POST, reasons=POINT_REASONS)
    if not form.is_valid():
        messages.error(request, _("请选择停用原因。"))
    else:
        with page_errors(request) as call:
            services.feedback_point_deactivate(actor=request.user, point=point, **form.cleaned_data)
        if call.ok:
            messages.success(request, _("已停用:%(point)s。") % {"point": point})
    return redirect("visits:feedback_points", community_id=point.community_id)
