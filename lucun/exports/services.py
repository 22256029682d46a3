"""Writes of exports: the file answered at once, the background job and its run, each audited once.

An export is audited when its file is made (who, what, which filters, how many rows); a job that fails made no
file and exported nothing.
"""

import io
import logging
import os
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ExportJob, User
from ..services import audit_record, outbox_enqueue
from . import Exporter, Table, get, xlsx

logger = logging.getLogger(__name__)

EXPORT_TASK = "lucun.tasks.export_job_run"
# A job still "running" this long after it started was lost with its worker (the task limit is 15 minutes).
STALE_AFTER = timedelta(minutes=20)
# Progress is recorded about fifty times in all, and never more often than every this many rows: the updates
# cost a bounded number of queries whatever the size of the export.
PROGRESS_MIN_STEP = 500


def _audit(*, actor: User, exporter: Exporter, query: str, rows: int, job: ExportJob | None = None) -> None:
    audit_record(
        actor=actor,
        action=exporter.action,
        obj=job,
        summary=_("导出%(what)s:%(n)d 行") % {"what": exporter.label, "n": rows},
        after={"kind": exporter.kind, "query": query, "rows": rows},
    )


def export_xlsx(*, actor: User, exporter: Exporter, table: Table, query: str) -> bytes:
    """Write the page's rows as an xlsx file at once and record who exported what; return the file's bytes."""
    out = io.BytesIO()
    rows = xlsx.write(out, table)
    _audit(actor=actor, exporter=exporter, query=query, rows=rows)
    return out.getvalue()


def export_job_create(*, actor: User, exporter: Exporter, rows_total: int, query: str) -> ExportJob:
    """Queue the export of a page's rows in the background; the task rebuilds the table for ``actor``."""
    with transaction.atomic():
        job = ExportJob.objects.create(kind=exporter.kind, query=query, rows_total=rows_total, created_by=actor)
        outbox_enqueue(task_name=EXPORT_TASK, job_id=job.pk)
    return job


def _claim(job_id: int) -> ExportJob | None:
    """Mark the job running, once: a redelivered task finds it taken (unless its worker died long ago)."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update(of=("self",)).select_related("created_by").filter(pk=job_id).first()
        if job is None:
            return None
        stale = (
            job.state == ExportJob.State.RUNNING and job.started_at and job.started_at < timezone.now() - STALE_AFTER
        )
        if job.state != ExportJob.State.QUEUED and not stale:
            return None
        job.state = ExportJob.State.RUNNING
        job.started_at = timezone.now()
        job.rows_done = 0
        job.save(update_fields=["state", "started_at", "rows_done"])
    return job


def _fail(job: ExportJob, message: str) -> ExportJob:
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportJob.State.FAILED, error=message[:500], finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Write the job's file into MEDIA_ROOT, recording progress; return the job (None if another run has it).

    The rows are those the page shows its owner now: filters from the stored query, scope from the owner's
    positions at the time of the run.
    """
    job = _claim(job_id)
    if job is None:
        return None
    try:
        exporter = get(job.kind)
        table = exporter.table(user=job.created_by, query=QueryDict(job.query))
        total = table.rows.count()
    except Exception as exc:  # an exporter gone, or a page the owner may no longer open
        logger.warning("export job %s cannot start: %r", job.pk, exc)
        return _fail(job, str(exc) or type(exc).__name__)
    ExportJob.objects.filter(pk=job.pk).update(rows_total=total)
    every = max(PROGRESS_MIN_STEP, total // 50)

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_done=min(done, total))

    os.makedirs(settings.MEDIA_ROOT, exist_ok=True)
    try:
        with tempfile.TemporaryFile(dir=settings.MEDIA_ROOT) as out:
            rows = xlsx.write(out, table, on_rows=progress, every=every)
            out.seek(0)
            job.file.save(f"export-{job.pk}.xlsx", File(out), save=False)
    except Exception as exc:
        logger.exception("export job %s failed", job.pk)
        return _fail(job, str(exc) or type(exc).__name__)
    with transaction.atomic():
        job.state = ExportJob.State.DONE
        # The rows written, which may differ from the count a moment before if cases came or went meanwhile.
        job.rows_total = job.rows_done = rows
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "state", "rows_total", "rows_done", "finished_at"])
        _audit(actor=job.created_by, exporter=exporter, query=job.query, rows=rows, job=job)
    return job
