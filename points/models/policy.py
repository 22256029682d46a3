"""The one configuration row of the points system: expiry, the default redemption window, the value of an hour."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PointsPolicy(models.Model):
    """The one configuration row of the points system (pk = 1), edited in the admin."""

    expiry_enabled = models.BooleanField(_("启用积分过期"), default=False)
    expiry_quarters = models.PositiveSmallIntegerField(
        _("有效季度数"), default=4, help_text=_("获得超过这么多个季度的积分按先得先扣的顺序过期。")
    )
    window_month_in_quarter = models.PositiveSmallIntegerField(
        _("默认兑换月份(季度第几个月)"), default=3, help_text=_("1、2 或 3;未另行设定兑换时间的季度按此开放。")
    )
    window_first_day = models.PositiveSmallIntegerField(_("默认兑换开始日"), default=1)
    window_last_day = models.PositiveSmallIntegerField(
        _("默认兑换截止日"), default=31, help_text=_("超过当月天数时按月末计。")
    )
    hour_value_yuan = models.DecimalField(
        _("志愿服务每小时折算金额(元)"), max_digits=8, decimal_places=2, default=Decimal("20.00")
    )
    self_claim_pending_limit = models.PositiveSmallIntegerField(
        _("一码通待审申报上限"), default=10, help_text=_("志愿者自己申报、尚未审核的记录最多这么多条。")
    )

    class Meta:
        verbose_name = _("积分规则设置")
        verbose_name_plural = _("积分规则设置")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="points_policy_single_row"),
            models.CheckConstraint(
                condition=Q(window_month_in_quarter__gte=1, window_month_in_quarter__lte=3),
                name="points_policy_window_month_1_to_3",
            ),
            models.CheckConstraint(
                condition=Q(window_first_day__gte=1, window_first_day__lte=31)
                & Q(window_last_day__gte=models.F("window_first_day"), window_last_day__lte=31),
                name="points_policy_window_days_in_order",
            ),
            models.CheckConstraint(condition=Q(expiry_quarters__gte=1), name="points_policy_expiry_at_least_1"),
        ]

    def __str__(self) -> str:
        return str(_("积分规则设置"))

    @classmethod
    def current(cls) -> "PointsPolicy":
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy
