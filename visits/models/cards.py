"""党群联系卡 and 意见收集二维码: card batches and QR posters, each with its own anonymous-feedback channel.

A QR code names a batch of cards or a poster, never a household: every card of a batch carries the same
code, so a message sent through it cannot be traced to the family that was given the card.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.models import QrSource
from lucun.files import random_name
from lucun.jobs.models import BackgroundJob
from lucun.models import Community, phone_validator

from .visiting import VisitTeam

# A WeChat ID: 6–20 letters, digits, "_" or "-", starting with a letter (WeChat's own rule).
wechat_validator = RegexValidator(
    r"^[A-Za-z][A-Za-z0-9_-]{5,19}$",
    _("微信号应为 6—20 位字母、数字、下划线或减号,并以字母开头。"),
)

# Why a card batch or a poster stopped; the reasons belong to every printed code, so to QrSource.
DeactivationReason = QrSource.DeactivationReason


class ContactCardBatch(QrSource):
    """A batch of 党群联系卡 a visit team hands out in a community: one contact official, one QR code."""

    MAX_QUANTITY = 50_000

    community = models.ForeignKey(
        Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="contact_card_batches"
    )
    team = models.ForeignKey(
        VisitTeam, verbose_name=_("走访队伍"), on_delete=models.PROTECT, related_name="contact_card_batches"
    )
    number = models.PositiveIntegerField(_("批次"), help_text=_("本村(居)的第几批联系卡。"))
    quantity = models.PositiveIntegerField(_("张数"))
    contact_name = models.CharField(_("联系干部"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=20, validators=[phone_validator])
    contact_wechat = models.CharField(_("微信号"), max_length=20, blank=True, validators=[wechat_validator])
    hotline = models.CharField(_("街道热线"), max_length=30)

    class Meta(QrSource.Meta):
        verbose_name = _("党群联系卡批次")
        verbose_name_plural = _("党群联系卡批次")
        ordering = ["community_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="contactcardbatch_unique_number"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=50_000), name="contactcardbatch_quantity_range"
            ),
            *QrSource.Meta.constraints,
        ]
        indexes = [models.Index(fields=["community", "is_active"], name="contactcardbatch_comm_idx")]

    def __str__(self) -> str:
        return _("%(community)s 联系卡第%(number)d批") % {"community": self.community.name, "number": self.number}

    def get_absolute_url(self) -> str:
        return reverse("visits:card_batch_detail", args=[self.pk])


class FeedbackPoint(QrSource):
    """A 意见收集二维码 poster at a named busy place of a community, with its own QR code."""

    class Place(models.TextChoices):
        SQUARE = "square", _("广场")
        SERVICE_CENTRE = "service_centre", _("党群服务中心")
        SHOP = "shop", _("超市/商店")
        NOTICE_BOARD = "notice_board", _("公告栏")
        GATE = "gate", _("小区/村口")
        CLINIC = "clinic", _("卫生室")
        OTHER = "other", _("其他")

    community = models.ForeignKey(
        Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="feedback_points"
    )
    name = models.CharField(_("张贴地点"), max_length=60, help_text=_("如:文化广场东侧宣传栏。"))
    place = models.CharField(_("地点类型"), max_length=20, choices=Place.choices, default=Place.OTHER)

    class Meta(QrSource.Meta):
        verbose_name = _("意见收集二维码")
        verbose_name_plural = _("意见收集二维码")
        ordering = ["community_id", "name"]
        constraints = [
            # One poster in use per place; a replaced poster keeps its row (and its messages) under the same name.
            models.UniqueConstraint(
                fields=["community", "name"], condition=Q(is_active=True), name="feedbackpoint_one_active_per_place"
            ),
            *QrSource.Meta.constraints,
        ]
        indexes = [models.Index(fields=["community", "is_active"], name="feedbackpoint_comm_idx")]

    def __str__(self) -> str:
        return f"{self.community.name}{self.name}"


def print_file_path(instance: "PrintJob", filename: str) -> str:
    """Keep printed files under a random name (the migrations' name for ``lucun.jobs.models.job_file_path``)."""
    return random_name("print", ".pdf")


class PrintJob(BackgroundJob):
    """One print-ready PDF of a card batch, made by a Celery task that records its progress here (pages)."""

    file_folder = "print"

    batch = models.ForeignKey(
        ContactCardBatch, verbose_name=_("联系卡批次"), on_delete=models.PROTECT, related_name="print_jobs"
    )
    address = models.CharField(_("二维码地址"), max_length=300, help_text=_("印在二维码里的完整网址。"))
    cards = models.PositiveIntegerField(_("张数"))
    per_page = models.PositiveSmallIntegerField(_("每页张数"))

    class Meta(BackgroundJob.Meta):
        verbose_name = _("打印任务")
        verbose_name_plural = _("打印任务")
        constraints = [
            *BackgroundJob.Meta.constraints,
            models.CheckConstraint(condition=Q(cards__gte=1, per_page__gte=1), name="printjob_something_to_print"),
        ]
        indexes = [models.Index(fields=["batch", "-created_at"], name="printjob_batch_idx")]

    def __str__(self) -> str:
        return _("%(batch)s · %(cards)d 张") % {"batch": self.batch, "cards": self.cards}

    @property
    def download_name(self) -> str:
        """The name the PDF is saved under on the official's computer."""
        return f"contact-cards-{self.batch.community_id}-{self.batch.number}-{self.cards}.pdf"
