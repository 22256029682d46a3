"""The points figures of a year, all from the ledger and the claims: volunteers, points by quarter, community and
corps, hours and their value."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, ExtractQuarter, ExtractYear

from lucun.models import Community, User
from lucun.scoping import communities_for

from ..models import LedgerEntry, PointsPolicy, RedemptionLine, ServiceClaim, ServiceCorps, Volunteer
from ..periods import quarter_label, start_of_day


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
