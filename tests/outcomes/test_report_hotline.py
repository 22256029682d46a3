"""The outcome report's 12345 row: computed from the street's hotline orders, with the year-on-year change only when
the orders go back a year before the period."""

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from lucun.models import Role
from outcomes.periods import Period
from outcomes.report.figures import report
from tests.cases.factories import hotline_orders
from tests.factories import official

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 5, 20, 12, tzinfo=SH)


@pytest.fixture
def leader(street):
    return official(Role.STREET_LEADER, street=street)


@pytest.fixture
def staff(street):
    return official(Role.STREET_STAFF, street=street)


def _at(*parts) -> datetime:
    return datetime(*parts, 10, tzinfo=SH)


@pytest.fixture
def one_year(street, staff, community):
    """Orders since June 2025 only: three this year, one last June (less than a year before 2026 began)."""
    with time_machine.travel(NOW, tick=False):
        hotline_orders(
            street=street, by=staff, accepted=[_at(2025, 6, 3), _at(2026, 1, 10), _at(2026, 3, 1), _at(2026, 4, 2)]
        )


@pytest.fixture
def two_years(street, staff, community):
    """Orders since December 2024: five from January to May 2025, one in September 2025, four in 2026 so far."""
    last_year = [_at(2025, 1, 5), _at(2025, 2, 6), _at(2025, 3, 7), _at(2025, 4, 8), _at(2025, 5, 9)]
    this_year = [_at(2026, 1, 12), _at(2026, 2, 13), _at(2026, 3, 14), _at(2026, 5, 15)]
    with time_machine.travel(NOW, tick=False):
        hotline_orders(street=street, by=staff, accepted=[_at(2024, 12, 20), *last_year, _at(2025, 9, 1), *this_year])


def _hotline_row(r):
    return next(e for e in r.external if e["code"] == "hotline")


@time_machine.travel(NOW, tick=False)
def test_with_less_than_a_year_of_orders_the_row_counts_them_and_gives_no_change(one_year, street, leader):
    row = _hotline_row(report(user=leader, period=Period.year(2026), street=street))
    assert (row["value"], row["year_before"], row["change"]) == (3, None, None)
    assert "不满一年" in row["note"]


@time_machine.travel(NOW, tick=False)
def test_the_report_page_says_there_is_no_year_to_compare_yet(client, one_year, leader):
    client.force_login(leader)
    body = client.get(reverse("outcomes:report") + "?period=2026").content.decode()
    row = re.search(r"<tr>\s*<t[hd][^>]*>12345 工单</t[hd]>(.*?)</tr>", body, re.S)
    assert row, "the 12345 row"
    assert "工单记录还不满一年,暂无上年同期可比" in row[1]
    assert "%" not in row[1]  # no figure for the change
    assert "12345 工单同比" not in body


@time_machine.travel(NOW, tick=False)
def test_with_two_years_of_orders_the_change_is_computed_over_the_same_span(two_years, street, leader):
    row = _hotline_row(report(user=leader, period=Period.year(2026), street=street))
    # 1 January to 20 May: four orders this year against five last year (September's is past the span).
    assert (row["value"], row["year_before"], row["change"], row["note"]) == (4, 5, -20.0, "")


@time_machine.travel(NOW, tick=False)
def test_a_whole_year_compares_with_the_whole_year_before(two_years, street, leader):
    row = _hotline_row(report(user=leader, period=Period.year(2025), street=street))
    assert (row["value"], row["year_before"]) == (6, None)  # December 2024 is not a year before 2025 began


@time_machine.travel(NOW, tick=False)
def test_the_report_page_and_workbook_show_the_computed_fall(client, two_years, leader):
    client.force_login(leader)
    body = client.get(reverse("outcomes:report") + "?period=2026").content.decode()
    row = re.search(r"<tr>\s*<t[hd][^>]*>12345 工单</t[hd]>(.*?)</tr>", body, re.S)[1]
    assert re.findall(r">([^<>]+)</td>", row) == ["4", "5", "-20.0%"]
    assert "12345 工单同比下降20.0%" in body  # the summary's sentence
    response = client.get(reverse("outcomes:report_xlsx") + "?period=2026")
    summary = {r[0]: r[1] for r in load_workbook(io.BytesIO(response.content))["概要"].iter_rows(values_only=True)}
    assert summary["12345 工单"] == 4
    assert summary["12345 工单同比"] == -20.0


@time_machine.travel(NOW, tick=False)
def test_a_street_without_orders_has_no_hotline_row(street, leader):
    assert not [
        e for e in report(user=leader, period=Period.year(2026), street=street).external if e["code"] == "hotline"
    ]
