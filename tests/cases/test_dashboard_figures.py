"""12345 hotline orders on the supervisors' dashboard as their own source, and the case list filtered by source."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case
from lucun.models import Role
from tests.factories import CommunityFactory, official

from .factories import hotline_orders, open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(street):
    return official(Role.STREET_STAFF, street=street)


@pytest.fixture
def orders(staff, cadre, community):
    """Four hotline cases: one from last year still open, one overdue, one resolved on time, one resolved late;
    and a walk-in case, which is no hotline order."""
    now = timezone.now()
    old, overdue, on_time, late = hotline_orders(
        street=community.street,
        by=staff,
        accepted=[
            now - timedelta(days=400),
            now - timedelta(days=20),
            now - timedelta(hours=2),
            now - timedelta(days=60),
        ],
    )
    services.case_resolve(case=on_time, user=staff, resolution="已修好路灯")
    services.case_resolve(case=late, user=staff, resolution="已修好路灯")
    walk_in = open_case(community=community, by=cadre, title="来访的路灯")
    return {"old": old, "overdue": overdue, "on_time": on_time, "late": late, "walk_in": walk_in}


def _figure(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}"><dt>[^<]*</dt><dd>(.*?)</dd>', html, re.S)
    assert match, testid
    return re.sub(r"<[^>]+>", "", match[1]).strip()


def test_the_dashboard_counts_hotline_orders_received_open_and_resolved_on_time(client, supervisor, orders):
    client.force_login(supervisor)
    html = client.get(reverse("cases:dashboard")).content.decode()
    # Received in the year: all but last year's; open: last year's and the overdue one; resolved: two, one on time.
    assert _figure(html, "hotline-received") == "3"
    assert _figure(html, "hotline-open") == "2"
    assert _figure(html, "hotline-resolved") == "2"
    assert _figure(html, "hotline-on-time") == "1(50.0%)"


def test_the_dashboard_hotline_count_links_to_the_case_list_filtered_by_source(client, supervisor, orders):
    client.force_login(supervisor)
    html = client.get(reverse("cases:dashboard")).content.decode()
    link = re.search(r'data-testid="hotline-open">.*?href="([^"]+)"', html, re.S)[1].replace("&amp;", "&")
    listed = client.get(link).context["page_obj"]
    assert sorted(c.number for c in listed) == sorted([orders["old"].number, orders["overdue"].number])


def test_the_case_list_filters_by_source(client, street_leader, orders):
    client.force_login(street_leader)
    response = client.get(reverse("cases:case_list"), {"source": Case.Source.HOTLINE, "state": "all"})
    assert len(response.context["page_obj"]) == 4
    assert {c.source for c in response.context["page_obj"]} == {Case.Source.HOTLINE}
    assert '<option value="hotline" selected>12345热线</option>' in response.content.decode()
    walk_ins = client.get(reverse("cases:case_list"), {"source": Case.Source.WALK_IN}).context["page_obj"]
    assert [c.number for c in walk_ins] == [orders["walk_in"].number]


def test_the_dashboard_filtered_to_hotline_counts_only_hotline_cases(client, supervisor, orders):
    client.force_login(supervisor)
    d = client.get(reverse("cases:dashboard"), {"source": Case.Source.HOTLINE}).context["d"]
    assert sum(d.totals.values()) == 2  # the walk-in case is left out
    assert d.resolved["count"] == 2


def test_the_case_api_filters_by_source(client, street_leader, orders):
    client.force_login(street_leader)
    response = client.get(reverse("api_case_list"), {"source": Case.Source.HOTLINE})
    assert response.status_code == 200
    body = response.json()
    results = body["results"] if isinstance(body, dict) else body
    assert sorted(r["number"] for r in results) == sorted(c.number for c in orders.values() if c.source == "hotline")


def test_the_dashboard_api_gives_the_hotline_figures(client, supervisor, orders):
    client.force_login(supervisor)
    hotline = client.get(reverse("api_case_dashboard")).json()["hotline"]
    assert hotline == {"received": 3, "open": 2, "resolved": 2, "on_time": 1, "on_time_rate": 50.0}


def test_the_dashboard_reads_its_figures_in_three_statements_the_hotline_figures_in_one(
    supervisor, orders, django_assert_num_queries
):
    from cases import selectors

    selectors.dashboard(user=supervisor)  # stores the resolved figures, reads the user's communities once
    # The tiers, carrying the newest resolve and reopen, the 12345 figures and the approvals waiting; the tally with
    # the cases that crossed a threshold; the red, yellow and 同问 lists. The 12345 figures are live (not in the stored
    # resolved figures) because an imported order opens a case without resolving one.
    with django_assert_num_queries(3) as counted:
        selectors.dashboard(user=supervisor)
    assert sum("'hotline'" in q["sql"] for q in counted.captured_queries) == 1


def _overdue(*, community, by, hours: int = 30, **kwargs) -> Case:
    """A case of the 24-hour tier opened ``hours`` ago: red now, still green as stored (no sweep has run)."""
    with time_machine.travel(timezone.now() - timedelta(hours=hours), tick=False):
        return open_case(community=community, by=by, tier_code="immediate", **kwargs)


def test_a_cadre_sees_only_their_communitys_cases_on_the_dashboard_and_its_api(client, staff, cadre, community):
    other = CommunityFactory(street=community.street, name="稻香村")
    stranger = official(Role.COMMUNITY_CADRE, community=other)
    mine = _overdue(community=community, by=cadre, title="本村超期")
    warned = _overdue(community=community, by=cadre, hours=20, title="本村将到期")
    theirs = [
        _overdue(community=other, by=stranger, title="外村超期"),
        _overdue(community=other, by=stranger, hours=20, title="外村将到期"),
        open_case(community=other, by=stranger, title="外村同问"),
    ]
    Case.objects.filter(pk__in=[theirs[2].pk, mine.pk]).update(same_question_count=3)
    [order] = hotline_orders(street=other.street, by=staff, accepted=[timezone.now()], community_name=other.name)
    assert order.community == other
    client.force_login(cadre)
    response = client.get(reverse("cases:dashboard"))
    d = response.context["d"]
    assert d.totals == {"red": 1, "yellow": 1, "green": 0}
    assert [r["id"] for r in d.community_rows] == [community.pk]
    assert [c.pk for c in d.red_cases] == [mine.pk]
    assert [c.pk for c in d.yellow_cases] == [warned.pk]
    assert [c.pk for c in d.same_question_cases] == [mine.pk]
    assert d.hotline["received"] == 0
    html = response.content.decode()
    assert "外村" not in html and "稻香村" not in html
    body = client.get(reverse("api_case_dashboard")).json()
    assert body["totals"] == d.totals
    assert body["by_community"] == [{"id": community.pk, "name": community.name, "red": 1, "yellow": 1, "green": 0}]
    assert body["hotline"] == d.hotline and body["approvals"] == d.approvals


def test_a_case_moved_to_another_community_stays_on_its_first_responders_list_but_not_in_their_figures(
    client, cadre, community
):
    other = CommunityFactory(street=community.street, name="稻香村")
    moved = _overdue(community=community, by=cadre, title="已移交")
    Case.objects.filter(pk=moved.pk).update(community=other)
    client.force_login(cadre)
    d = client.get(reverse("cases:dashboard")).context["d"]
    assert [c.pk for c in d.red_cases] == [moved.pk]  # 首问负责: in sight of the one who first received it
    assert d.totals == {"red": 0, "yellow": 0, "green": 0}  # counted where it is now
    assert d.community_rows == []


def test_the_lists_are_each_the_first_by_their_order_and_a_case_may_be_on_two(
    supervisor, cadre, community, monkeypatch
):
    from cases import selectors
    from cases.selectors import dashboard_figures

    monkeypatch.setattr(dashboard_figures, "LISTED", 2)
    monkeypatch.setattr(dashboard_figures, "SAME_QUESTION_LISTED", 2)
    red = [_overdue(community=community, by=cadre, hours=h, title=f"超期{h}") for h in (40, 30, 26)]
    yellow = [_overdue(community=community, by=cadre, hours=h, title=f"将到期{h}") for h in (23, 21, 19)]
    green = open_case(community=community, by=cadre, title="正常")
    for case, n in ((red[2], 9), (green, 5), (yellow[0], 2)):
        Case.objects.filter(pk=case.pk).update(same_question_count=n)
    d = selectors.dashboard(user=supervisor)
    assert [c.pk for c in d.red_cases] == [red[0].pk, red[1].pk]  # most overdue first
    assert [c.pk for c in d.yellow_cases] == [yellow[0].pk, yellow[1].pk]  # soonest due first
    assert [c.pk for c in d.same_question_cases] == [red[2].pk, green.pk]  # most 同问 first
    assert [c.live_colour for c in d.same_question_cases] == ["red", "green"]
    assert d.totals == {"red": 3, "yellow": 3, "green": 1}
