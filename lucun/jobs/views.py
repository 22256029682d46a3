"""How pages and the API show a background job: one progress shape (polled by ``static/js/job-progress.js``),
and the answer for a file that has expired."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .. import files
from .models import BackgroundJob, JobState


def expired_message() -> str:
    return _("文件已超过保存期限(%(days)d 天)被清理,请重新生成。") % {"days": settings.LUCUN_JOB_FILES_DAYS}


def job_progress(job: BackgroundJob, *, unit: str, download_url: str) -> dict:
    """Return the job's state and progress as the pages and the API show it; ``download_url`` once done."""
    error = ""
    if job.state == JobState.FAILED:
        error = job.error
    elif job.state == JobState.EXPIRED:
        error = expired_message()
    return {
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "text": _("%(state)s · %(done)d / %(total)d %(unit)s")
        % {"state": job.get_state_display(), "done": job.done, "total": job.total, "unit": unit},
        "download_url": download_url if job.state == JobState.DONE else "",
        "error": error,
    }


def job_file(request: HttpRequest, job: BackgroundJob, *, kind: str, back: str = "") -> HttpResponse:
    """Send the job's file through the private-file view (``kind`` as registered with ``lucun.files``); the file
    of an expired job is gone for good: 410, saying so.

    The caller has found ``job`` among those the person may see; the private-file view checks that again.
    """
    if job.state == JobState.EXPIRED:
        context = {"message": expired_message(), "back": back}
        return render(request, "lucun/job_expired.html", context, status=410)
    return files.serve(request, kind=kind, pk=job.pk)
