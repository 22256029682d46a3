"""12345 热线 (cases.hotline): the work orders the county hotline hands a street, and what goes back to it.

An order becomes a case (source 12345) once: its number is unique per street in ``HotlineOrder``, and the import
service keeps each row in a savepoint of its own. The caller's name and phone are kept on the order, not on the
case, and shown in full only to the positions that see household phones (``cases.hotline.can_see_caller``).
A platform that pushes orders uses a ``HotlineKey`` (shown once, stored as its hash, revoked and never deleted);
a street whose platform takes results back names its callback address and shared secret in ``HotlineSetting``,
and each status change of a case goes there once as a signed ``HotlineDelivery``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lucun.models import Street

from .case import Case
from .keys import IssuedKey

HOTLINE_KEY_PREFIX = "h12345_"


class HotlineField(models.TextChoices):
    """What a column of the hotline's export means to lucun (the API takes these codes as its field names)."""

    NUMBER = "number", _("工单编号")
    ACCEPTED_AT = "accepted_at", _("受理时间")
    CALLER_NAME = "caller_name", _("诉求人")
    CALLER_PHONE = "caller_phone", _("联系电话")
    ADDRESS = "address", _("诉求地址")
    CONTENT = "content", _("诉求内容")
    CATEGORY = "category", _("诉求类型")
    TIME_LIMIT = "time_limit", _("办理时限")
    OFFICE = "office", _("承办单位")


class HotlineColumn(models.Model):
    """Which column header of the hotline's export holds which field; one row per field, edited in the admin."""

    field = models.CharField(_("字段"), max_length=20, choices=HotlineField.choices, unique=True)
    header = models.CharField(
        _("表头"),
        max_length=30,
        help_text=_("热线平台导出表中该列的表头文字;可填多个别名,用“|”分隔,如:工单编号|工单号。"),
    )
    required = models.BooleanField(
        _("必填"), default=False, help_text=_("必填的列缺失时整张表不导入;某行为空时该行报错。")
    )

    class Meta:
        verbose_name = _("12345 工单列对应")
        verbose_name_plural = _("12345 工单列对应")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~Q(header=""), name="hotlinecolumn_header_named")]

    def __str__(self) -> str:
        return f"{self.get_field_display()} ← {self.header}"

    @property
    def aliases(self) -> list[str]:
        return [part.strip() for part in self.header.split("|") if part.strip()]


class HotlineKey(IssuedKey):
    """A key the hotline platform pushes orders with, for one street; revoked, never deleted.

    The official who issued it (``created_by``) is the one the pushed cases are registered by (登记人).
    """

    secret_prefix = HOTLINE_KEY_PREFIX
    throttle_purpose = "hotline-key"

    name = models.CharField(_("使用方"), max_length=100, help_text=_("如:县12345政务服务便民热线平台。"))
    hourly_limit = models.PositiveIntegerField(
        _("每小时推送上限"), default=60, help_text=_("该密钥每小时最多推送的次数;超过时返回 429。")
    )

    class Meta(IssuedKey.Meta):
        verbose_name = _("12345 推送密钥")
        verbose_name_plural = _("12345 推送密钥")


class HotlineSetting(models.Model):
    """A street's connection to the hotline platform: where status changes are sent back, signed with a secret."""

    street = models.OneToOneField(
        Street, verbose_name=_("街道"), on_delete=models.PROTECT, related_name="hotline_setting"
    )
    callback_url = models.URLField(
        _("回传地址"),
        blank=True,
        help_text=_("热线平台接收办理状态的地址(https);为空时不回传,只能导出办理结果表。"),
    )
    callback_secret = models.CharField(
        _("签名密钥"),
        max_length=128,
        blank=True,
        help_text=_("与热线平台约定的共享密钥,至少 32 个字符;每次回传用它对请求体做 HMAC-SHA256 签名。"),
    )

    class Meta:
        verbose_name = _("12345 街道设置")
        verbose_name_plural = _("12345 街道设置")
        ordering = ["street_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(callback_url="") | ~Q(callback_secret=""), name="hotlinesetting_url_has_secret"
            ),
        ]

    def __str__(self) -> str:
        return str(self.street)


class HotlineOrder(models.Model):
    """One hotline work order, and the case it became; its number never makes a second case in the street."""

    class Via(models.TextChoices):
        UPLOAD = "upload", _("上传工单表")
        API = "api", _("平台推送")

    street = models.ForeignKey(Street, verbose_name=_("街道"), on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("工单编号"), max_length=50)  # unique per street: Meta
    case = models.OneToOneField(Case, verbose_name=_("诉求"), on_delete=models.PROTECT, related_name="hotline_order")
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    caller_name = models.CharField(_("诉求人"), max_length=50, blank=True)
    caller_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("诉求地址"), max_length=200, blank=True)
    category_text = models.CharField(_("诉求类型"), max_length=60, blank=True)
    time_limit_text = models.CharField(_("办理时限"), max_length=60, blank=True)
    office = models.CharField(_("承办单位"), max_length=100, blank=True)
    via = models.CharField(_("来源"), max_length=10, choices=Via.choices)
    key = models.ForeignKey(
        HotlineKey, verbose_name=_("推送密钥"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    imported_at = models.DateTimeField(_("导入时间"), default=timezone.now)
    # The last state of the case sent back to the platform: a status change is sent when the case's differs.
    reported_state = models.CharField(_("已回传状态"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("12345 工单")
        verbose_name_plural = _("12345 工单")
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["street", "number"], name="hotlineorder_number_unique_per_street"),
            models.CheckConstraint(condition=~Q(number=""), name="hotlineorder_number_given"),
        ]
        indexes = [models.Index(fields=["street", "accepted_at"], name="hotlineorder_accepted_idx")]

    def __str__(self) -> str:
        return self.number


class HotlineDelivery(models.Model):
    """One status change of a hotline case, sent to the platform's callback address until it is delivered.

    Created once per change (with the event it reports, unique); the body is fixed when the row is made, so a
    retry sends the same bytes with the same delivery id, and the platform can drop a repeat by that id.
    """

    order = models.ForeignKey(HotlineOrder, verbose_name=_("工单"), on_delete=models.PROTECT, related_name="deliveries")
    event = models.OneToOneField(
        "cases.CaseEvent", verbose_name=_("诉求记录"), on_delete=models.PROTECT, related_name="+"
    )
    url = models.URLField(_("回传地址"))
    body = models.TextField(_("请求体"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("12345 状态回传")
        verbose_name_plural = _("12345 状态回传")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["created_at"], name="hotlinedelivery_pending_idx", condition=Q(delivered_at=None)),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} #{self.pk}"
