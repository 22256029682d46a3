"""The printed report carries every section of the page, with the page's figures (read back from the PDF)."""

import html
import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from cases.models import Case
from lucun.models import Role
from outcomes.models import ExternalFigure, RedLine
from outcomes.services import talent_create, warning_record
from tests.factories import official
from tests.points.factories import VolunteerFactory
from tests.visits.factories import HouseholdFactory, VisitLogFactory

from .factories import callback_for, resolved_case, secretary

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 5, 20, 12, tzinfo=SH)


@pytest.fixture
def leader(street):
    return official(Role.STREET_LEADER, street=street)


@pytest.fixture
def data(community, other_community, cadre, other_cadre, leader):
    """Figures in every section: cases and callbacks, visits, volunteers, a warning, talent, external figures."""
    for _ in range(3):
        callback_for(resolved_case(community=community, by=cadre), solved=True, satisfaction="satisfied")
    callback_for(resolved_case(community=other_community, by=other_cadre), solved=False, satisfaction="dissatisfied")
    visited = HouseholdFactory(community=community)
    HouseholdFactory(community=community)
    VisitLogFactory(household=visited, created_by=cadre, visited_at=datetime(2026, 5, 2, 10, tzinfo=SH))
    VolunteerFactory(community=community)
    VolunteerFactory(community=other_community)
    secretary(community, started_on=date(2025, 1, 1))
    red_line = RedLine.objects.active().order_by("sort_order").first()
    warning_record(user=leader, red_line=red_line, community=community, year=2026, quarter=1, evidence="季度测评")
    talent_create(user=cadre, community=community, name="王强", kind="veteran")
    for year, kind, value in ((2025, "complaints", 50), (2026, "complaints", 40), (2026, "petitions", 7)):
        ExternalFigure.objects.create(
            street=community.street, kind=kind, month=date(year, 3, 1), value=value, recorded_by=leader
        )


def _strip(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def _page(body: str) -> dict:
    """The page's section headings, (label, figure) pairs and table rows, as a reader sees them."""
    figures = []
    for grid in re.findall(r'<dl class="figure-grid".*?</dl>', body, flags=re.S):
        figures += [(_strip(dt), _strip(dd)) for dt, dd in re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", grid)]
    rows = []
    for row in re.findall(r'<tr><th scope="row">.*?</tr>', body, flags=re.S):
        rows.append([_strip(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)])
    return {
        "headings": [_strip(h) for h in re.findall(r'<h2 id="s-[a-z]+">(.*?)</h2>', body)],
        "figures": figures,
        "rows": rows,
    }


def _pdf_lines(content: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(content))
    lines = []
    for page in reader.pages:
        lines += [line.strip() for line in page.extract_text().splitlines() if line.strip()]
    return lines


def _follows(lines: list[str], cells: list[str]) -> bool:
    """Tell whether the cells appear one after another among the PDF's lines."""
    n = len(cells)
    return any(lines[i : i + n] == cells for i in range(len(lines) - n + 1))


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("scope", ["street", "community"])
def test_pdf_carries_every_section_of_the_page_with_its_figures(client, data, leader, community, scope):
    client.force_login(leader)
    query = "?period=2026" + (f"&community={community.pk}" if scope == "community" else "")
    page = _page(client.get(reverse("outcomes:report") + query).content.decode())
    response = client.get(reverse("outcomes:report_pdf") + query)
    assert response["Content-Type"] == "application/pdf"
    lines = _pdf_lines(response.content)

    expected = ["综述", "直面问 · 入户走访", "分类解 · 问题办理", "三率与群众满意度", "现场议 · 议事协商"]
    expected += ["志愿服务与积分", "干部考验 · 红线与调整", "后备人才"]
    expected += ["市民投诉与信访"] if scope == "street" else []
    assert page["headings"] == expected
    for heading in page["headings"]:
        assert heading in lines, heading
    assert len(page["figures"]) > 30
    for label, value in page["figures"]:
        assert _follows(lines, [label, value]), (label, value)
    for row in page["rows"]:
        assert _follows(lines, row), row


@time_machine.travel(NOW, tick=False)
def test_pdf_figures_are_those_of_the_data(client, data, leader):
    client.force_login(leader)
    lines = _pdf_lines(client.get(reverse("outcomes:report_pdf") + "?period=2026").content)
    assert _follows(lines, ["收集问题", "4 件"])
    assert _follows(lines, ["满意率", "75.0%"])
    assert _follows(lines, ["走访住户", "1 户"]) and _follows(lines, ["走访覆盖率", "50.0%"])
    assert _follows(lines, ["在册志愿者", "2 人"])
    assert _follows(lines, ["红线季度预警", "1 次"])
    assert _follows(lines, ["后备人才", "1 人"])
    assert _follows(lines, ["市民投诉件", "40", "50", "-20.0%"])
    assert _follows(lines, ["信访量", "7", "—", "—"])


@time_machine.travel(NOW, tick=False)
def test_a_leader_reading_english_prints_and_exports_the_report_with_english_names(client, data, leader):
    red_line = RedLine.objects.active().order_by("sort_order").first()
    category = Case.objects.first().category
    assert red_line.name_en and category.name_en  # the seeded English names
    client.force_login(leader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = " ".join(_pdf_lines(client.get(reverse("outcomes:report_pdf") + "?period=2026").content))
    assert "Red line warnings" in text and red_line.name_en in text and category.name_en in text
    assert red_line.name not in text and category.name not in text
    workbook = load_workbook(io.BytesIO(client.get(reverse("outcomes:report_xlsx") + "?period=2026").content))
    rows = list(workbook["Red line warnings"].iter_rows(values_only=True))
    assert rows == [("Red line", "Warnings", "Secretaries concerned"), (red_line.name_en, 1, 1)]
