from datetime import date

import pytest
from django.db.models import Count, F, Q
from django.utils import timezone

from cases import demo as cases_demo
from deliberation import demo, figures
from deliberation.models import AgendaItem, Meeting, Venue
from lucun.demo import seed_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    ctx = seed_org(log=lambda *args: None)
    cases_demo.seed(ctx)
    demo.seed(ctx)
    return ctx


def _counts():
    return [m.objects.count() for m in (Venue, Meeting, AgendaItem)]


def test_demo_has_the_seed_figures_computed_from_its_rows(seeded):
    today = timezone.localdate()
    f = figures.figures(
        user=seeded.users["leader"], start=figures.months_back(today, 13), end=date(today.year + 1, 1, 1)
    )
    kinds = {k["code"]: k["count"] for k in f.by_kind}
    assert kinds["family_forum"] == 272 and kinds["contest"] == 3
    assert (f.total.on_agenda, f.total.settled, f.total.rate) == (248, 213, 85.9)
    assert (f.joint["count"], f.joint["communities"], f.joint["solved"]) == (12, 9, 34)
    assert len(f.contests) == 3 and all(len(r["entries"]) == 14 for r in f.contests)


def test_demo_venues_are_28_stations_and_halls_with_three_staff_and_20_plus_talk_points(seeded):
    venues = Venue.objects.annotate(n=Count("staff"))
    assert venues.exclude(kind=Venue.Kind.TALK_POINT).count() == 28
    assert venues.filter(kind=Venue.Kind.TALK_POINT).count() >= 20
    assert set(venues.exclude(kind=Venue.Kind.TALK_POINT).values_list("n", flat=True)) == {3}


def test_demo_items_sit_on_meetings_held_while_their_case_was_open(seeded):
    items = AgendaItem.objects.exclude(decision="")
    assert items.filter(meeting__starts_at__lt=F("case__opened_at")).count() == 0
    assert (
        items.filter(Q(case__resolved_at__isnull=False) & Q(meeting__starts_at__gt=F("case__resolved_at"))).count() == 0
    )


def test_demo_is_idempotent(seeded):
    before = _counts()
    demo.seed(seeded)
    assert _counts() == before
