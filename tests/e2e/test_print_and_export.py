"""Journey: a community cadre prints a case sheet from the case page and exports the filtered case list, once
at once and once, over the limit, as a background file followed on its own page."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from cases.models import Case
from lucun.models import Role
from tests.cases.factories import open_case
from tests.factories import official

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _numbers(path) -> list[str]:
    sheet = load_workbook(io.BytesIO(Path(path).read_bytes())).worksheets[0]
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_a_cadre_prints_a_case_sheet_and_exports_the_list(desktop, community, other_community, settings, tmp_path):
    settings.LUCUN_PUBLIC_BASE_URL = desktop.base_url
    cadre = official(Role.COMMUNITY_CADRE, community=community)
    for n in range(6):
        open_case(community=community, by=cadre, title=f"本村诉求{n}", tier_code="assigned" if n % 2 else "immediate")
    open_case(community=other_community, by=official(Role.COMMUNITY_CADRE, community=other_community))
    case = Case.objects.filter(community=community).order_by("pk").first()
    page = desktop.page
    desktop.login(cadre.username)

    desktop.goto(case.get_absolute_url())
    desktop.shot("case-page")
    sheet = page.request.get(desktop.url(page.get_by_test_id("print-sheet").get_attribute("href")))
    assert sheet.ok and sheet.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(sheet.body()))
    assert len(reader.pages) == 1 and case.number in reader.pages[0].extract_text()

    desktop.goto("/cases/")
    page.select_option("select[name=tier]", label="即办")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state()
    desktop.shot("filtered-list")
    shown = page.locator("[data-number]").evaluate_all("rows => rows.map(r => r.dataset.number)")
    assert len(shown) == 3
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert _numbers(download.value.path()) == shown

    settings.LUCUN_EXPORT_DIRECT_MAX = 2
    page.get_by_test_id("export").click()
    expect(page.get_by_test_id("export-rows")).to_contain_text("共 3 行")
    desktop.shot("export-offer")
    page.get_by_role("button", name="开始生成").click()
    link = page.get_by_role("link", name="下载 Excel 文件")
    expect(link).to_be_visible()
    desktop.shot("export-done")
    with page.expect_download() as download:
        link.click()
    assert _numbers(download.value.path()) == shown
