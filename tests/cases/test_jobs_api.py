"""Case sheets through the API: one case's sheet as a PDF, the sheets of several cases at once up to the limit,
and beyond it a background job followed and downloaded like an export."""

import io

import pytest
from pypdf import PdfReader
from rest_framework.test import APIClient

from lucun.models import AuditEvent, ExportJob
from tests.cases.factories import open_case

pytestmark = pytest.mark.django_db

SHEETS = "/api/v1/cases/sheets/"


@pytest.fixture(autouse=True)
def public_base(settings):
    settings.LUCUN_PUBLIC_BASE_URL = "https://lucun.example.gov.cn"


@pytest.fixture
def api(cadre):
    client = APIClient()
    client.force_authenticate(cadre)
    return client


@pytest.fixture
def many(community, other_community, cadre, other_cadre):
    ours = [open_case(community=community, by=cadre, title=f"本村诉求{n}") for n in range(5)]
    theirs = [open_case(community=other_community, by=other_cadre, title="外村诉求标题") for _ in range(2)]
    return ours, theirs


def _pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def test_a_cases_sheet_is_one_pdf_page_and_another_communitys_is_not_found(api, cadre, many):
    ours, theirs = many
    response = api.get(f"/api/v1/cases/{ours[0].number}/sheet/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = _pages(response.content)
    assert len(pages) == 1 and ours[0].number in pages[0] and "民情诉求办理单" in pages[0]
    event = AuditEvent.objects.get(action="cases.print")
    assert event.actor == cadre and event.changes["after"] == {"numbers": [ours[0].number], "count": 1}
    assert api.get(f"/api/v1/cases/{theirs[0].number}/sheet/").status_code == 404


def test_the_sheets_of_a_few_chosen_cases_come_at_once_leaving_out_a_foreign_number(api, many):
    ours, theirs = many
    chosen = [ours[3].number, ours[1].number, theirs[0].number]
    response = api.post(SHEETS, {"numbers": chosen}, format="json")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(_pages(response.content))
    assert len(_pages(response.content)) == 2
    assert ours[3].number in text and ours[1].number in text and theirs[0].number not in text
    assert not ExportJob.objects.exists()


def test_a_large_selection_of_sheets_runs_as_a_job_with_progress_and_a_download(
    api, cadre, many, settings, django_capture_on_commit_callbacks
):
    ours, _theirs = many
    settings.LUCUN_CASE_SHEETS_MAX = 3
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(SHEETS, {"filters": {"state": "all"}}, format="json")
    assert started.status_code == 202, started.content
    body = started.json()
    assert (body["kind"], body["total"], body["unit"], body["content_type"]) == (
        "cases.case_sheets",
        5,
        "份",
        "application/pdf",
    )
    job = ExportJob.objects.get()
    assert job.created_by == cadre and job.query == "state=all"
    status = api.get(body["status_url"]).json()
    assert status["state"] == "done" and status["text"] == "已完成 · 5 / 5 份"
    response = api.get(status["download_url"])
    assert response.status_code == 200 and response["Content-Disposition"].startswith(
        'attachment; filename="case-sheets-'
    )
    text = "".join(_pages(response.getvalue()))
    assert all(case.number in text for case in ours) and "外村诉求标题" not in text


def test_nothing_to_print_or_more_than_one_file_holds_is_refused_in_chinese(api, many, settings):
    nothing = api.post(SHEETS, {"filters": {"q": "没有这样的诉求"}}, format="json")
    assert nothing.status_code == 400
    assert nothing.json() == {"detail": "没有符合条件的诉求可以打印。", "code": "nothing_to_print"}
    settings.LUCUN_CASE_SHEETS_MAX = 2
    settings.LUCUN_CASE_SHEETS_JOB_MAX = 3
    too_many = api.post(SHEETS, {"filters": {"state": "all"}}, format="json")
    assert too_many.status_code == 400 and too_many.json()["code"] == "too_many_sheets"
    assert "一次最多打印 3 份办理单,当前筛选出 5 件" in too_many.json()["detail"]
    assert not ExportJob.objects.exists() and not AuditEvent.objects.filter(action="cases.print").exists()
