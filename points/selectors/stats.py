"""Reads of the points system: scoped querysets, redemption windows and the figures."""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, ExtractQuarter, ExtractYear
from django.utils.translation import gettext as _

from lucun.models import Community, User
from lucun.scoping import communities_for, communities_with_role, get_scoped_or_404, scope
from visits.models import HouseholdMember

from .models import (
    ClaimBatch,
    LedgerEntry,
    PointsAccount,
    PointsPolicy,
    Redemption,
    RedemptionLine,
    RedemptionWindow,
    Reward,
    ServiceClaim,
    ServiceCorps,
    ServiceType,
    Volunteer,
    normalise_token,
)
from .periods import quarter_bounds, quarter_label, quarter_of, shift_quarter, start_of_day
from .roles import APPROVE_ROLES

# --- volunteers ------------------------------------------------------------------------------------------


def volunteer_list(
    *,
    user: User,
    query: str = "",
    community_id: int | None = None,
    corps_id: int | None = None,
    active: bool | None = True,
) -> QuerySet[Volunteer]:
    qs = scope(Volunteer.objects.all(), user)
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(phone__endswith=query))
    if community_id:
        qs = qs.filter(community_id=community_id)
    if corps_id:
        qs = qs.filter(corps__id=corps_id)
    if active is not None:
        qs = qs.filter(active=active)
    return (
        qs.select_related("community", "account")
        .prefetch_related(Prefetch("corps", queryset=ServiceCorps.objects.order_by("sort_order")))
        .order_by("community__sort_order", "name", "id")
    )


def volunteer_get(*, user: User, pk: int) -> Volunteer:
    return get_scoped_or_404(Volunteer.objects.select_related("community", "account", "member__household"), user, pk=pk)


def member_choices(*, community: Community, volunteer: Volunteer | None = None) -> QuerySet[HouseholdMember]:
    """Return the household members of a community a volunteer may be linked to: those no other volunteer is."""
    free = Q(volunteer__isnull=True)
    if volunteer is not None and volunteer.member_id:
        free |= Q(pk=volunteer.member_id)
    return (
        HouseholdMember.objects.filter(free, household__community=community)
        .select_related("household")
        .order_by("household__address", "household_id", "id")
    )


def member_for_link(*, user: User, pk: int) -> HouseholdMember | None:
    """Return a household member of the user's communities by id, or None (unknown or out of scope alike)."""
    return (
        HouseholdMember.objects.filter(pk=pk, household__community__in=communities_for(user))
        .select_related("household")
        .first()
    )


def volunteer_by_token(*, token: str) -> Volunteer | None:
    """Return the active volunteer a 一码通 opens, or None (revoked, reissued or mistyped)."""
    token = normalise_token(token)
    if not token:
        return None
    return (
        Volunteer.objects.filter(token=token, active=True)
        .select_related("community", "account")
        .prefetch_related("corps")
        .first()
    )


def ledger_for(*, volunteer: Volunteer) -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.filter(account__volunteer=volunteer)
        .select_related("created_by", "reverses", "claim__service_type", "reversed_by")
        .order_by("-created_at", "-id")
    )


def ledger_list(*, user: User) -> QuerySet[LedgerEntry]:
    return (
        scope(LedgerEntry.objects.all(), user)
        .select_related("account__volunteer", "reverses")
        .order_by("-created_at", "-id")
    )


def ledger_entry_get(*, user: User, pk: int) -> LedgerEntry:
    return get_scoped_or_404(
        LedgerEntry.objects.select_related("account__volunteer__community", "community"), user, pk=pk
    )


def ledger_sum(*, account: PointsAccount) -> int:
    return account.entries.aggregate(total=Coalesce(Sum("points"), 0))["total"]


# --- claims ------------------------------------------------------------------------------------------------


def claim_list(*, user: User, status: str | None = None, community_id: int | None = None) -> QuerySet[ServiceClaim]:
    qs = scope(ServiceClaim.objects.all(), user)
    if status:
        qs = qs.filter(status=status)
    if community_id:
        qs = qs.filter(community_id=community_id)
    return qs.select_related("volunteer", "community", "service_type", "batch", "submitted_by", "decided_by").order_by(
        "created_at" if status == ServiceClaim.Status.PENDING else "-created_at", "id"
    )


def claims_to_approve_count(*, user: User) -> int:
    """Count the pending claims in the communities where the user approves claims (one query)."""
    return ServiceClaim.objects.filter(
        status=ServiceClaim.Status.PENDING, community__in=communities_with_role(user, APPROVE_ROLES)
    ).count()


def claim_get(*, user: User, pk: int) -> ServiceClaim:
    return get_scoped_or_404(
        ServiceClaim.objects.select_related("volunteer", "community", "service_type", "batch", "decided_by"),
        user,
        pk=pk,
    )


def claim_photos_visible(*, user: User) -> QuerySet[ServiceClaim]:
    """Return the claims with an evidence photo that the user may see (the photo is the claim's own field)."""
    return scope(ServiceClaim.objects.exclude(photo=""), user)


def claims_by_ids(*, user: User, ids: list[int]) -> QuerySet[ServiceClaim]:
    return scope(ServiceClaim.objects.filter(pk__in=ids), user).select_related("community").order_by("created_at")


def batch_get(*, user: User, pk: int) -> ClaimBatch:
    return get_scoped_or_404(ClaimBatch.objects.select_related("community", "service_type", "created_by"), user, pk=pk)


def service_types(*, active_only: bool = True) -> QuerySet[ServiceType]:
    qs = ServiceType.objects.all()
    if active_only:
        qs = qs.active()
    return qs.order_by("sort_order", "name")


# --- rewards and redemption ------------------------------------------------------------------------------------


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


# --- figures -------------------------------------------------------------------------------------------------------


@dataclass
class Figures:
    year: int
    volunteers_registered: int
    volunteers_serving: int
    quarters: list[dict]
    by_community: list[dict]
    by_corps: list[dict]
    top: list[Volunteer]
    hours: Decimal
    hour_value_yuan: Decimal
    estimated_value: Decimal
    rewards_value: Decimal


def _net(kind: str) -> Q:
    """Entries of ``kind`` plus the reversals of such entries (which cancel them)."""
    return Q(kind=kind) | Q(kind=LedgerEntry.Kind.REVERSE, reverses__kind=kind)


def figures(*, user: User, year: int) -> Figures:
    """Compute the year's figures for the communities the user sees, all from the ledger and the claims."""
    visible = communities_for(user)
    start_at = start_of_day(date(year, 1, 1))
    end_at = start_of_day(date(year + 1, 1, 1))
    entries = LedgerEntry.objects.filter(community__in=visible, created_at__gte=start_at, created_at__lt=end_at)
    issued = Sum("points", filter=_net(LedgerEntry.Kind.EARN))
    redeemed = Sum("points", filter=_net(LedgerEntry.Kind.REDEEM))

    per_quarter = {
        row["q"]: row
        for row in entries.annotate(q=ExtractQuarter("created_at"))
        .values("q")
        .annotate(issued=Coalesce(issued, 0), redeemed=Coalesce(redeemed, 0))
    }
    quarters = [
        {
            "label": quarter_label(year, q),
            "issued": per_quarter.get(q, {}).get("issued", 0),
            "redeemed": -per_quarter.get(q, {}).get("redeemed", 0),
        }
        for q in range(1, 5)
    ]

    communities = {c.pk: c for c in Community.objects.filter(pk__in=visible.values("pk"))}
    volunteer_counts = dict(
        Volunteer.objects.filter(community__in=visible, active=True)
        .values("community")
        .annotate(n=Count("id"))
        .values_list("community", "n")
    )
    by_community_rows = {
        row["community"]: row
        for row in entries.values("community").annotate(issued=Coalesce(issued, 0), redeemed=Coalesce(redeemed, 0))
    }
    approved = ServiceClaim.objects.filter(
        community__in=visible,
        status=ServiceClaim.Status.APPROVED,
        service_date__gte=date(year, 1, 1),
        service_date__lt=date(year + 1, 1, 1),
    )
    hours_expr = Sum(F("quantity") * F("service_type__hours_per_unit"))
    hours_by_community = dict(approved.values("community").annotate(h=hours_expr).values_list("community", "h"))
    policy = PointsPolicy.current()
    rate = policy.hour_value_yuan
    by_community = []
    for pk, community in sorted(communities.items(), key=lambda kv: (kv[1].sort_order, kv[1].name)):
        row = by_community_rows.get(pk, {})
        hours = Decimal(hours_by_community.get(pk) or 0)
        by_community.append(
            {
                "community": community,
                "volunteers": volunteer_counts.get(pk, 0),
                "issued": row.get("issued", 0),
                "redeemed": -row.get("redeemed", 0),
                "hours": hours,
                "value": (hours * rate).quantize(Decimal("1")),
            }
        )

    by_corps = list(
        ServiceCorps.objects.annotate(
            members=Count(
                "volunteers",
                filter=Q(volunteers__community__in=visible, volunteers__active=True),
                distinct=True,
            ),
        )
        .order_by("sort_order", "name")
        .values("pk", "name", "members")
    )
    corps_points = dict(
        entries.filter(_net(LedgerEntry.Kind.EARN))
        .values("account__volunteer__corps")
        .annotate(p=Sum("points"))
        .values_list("account__volunteer__corps", "p")
    )
    corps_redeemed = dict(
        entries.filter(_net(LedgerEntry.Kind.REDEEM))
        .values("account__volunteer__corps")
        .annotate(p=Sum("points"))
        .values_list("account__volunteer__corps", "p")
    )
    for row in by_corps:
        row["issued"] = corps_points.get(row["pk"]) or 0
        row["redeemed"] = -(corps_redeemed.get(row["pk"]) or 0)

    top = list(
        Volunteer.objects.filter(community__in=visible)
        .annotate(
            year_points=Sum(
                "account__entries__points",
                filter=Q(account__entries__created_at__gte=start_at, account__entries__created_at__lt=end_at)
                & (
                    Q(account__entries__kind=LedgerEntry.Kind.EARN)
                    | Q(
                        account__entries__kind=LedgerEntry.Kind.REVERSE,
                        account__entries__reverses__kind=LedgerEntry.Kind.EARN,
                    )
                ),
            )
        )
        .filter(year_points__gt=0)
        .select_related("community")
        .order_by("-year_points", "name")[:10]
    )
    total_hours = Decimal(approved.aggregate(h=hours_expr)["h"] or 0)
    rewards_value = RedemptionLine.objects.filter(
        redemption__community__in=visible,
        redemption__cancelled_at__isnull=True,
        redemption__created_at__gte=start_at,
        redemption__created_at__lt=end_at,
        reward__market_value_yuan__isnull=False,
    ).aggregate(v=Sum(F("quantity") * F("reward__market_value_yuan")))["v"] or Decimal(0)
    serving = approved.values("volunteer").distinct().count()
    return Figures(
        year=year,
        volunteers_registered=sum(volunteer_counts.values()),
        volunteers_serving=serving,
        quarters=quarters,
        by_community=by_community,
        by_corps=by_corps,
        top=top,
        hours=total_hours,
        hour_value_yuan=rate,
        estimated_value=(total_hours * rate).quantize(Decimal("1")),
        rewards_value=Decimal(rewards_value).quantize(Decimal("1")),
    )


def figure_years(*, user: User) -> list[int]:
    years = (
        LedgerEntry.objects.filter(community__in=communities_for(user))
        .annotate(y=ExtractYear("created_at"))
        .order_by()
        .values_list("y", flat=True)
        .distinct()
    )
    return sorted(set(years), reverse=True)
