"""Open311 GeoReport v2 (cases.open311): the keys apps post with, and each street's switch for the public list.

A key is shown once when it is issued and stored only as its SHA-256 hash; each key owns a feedback channel of
its own (kind ``open311``), so the intake queue and the channel figures tell which app a message came through.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lucun.models import Street

from .feedback import FeedbackChannel
from .keys import IssuedKey

KEY_PREFIX = "o311_"


class Open311Key(IssuedKey):
    """A key an app posts requests with, for one street; revoked, never deleted."""

    secret_prefix = KEY_PREFIX
    throttle_purpose = "open311-key"

    name = models.CharField(_("使用方"), max_length=100, help_text=_("如:某某市民随手拍 App。"))
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
    # Off for an app whose own server forwards every resident's request: they would all share the one address's
    # count of the QR form (a few messages in ten minutes), and only the key's hourly limit should hold them.
    limit_each_address = models.BooleanField(
        _("按来源地址限流"),
        default=True,
        help_text=_(
            "开启:每个来源地址的提交和扫码反映共用同一个限额,适合居民手机上的 App 直接提交。"
            "由 App 的服务器统一转发时请关闭,否则全体居民共用服务器一个地址的限额;关闭后只按每小时上限计。"
        ),
    )
    # Nullable as first created; every key is issued by someone (``open311_key_issue`` requires it).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta(IssuedKey.Meta):
        verbose_name = _("Open311 API 密钥")
        verbose_name_plural = _("Open311 API 密钥")


class Open311Setting(models.Model):
    """A street's Open311 settings: whether anyone may list its requests (off unless the street turns it on)."""

    street = models.OneToOneField(
        Street, verbose_name=_("街道"), on_delete=models.PROTECT, related_name="open311_setting"
    )
    public_listing = models.BooleanField(
        _("公开诉求列表"),
        default=False,
        help_text=_(
            "开启后,任何人都可以通过 Open311 查询本街道由群众反馈立案、填了公开标题的诉求:公开标题、类别、"
            "状态、所在村(居)和公开答复。没填公开标题的诉求不列出,内部标题从不公开。"
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
