import pytest
from django.db.models import F, Min, Sum
from django.db.models.functions import Coalesce

from lucun.demo import seed_org
from points.demo import seed
from points.models import LedgerEntry, PointsAccount, Redemption, Reward, ServiceClaim, ServiceType, Volunteer

pytestmark = pytest.mark.django_db


def test_demo_seeds_a_consistent_year_of_points_once():
    ctx = seed_org(log=lambda *a: None)
    ctx.log = lambda *a: None
    seed(ctx)
    counts = [m.objects.count() for m in (Volunteer, ServiceClaim, Redemption, LedgerEntry)]
    seed(ctx)
    assert [m.objects.count() for m in (Volunteer, ServiceClaim, Redemption, LedgerEntry)] == counts
    assert Volunteer.objects.filter(active=True).count() == 2400  # on the books; about 4 % more have left
    assert 2400 < Volunteer.objects.count() < 2520
    assert ServiceType.objects.count() == 12
    assert Volunteer.objects.values("community").distinct().count() == 14
    assert counts[1] > 10_000 and counts[2] > 500
    mismatched = PointsAccount.objects.annotate(total=Coalesce(Sum("entries__points"), 0)).exclude(balance=F("total"))
    assert not mismatched.exists()
    assert not LedgerEntry.objects.filter(balance_after__lt=0).exists()
    assert Reward.objects.aggregate(m=Min("stock"))["m"] >= 0
    assert Reward.objects.filter(shop_name="电力爱心超市", community__name="赵店村").exists()


def test_demo_links_a_share_of_volunteers_to_members_of_their_own_community(monkeypatch):
    from django.db.models import F

    from visits import demo as visits_demo

    monkeypatch.setattr(visits_demo, "HOUSEHOLDS_AT_SCALE_1", 840)
    ctx = seed_org(log=lambda *a: None)
    visits_demo.seed(ctx)
    seed(ctx)
    linked = Volunteer.objects.filter(member__isnull=False)
    assert 300 < linked.count() < 1000
    assert not linked.exclude(member__household__community=F("community")).exists()
    assert not linked.exclude(name=F("member__name")).exists()
