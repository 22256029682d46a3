"""Pages of exports: the export of a list page (at once, or a job for a large one), the job's page, its progress
and its file.

Each app points a URL of its own at ``export`` with the exporter's kind (``{"kind": "cases.case_list"}``), so
the export sits beside the page it exports and answers as that page does: 403 where the page is refused.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ..errors import page_errors
from ..jobs.views import job_file, job_progress
from ..models import ExportJob
from ..printing import absolute_url
from . import XLSX, Exporter, file_name, get, page_query, row_count, services

JOBS_SHOWN = 5


def site_address(request: HttpRequest) -> str:
    """The site's absolute address a file prints: LUCUN_PUBLIC_BASE_URL, else the host the page was asked on."""
    return absolute_url("/", request).rstrip("/")


@login_required
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest, kind: str) -> HttpResponse:
    """GET: the page's rows as a file, or for more than the limit a page offering to make it in the background;
    POST: start that background job."""
    exporter = get(kind)
    table = exporter.table(user=request.user, query=request.GET)
    query = page_query(request.GET)
    rows = row_count(table)
    if request.method == "POST":
        with page_errors(request) as call:
            job = services.export_job_create(
                actor=request.user, exporter=exporter, rows_total=rows, query=query, site=site_address(request)
            )
        return redirect(job) if call.ok else redirect(_page_url(exporter, query))
    if rows <= exporter.direct_max():
        content = services.export_file(
            actor=request.user, exporter=exporter, table=table, query=query, site=site_address(request)
        )
        response = HttpResponse(content, content_type=exporter.format.content_type)
        response["Content-Disposition"] = f'attachment; filename="{file_name(exporter)}"'
        return response
    jobs = ExportJob.objects.filter(created_by=request.user, kind=kind).order_by("-created_at", "-pk")[:JOBS_SHOWN]
    context = {
        "exporter": exporter,
        "rows": rows,
        "limit": exporter.direct_max(),
        "query": query,
        "back": _page_url(exporter, query),
        "jobs": jobs,
    }
    return render(request, "lucun/export_start.html", context)


def _page_url(exporter: Exporter, query: str) -> str:
    return reverse(exporter.page) + (f"?{query}" if query else "")


def job_get(*, user, pk: int) -> ExportJob:
    """A job of the person who asked for it; anyone else's (or anonymous) is not found."""
    return get_object_or_404(ExportJob, pk=pk, created_by_id=user.pk)


def export_job_progress_data(job: ExportJob, *, download_url: str) -> dict:
    """The job's progress, counted in its file's unit (rows, sheets)."""
    try:
        fmt = get(job.kind).format
    except Http404:  # an exporter no longer registered: its old jobs still show
        fmt = XLSX
    return job_progress(job, unit=fmt.unit, download_url=download_url)


@login_required
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = job_get(user=request.user, pk=pk)
    exporter = get(job.kind)
    progress = export_job_progress_data(job, download_url=reverse("export_job_download", args=[job.pk]))
    context = {
        "job": job,
        "exporter": exporter,
        "back": _page_url(exporter, job.query),
        "progress": progress,
        "download_label": _("下载 %(file)s") % {"file": exporter.format.label},
    }
    return render(request, "lucun/export_job.html", context)


@never_cache
@login_required
def export_job_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """The job's progress, for its page to poll."""
    job = job_get(user=request.user, pk=pk)
    return JsonResponse(export_job_progress_data(job, download_url=reverse("export_job_download", args=[job.pk])))


def export_job_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's file, for the person who asked (404 for anyone else, signed in or not); 410 once expired."""
    job = job_get(user=request.user, pk=pk)
    return job_file(request, job, kind="export", back=job.get_absolute_url())
