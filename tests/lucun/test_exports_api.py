"""Exports through the API: started with a page's filters, run in the background within the caller's scope and
refused where the page is; the job is followed and its file downloaded only by the person who asked."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from lucun.models import AuditEvent, ExportJob, Role
from tests.cases.factories import open_case, tier
from tests.factories import official
from tests.lucun.exports import xlsx_column
from tests.outcomes.factories import callback_for, resolved_case

pytestmark = pytest.mark.django_db

START = "/api/v1/exports/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def cases(community, other_community, cadre, other_cadre):
    """Eight cases of 芦湖村 across two tiers, and two of 稻香村."""
    ours = [
        open_case(community=community, by=cadre, tier_code="assigned" if n % 2 else "immediate", title=f"本村诉求{n}")
        for n in range(8)
    ]
    for _ in range(2):
        open_case(community=other_community, by=other_cadre, tier_code="assigned", title="外村诉求标题")
    return ours


def _start(api, kind: str, filters: dict | None = None, capture=None):
    body = {"kind": kind, **({"filters": filters} if filters is not None else {})}
    if capture is None:
        return api.post(START, body, format="json")
    with capture(execute=True):  # the task runs after commit, as the worker would
        return api.post(START, body, format="json")


def test_an_export_started_through_the_api_holds_what_the_page_exports_with_the_same_filters(
    client, api, cadre, cases, django_capture_on_commit_callbacks
):
    filters = {"tier": tier("assigned").pk, "state": "all"}
    client.force_login(cadre)
    page = client.get(reverse("cases:case_export"), filters)
    shown = xlsx_column(page.content)
    assert len(shown) == 4

    token = Token.objects.create(user=cadre)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    started = _start(api, "cases.case_list", filters, django_capture_on_commit_callbacks)
    assert started.status_code == 202, started.content
    body = started.json()
    job = ExportJob.objects.get()
    assert (job.kind, job.created_by, job.query) == ("cases.case_list", cadre, f"tier={filters['tier']}&state=all")
    assert body["id"] == job.pk and body["state"] == "queued" and body["total"] == 4 and body["unit"] == "行"
    assert body["status_url"] == f"http://testserver/api/v1/exports/{job.pk}/" and body["download_url"] == ""

    status = api.get(body["status_url"]).json()
    download = f"http://testserver/api/v1/exports/{job.pk}/download/"
    assert (status["state"], status["done"], status["percent"], status["download_url"]) == ("done", 4, 100, download)
    response = api.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="cases-')
    assert xlsx_column(response.getvalue()) == shown
    event = AuditEvent.objects.filter(action="cases.export", object_id=str(job.pk)).get()
    assert event.actor == cadre and event.changes["after"]["rows"] == 4


def test_an_api_export_holds_nothing_of_another_community_even_when_asking_for_it(
    api, cadre, cases, other_community, django_capture_on_commit_callbacks
):
    api.force_authenticate(cadre)
    filters = {"state": "all", "community": other_community.pk}
    started = _start(api, "cases.case_list", filters, django_capture_on_commit_callbacks)
    response = api.get(started.json()["status_url"] + "download/")
    numbers = xlsx_column(response.getvalue())
    assert numbers and set(numbers) <= {c.number for c in cases}


def test_the_feedback_queue_export_is_refused_through_the_api_where_the_page_is(api, community, cadre):
    api.force_authenticate(official(Role.GRID_WORKER, community=community))
    refused = _start(api, "cases.feedback_queue")
    assert refused.status_code == 403 and refused.json()["code"] == "not_allowed"
    assert not ExportJob.objects.exists()
    api.force_authenticate(cadre)
    assert _start(api, "cases.feedback_queue").status_code == 202


def test_the_callbacks_export_through_the_api_holds_the_rows_of_the_tab(
    client, api, community, other_community, cadre, other_cadre, django_capture_on_commit_callbacks
):
    for n in range(3):
        callback_for(resolved_case(community=community, by=cadre, title=f"本村回访{n}"))
    callback_for(resolved_case(community=other_community, by=other_cadre, title="外村诉求标题"))
    client.force_login(cadre)
    shown = xlsx_column(client.get(reverse("outcomes:callback_export"), {"state": "all"}).content)
    assert len(shown) == 3
    api.force_authenticate(cadre)
    started = _start(api, "outcomes.callback_list", {"state": "all"}, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get(pk=started.json()["id"])
    assert job.state == "done" and job.total == 3
    assert xlsx_column(api.get(f"/api/v1/exports/{job.pk}/download/").getvalue()) == shown


def test_nobody_but_who_asked_may_follow_or_download_an_export_through_the_api(
    api, cadre, cases, community, street_leader, django_capture_on_commit_callbacks
):
    api.force_authenticate(cadre)
    job_id = _start(api, "cases.case_list", {}, django_capture_on_commit_callbacks).json()["id"]
    urls = [f"/api/v1/exports/{job_id}/", f"/api/v1/exports/{job_id}/download/"]
    for person in (street_leader, official(Role.COMMUNITY_CADRE, community=community)):
        api.force_authenticate(person)
        assert [api.get(url).status_code for url in urls] == [404, 404]
    api.force_authenticate(None)
    assert [api.get(url).status_code for url in urls] == [403, 403]


def test_a_file_not_made_yet_answers_409_with_a_chinese_message(api, cadre, cases):
    api.force_authenticate(cadre)
    job_id = _start(api, "cases.case_list").json()["id"]  # queued: the task is sent after commit, not here
    response = api.get(f"/api/v1/exports/{job_id}/download/")
    assert response.status_code == 409
    assert response.json() == {"detail": "文件还在生成中,请稍后再下载。", "code": "not_ready"}


def test_an_unknown_kind_or_filters_that_are_no_object_are_refused(api, cadre, cases):
    api.force_authenticate(cadre)
    unknown = _start(api, "cases.nothing")
    assert unknown.status_code == 400 and "kind" in unknown.json()
    malformed = api.post(START, {"kind": "cases.case_list", "filters": "state=all"}, format="json")
    assert malformed.status_code == 400
    assert malformed.json()["filters"] == ['请以对象给出筛选条件,如 {"state": "all"}。']
    nested = api.post(START, {"kind": "cases.case_list", "filters": {"state": {"x": 1}}}, format="json")
    assert nested.json()["filters"] == ["筛选条件 state 的值应为文字、整数或它们的列表。"]
    assert not ExportJob.objects.exists()
