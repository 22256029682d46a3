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


def test_demo_has_the_seed_figures_venues_and_consistent_agendas(seeded):
    today = timezone.localdate()
    end = date(today.year + 1, 1, 1)
    f = figures.figures(user=seeded.users["leader"], start=figures.months_back(today, 13), end=end)
    kinds = {k["code"]: k["count"] for k in f.by_kind}
    assert kinds["family_forum"] == 272 and kinds["contest"] == 3
    assert (f.total.on_agenda, f.total.settled, f.total.rate) == (248, 213, 85.9)
    assert (f.joint["count"], f.joint["communities"], f.joint["solved"]) == (12, 9, 34)
    assert len(f.contests) == 3 and all(len(r["entries"]) == 14 for r in f.contests)
    # The latest round also counts its residents' ballots; the earlier ones were judged by judges only.
    assert [r["ballots"] for r in f.contests] == [0, 0, 86]
    assert sum(e["ballots"] for e in f.contests[-1]["entries"]) > 86

    venues = Venue.objects.annotate(n=Count("staff"))
    assert venues.exclude(kind=Venue.Kind.TALK_POINT).count() == 28
    assert venues.filter(kind=Venue.Kind.TALK_POINT).count() >= 20
    assert set(venues.exclude(kind=Venue.Kind.TALK_POINT).values_list("n", flat=True)) == {3}

    # Every item sits on a meeting held while its case was open.
    items = AgendaItem.objects.exclude(decision="")
    assert not items.filter(meeting__starts_at__lt=F("case__opened_at")).exists()
    assert not items.filter(
        Q(case__resolved_at__isnull=False) & Q(meeting__starts_at__gt=F("case__resolved_at"))
    ).exists()


def test_demo_minutes_are_headed_with_their_meetings_title(seeded):
    minuted = Meeting.objects.exclude(minutes="")
    assert minuted.filter(kind=Meeting.Kind.FAMILY_FORUM, title__startswith="大家小家座谈会:").exists()
    assert [m.title for m in minuted if not m.minutes.startswith(f"# {m.title}\n")] == []


def test_demo_is_idempotent(seeded):
    before = _counts()
    demo.seed(seeded)
    assert _counts() == before
