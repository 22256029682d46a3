"""月度报告存档: the monthly reports stored for the street leaders, shown as they were reported."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from lucun.models import Role, Street
from lucun.navigation import items_for
from lucun.scoping import roles_for
from outcomes.models import ReportSnapshot
from outcomes.periods import Period
from outcomes.services import report_prepare, report_prepare_last_month
from tests.factories import CommunityFactory, official

from .factories import callback_for, resolved_case

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def leader(street):
    return official(Role.STREET_LEADER, street=street)


@pytest.fixture
def snapshot(community, cadre, leader):
    """May's report, stored on 1 June with one satisfied callback; a dissatisfied one comes in later."""
    with time_machine.travel(datetime(2026, 5, 20, 12, tzinfo=SH), tick=False):
        callback_for(resolved_case(community=community, by=cadre), solved=True, satisfaction="satisfied")
    with time_machine.travel(datetime(2026, 6, 1, 8, tzinfo=SH), tick=False):
        report_prepare_last_month()
    with time_machine.travel(datetime(2026, 5, 25, 12, tzinfo=SH), tick=False):
        callback_for(resolved_case(community=community, by=cadre), solved=False, satisfaction="dissatisfied")
    return ReportSnapshot.objects.get(period="2026-05")


def test_the_leader_is_told_where_the_stored_report_is(snapshot, leader):
    notification = leader.notifications.get(title__contains="工作成效报告")
    assert notification.url == snapshot.get_absolute_url()


def test_list_shows_the_streets_snapshots_with_links(client, snapshot, leader):
    client.force_login(leader)
    response = client.get(reverse("outcomes:snapshot_list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "2026年5月" in body and "100.0%" in body
    for name in ("snapshot_detail", "snapshot_xlsx", "snapshot_pdf"):
        assert reverse(f"outcomes:{name}", args=[snapshot.pk]) in body


def test_a_snapshot_shows_the_figures_it_stored_not_todays(client, snapshot, leader):
    client.force_login(leader)
    body = client.get(snapshot.get_absolute_url()).content.decode()
    assert 'data-testid="satisfaction-rate">100.0%' in body  # as reported on 1 June
    assert 'data-testid="collected">1' in body
    assert "月度报告存档" in body and "三率与群众满意度" in body
    live = client.get(reverse("outcomes:report") + "?period=2026-05").content.decode()
    assert 'data-testid="satisfaction-rate">50.0%' in live  # the later callback counts when recomputed


def test_a_snapshot_is_rendered_from_its_stored_data(client, snapshot, leader):
    data = snapshot.data
    data["cases"]["collected"] = 321  # whatever was stored is what is shown: nothing is recomputed
    snapshot.data = data
    snapshot.save(update_fields=["data"])
    client.force_login(leader)
    assert 'data-testid="collected">321' in client.get(snapshot.get_absolute_url()).content.decode()
    wb = load_workbook(io.BytesIO(client.get(reverse("outcomes:snapshot_xlsx", args=[snapshot.pk])).content))
    summary = {row[0]: row[1] for row in wb["概要"].iter_rows(min_row=3, values_only=True)}
    assert summary["收集问题"] == 321 and summary["满意率"] == 100.0
    response = client.get(reverse("outcomes:snapshot_pdf", args=[snapshot.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "收集问题\n321 件" in text and "月度报告存档" in text


def test_community_officials_get_no_street_snapshot(client, snapshot, cadre):
    client.force_login(cadre)
    response = client.get(reverse("outcomes:snapshot_list"))
    assert response.status_code == 200 and list(response.context["rows"]) == []
    assert "只有街道干部可以查阅" in response.content.decode()
    for name in ("snapshot_detail", "snapshot_xlsx", "snapshot_pdf"):
        assert client.get(reverse(f"outcomes:{name}", args=[snapshot.pk])).status_code == 404
    assert client.get(reverse("api_report_snapshot_detail", args=[snapshot.pk])).status_code == 404


def test_another_streets_snapshot_is_404(client, snapshot):
    other = Street.objects.create(name="唐坊镇", code="TF", county=snapshot.street.county)
    CommunityFactory(street=other, name="唐坊村")
    client.force_login(official(Role.STREET_LEADER, street=other))
    assert client.get(snapshot.get_absolute_url()).status_code == 404
    assert client.get(reverse("api_report_snapshot_list")).json()["count"] == 0


def test_empty_list_says_when_reports_come(client, leader):
    client.force_login(leader)
    body = client.get(reverse("outcomes:snapshot_list")).content.decode()
    assert "还没有存档的月度报告" in body


def test_list_is_paginated_with_a_fixed_number_of_queries(
    client, street, community, leader, django_assert_max_num_queries
):
    with time_machine.travel(datetime(2026, 6, 1, 8, tzinfo=SH), tick=False):
        first = report_prepare(street=street, period=Period.month(2026, 5))
    for month in range(1, 31):
        ReportSnapshot.objects.create(
            street=street, period=f"{2023 + month // 12}-{month % 12 + 1:02d}", data=first.data
        )
    client.force_login(leader)
    url = reverse("outcomes:snapshot_list")
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert len(response.context["rows"]) == 25
    assert response.context["page_obj"].paginator.num_pages == 2
    assert len(client.get(url + "?page=2").context["rows"]) == 6


def test_report_page_and_navigation_link_the_archive_for_street_officials(client, snapshot, leader, cadre):
    client.force_login(leader)
    assert reverse("outcomes:snapshot_list") in client.get(reverse("outcomes:report")).content.decode()
    assert "outcomes:snapshot_list" in [i["url_name"] for i in items_for(leader, roles_for(leader))]
    client.force_login(cadre)
    assert reverse("outcomes:snapshot_list") not in client.get(reverse("outcomes:report")).content.decode()
    assert "outcomes:snapshot_list" not in [i["url_name"] for i in items_for(cadre, roles_for(cadre))]


def test_api_lists_and_returns_the_stored_figures(client, snapshot, leader):
    client.force_login(leader)
    listing = client.get(reverse("api_report_snapshot_list")).json()
    assert listing["count"] == 1
    row = listing["results"][0]
    assert (row["period"], row["period_label"], row["satisfaction_rate"]) == ("2026-05", "2026年5月", 100.0)
    assert "data" not in row
    detail = client.get(reverse("api_report_snapshot_detail", args=[snapshot.pk])).json()
    assert detail["data"] == snapshot.data
    assert client.post(reverse("api_report_snapshot_list"), {}).status_code == 405  # read-only
