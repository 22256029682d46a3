"""Service claims: the kinds of service and their point standard, batches of claims, one claim and its photo."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lucun.files import random_name
from lucun.models import Community, ConfigRow

from .volunteers import Volunteer


class ServiceType(ConfigRow):
    """One of the kinds of service in 《志愿服务积分细则》 with its point standard."""

    class Unit(models.TextChoices):
        TIME = "time", _("次")
        HOUR = "hour", _("小时")

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    unit = models.CharField(_("计分单位"), max_length=10, choices=Unit.choices, default=Unit.TIME)
    points_per_unit = models.PositiveSmallIntegerField(_("每单位积分"))
    monthly_cap = models.PositiveIntegerField(
        _("每人每月积分上限"), null=True, blank=True, help_text=_("留空表示不设上限。")
    )
    evidence_required = models.BooleanField(_("需要照片佐证"), default=False)
    hours_per_unit = models.DecimalField(
        _("折算服务小时/单位"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.00"),
        help_text=_("用于估算志愿服务价值;按小时计分的填 1。"),
    )

    class Meta(ConfigRow.Meta):
        verbose_name = _("服务类别")
        verbose_name_plural = _("服务类别(积分细则)")
        constraints = [
            models.CheckConstraint(condition=Q(points_per_unit__gte=1), name="servicetype_points_positive"),
            models.CheckConstraint(
                condition=Q(monthly_cap__isnull=True) | Q(monthly_cap__gte=1), name="servicetype_cap_positive"
            ),
            models.CheckConstraint(condition=Q(hours_per_unit__gte=0), name="servicetype_hours_not_negative"),
        ]

    @property
    def standard(self) -> str:
        # One sentence per unit: "每次 10 分" reads "10 points a time", not "10 points per times".
        sentence = _("每小时 %(points)d 分") if self.unit == self.Unit.HOUR else _("每次 %(points)d 分")
        return sentence % {"points": self.points_per_unit}


class ClaimBatch(models.Model):
    """Claims created together for the attendees of one activity (a 大家小家 meeting, an organised clean-up)."""

    community = models.ForeignKey(Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("活动名称"), max_length=100)
    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("服务类别"), on_delete=models.PROTECT, related_name="+"
    )
    service_date = models.DateField(_("服务日期"))
    quantity = models.PositiveSmallIntegerField(_("数量"))
    source_ref = models.CharField(
        _("来源"), max_length=60, blank=True, help_text=_("如 deliberation.meeting:12,记录活动来自哪个会议。")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("批量申报")
        verbose_name_plural = _("批量申报")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.service_date:%Y-%m-%d} {self.title}"


def claim_photo_path(instance, filename: str) -> str:
    """Store evidence photos under a random name: neither the date nor the volunteer shows in it."""
    return random_name("points/claims", ".jpg")


class ServiceClaim(models.Model):
    """A service record waiting for approval; approval credits the points to the ledger."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已入账")
        REJECTED = "rejected", _("未通过")
        REVERSED = "reversed", _("已冲正")

    class Via(models.TextChoices):
        STAFF = "staff", _("干部录入")
        SELF = "self", _("一码通自助申报")
        BATCH = "batch", _("活动批量申报")
        API = "api", _("接口")

    volunteer = models.ForeignKey(Volunteer, verbose_name=_("志愿者"), on_delete=models.PROTECT, related_name="claims")
    community = models.ForeignKey(Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="+")
    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("服务类别"), on_delete=models.PROTECT, related_name="claims"
    )
    service_date = models.DateField(_("服务日期"))
    quantity = models.PositiveSmallIntegerField(_("数量"))
    points = models.PositiveIntegerField(_("申报积分"))
    points_awarded = models.PositiveIntegerField(_("入账积分"), null=True, blank=True)
    photo = models.ImageField(_("佐证照片"), upload_to=claim_photo_path, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reject_reason = models.CharField(_("未通过原因"), max_length=200, blank=True)
    via = models.CharField(_("申报方式"), max_length=10, choices=Via.choices, default=Via.STAFF)
    batch = models.ForeignKey(
        ClaimBatch, verbose_name=_("批量申报"), on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("申报时间"), default=timezone.now)

    class Meta:
        verbose_name = _("服务申报")
        verbose_name_plural = _("服务申报")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="claim_quantity_positive"),
            models.CheckConstraint(condition=Q(points__gte=1), name="claim_points_positive"),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reject_reason=""), name="claim_rejection_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "reversed"])
                | Q(points_awarded__isnull=False, points_awarded__gte=1, decided_at__isnull=False),
                name="claim_approval_has_points",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status", "-created_at"], name="claim_queue_idx"),
            models.Index(fields=["volunteer", "service_type", "service_date"], name="claim_cap_idx"),
            models.Index(fields=["volunteer", "status"], name="claim_volunteer_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.service_type} · {self.service_date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("points:claim_detail", args=[self.pk])
