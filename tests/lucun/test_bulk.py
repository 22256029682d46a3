"""The bulk runner and the bulk API: each row in its own transaction, a refusal is that row's result; the API
answers each row's result at once, or 202 and a run to follow for many rows."""

import pytest
from django.urls import reverse
from django.utils import translation

from cases import services
from cases.models import Case, CaseState
from lucun.bulk.runner import rows_run
from lucun.errors import DomainError, NotAllowed
from lucun.models import BulkRun, Community
from tests.cases.factories import open_case

pytestmark = pytest.mark.django_db


def test_a_refused_row_is_rolled_back_alone_and_the_others_are_kept(street):
    def row(pk, *, user):
        Community.objects.create(street=street, name=f"新村{pk}")
        if pk == 2:
            raise DomainError("第二条不行。")
        if pk == 3:
            raise NotAllowed("不许。")
        return f"建了{pk}"

    results = rows_run(user=None, ids=[1, 2, 3, 4], row=row, labels={2: "二"})
    assert [(r.id, r.ok, r.message) for r in results] == [
        (1, True, "建了1"),
        (2, False, "第二条不行。"),
        (3, False, "不许。"),
        (4, True, "建了4"),
    ]
    assert results[1].label == "二"
    assert sorted(Community.objects.filter(name__startswith="新村").values_list("name", flat=True)) == [
        "新村1",
        "新村4",
    ]


def test_a_fault_in_the_code_is_not_taken_for_a_refusal():
    def row(pk, *, user):
        raise KeyError(pk)

    with pytest.raises(KeyError):
        rows_run(user=None, ids=[1], row=row)


@pytest.fixture
def cases(community, other_community, cadre, other_cadre):
    ours = [open_case(community=community, by=cadre) for _ in range(3)]
    return ours, open_case(community=other_community, by=other_cadre)


def test_the_api_accepts_ticked_cases_and_reports_each_row(client, cadre, cases):
    ours, theirs = cases
    services.case_cancel(case=ours[0], user=cadre, reason="重复")
    client.force_login(cadre)
    ids = [c.pk for c in ours] + [theirs.pk]
    response = client.post(
        reverse("api_bulk_start", args=["cases.case_accept"]), {"ids": ids}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["state"] == "done" and data["total"] == 4 and data["refused"] == 2
    assert [(r["id"], r["ok"]) for r in data["rows"]] == [
        (ids[0], False),
        (ids[1], True),
        (ids[2], True),
        (ids[3], False),
    ]
    assert data["rows"][3]["message"] == "不存在,或不在您的工作范围内。" and data["rows"][3]["label"] == f"#{theirs.pk}"
    assert Case.objects.get(pk=theirs.pk).state == CaseState.REGISTERED
    assert client.get(data["status_url"]).json()["rows"] == data["rows"]


def test_the_api_runs_many_rows_in_the_background(client, cadre, cases, settings, django_capture_on_commit_callbacks):
    settings.LUCUN_BULK_SYNC_MAX = 2
    client.force_login(cadre)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(
            reverse("api_bulk_start", args=["cases.case_accept"]),
            {"all": True, "filters": {"state": "registered"}},
            content_type="application/json",
        )
    assert response.status_code == 202 and response.json()["state"] == "queued" and response.json()["total"] == 3
    for callback in queued:
        callback()
    run = BulkRun.objects.get()
    assert run.state == BulkRun.State.DONE and run.rows.filter(ok=True).count() == 3


def test_a_background_run_asked_for_in_english_reports_its_rows_in_english_though_the_worker_reads_chinese(
    client, cadre, cases, settings, django_capture_on_commit_callbacks
):
    ours, theirs = cases
    settings.LUCUN_BULK_SYNC_MAX = 2
    client.force_login(cadre)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(
            reverse("api_bulk_start", args=["cases.case_accept"]),
            {"ids": [ours[0].pk, theirs.pk, ours[1].pk]},
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 202
    with translation.override(settings.LANGUAGE_CODE):  # a worker runs in the site's language
        for callback in queued:
            callback()
    run = BulkRun.objects.get()
    assert run.language == "en" and run.state == BulkRun.State.DONE
    assert run.rows.get(object_id=theirs.pk).message == "Does not exist, or is outside your scope of work."


def test_the_api_refuses_wrong_input_and_positions(client, cadre, community, cases):
    from lucun.models import Role
    from tests.factories import official

    client.force_login(cadre)
    url = reverse("api_bulk_start", args=["cases.case_assign"])
    assert client.post(url, {"ids": [cases[0][0].pk]}, content_type="application/json").status_code == 400
    assert client.post(url, {"ids": []}, content_type="application/json").status_code == 400
    assert (
        client.post(reverse("api_bulk_start", args=["cases.nothing"]), {}, content_type="application/json").status_code
        == 404
    )
    client.force_login(official(Role.PARTY_REP, community=community))
    assert client.post(url, {"ids": [cases[0][0].pk]}, content_type="application/json").status_code == 403
