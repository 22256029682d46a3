"""Bulk actions on the rows of a list page: one run (who, which action, which rows, with what input) and the
result of each row, kept so the person can read what was done and what was refused."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..jobs.models import BackgroundJob


class BulkRun(BackgroundJob):
    """One bulk action on many rows of a list (``lucun.bulk``): in the request for a few rows, else a Celery task
    that records its progress. It makes no file: its result is one ``BulkRunRow`` per row."""

    makes_file = False

    kind = models.CharField(_("批量操作"), max_length=60)
    label = models.CharField(_("操作名称"), max_length=100)
    query = models.TextField(_("筛选条件"), blank=True)  # the list page's filters, for the way back
    # The action's input as given (a handler, a reason …), checked again by the action's form when it runs.
    params = models.JSONField(_("操作内容"), default=dict, blank=True)
    ids = models.JSONField(_("所选记录"), default=list, blank=True)  # in the page's order
    refused = models.PositiveIntegerField(_("未办理数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta(BackgroundJob.Meta):
        verbose_name = _("批量操作")
        verbose_name_plural = _("批量操作")
        indexes = [models.Index(fields=["created_by", "-created_at"], name="bulkrun_owner_idx")]
        # A bulk run keeps no file: the base's "done has a file" does not hold for it.
        constraints = [
            models.CheckConstraint(condition=Q(done__lte=F("total")), name="bulkrun_progress_bounded"),
            models.CheckConstraint(condition=~Q(state="failed") | ~Q(error=""), name="bulkrun_failed_has_error"),
            models.CheckConstraint(condition=Q(refused__lte=F("done")), name="bulkrun_refused_bounded"),
        ]

    def __str__(self) -> str:
        return f"{self.label} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("bulk_run", args=[self.pk])


class BulkRunRow(models.Model):
    """What became of one row of a bulk run: done, or refused with the reason the person reads."""

    run = models.ForeignKey(BulkRun, verbose_name=_("批量操作"), on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField(_("序号"))
    object_id = models.PositiveBigIntegerField(_("记录编号"))
    label = models.CharField(_("记录"), max_length=200, blank=True)
    url = models.CharField(_("记录地址"), max_length=200, blank=True)
    ok = models.BooleanField(_("已办理"))
    message = models.CharField(_("结果"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("批量操作结果")
        verbose_name_plural = _("批量操作结果")
        ordering = ["run", "position"]
        constraints = [models.UniqueConstraint(fields=["run", "object_id"], name="bulkrunrow_once_per_row")]

    def __str__(self) -> str:
        return f"{self.label or self.object_id}: {self.message}"
