"""The points shop: rewards, the quarterly redemption windows, redemptions and their lines."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lucun.models import Community, ConfigRow

from .volunteers import Volunteer


class Reward(ConfigRow):
    """An item of the points shop (积分超市): goods or a service, with a price in points and a stock."""

    class Kind(models.TextChoices):
        GOODS = "goods", _("生活物资")
        SERVICE = "service", _("服务")

    community = models.ForeignKey(Community, verbose_name=_("提供村(居)"), on_delete=models.PROTECT, related_name="+")
    shop_name = models.CharField(_("兑换点"), max_length=50, help_text=_("如:电力爱心超市。"))
    name = models.CharField(_("名称"), max_length=50)  # unique per community, not street-wide (below)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.GOODS)
    price_points = models.PositiveIntegerField(_("所需积分"))
    stock = models.IntegerField(_("库存"), null=True, blank=True, help_text=_("留空表示不限量(如理发等服务)。"))
    market_value_yuan = models.DecimalField(_("参考价值(元)"), max_digits=8, decimal_places=2, null=True, blank=True)
    # The shop's own word: an item is on or off the shelf.
    is_active = models.BooleanField(_("上架"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta(ConfigRow.Meta):
        verbose_name = _("兑换商品")
        verbose_name_plural = _("积分超市商品")
        ordering = ["community_id", "sort_order", "price_points", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__isnull=True) | Q(stock__gte=0), name="reward_stock_not_negative"),
            models.CheckConstraint(condition=Q(price_points__gte=1), name="reward_price_positive"),
            models.UniqueConstraint(fields=["community", "name"], name="reward_unique_name_in_community"),
        ]
        indexes = [models.Index(fields=["community", "is_active"], name="reward_catalogue_idx")]

    def __str__(self) -> str:
        return _("%(name)s(%(points)s 分)") % {"name": self.display_name, "points": self.price_points}


class RedemptionWindow(models.Model):
    """Dates on which points may be redeemed; a quarter with no window set uses the policy's default."""

    community = models.ForeignKey(
        Community,
        verbose_name=_("村(居)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("留空表示全部村(居)。"),
    )
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("兑换时间")
        verbose_name_plural = _("兑换时间")
        ordering = ["-opens_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="redemption_window_closes_after_opening"
            ),
        ]
        indexes = [models.Index(fields=["opens_on", "closes_on"], name="redemption_window_dates_idx")]

    def __str__(self) -> str:
        where = self.community.name if self.community_id else _("全部村(居)")
        return f"{where} {self.opens_on:%Y-%m-%d}–{self.closes_on:%Y-%m-%d}"


class Redemption(models.Model):
    """A counter exchange of points for rewards; its ledger entry and stock changes are committed together."""

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("志愿者"), on_delete=models.PROTECT, related_name="redemptions"
    )
    community = models.ForeignKey(Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="+")
    total_points = models.PositiveIntegerField(_("合计积分"))
    idempotency_key = models.CharField(_("幂等键"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("兑换时间"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("兑换单")
        verbose_name_plural = _("兑换单")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "idempotency_key"], name="redemption_idempotency_key"),
            models.CheckConstraint(condition=Q(total_points__gte=1), name="redemption_total_positive"),
        ]
        indexes = [models.Index(fields=["community", "-created_at"], name="redemption_community_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.volunteer}"

    def get_absolute_url(self) -> str:
        return reverse("points:redemption_receipt", args=[self.pk])

    @property
    def number(self) -> str:
        return f"DH{self.created_at:%Y}-{self.pk:06d}"


class RedemptionLine(models.Model):
    redemption = models.ForeignKey(Redemption, verbose_name=_("兑换单"), on_delete=models.PROTECT, related_name="lines")
    reward = models.ForeignKey(Reward, verbose_name=_("商品"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveSmallIntegerField(_("数量"))
    unit_points = models.PositiveIntegerField(_("单价(积分)"))
    points = models.PositiveIntegerField(_("小计(积分)"))

    class Meta:
        verbose_name = _("兑换明细")
        verbose_name_plural = _("兑换明细")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="redemption_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(points=models.F("quantity") * models.F("unit_points")), name="redemption_line_points_sum"
            ),
            models.UniqueConstraint(fields=["redemption", "reward"], name="redemption_line_one_per_reward"),
        ]

    def __str__(self) -> str:
        return f"{self.reward.display_name} × {self.quantity}"
