"""Bulk actions on the case list and the feedback queue: tick rows (or all matching the filters), confirm, and
each row goes through the single action's service on its own; the run's page lists each row's result."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from cases import services
from cases.models import Case, CaseEvent, CaseState, Feedback
from lucun.models import AuditEvent, BulkRun, Role
from tests.cases.factories import channel, open_case, submit
from tests.factories import official
from tests.htmlforms import form_in

pytestmark = pytest.mark.django_db

PICKS = r'name="id" value="(\d+)" form="bulk-form"'


@pytest.fixture
def handler(community):
    return official(Role.GRID_WORKER, community=community)


@pytest.fixture
def cases(community, other_community, cadre, other_cadre):
    ours = [open_case(community=community, by=cadre, title=f"本村诉求{n}") for n in range(6)]
    theirs = [open_case(community=other_community, by=other_cadre, title="外村诉求标题") for _ in range(2)]
    return ours, theirs


def _start(client, kind: str, data: dict):
    """Open the confirmation page as the list's button does (a GET with the ticked ids and the page's filters)."""
    return client.get(reverse("bulk_start", args=[kind]), data)


def _confirm(client, page, fields: dict):
    """Send the confirmation page's form with its hidden fields (the selection) and the action's input."""
    form = form_in(page.content.decode(), "bulk-form")
    data = {"filters": form.hidden.get("filters", ""), **fields}
    html = page.content.decode()
    ids = re.findall(r'<input type="hidden" name="id" value="(\d+)">', html)
    if ids:
        data["id"] = ids
    if 'name="all" value="1"' in html:
        data["all"] = "1"
    return client.post(page.request["PATH_INFO"], data)


def test_the_case_list_offers_a_box_per_row_and_the_actions_of_the_persons_position(client, cadre, cases):
    client.force_login(cadre)
    html = client.get(reverse("cases:case_list")).content.decode()
    assert sorted(int(pk) for pk in re.findall(PICKS, html)) == sorted(c.pk for c in cases[0])
    assert 'data-bulk="cases.case_assign"' in html and 'data-bulk="cases.case_accept"' in html
    assert "全部符合筛选条件的 6 件" in html


def test_an_english_reader_reads_the_counts_as_english_counts(client, cadre, cases):
    client.force_login(cadre)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "All 6 items matching the filter" in client.get(reverse("cases:case_list")).content.decode()
    one = _start(client, "cases.case_accept", {"id": [cases[0][0].pk]}).content.decode()
    assert "1 item ticked." in one and "(1 item)" in one
    two = _start(client, "cases.case_accept", {"id": [c.pk for c in cases[0][:2]]}).content.decode()
    assert "2 items ticked." in two


def test_a_party_representative_sees_no_bulk_actions_and_is_refused_them(client, community, cases):
    rep = official(Role.PARTY_REP, community=community)
    client.force_login(rep)
    html = client.get(reverse("cases:case_list")).content.decode()
    assert "bulk-form" not in html
    assert _start(client, "cases.case_assign", {"id": [cases[0][0].pk]}).status_code == 403


def test_assigning_ticked_cases_stores_each_and_reports_the_one_refused(client, cadre, handler, cases):
    ours, _theirs = cases
    cancelled = ours[0]
    services.case_cancel(case=cancelled, user=cadre, reason="重复登记")
    client.force_login(cadre)
    picked = [ours[0].pk, ours[1].pk, ours[2].pk]
    page = _start(client, "cases.case_assign", {"id": picked, "filters": "state=all"})
    assert page.status_code == 200 and "已勾选 3 件" in page.content.decode()
    form = form_in(page.content.decode(), "bulk-form")
    done = _confirm(client, page, {"handler": form.option("handler", str(handler))})

    run = BulkRun.objects.get()
    assert done.status_code == 302 and done.url == reverse("bulk_run", args=[run.pk])
    assert run.state == BulkRun.State.DONE and run.total == 3 and run.refused == 1
    assert set(Case.objects.filter(pk__in=picked[1:]).values_list("handler", flat=True)) == {handler.pk}
    assert Case.objects.get(pk=cancelled.pk).handler_id is None
    html = client.get(done.url).content.decode()
    assert "已办理 2 条,未办理 1 条" in html
    assert "已办结或已撤销的诉求不能再指派" in html and html.count(f"已指派 {handler}") == 2
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.ASSIGNED, case_id__in=picked).count() == 2
    event = AuditEvent.objects.get(action="lucun.bulk_run")
    assert event.actor == cadre and event.changes["after"]["refused"] == 1


def test_a_ticked_id_outside_the_scope_is_not_touched_and_is_reported(client, cadre, handler, cases):
    ours, theirs = cases
    client.force_login(cadre)
    picked = [ours[0].pk, theirs[0].pk]
    page = _start(client, "cases.case_accept", {"id": picked})
    html = page.content.decode()
    assert "其中 1 条不存在或不在您的工作范围内" in html and "外村诉求标题" not in html
    done = _confirm(client, page, {})
    results = client.get(done.url).content.decode()
    assert Case.objects.get(pk=ours[0].pk).state == CaseState.ACCEPTED
    assert Case.objects.get(pk=theirs[0].pk).state == CaseState.REGISTERED
    assert "不存在,或不在您的工作范围内" in results and "外村诉求标题" not in results


def test_all_matching_acts_on_exactly_the_rows_the_filtered_list_shows(client, cadre, cases):
    ours, _theirs = cases
    services.case_accept(case=ours[0], user=cadre)
    client.force_login(cadre)
    listed = re.findall(PICKS, client.get(reverse("cases:case_list"), {"state": "registered"}).content.decode())
    assert len(listed) == 5
    page = _start(client, "cases.case_accept", {"all": "1", "filters": "state=registered&page=2"})
    assert "按当前筛选条件,全部 5 件" in page.content.decode()
    _confirm(client, page, {})
    run = BulkRun.objects.get()
    assert sorted(run.ids) == sorted(int(pk) for pk in listed) and run.query == "state=registered"
    assert Case.objects.filter(community=ours[0].community, state=CaseState.ACCEPTED).count() == 6


def test_nothing_ticked_sends_the_person_back_to_the_list(client, cadre, cases):
    client.force_login(cadre)
    response = _start(client, "cases.case_accept", {"filters": "state=all"})
    assert response.status_code == 302 and response.url == reverse("cases:case_list") + "?state=all"


def test_a_large_selection_runs_in_the_background_with_progress_then_results(
    client, cadre, cases, settings, django_capture_on_commit_callbacks
):
    settings.LUCUN_BULK_SYNC_MAX = 3
    client.force_login(cadre)
    page = _start(client, "cases.case_accept", {"all": "1"})
    assert "后台逐条办理" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        started = _confirm(client, page, {})
    run = BulkRun.objects.get()
    assert run.state == BulkRun.State.QUEUED and run.total == 6
    html = client.get(started.url).content.decode()
    assert "js/job-progress.js" in html and 'data-testid="bulk-progress"' in html
    assert client.get(reverse("bulk_run_progress", args=[run.pk])).json()["state"] == "queued"
    for callback in queued:
        callback()  # the worker takes it (eager in tests)
    progress = client.get(reverse("bulk_run_progress", args=[run.pk])).json()
    assert progress["state"] == "done" and progress["done"] == progress["total"] == 6
    assert progress["download_url"] == reverse("bulk_run", args=[run.pk])
    html = client.get(started.url).content.decode()
    assert "已办理 6 条,未办理 0 条" in html and "js/job-progress.js" not in html


def test_another_persons_run_is_not_found(client, cadre, community, cases):
    client.force_login(cadre)
    _confirm(client, _start(client, "cases.case_accept", {"id": [cases[0][0].pk]}), {})
    run = BulkRun.objects.get()
    client.force_login(official(Role.COMMUNITY_CADRE, community=community))
    assert client.get(reverse("bulk_run", args=[run.pk])).status_code == 404
    assert client.get(reverse("bulk_run_progress", args=[run.pk])).status_code == 404


@pytest.mark.parametrize("more", [0, 10])
def test_the_case_list_with_its_bulk_bar_costs_a_fixed_number_of_queries(
    client, cadre, community, cases, more, django_assert_num_queries
):
    for _ in range(more):
        open_case(community=community, by=cadre)
    client.force_login(cadre)
    with django_assert_num_queries(11):  # the session, the positions, the page and its count, the navigation
        html = client.get(reverse("cases:case_list")).content.decode()
    assert len(re.findall(PICKS, html)) == 6 + more


@pytest.mark.parametrize("more", [0, 5])
def test_the_feedback_queue_with_its_bulk_bar_costs_a_fixed_number_of_queries(
    client, cadre, community, messages, more, django_assert_num_queries
):
    for n in range(more):
        submit(channel=channel(community=community, label=f"广场{n}"), community=community)
    client.force_login(cadre)
    with django_assert_num_queries(7):
        html = client.get(reverse("cases:feedback_queue")).content.decode()
    assert len(re.findall(PICKS, html)) == 4 + more


# --- feedback queue ---------------------------------------------------------------------------------------


@pytest.fixture
def messages(community, other_community):
    point = channel(community=community)
    ours = [submit(channel=point, community=community, text=f"村口路灯坏了第{n}盏,晚上看不见路。") for n in range(4)]
    theirs = submit(channel=channel(community=other_community, label="外村"), community=other_community)
    return ours, theirs


def test_marking_spam_keeps_each_message_with_its_reason_and_refuses_one_already_triaged(client, cadre, messages):
    ours, _theirs = messages
    services.feedback_reject(feedback=ours[0], user=cadre, state=Feedback.State.NOT_ACTIONABLE, reason="不属本村")
    client.force_login(cadre)
    html = client.get(reverse("cases:feedback_queue"), {"state": "all"}).content.decode()
    picked = re.findall(PICKS, html)
    assert sorted(int(pk) for pk in picked) == sorted(m.pk for m in ours)
    page = _start(client, "cases.feedback_spam", {"id": picked, "filters": "state=all"})
    refused = _confirm(client, page, {})
    assert refused.status_code == 400 and "field--error" in refused.content.decode()
    _confirm(client, page, {"reason": "广告刷屏"})
    run = BulkRun.objects.get()
    assert run.refused == 1
    assert Feedback.objects.filter(state=Feedback.State.SPAM, state_reason="广告刷屏").count() == 3
    assert Feedback.objects.get(pk=ours[0].pk).state == Feedback.State.NOT_ACTIONABLE
    assert "只有待分拣的反馈可以标记为无效或无法办理" in client.get(run.get_absolute_url()).content.decode()


def test_several_messages_merge_into_one_case(client, cadre, messages):
    ours, _theirs = messages
    case = services.feedback_create_case(feedback=ours[0], user=cadre, title="村口路灯坏了")
    client.force_login(cadre)
    page = _start(client, "cases.feedback_merge", {"all": "1"})
    assert "全部 3 条" in page.content.decode()
    _confirm(client, page, {"case_number": case.number, "note": "同一处路灯"})
    assert Feedback.objects.filter(case=case).count() == 4
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.MERGED).count() == 3


def test_accepting_messages_opens_a_case_for_each(client, cadre, messages):
    client.force_login(cadre)
    page = _start(client, "cases.feedback_create_case", {"all": "1"})
    form = form_in(page.content.decode(), "bulk-form")
    tier_value = form.selects["tier"][0].value
    _confirm(client, page, {"tier": tier_value, "case_list": "community", "category": ""})
    assert Feedback.objects.filter(state=Feedback.State.CASE_CREATED).count() == 4
    assert Case.objects.filter(source=Case.Source.FEEDBACK).count() == 4


# --- 合并立案: several messages, one case, all or nothing -------------------------------------------------------


def _merged_case_page(client, ids: list[int]):
    """Tick the messages on the queue and press 合并立案, as the bulk bar's button does."""
    html = client.get(reverse("cases:feedback_queue")).content.decode()
    assert 'data-bulk="cases.feedback_create_case_merged"' in html
    assert set(re.findall(PICKS, html)) >= {str(pk) for pk in ids}
    return _start(client, "cases.feedback_create_case_merged", {"id": [str(pk) for pk in ids], "filters": ""})


def _merged_case_fields(page) -> dict:
    form = form_in(page.content.decode(), "bulk-form")
    return {
        "title": "村口路灯坏了",
        "public_title": "",
        "category": form.radios["category"][0].value,
        "tier": form.choice("tier", "即办"),
        "case_list": "community",
        "grid": "",
        "note": "同一处路灯",
    }


def test_ticked_messages_of_one_community_become_one_case_in_one_step(client, cadre, messages):
    ours, _theirs = messages
    chosen = [ours[2], ours[0], ours[3]]
    client.force_login(cadre)
    page = _merged_case_page(client, [m.pk for m in chosen])
    assert "已勾选 3 条" in page.content.decode()
    fields = _merged_case_fields(page)
    refused = _confirm(client, page, {**fields, "title": ""})
    assert refused.status_code == 400 and not Case.objects.exists()
    response = _confirm(client, page, fields)
    assert response.status_code == 302

    case = Case.objects.get()
    assert (case.title, case.source_object, case.tier.code) == ("村口路灯坏了", chosen[0], "immediate")
    states = {m.pk: (m.state, m.case_id) for m in Feedback.objects.filter(pk__in=[m.pk for m in chosen])}
    assert states == {
        chosen[0].pk: (Feedback.State.CASE_CREATED, case.pk),
        chosen[1].pk: (Feedback.State.MERGED, case.pk),
        chosen[2].pk: (Feedback.State.MERGED, case.pk),
    }
    assert Feedback.objects.get(pk=ours[1].pk).state == Feedback.State.NEW  # not ticked
    assert case.events.filter(kind=CaseEvent.Kind.MERGED).count() == 2
    assert AuditEvent.objects.filter(action="cases.feedback_merge", actor=cadre).count() == 2
    run = BulkRun.objects.get()
    assert run.refused == 0 and case.number in client.get(run.get_absolute_url()).content.decode()
    for merged in chosen[1:]:  # each sender's lookup code follows the new case
        status = client.get(reverse("api_feedback_status", args=[merged.lookup_code])).json()
        assert status["stage"] != "received" and status["lookup_code"] == merged.lookup_code


def test_messages_of_two_communities_are_refused_together_and_nothing_is_written(client, street, messages):
    ours, theirs = messages
    staff = official(Role.STREET_STAFF, street=street)  # sees both communities' queues
    client.force_login(staff)
    page = _merged_case_page(client, [ours[0].pk, theirs.pk])
    _confirm(client, page, _merged_case_fields(page))
    run = BulkRun.objects.get()
    assert run.refused == 2
    assert not Case.objects.exists()
    assert set(Feedback.objects.values_list("state", flat=True)) == {Feedback.State.NEW}
    html = client.get(run.get_absolute_url()).content.decode()
    assert "属于不同的村(居)" in html and "芦湖村" in html and "稻香村" in html


def test_one_message_already_triaged_undoes_the_whole_merged_case(client, cadre, messages):
    ours, _theirs = messages
    earlier = services.feedback_create_case(feedback=ours[1], user=cadre, title="早先立的案")
    client.force_login(cadre)
    page = _start(client, "cases.feedback_create_case_merged", {"id": [ours[0].pk, ours[1].pk, ours[2].pk]})
    _confirm(client, page, _merged_case_fields(page))
    assert BulkRun.objects.get().refused == 3
    assert list(Case.objects.all()) == [earlier]  # the case opened from the first message is rolled back
    assert Feedback.objects.get(pk=ours[0].pk).state == Feedback.State.NEW
    assert Feedback.objects.get(pk=ours[2].pk).state == Feedback.State.NEW
    html = client.get(BulkRun.objects.get().get_absolute_url()).content.decode()
    assert "第 2 条反馈" in html and "该反馈已立案或已并入诉求" in html


def test_a_foreign_communitys_messages_are_not_merged_and_wrong_positions_are_refused(
    client, community, other_cadre, messages
):
    ours, _theirs = messages
    client.force_login(other_cadre)
    page = _start(client, "cases.feedback_create_case_merged", {"id": [ours[0].pk, ours[1].pk]})
    assert "其中 2 条不存在或不在您的工作范围内" in page.content.decode()
    _confirm(client, page, _merged_case_fields(page))
    assert BulkRun.objects.get().refused == 2 and not Case.objects.exists()
    client.force_login(official(Role.GRID_WORKER, community=community))
    assert _start(client, "cases.feedback_create_case_merged", {"id": [ours[0].pk, ours[1].pk]}).status_code == 403
