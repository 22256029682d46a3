"""Reads of rewards and redemption: the catalogue, redemptions, and the quarterly redemption windows."""

import calendar
from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from lucun.models import Community, User
from lucun.scoping import get_scoped_or_404, scope

from ..models import PointsPolicy, Redemption, RedemptionLine, RedemptionWindow, Reward
from ..periods import quarter_bounds, quarter_of, shift_quarter


def reward_list(*, user: User, community_id: int | None = None) -> QuerySet[Reward]:
    qs = scope(Reward.objects.all(), user).select_related("community")
    if community_id:
        qs = qs.filter(community_id=community_id)
    return qs.order_by("community__sort_order", "sort_order", "price_points", "name")


def reward_get(*, user: User, pk: int) -> Reward:
    return get_scoped_or_404(Reward.objects.select_related("community"), user, pk=pk)


def catalogue_for(*, community: Community) -> QuerySet[Reward]:
    """Return what a volunteer of ``community`` can exchange points for, cheapest first."""
    return Reward.objects.active().filter(community=community).order_by("sort_order", "price_points", "name")


def redemption_get(*, user: User, pk: int) -> Redemption:
    return get_scoped_or_404(
        Redemption.objects.select_related("volunteer", "community", "created_by").prefetch_related(
            Prefetch("lines", queryset=RedemptionLine.objects.select_related("reward").order_by("reward_id"))
        ),
        user,
        pk=pk,
    )


def redemption_list(*, user: User) -> QuerySet[Redemption]:
    return (
        scope(Redemption.objects.all(), user)
        .select_related("volunteer", "community", "created_by")
        .prefetch_related(
            Prefetch("lines", queryset=RedemptionLine.objects.select_related("reward").order_by("reward_id"))
        )
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class Window:
    is_open: bool
    opens_on: date | None  # the window containing the day, or the next one
    closes_on: date | None

    @property
    def closed_message(self) -> str:
        if self.opens_on is None:
            return _("现在不是积分兑换时间,请留意村(居)通知。")
        return _("现在不是积分兑换时间。下一次兑换时间:%(start)s 至 %(end)s。") % {
            "start": f"{self.opens_on:%Y年%m月%d日}",
            "end": f"{self.closes_on:%Y年%m月%d日}",
        }


def quarter_windows(community: Community, year: int, quarter: int, policy: PointsPolicy) -> list[tuple[date, date]]:
    start, end = quarter_bounds(year, quarter)
    explicit = list(
        RedemptionWindow.objects.filter(Q(community=community) | Q(community__isnull=True))
        .filter(opens_on__lte=end, closes_on__gte=start)
        .order_by("opens_on")
        .values_list("opens_on", "closes_on")
    )
    if explicit:
        return explicit
    month = start.month + policy.window_month_in_quarter - 1
    last_day = calendar.monthrange(year, month)[1]
    return [
        (
            date(year, month, min(policy.window_first_day, last_day)),
            date(year, month, min(policy.window_last_day, last_day)),
        )
    ]


def redemption_window(*, community: Community, day: date) -> Window:
    """Tell whether points can be redeemed in ``community`` on ``day``, and when the (next) window is.

    A quarter with windows set in the admin uses those; any other quarter opens by the policy's default.
    """
    policy = PointsPolicy.current()
    year, quarter = quarter_of(day)
    for shift in range(0, 5):
        for opens_on, closes_on in quarter_windows(community, *shift_quarter(year, quarter, shift), policy):
            if opens_on <= day <= closes_on:
                return Window(True, opens_on, closes_on)
            if opens_on > day:
                return Window(False, opens_on, closes_on)
    return Window(False, None, None)
