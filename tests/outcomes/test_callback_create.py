"""生成回访 by hand: the callback of a resolved case the periodic job did not reach (resolved before its window),
made one case at a time by ``callback_create_for_case`` — the job's own rule — and many at once from 待生成回访."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseState
from cases.services import case_reopen, case_resolve
from lucun.errors import DomainError, NotAllowed
from lucun.models import AuditEvent, BulkRun, Role
from outcomes.models import Callback, CallbackPool
from outcomes.services import callback_create_for_case, callbacks_create
from tests.cases.factories import open_case
from tests.factories import CommunityFactory, StreetFactory, official
from tests.htmlforms import form_in

from .factories import callback_for, resolved_case, set_times

pytestmark = pytest.mark.django_db

PICKS = r'name="id" value="(\d+)" form="bulk-form"'
LIST = "outcomes:callback_missing"
BULK = "outcomes.callback_create"


def old_case(*, community, by, days: int = 45, **kwargs) -> Case:
    """A case resolved before the job's window: the job leaves it without a callback."""
    case = resolved_case(community=community, by=by, **kwargs)
    set_times(case, resolved_at=timezone.now() - timedelta(days=days))
    case.refresh_from_db()
    return case


# ------------------------------------------------------------------------------------------------ the service


def test_a_leader_makes_the_callback_the_job_left_out_and_the_pool_is_told(community, cadre, supervisor, street_leader):
    case = old_case(community=community, by=cadre)
    assert callbacks_create() == 0  # outside the job's window

    callback = callback_create_for_case(case=case, actor=street_leader)

    stored = Callback.objects.get(case=case)
    assert stored.pk == callback.pk
    assert (stored.round, stored.mode, stored.assignee, stored.resolved_at) == (
        0,
        Callback.Mode.STAFF,
        supervisor,
        case.resolved_at,
    )
    event = AuditEvent.objects.get(action="outcomes.callback_create")
    assert (event.actor, event.community, event.summary) == (street_leader, community, case.number)
    assert supervisor.notifications.filter(title__startswith=f"待回访:{case.number}").count() == 1


def test_making_it_a_second_time_is_refused_and_writes_nothing(community, cadre, supervisor, street_leader):
    case = old_case(community=community, by=cadre)
    callback_create_for_case(case=case, actor=street_leader)

    with pytest.raises(DomainError, match=f"诉求 {case.number} 本次办结已有回访,无需再生成") as refused:
        callback_create_for_case(case=case, actor=supervisor)

    assert refused.value.code == "callback_exists"
    assert Callback.objects.filter(case=case).count() == 1
    assert AuditEvent.objects.filter(action="outcomes.callback_create").count() == 1


def test_the_job_does_not_make_a_second_callback_of_a_case_made_by_hand(community, cadre, street_leader):
    case = resolved_case(community=community, by=cadre)  # within the window
    callback_create_for_case(case=case, actor=street_leader)
    assert callbacks_create() == 0
    assert Callback.objects.filter(case=case).count() == 1


def test_a_case_not_resolved_is_refused(community, cadre, street_leader):
    case = open_case(community=community, by=cadre, handler=cadre)

    with pytest.raises(DomainError, match=f"诉求 {case.number} 已登记,尚未办结,不能生成回访") as refused:
        callback_create_for_case(case=case, actor=street_leader)

    assert refused.value.code == "not_resolved"
    assert not Callback.objects.exists()
    assert not AuditEvent.objects.filter(action="outcomes.callback_create").exists()


def test_a_reopened_case_resolved_again_gets_the_callback_of_its_new_round(community, cadre, supervisor, street_leader):
    case = old_case(community=community, by=cadre)
    callback_for(case)
    case_reopen(case=case, user=street_leader, reason="群众说没修好")
    with pytest.raises(DomainError, match="尚未办结"):
        callback_create_for_case(case=case, actor=street_leader)
    case_resolve(case=Case.objects.get(pk=case.pk), user=cadre, resolution="重新修好")

    assert callback_create_for_case(case=case, actor=street_leader).round == 1


def test_a_closed_case_without_a_callback_gets_one(community, cadre, supervisor, street_leader):
    case = old_case(community=community, by=cadre)
    Case.objects.filter(pk=case.pk).update(state=CaseState.CLOSED, closed_at=timezone.now())

    assert callback_create_for_case(case=case, actor=street_leader).assignee == supervisor


def test_an_anonymous_senders_case_gets_the_senders_own_answer_as_callback(community, cadre, supervisor, street_leader):
    case = old_case(community=community, by=cadre, source=Case.Source.FEEDBACK)

    callback = callback_create_for_case(case=case, actor=street_leader)

    assert (callback.mode, callback.assignee) == (Callback.Mode.ANONYMOUS, None)
    assert not supervisor.notifications.exists()


@pytest.mark.parametrize("who", ["handler", "first_responder"])
def test_the_callback_never_goes_to_the_cases_own_people(community, supervisor, street_leader, who):
    second = official(Role.SUPERVISOR, street=community.street)
    handler = supervisor if who == "handler" else official(Role.COMMUNITY_CADRE, community=community)
    receiver = supervisor if who == "first_responder" else None
    case = old_case(community=community, by=handler, first_responder=receiver)

    assert callback_create_for_case(case=case, actor=street_leader).assignee == second


def test_with_only_the_cases_own_people_in_the_pool_the_callback_waits_to_be_assigned(
    community, cadre, supervisor, street_leader
):
    CallbackPool.objects.filter(kind=CallbackPool.Kind.OTHER_TEAM).update(is_active=False)
    case = old_case(community=community, by=cadre, first_responder=supervisor)  # the only supervisor

    callback = callback_create_for_case(case=case, actor=street_leader)

    assert (callback.mode, callback.assignee) == (Callback.Mode.STAFF, None)
    assert not supervisor.notifications.filter(title__startswith="待回访").exists()


def test_officials_who_do_not_make_callbacks_or_of_another_street_are_refused(community, cadre, street_leader):
    case = old_case(community=community, by=cadre)
    staff = official(Role.STREET_STAFF, street=community.street)
    foreign = official(Role.STREET_LEADER, street=StreetFactory())

    for person in (cadre, staff, foreign):
        with pytest.raises(NotAllowed, match="只有纪工委或街道班子成员可以为芦湖村的诉求生成回访"):
            callback_create_for_case(case=case, actor=person)
    assert not Callback.objects.exists()


# ------------------------------------------------------------------------------------------- the case page


def test_a_leader_makes_it_from_the_case_page_and_then_finds_it_there(
    client, community, cadre, supervisor, street_leader
):
    case = old_case(community=community, by=cadre)
    client.force_login(street_leader)

    page = client.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="case-callback"' in page and "本次办结还没有回访" in page
    form = form_in(page, "case-callback-create")
    answer = client.post(form.action, form.hidden, follow=True)

    callback = Callback.objects.get(case=case)
    assert (callback.round, callback.assignee) == (0, supervisor)
    assert answer.redirect_chain[-1][0] == callback.get_absolute_url()
    assert f"已生成回访,由 {supervisor} 回访。" in answer.content.decode()
    again = client.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="case-callback-create"' not in again
    assert f'href="{callback.get_absolute_url()}" data-testid="case-callback-link"' in again
    assert "待回访" in again.split('data-testid="case-callback"')[1].split("</section>")[0]


def test_from_the_case_page_a_second_time_is_refused_and_writes_nothing(client, community, cadre, street_leader):
    case = old_case(community=community, by=cadre)
    client.force_login(street_leader)
    form = form_in(client.get(case.get_absolute_url()).content.decode(), "case-callback-create")
    callback_for(case)  # the job (or a colleague) made it meanwhile

    answer = client.post(form.action, form.hidden, follow=True)

    assert Callback.objects.filter(case=case).count() == 1
    assert answer.redirect_chain[-1][0] == case.get_absolute_url()
    assert f"诉求 {case.number} 本次办结已有回访,无需再生成。" in answer.content.decode()


def test_the_case_page_offers_it_only_to_those_who_make_callbacks_and_only_once_resolved(
    client, community, cadre, street_leader
):
    resolved = old_case(community=community, by=cadre)
    still_open = open_case(community=community, by=cadre)
    client.force_login(street_leader)
    assert 'data-testid="case-callback"' not in client.get(still_open.get_absolute_url()).content.decode()
    # The cadre sees the case but makes no callback: no panel, and a post of the form's address is refused.
    client.force_login(cadre)
    assert 'data-testid="case-callback"' not in client.get(resolved.get_absolute_url()).content.decode()
    answer = client.post(reverse("outcomes:callback_create", args=[resolved.number]), follow=True)
    assert "只有纪工委或街道班子成员可以为芦湖村的诉求生成回访" in answer.content.decode()
    assert not Callback.objects.exists()
    assert client.get(reverse("outcomes:callback_create", args=[resolved.number])).status_code == 405


# --------------------------------------------------------------------------------------------------- the page


def test_a_leader_ticks_two_cases_and_one_called_back_meanwhile_is_refused_alone(
    client, community, other_community, cadre, supervisor, street_leader
):
    first = old_case(community=community, by=cadre, title="路灯不亮")
    second = old_case(community=other_community, by=official(Role.COMMUNITY_CADRE, community=other_community))
    done = old_case(community=community, by=cadre, title="已经回访")
    callback_for(done)
    client.force_login(street_leader)

    html = client.get(reverse(LIST)).content.decode()
    picked = re.findall(PICKS, html)
    assert picked == [str(first.pk), str(second.pk)] or picked == [str(second.pk), str(first.pk)]
    assert "已经回访" not in html

    page = client.get(reverse("bulk_start", args=[BULK]), {"id": picked, "filters": ""})
    assert "已勾选 2 件" in page.content.decode()
    form = form_in(page.content.decode(), "bulk-form")
    callback_for(second)  # the job (or a colleague) made this one meanwhile
    answer = client.post(page.request["PATH_INFO"], {"id": picked, "filters": form.hidden["filters"]})

    run = BulkRun.objects.get()
    assert answer.url == run.get_absolute_url() and (run.total, run.refused) == (2, 1)
    made = Callback.objects.get(case=first)
    assert (made.assignee, made.mode) == (supervisor, Callback.Mode.STAFF)
    assert Callback.objects.filter(case=second).count() == 1
    results = client.get(answer.url).content.decode()
    assert "已办理 1 条,未办理 1 条" in results
    assert f"已生成回访,由 {supervisor} 回访。" in results
    assert f"诉求 {second.number} 本次办结已有回访,无需再生成。" in results
    assert first.number not in client.get(reverse(LIST)).content.decode()


def test_the_list_page_reads_a_fixed_number_of_queries(
    client, community, cadre, street_leader, django_assert_num_queries
):
    old_case(community=community, by=cadre)
    client.force_login(street_leader)
    # Seven, and the communities below the leader's street, which the approvals badge names by id.
    with django_assert_num_queries(8):
        assert client.get(reverse(LIST)).status_code == 200
    for n in range(5):
        old_case(community=community, by=official(Role.COMMUNITY_CADRE, community=community), title=f"诉求{n}")
    with django_assert_num_queries(8):
        html = client.get(reverse(LIST)).content.decode()
    assert len(re.findall(PICKS, html)) == 6


def test_the_list_filters_by_community_and_pages(client, community, other_community, cadre, street_leader, settings):
    ours = [old_case(community=community, by=cadre, days=40 + n) for n in range(27)]
    theirs = old_case(community=other_community, by=official(Role.COMMUNITY_CADRE, community=other_community))
    client.force_login(street_leader)

    html = client.get(reverse(LIST), {"community": community.pk}).content.decode()
    assert theirs.number not in html and "第 1 / 2 页" in html
    assert "全部符合筛选条件的 27 件" in html
    assert ours[-1].number in html  # the longest resolved first
    second = client.get(reverse(LIST), {"community": community.pk, "page": 2}).content.decode()
    assert len(re.findall(PICKS, second)) == 2


def test_an_empty_list_says_so(client, community, cadre, street_leader):
    callback_for(old_case(community=community, by=cadre))
    client.force_login(street_leader)
    html = client.get(reverse(LIST)).content.decode()
    assert "没有待生成回访的诉求" in html and not re.findall(PICKS, html)


def test_the_callbacks_list_links_to_it_for_those_who_make_callbacks_only(client, community, street_leader):
    client.force_login(street_leader)
    assert reverse(LIST) in client.get(reverse("outcomes:callback_list")).content.decode()
    staff = official(Role.STREET_STAFF, street=community.street)
    client.force_login(staff)
    assert reverse(LIST) not in client.get(reverse("outcomes:callback_list")).content.decode()
    assert client.get(reverse(LIST)).status_code == 403
    assert client.get(reverse("bulk_start", args=[BULK])).status_code == 403


def test_a_case_of_another_street_is_neither_listed_nor_made(client, community, cadre, supervisor, street_leader):
    foreign_community = CommunityFactory(street=StreetFactory())
    foreign = old_case(community=foreign_community, by=official(Role.COMMUNITY_CADRE, community=foreign_community))
    ours = old_case(community=community, by=cadre)
    client.force_login(street_leader)
    assert foreign.number not in client.get(reverse(LIST)).content.decode()

    answer = client.post(reverse("bulk_start", args=[BULK]), {"id": [ours.pk, foreign.pk], "filters": ""})

    run = BulkRun.objects.get()
    assert answer.url == run.get_absolute_url() and run.refused == 1
    assert run.rows.get(object_id=foreign.pk).message == "不存在,或不在您的工作范围内。"
    assert not Callback.objects.filter(case=foreign).exists()
    assert Callback.objects.filter(case=ours).exists()


# ---------------------------------------------------------------------------------------------------- the API


def test_the_api_lists_the_cases_and_makes_their_callbacks(client, community, cadre, supervisor, street_leader):
    cases = [old_case(community=community, by=cadre, days=40 + n) for n in range(2)]
    open_one = open_case(community=community, by=cadre, handler=cadre)
    client.force_login(street_leader)

    listed = client.get(reverse("api_callback_missing_list"), {"community": community.pk})
    assert listed.status_code == 200
    rows = listed.json()["results"]
    assert [r["id"] for r in rows] == [cases[1].pk, cases[0].pk]
    assert rows[0]["number"] == cases[1].number and rows[0]["anonymous"] is False and rows[0]["round"] == 0

    answer = client.post(
        reverse("api_bulk_start", args=[BULK]),
        {"ids": [cases[0].pk, open_one.pk, cases[1].pk]},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert [(r["id"], r["ok"]) for r in data["rows"]] == [
        (cases[0].pk, True),
        (open_one.pk, False),
        (cases[1].pk, True),
    ]
    assert "尚未办结" in data["rows"][1]["message"]
    assert Callback.objects.filter(case__in=cases, assignee=supervisor).count() == 2
    assert client.get(reverse("api_callback_missing_list")).json()["results"] == []


def test_the_api_makes_many_in_the_background(
    client, community, cadre, street_leader, settings, django_capture_on_commit_callbacks
):
    settings.LUCUN_BULK_SYNC_MAX = 2
    cases = [old_case(community=community, by=cadre, days=40 + n) for n in range(3)]
    client.force_login(street_leader)
    with django_capture_on_commit_callbacks() as queued:
        answer = client.post(
            reverse("api_bulk_start", args=[BULK]),
            {"all": True, "filters": {"community": str(community.pk)}},
            content_type="application/json",
        )
    assert answer.status_code == 202 and answer.json()["state"] == "queued" and answer.json()["total"] == 3
    for callback in queued:
        callback()
    run = BulkRun.objects.get()
    assert run.state == BulkRun.State.DONE and run.rows.filter(ok=True).count() == 3
    assert Callback.objects.filter(case__in=cases).count() == 3


def test_the_api_refuses_other_positions_and_foreign_communities(client, community, cadre, street_leader):
    case = old_case(community=community, by=cadre)
    foreign_community = CommunityFactory(street=StreetFactory())
    client.force_login(street_leader)
    assert client.get(reverse("api_callback_missing_list"), {"community": foreign_community.pk}).status_code == 404

    client.force_login(cadre)
    assert client.get(reverse("api_callback_missing_list")).status_code == 403
    refused = client.post(reverse("api_bulk_start", args=[BULK]), {"ids": [case.pk]}, content_type="application/json")
    assert refused.status_code == 403
    assert not Callback.objects.exists()
