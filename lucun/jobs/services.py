"""Writes of background jobs: take a queued job once, write its file with progress, mark it done or failed, and
delete the files of old jobs.

A job's task calls ``job_claim`` then ``job_file_write``; what the file holds is the caller's ``write`` function,
so an export, a batch of cards and the case sheets share the claim, the progress, the storage and the failure.
"""

import logging
import os
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import BinaryIO, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..audit import AuditAction
from ..services import audit_record
from .models import BackgroundJob, JobState

logger = logging.getLogger(__name__)

# A job still "running" this long after it started was lost with its worker (the task limits are 15 minutes).
STALE_AFTER = timedelta(minutes=20)
# Progress is recorded about this many times in all: the updates cost a bounded number of queries.
PROGRESS_UPDATES = 50
FAILED = gettext_lazy("生成失败,请重试;仍不成功请联系系统管理员。")
EXPIRE_BATCH = 500

Job = TypeVar("Job", bound=BackgroundJob)


def job_language_requested() -> str:
    """The language the person asking for a job reads in (the request's), to record on the job."""
    return translation.get_language() or ""


def job_language(job: BackgroundJob):
    """Run what follows in the language the job's owner asked in: its file, its messages and its audit read as the
    page would have answered at once."""
    return translation.override(job.language or settings.LANGUAGE_CODE)


def job_models() -> list[type[BackgroundJob]]:
    """Return every kind of background job the installed apps define that makes a file."""
    return [model for model in apps.get_models() if issubclass(model, BackgroundJob) and model.makes_file]


def job_claim(*, model: type[Job], job_id: int, related: tuple[str, ...] = ()) -> Job | None:
    """Mark the job running, once, and return it: a redelivered task finds it taken (None), unless the worker that
    took it died long ago."""
    with transaction.atomic():
        job = model.objects.select_for_update(of=("self",)).select_related(*related).filter(pk=job_id).first()
        if job is None:
            return None
        stale = job.state == JobState.RUNNING and job.started_at and job.started_at < timezone.now() - STALE_AFTER
        if job.state != JobState.QUEUED and not stale:
            return None
        job.state = JobState.RUNNING
        job.started_at = timezone.now()
        job.done = 0
        job.save(update_fields=["state", "started_at", "done"])
    return job


def job_fail(*, job: Job, message: str = "") -> Job:
    """Mark the job failed with ``message`` (Chinese, for the person who asked), or the general one."""
    type(job).objects.filter(pk=job.pk).update(
        state=JobState.FAILED, error=(message or str(FAILED))[:500], finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def job_file_write(
    *,
    job: Job,
    name: str,
    write: Callable[[BinaryIO, Callable[[int], None]], int],
    total: int | None = None,
    min_step: int = 1,
    on_done: Callable[[Job], None] | None = None,
) -> Job:
    """Write the job's file with ``write(out, progress)``, store it (as ``name``, renamed at random) and mark the
    job done; on any error mark it failed with a Chinese message and log the error. Return the job.

    ``write`` returns how many it wrote (rows, pages …) and may call ``progress(done)`` after each; the count is
    recorded about fifty times in all, never more often than every ``min_step``. ``total`` is what the job
    expects (its stored total if not given). ``on_done(job)`` runs in the transaction that marks the job done,
    e.g. to audit what was made.
    """
    model = type(job)
    if total is not None and total != job.total:
        model.objects.filter(pk=job.pk).update(total=total)
        job.total = total
    step = max(min_step, job.total // PROGRESS_UPDATES, 1)
    recorded = 0

    def progress(done: int) -> None:
        nonlocal recorded
        if done - recorded >= step or done == job.total:
            model.objects.filter(pk=job.pk).update(done=min(done, job.total))
            recorded = done

    os.makedirs(settings.MEDIA_ROOT, exist_ok=True)
    try:
        with tempfile.TemporaryFile(dir=settings.MEDIA_ROOT) as out:
            written = write(out, progress)
            out.seek(0)
            job.file.save(name, File(out), save=False)
    except Exception:
        logger.exception("%s %s failed", model.__name__, job.pk)
        return job_fail(job=job)
    with transaction.atomic():
        job.state = JobState.DONE
        # What was written, which may differ from the count a moment before if rows came or went meanwhile.
        job.total = job.done = written
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "state", "total", "done", "finished_at"])
        if on_done is not None:
            on_done(job)
    return job


def job_files_expire(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Delete the files of the jobs that finished more than ``older_than`` ago and mark them expired; return how
    many, and record the sweep once in the audit trail.

    A job is marked in its own short transaction before its file goes, so no page ever offers a missing file; a
    job being marked by an overlapping sweep is skipped (PostgreSQL), and a file already gone is no error.
    """
    now = now or timezone.now()
    cutoff = now - older_than
    counts: dict[str, int] = {}
    for model in job_models():
        storage = model._meta.get_field("file").storage
        while True:
            with transaction.atomic():
                rows = list(
                    model.objects.select_for_update(skip_locked=True)
                    .filter(state=JobState.DONE, finished_at__lt=cutoff)
                    .order_by("pk")
                    .values_list("pk", "file")[:EXPIRE_BATCH]
                )
                if not rows:
                    break
                model.objects.filter(pk__in=[pk for pk, _name in rows]).update(
                    state=JobState.EXPIRED, file="", expired_at=now
                )
            for _pk, name in rows:
                try:
                    storage.delete(name)
                except OSError:
                    logger.exception("cannot delete the expired file %s", name)
            counts[model._meta.label_lower] = counts.get(model._meta.label_lower, 0) + len(rows)
    expired = sum(counts.values())
    if expired:
        audit_record(
            actor=None,
            action=AuditAction.JOB_FILES_EXPIRE,
            summary=_("清理过期的导出与打印文件:%(n)d 个") % {"n": expired},
            after={"jobs": counts, "days": older_than.days},
        )
    return expired
