"""Pages of exports: the export of a list page (at once, or a job for a large one), the job's page and progress.

Each app points a URL of its own at ``export`` with the exporter's kind (``{"kind": "cases.case_list"}``), so
the export sits beside the page it exports and answers as that page does: 403 where the page is refused.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ..models import ExportJob
from . import XLSX_CONTENT_TYPE, direct_max, file_name, get, page_query, services

JOBS_SHOWN = 5


@login_required
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest, kind: str) -> HttpResponse:
    """GET: the page's rows as an xlsx file, or for more than the limit a page offering to make it in the
    background; POST: start that background job."""
    exporter = get(kind)
    table = exporter.table(user=request.user, query=request.GET)
    query = page_query(request.GET)
    rows = table.rows.count()
    if request.method == "POST":
        job = services.export_job_create(actor=request.user, exporter=exporter, rows_total=rows, query=query)
        return redirect(job)
    if rows <= direct_max():
        content = services.export_xlsx(actor=request.user, exporter=exporter, table=table, query=query)
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{file_name(exporter)}"'
        return response
    jobs = ExportJob.objects.filter(created_by=request.user, kind=kind).order_by("-created_at", "-pk")[:JOBS_SHOWN]
    context = {
        "exporter": exporter,
        "rows": rows,
        "limit": direct_max(),
        "query": query,
        "back": _page_url(exporter, query),
        "jobs": jobs,
    }
    return render(request, "lucun/export_start.html", context)


def _page_url(exporter, query: str) -> str:
    return reverse(exporter.page) + (f"?{query}" if query else "")


def _job(request: HttpRequest, pk: int) -> ExportJob:
    """A job of the person who asked for it; anyone else's is not found."""
    return get_object_or_404(ExportJob, pk=pk, created_by_id=request.user.pk)


def _job_state(job: ExportJob) -> dict:
    return {
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "done": job.rows_done,
        "total": job.rows_total,
        "percent": job.percent,
        "text": _("%(state)s · %(done)d / %(total)d 行")
        % {"state": job.get_state_display(), "done": job.rows_done, "total": job.rows_total},
        "download_url": reverse("export_job_download", args=[job.pk]) if job.state == job.State.DONE else "",
        "error": _("生成失败,请重试;仍不成功请联系系统管理员。") if job.state == job.State.FAILED else "",
    }


@login_required
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    exporter = get(job.kind)
    context = {"job": job, "exporter": exporter, "back": _page_url(exporter, job.query), "progress": _job_state(job)}
    return render(request, "lucun/export_job.html", context)


@never_cache
@login_required
def export_job_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """The job's progress, for its page to poll."""
    return JsonResponse(_job_state(_job(request, pk)))
