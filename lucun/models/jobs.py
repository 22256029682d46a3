"""Long jobs a person waits for: an export of a list too large to answer at once, and its progress."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def export_file_path(instance: "ExportJob", filename: str) -> str:
    """Keep exported files under a random name: the address of a file is not guessable."""
    from ..files import random_name

    return random_name("exports", filename[filename.rfind(".") :] if "." in filename else "")


class ExportJob(models.Model):
    """One export of a list page (xlsx) too large to answer at once, made by a Celery task that records its progress.

    ``kind`` names the exporter an app registered (``lucun.exports``); ``query`` is the page's query string, so
    the task rebuilds exactly the page's filters and scope for the person who asked, when it runs.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("导出内容"), max_length=60)
    query = models.TextField(_("筛选条件"), blank=True)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已生成行数"), default=0)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.QUEUED)
    file = models.FileField(_("文件"), upload_to=export_file_path, blank=True, max_length=200)
    error = models.TextField(_("错误"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导出人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rows_done__lte=models.F("rows_total")), name="exportjob_progress_bounded"
            ),
            models.CheckConstraint(condition=~Q(state="done") | ~Q(file=""), name="exportjob_done_has_file"),
            models.CheckConstraint(condition=~Q(state="failed") | ~Q(error=""), name="exportjob_failed_has_error"),
        ]
        indexes = [models.Index(fields=["created_by", "kind", "-created_at"], name="exportjob_owner_idx")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("export_job", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return round(100 * self.rows_done / self.rows_total) if self.rows_total else 0

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)
