"""The outcome report's inputs from outside the system, and the monthly snapshots."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lucun.models import Street


class ExternalFigure(models.Model):
    """A monthly figure that comes from outside lucun (county 12345 platform, petition office)."""

    class Kind(models.TextChoices):
        COMPLAINTS = "complaints", _("市民投诉件")
        PETITIONS = "petitions", _("信访量")

    street = models.ForeignKey(Street, verbose_name=_("街道"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("指标"), max_length=20, choices=Kind.choices)
    month = models.DateField(_("月份"), help_text=_("该月第一天。"))
    value = models.PositiveIntegerField(_("数量"))
    source = models.CharField(_("来源"), max_length=100, blank=True, help_text=_("如:县12345热线平台、县信访局。"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("外部数据")
        verbose_name_plural = _("外部数据")
        ordering = ["street_id", "-month", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["street", "kind", "month"], name="externalfigure_once_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="externalfigure_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.get_kind_display()} {self.value}"


class ReportSnapshot(models.Model):
    """The outcome report of a street and month as it stood when prepared for the street leaders."""

    street = models.ForeignKey(Street, verbose_name=_("街道"), on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("统计期"), max_length=10)
    data = models.JSONField(_("数据"), default=dict)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    class Meta:
        verbose_name = _("月度成效报告")
        verbose_name_plural = _("月度成效报告")
        ordering = ["-period", "street_id"]
        constraints = [models.UniqueConstraint(fields=["street", "period"], name="reportsnapshot_once_per_period")]

    def __str__(self) -> str:
        return f"{self.street_id} {self.period}"

    def get_absolute_url(self) -> str:
        return reverse("outcomes:snapshot_detail", args=[self.pk])
