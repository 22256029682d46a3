"""Open311 GeoReport v2 (cases.open311): the keys apps post with, and each street's switch for the public list.

A key is shown once when it is issued and stored only as its SHA-256 hash; each key owns a feedback channel of
its own (kind ``open311``), so the intake queue and the channel figures tell which app a message came through.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lucun.models import Street

from .feedback import FeedbackChannel

KEY_PREFIX = "o311_"


def new_api_key() -> str:
    """Return a fresh random key: 256 bits, URL-safe, recognisable by its prefix."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def api_key_hash(key: str) -> str:
    """Return what is stored of a key: its SHA-256 in hex (a random key needs no slow hash)."""
    return hashlib.sha256(key.encode()).hexdigest()


class Open311Key(models.Model):
    """A key an app posts requests with, for one street; revoked, never deleted."""

    street = models.ForeignKey(Street, verbose_name=_("街道"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("使用方"), max_length=100, help_text=_("如:某某市民随手拍 App。"))
    prefix = models.CharField(_("密钥开头"), max_length=12, editable=False, help_text=_("用于辨认密钥,不足以使用它。"))
    key_hash = models.CharField(max_length=64, editable=False)  # unique: Meta
    channel = models.OneToOneField(
        FeedbackChannel,
        verbose_name=_("反馈渠道"),
        on_delete=models.PROTECT,
        related_name="open311_key",
        editable=False,
    )
    hourly_limit = models.PositiveIntegerField(
        _("每小时提交上限"), default=100, help_text=_("该密钥每小时最多提交的诉求数;超过时返回 429。")
    )
    is_active = models.BooleanField(_("有效"), default=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("吊销人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True, editable=False)
    revoked_reason = models.CharField(_("吊销原因"), max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name = _("Open311 API 密钥")
        verbose_name_plural = _("Open311 API 密钥")
        ordering = ["street_id", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["key_hash"], name="open311key_hash_unique"),
            models.CheckConstraint(
                condition=Q(is_active=True, revoked_at__isnull=True)
                | (Q(is_active=False, revoked_at__isnull=False) & ~Q(revoked_reason="")),
                name="open311key_revocation_complete",
            ),
            models.CheckConstraint(condition=Q(hourly_limit__gte=1), name="open311key_limit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Open311Setting(models.Model):
    """A street's Open311 settings: whether anyone may list its requests (off unless the street turns it on)."""

    street = models.OneToOneField(
        Street, verbose_name=_("街道"), on_delete=models.PROTECT, related_name="open311_setting"
    )
    public_listing = models.BooleanField(
        _("公开诉求列表"),
        default=False,
        help_text=_(
            "开启后,任何人都可以通过 Open311 查询本街道由群众反馈立案的诉求:标题、类别、状态、所在村(居)"
            "和公开答复。诉求标题由工作人员填写,开启前请确认标题中没有个人信息。"
        ),
    )
    service_notice = models.CharField(
        _("受理提示"),
        max_length=200,
        blank=True,
        help_text=_("提交成功后返回给 App 的一句话,如:工作人员会在一个工作日内查看。为空时使用默认提示。"),
    )

    class Meta:
        verbose_name = _("Open311 街道设置")
        verbose_name_plural = _("Open311 街道设置")
        ordering = ["street_id"]

    def __str__(self) -> str:
        return str(self.street)
