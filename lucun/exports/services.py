"""Writes of exports: the file answered at once, the background job and its run, each audited once.

An export is audited when its file is made (who, what, which filters, how many rows); a job that fails made no
file and exported nothing.
"""

import io
import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, QueryDict
from django.utils.translation import gettext as _

from ..jobs.services import job_claim, job_fail, job_file_write, job_language, job_language_requested
from ..models import ExportJob, User
from ..services import audit_record, outbox_enqueue
from . import Exporter, Table, get, row_count

logger = logging.getLogger(__name__)

EXPORT_TASK = "lucun.tasks.export_job_run"


def _audit(*, actor: User, exporter: Exporter, query: str, rows: int, job: ExportJob | None = None) -> None:
    audit_record(
        actor=actor,
        action=exporter.action,
        obj=job,
        summary=_("导出%(what)s:%(n)d %(unit)s") % {"what": exporter.label, "n": rows, "unit": exporter.format.unit},
        after={"kind": exporter.kind, "query": query, "rows": rows},
    )


def export_file(*, actor: User, exporter: Exporter, table: Table, query: str, site: str = "") -> bytes:
    """Write the page's rows as the exporter's file at once and record who exported what; return the file's bytes.

    ``site``: the site's absolute address, for what the file prints.
    """
    out = io.BytesIO()
    rows = exporter.format.write(out, table, site=site)
    _audit(actor=actor, exporter=exporter, query=query, rows=rows)
    return out.getvalue()


def export_job_create(*, actor: User, exporter: Exporter, rows_total: int, query: str, site: str = "") -> ExportJob:
    """Queue the export of a page's rows in the background; the task rebuilds the table for ``actor``.

    The exporter may refuse the number of rows (``Exporter.check``): nothing is queued then.
    """
    if exporter.check is not None:
        exporter.check(rows_total)
    with transaction.atomic():
        job = ExportJob.objects.create(
            kind=exporter.kind,
            query=query,
            total=rows_total,
            site=site,
            language=job_language_requested(),
            created_by=actor,
        )
        outbox_enqueue(task_name=EXPORT_TASK, job_id=job.pk)
    return job


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Write the job's file into MEDIA_ROOT, recording progress; return the job (None if another run has it).

    The rows are those the page shows its owner now: filters from the stored query, scope from the owner's
    positions at the time of the run; its words are in the language the owner asked in.
    """
    job = job_claim(model=ExportJob, job_id=job_id, related=("created_by",))
    if job is None:
        return None
    with job_language(job):
        return _export_job_write(job)


def _export_job_write(job: ExportJob) -> ExportJob:
    try:
        exporter = get(job.kind)
    except Http404:
        return job_fail(job=job, message=_("生成失败:这种导出已不再提供。"))
    try:
        table = exporter.table(user=job.created_by, query=QueryDict(job.query))
        total = row_count(table)
    except PermissionDenied:  # the owner's positions changed since
        return job_fail(job=job, message=_("生成失败:您已无权查看这些内容。"))
    except Exception:
        logger.exception("export job %s cannot start", job.pk)
        return job_fail(job=job)
    fmt = exporter.format

    def write(out, progress) -> int:
        return fmt.write(out, table, on_rows=progress, site=job.site)

    def audit(done: ExportJob) -> None:
        _audit(actor=done.created_by, exporter=exporter, query=done.query, rows=done.done, job=done)

    return job_file_write(
        job=job,
        name=f"export-{job.pk}.{fmt.extension}",
        write=write,
        total=total,
        min_step=fmt.progress_step,
        on_done=audit,
    )
