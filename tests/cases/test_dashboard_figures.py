"""12345 hotline orders on the supervisors' dashboard as their own source, and the case list filtered by source."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case
from lucun.models import Role
from tests.factories import official

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


def test_the_hotline_figures_cost_the_dashboard_one_statement(supervisor, orders, django_assert_num_queries):
    from cases import selectors

    selectors.dashboard(user=supervisor)  # stores the resolved figures: the next call reads them from the cache
    # Nine statements before the 12345 figures (the tiers carry the newest resolve and reopen, and the communities
    # read for their names give the stored copy's key); one more for them, live (not in the stored resolved
    # figures) because an imported order opens a case without resolving one, so the stored copy would not know.
    with django_assert_num_queries(10) as counted:
        selectors.dashboard(user=supervisor)
    assert sum("'hotline'" in q["sql"] for q in counted.captured_queries) == 1
