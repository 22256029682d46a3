"""The base of every background job that makes a file: its state, progress, file, error, owner and times."""

import os

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def job_file_path(instance: "BackgroundJob", filename: str) -> str:
    """Keep a job's file under a random name in its kind's folder: the address of a file is not guessable."""
    from ..files import random_name

    return random_name(instance.file_folder, os.path.splitext(filename)[1])


class JobState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    EXPIRED = "expired", _("已过期")  # done once; its file was deleted after LUCUN_JOB_FILES_DAYS


class BackgroundJob(models.Model):
    """A file made by a Celery task, with its progress: ``done`` of ``total`` (rows, pages, sheets …).

    A subclass names the folder its files go to (``file_folder``) and adds what the job is about.
    """

    State = JobState
    file_folder = "jobs"
    # A job whose result is rows, not a file (a bulk action), says False: the file sweep leaves it alone.
    makes_file = True

    state = models.CharField(_("状态"), max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    total = models.PositiveIntegerField(_("总数"), default=0)
    done = models.PositiveIntegerField(_("已完成数"), default=0)
    file = models.FileField(_("文件"), upload_to=job_file_path, blank=True, max_length=200)
    error = models.TextField(_("错误"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expired_at = models.DateTimeField(_("文件清理时间"), null=True, blank=True)
    # The language the person asked in: the worker makes the file in it, as the page would have answered at once
    # (a worker's own language is the site's, Chinese; so is a job that recorded none).
    language = models.CharField(_("语言"), max_length=15, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(done__lte=F("total")), name="%(class)s_progress_bounded"),
            models.CheckConstraint(condition=~Q(state="done") | ~Q(file=""), name="%(class)s_done_has_file"),
            models.CheckConstraint(condition=~Q(state="failed") | ~Q(error=""), name="%(class)s_failed_has_error"),
            models.CheckConstraint(
                condition=~Q(state="expired") | Q(file="", expired_at__isnull=False),
                name="%(class)s_expired_has_no_file",
            ),
        ]

    @property
    def percent(self) -> int:
        if self.state in (JobState.DONE, JobState.EXPIRED):
            return 100
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED, JobState.EXPIRED)

    @property
    def expired(self) -> bool:
        return self.state == JobState.EXPIRED
