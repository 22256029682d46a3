import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from lucun.models import Role
from outcomes.models import ExternalFigure, ReportSnapshot
from outcomes.periods import Period
from outcomes.report.figures import report
from outcomes.services import report_prepare_last_month
from tests.factories import official

from .factories import callback_for, resolved_case

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 5, 20, 12, tzinfo=SH)


@pytest.fixture
def leader(street):
    return official(Role.STREET_LEADER, street=street)


@pytest.fixture
def data(community, other_community, cadre, other_cadre, leader):
    """Four resolved cases with callbacks (3 of 4 satisfied) and external figures for this year and last."""
    for _ in range(3):
        callback_for(resolved_case(community=community, by=cadre), solved=True, satisfaction="satisfied")
    callback_for(resolved_case(community=other_community, by=other_cadre), solved=False, satisfaction="dissatisfied")
    for year, value in ((2025, 50), (2026, 40)):
        ExternalFigure.objects.create(
            street=community.street, kind="complaints", month=date(year, 3, 1), value=value, recorded_by=leader
        )


@time_machine.travel(NOW, tick=False)
def test_report_figures_are_computed_from_the_data(data, street, leader):
    r = report(user=leader, period=Period.year(2026), street=street)
    assert r.cases["collected"] == 4 and r.cases["resolved"] == 4
    assert r.rates.satisfaction_rate == 75.0
    complaints = next(e for e in r.external if e["code"] == "complaints")
    assert (complaints["value"], complaints["year_before"], complaints["change"]) == (40, 50, -20.0)
    assert r.resolution["resolved"] == 4


@time_machine.travel(NOW, tick=False)
def test_report_page_renders_figures_and_svg_charts(client, data, leader):
    client.force_login(leader)
    response = client.get(reverse("outcomes:report") + "?period=2026")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="satisfaction-rate">75.0%' in body
    assert "<svg" in body and "<script" not in body.split("</main>")[0].split("<main")[1]
    assert "满意 + 基本满意" in body  # the definition beside the figure


@time_machine.travel(NOW, tick=False)
def test_report_exports_an_excel_workbook(client, data, leader):
    client.force_login(leader)
    response = client.get(reverse("outcomes:report_xlsx") + "?period=2026")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    summary = {row[0]: row[1] for row in wb["概要"].iter_rows(min_row=3, values_only=True)}
    assert summary["收集问题"] == 4
    assert summary["满意率"] == 75.0
    assert summary["市民投诉件同比"] == -20.0
    assert [c.value for c in wb["三率"][1]][:2] == ["村(居)", "应联系"]


@time_machine.travel(NOW, tick=False)
def test_report_prints_a_pdf_with_the_embedded_font(client, data, leader):
    client.force_login(leader)
    response = client.get(reverse("outcomes:report_pdf") + "?period=2026")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"+WenQuanYiMicroHei" in response.content  # the subset font, named in the file
    assert b"FontFile2" in response.content  # and its TrueType program embedded


@time_machine.travel(NOW, tick=False)
def test_cadre_sees_only_their_community_and_a_foreign_one_is_404(client, data, community, other_community, cadre):
    client.force_login(cadre)
    body = client.get(reverse("outcomes:report") + "?period=2026").content.decode()
    assert 'data-testid="collected">3' in body  # their community's three cases only
    assert client.get(reverse("outcomes:report") + f"?community={other_community.pk}").status_code == 404
    assert client.get(reverse("outcomes:report_xlsx") + f"?community={other_community.pk}").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_report_page_has_a_fixed_number_of_queries(
    client, data, community, cadre, leader, django_assert_max_num_queries
):
    client.force_login(leader)
    url = reverse("outcomes:report") + "?period=2026"
    with django_assert_max_num_queries(80) as first:
        client.get(url)
    for _ in range(5):
        callback_for(resolved_case(community=community, by=cadre), solved=True, satisfaction="basically")
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)


def test_monthly_job_stores_last_months_report_and_tells_the_leaders(community, cadre, street, leader):
    with time_machine.travel(NOW, tick=False):
        callback_for(resolved_case(community=community, by=cadre), solved=True, satisfaction="satisfied")
    with time_machine.travel(datetime(2026, 6, 1, 8, tzinfo=SH), tick=False):
        assert report_prepare_last_month() == 1
        assert report_prepare_last_month() == 0
    snapshot = ReportSnapshot.objects.get(street=street)
    assert snapshot.period == "2026-05"
    assert snapshot.data["rates"]["satisfaction_rate"] == 100.0
    assert leader.notifications.filter(title__contains="工作成效报告").count() == 1


@time_machine.travel(NOW, tick=False)
def test_external_figures_are_entered_by_street_staff(client, street, leader, cadre):
    client.force_login(leader)
    response = client.post(
        reverse("outcomes:external") + f"?street={street.pk}", {"kind": "petitions", "month": "2026-04", "value": "12"}
    )
    assert response.status_code == 302
    assert ExternalFigure.objects.get(kind="petitions").value == 12
    client.force_login(cadre)
    client.post(reverse("outcomes:external"), {"kind": "petitions", "month": "2026-04", "value": "99"})
    assert ExternalFigure.objects.get(kind="petitions").value == 12


@time_machine.travel(NOW, tick=False)
def test_rates_page_shows_groups_and_definitions(client, data, leader):
    client.force_login(leader)
    for dimension in ("community", "team", "handler", "first_responder"):
        response = client.get(reverse("outcomes:rates") + f"?period=2026&dimension={dimension}&bucket=quarter")
        assert response.status_code == 200
    body = client.get(reverse("outcomes:rates") + "?period=2026").content.decode()
    assert "响应率 = " in body and "芦湖村" in body


def test_the_last_365_days_open_with_a_summary_written_from_the_figures(client, community, cadre, leader, street):
    with time_machine.travel(datetime(2025, 8, 1, 10, tzinfo=SH), tick=False):
        callback_for(resolved_case(community=community, by=cadre), solved=True, satisfaction="satisfied")
    with time_machine.travel(NOW, tick=False):
        callback_for(
            resolved_case(community=community, by=cadre, tier_code="immediate"), solved=True, satisfaction="basically"
        )
        client.force_login(leader)
        body = client.get(reverse("outcomes:report"), {"period": "recent"}).content.decode()
        this_year = report(user=leader, period=Period.year(2026), street=street)
    assert '<option value="recent" selected>近一年(2025-05-21 至 2026-05-20)</option>' in body
    summary = re.findall(r'<p data-testid="summary">(.*?)</p>', body)
    assert summary[0].startswith(f"{street.name}近一年(2025-05-21 至 2026-05-20):")
    assert "群众关心问题2个,已办结2个,正在推进0个;办结的问题中即办1个、承办1个" in summary[0]
    assert this_year.cases["collected"] == 1  # the case of August 2025 is in the last 365 days, not in 2026
    # An English reader gets English sentences: clauses after "; ", lists after ", ", a full stop at the end.
    with time_machine.travel(NOW, tick=False):
        english = client.get(reverse("outcomes:report"), {"period": "recent"}, headers={"accept-language": "en"})
    [first, *_rest] = re.findall(r'<p data-testid="summary">(.*?)</p>', english.content.decode())
    assert "; " in first and first.endswith(".") and not re.search(r"[;,][A-Za-z]|[、。]", first), first


@time_machine.travel(NOW, tick=False)
def test_the_report_publishes_each_contests_ranking_with_the_residents_ballots(client, street, community, leader):
    from deliberation.models import ContestCriterion
    from deliberation.services import contest_ballot_submit, contest_ballots_issue
    from tests.deliberation.factories import contest

    round_ = contest(street=street, by=leader, title="第一期擂台比武")
    for ballot in contest_ballots_issue(meeting=round_, user=leader, count=2):
        contest_ballot_submit(
            token=ballot.token, scores={(community, c): c.max_score for c in ContestCriterion.objects.active()}
        )
    [published] = report(user=leader, period=Period.year(2026), street=street).deliberation["contests"]
    assert published["ballots"] == 2 and published["resident_weight"] == 50
    assert published["entries"] == [
        {
            "rank": 1,
            "community": community.name,
            "judges_total": None,
            "residents_total": 100.0,
            "ballots": 2,
            "combined": 100.0,
        }
    ]
    client.force_login(leader)
    html = client.get(reverse("outcomes:report") + "?period=2026").content.decode()
    assert "第1期擂台比武 · 第一期擂台比武" in html and "群众选票 2 张" in html
