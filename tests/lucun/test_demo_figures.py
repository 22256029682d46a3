"""The demo street against the seed report (``seed/luhu-mechanism-zh.txt``, the 工作成效 paragraph).

``seed_demo`` runs once for the whole module (it takes about a minute): the tests read what it made. The demo
works like a street office: meetings, visits, registrations and callbacks fall on working days in working hours.
Its year's figures, computed by the outcome report for 近一年, follow the seed within the tolerances below, and
the three lists do not simply mirror the tiers.
"""

import re
import time
from collections import Counter
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Min, Q
from django.urls import reverse

from cases.models import Case, CaseEvent, Feedback
from deliberation.models import Meeting
from lucun import demo_time
from lucun.demo import DEMO_PASSWORD
from lucun.models import Community, Grid, Position, Street, User
from outcomes.models import Callback, SurveySample
from outcomes.periods import Period
from outcomes.report.figures import report
from points.models import Volunteer
from visits.models import VisitLog

pytestmark = pytest.mark.django_db

# The seed's figures (今年以来), and how far the demo may stray from each.
SEED_TIERS = {"immediate": 398, "assigned": 230, "escalated": 67}  # resolved: 能办即办 / 分类承办 / 难事特办
SEED_IN_PROGRESS, SEED_COLLECTED, SEED_VOLUNTEERS = 35, 730, 2400
SEED_SATISFACTION = (78.0, 90.0)  # % at the start of the year, % at its end
SEED_EXTERNAL = {"complaints": -20.0, "petitions": -41.4}  # % year on year
COUNT_TOLERANCE = 0.02  # ± 2 % of the seed's count
IN_PROGRESS_TOLERANCE = 3  # ± 3 cases
RATE_TOLERANCE = 2.0  # ± 2 percentage points
LOGINS = ["admin", "leader", "staff", "supervisor", "cadre", "cadre2", "grid1_1", "partyrep1", "unithead4_1"]

OFFICE = ((8, 30), (12, 0)), ((14, 0), (18, 0))
MEETING_STARTS = ((8, 30), (10, 30)), ((14, 0), (16, 30))
EVENING_STARTS = (((19, 0), (20, 0)),)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Run seed_demo once inside a transaction the module rolls back at its end.

    The test settings run with DEBUG off, so seed_demo is told it may (and no query log slows it down).
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            started = time.monotonic()
            out = StringIO()
            call_command("seed_demo", allow_production=True, stdout=out)
            yield {"seconds": time.monotonic() - started, "out": out.getvalue()}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _near(value, seed, tolerance) -> bool:
    return abs(value - seed) <= tolerance


def _off_hours(moments, windows) -> list[datetime]:
    """The moments not on a working day (Monday to Friday, no public holiday) within one of the windows."""
    wrong = []
    for moment in moments:
        local = moment.astimezone(demo_time.TZ)
        clock = (local.hour, local.minute)
        working_day = local.weekday() < 5 and not demo_time.is_holiday(local.date())
        if not working_day or not any(start <= clock <= end for start, end in windows):
            wrong.append(local)
    return wrong


def test_seed_demo_is_idempotent_and_keeps_the_demo_logins(demo):
    models = (Street, Community, Grid, User, Position, Case, Meeting, VisitLog, Volunteer, Callback)
    before = [m.objects.count() for m in models]
    call_command("seed_demo", allow_production=True, stdout=StringIO())
    assert [m.objects.count() for m in models] == before
    street = Street.objects.get(code="LH")
    assert street.name == "芦湖街道" and street.communities.count() == 14
    assert {"芦湖村", "稻香村", "赵店村", "雍翠园社区"} <= set(street.communities.values_list("name", flat=True))
    for username in LOGINS:
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD), username
        assert username in demo["out"]


def test_meetings_visits_and_registrations_fall_in_working_time(demo):
    assert not _off_hours(Case.objects.values_list("opened_at", flat=True), OFFICE)
    assert not _off_hours(Case.objects.exclude(accepted_at=None).values_list("accepted_at", flat=True), OFFICE)
    assert not _off_hours(Case.objects.exclude(resolved_at=None).values_list("resolved_at", flat=True), OFFICE)
    assert not _off_hours(VisitLog.objects.values_list("visited_at", flat=True), OFFICE)
    assert not _off_hours(Feedback.objects.exclude(triaged_at=None).values_list("triaged_at", flat=True), OFFICE)
    assert not _off_hours(Callback.objects.exclude(answered_at=None).values_list("answered_at", flat=True), OFFICE)
    assert not _off_hours(SurveySample.objects.values_list("answered_at", flat=True), OFFICE)
    by_day = Meeting.objects.filter(kind__in=[Meeting.Kind.JOINT, Meeting.Kind.CONTEST])
    assert not _off_hours(by_day.values_list("starts_at", flat=True), MEETING_STARTS)
    forums = Meeting.objects.filter(kind__in=[Meeting.Kind.FAMILY_FORUM, Meeting.Kind.ONLINE])
    assert not _off_hours(forums.values_list("starts_at", flat=True), MEETING_STARTS + EVENING_STARTS)
    starts = Counter(m.astimezone(demo_time.TZ).hour >= 19 for m in forums.values_list("starts_at", flat=True))
    assert starts[True] and starts[False]  # forums by day and in the evening


def test_cases_follow_their_tier_s_clock(demo):
    # The first resolution (a case sent back after its callback was resolved again later).
    first = Min("events__at", filter=Q(events__kind=CaseEvent.Kind.RESOLVED))
    cases = list(
        Case.objects.exclude(resolved_at=None).annotate(first=first).values_list("tier__code", "opened_at", "first")
    )
    limits = {"immediate": timedelta(hours=24), "assigned": timedelta(days=7), "escalated": timedelta(days=30)}
    for code, limit in limits.items():
        spans = [resolved - opened for tier, opened, resolved in cases if tier == code]
        assert all(span > timedelta(0) for span in spans)
        on_time = sum(span <= limit for span in spans)
        assert on_time >= 0.9 * len(spans), (code, on_time, len(spans))
    # A case answered on the spot is answered within the day, not left for a week.
    quick = [resolved - opened for tier, opened, resolved in cases if tier == "immediate"]
    assert sorted(quick)[len(quick) // 2] < timedelta(hours=8)


def test_the_year_s_figures_follow_the_seed(demo):
    leader = User.objects.get(username="leader")
    r = report(user=leader, period=Period.recent(), street=Street.objects.get(code="LH"))
    resolved = {t["code"]: t["resolved"] for t in r.cases["by_tier"]}
    for code, seed in SEED_TIERS.items():
        assert _near(resolved[code], seed, COUNT_TOLERANCE * seed), (code, resolved[code])
    assert _near(r.cases["open"], SEED_IN_PROGRESS, IN_PROGRESS_TOLERANCE), r.cases["open"]
    assert _near(r.cases["collected"], SEED_COLLECTED, COUNT_TOLERANCE * SEED_COLLECTED), r.cases["collected"]
    assert _near(r.points["volunteers"], SEED_VOLUNTEERS, COUNT_TOLERANCE * SEED_VOLUNTEERS), r.points
    callbacks, surveys = r.summary["satisfaction_change"], r.summary["survey_change"]
    for change in (callbacks, surveys):
        assert _near(change["from"], SEED_SATISFACTION[0], RATE_TOLERANCE), change
        assert _near(change["to"], SEED_SATISFACTION[1], RATE_TOLERANCE), change
    external = {e["code"]: e["change"] for e in r.external}
    for code, seed in SEED_EXTERNAL.items():
        assert _near(external[code], seed, RATE_TOLERANCE), external
    # The demo's 12345 orders go back one year: counted from the orders, with no year to compare them with yet.
    hotline = next(e for e in r.external if e["code"] == "hotline")
    assert hotline["value"] == Case.objects.filter(source="hotline", opened_at__gte=r.period.start_at).count() > 0
    assert hotline["change"] is None and hotline["note"]


def test_the_three_lists_do_not_mirror_the_tiers(demo):
    pairs = Counter(Case.objects.values_list("tier__code", "case_list"))
    for tier in SEED_TIERS:
        row = {case_list: n for (t, case_list), n in pairs.items() if t == tier}
        total = sum(row.values())
        assert sum(n >= 0.1 * total for n in row.values()) >= 2, (tier, row)  # two lists take a tenth or more each
        assert max(row.values()) < 0.8 * total, (tier, row)
    assert pairs["immediate", "community"] > 0  # a 24-hour case settled with the community (村居共议)
    for case_list in ("self", "community", "street"):
        assert sum(1 for (_t, c), n in pairs.items() if c == case_list and n) >= 2, case_list


def test_the_outcome_report_reads_like_the_seed(demo, client):
    client.force_login(User.objects.get(username="leader"))
    body = client.get(reverse("outcomes:report"), {"period": "recent"}).content.decode()
    summary = " ".join(re.findall(r'<p data-testid="summary">(.*?)</p>', body))
    assert "累计走访14个村居" in summary

    def number(pattern: str) -> float:
        found = re.search(pattern, summary)
        assert found, pattern
        return float(found[1])

    assert _near(number(r"群众关心问题(\d+)个"), SEED_COLLECTED, COUNT_TOLERANCE * SEED_COLLECTED)
    assert _near(number(r"正在推进(\d+)个"), SEED_IN_PROGRESS, IN_PROGRESS_TOLERANCE)
    assert number(r"群众自商(\d+)个") and number(r"村居共议(\d+)个") and number(r"上级帮办(\d+)个")
    assert _near(number(r"市民投诉件同比下降([\d.]+)%"), -SEED_EXTERNAL["complaints"], RATE_TOLERANCE)
    assert _near(number(r"信访量同比下降([\d.]+)%"), -SEED_EXTERNAL["petitions"], RATE_TOLERANCE)
    assert _near(number(r"满意度从([\d.]+)%上升到"), SEED_SATISFACTION[0], RATE_TOLERANCE)
    assert _near(number(r"满意度从[\d.]+%上升到([\d.]+)%"), SEED_SATISFACTION[1], RATE_TOLERANCE)
    assert _near(number(r"在册志愿群众(\d+)人"), SEED_VOLUNTEERS, COUNT_TOLERANCE * SEED_VOLUNTEERS)
