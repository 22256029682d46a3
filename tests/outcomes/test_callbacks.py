import pytest
from django.urls import reverse

from cases.models import Case, CaseState, Colour, Feedback
from cases.services import case_resolve
from lucun.errors import DomainError, NotAllowed
from lucun.models import AuditEvent, Notification, Role
from outcomes.independence import callback_candidates
from outcomes.models import Callback, CallbackPool
from outcomes.selectors import callbacks_to_make
from outcomes.services import callback_assign, callback_record, callbacks_create
from tests.factories import official
from tests.htmlforms import form_in, forms_in
from tests.visits.factories import VisitTeamFactory, VisitTeamMemberFactory

from .factories import callback_for, resolved_case

pytestmark = pytest.mark.django_db


def _record(callback, user, **kwargs):
    kwargs.setdefault("contacted", True)
    kwargs.setdefault("method", "phone")
    return callback_record(callback=callback, user=user, **kwargs)


def test_job_creates_one_callback_per_resolution_round(community, cadre, supervisor):
    case = resolved_case(community=community, by=cadre)

    assert callbacks_create() == 1
    assert callbacks_create() == 0
    callback = Callback.objects.get(case=case)
    assert (callback.round, callback.mode, callback.assignee) == (0, Callback.Mode.STAFF, supervisor)

    _record(callback, supervisor, solved=False, satisfaction="basically")
    case_resolve(case=Case.objects.get(pk=case.pk), user=cadre, resolution="重新处理完毕")
    assert callbacks_create() == 1
    assert sorted(Callback.objects.filter(case=case).values_list("round", flat=True)) == [0, 1]


def test_job_tells_the_assignee_a_callback_is_due_never_the_handler(community, cadre, supervisor):
    resolved_case(community=community, by=cadre)
    callbacks_create()
    assert supervisor.notifications.filter(title__startswith="待回访").count() == 1
    assert not cadre.notifications.filter(title__startswith="待回访").exists()


def test_anonymous_feedback_case_takes_the_senders_answer_as_its_callback(community, cadre):
    case = resolved_case(community=community, by=cadre, source=Case.Source.FEEDBACK)
    callbacks_create()
    callback = Callback.objects.get(case=case)
    assert callback.mode == Callback.Mode.ANONYMOUS
    with pytest.raises(DomainError):
        _record(callback, cadre, solved=True, satisfaction="satisfied")


def test_dissatisfied_callback_reopens_the_case(community, cadre, supervisor):
    case = resolved_case(community=community, by=cadre)
    callbacks_create()

    callback = _record(
        Callback.objects.get(case=case), supervisor, solved=True, satisfaction="dissatisfied", note="没修好"
    )

    case.refresh_from_db()
    assert callback.reopened
    assert (case.state, case.reopen_count) == (CaseState.IN_PROGRESS, 1)
    assert case.events.filter(kind="reopened").exists()


def test_second_dissatisfied_callback_turns_the_case_red(community, cadre, supervisor):
    case = resolved_case(community=community, by=cadre)
    for _ in range(2):
        callbacks_create()
        callback = Callback.objects.get(case=case, round=Case.objects.get(pk=case.pk).reopen_count)
        _record(callback, supervisor, solved=False, satisfaction="dissatisfied")
        case.refresh_from_db()
        if case.reopen_count < 2:
            case_resolve(case=case, user=cadre, resolution="再次处理")
    assert (case.reopen_count, case.colour) == (2, Colour.RED)


def test_satisfied_callback_closes_the_case(community, cadre, supervisor):
    case = resolved_case(community=community, by=cadre)
    callbacks_create()
    _record(Callback.objects.get(case=case), supervisor, solved=True, satisfaction="satisfied")
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED


def test_unreached_person_counts_an_attempt_and_leaves_the_callback_open(community, cadre, supervisor):
    case = resolved_case(community=community, by=cadre)
    callbacks_create()
    callback = _record(Callback.objects.get(case=case), supervisor, contacted=False)
    assert (callback.attempts, callback.answered_at) == (1, None)
    case.refresh_from_db()
    assert case.state == CaseState.RESOLVED


def test_recorded_callback_is_final(community, cadre, supervisor):
    case = resolved_case(community=community, by=cadre)
    callbacks_create()
    callback = _record(Callback.objects.get(case=case), supervisor, solved=True, satisfaction="satisfied")
    with pytest.raises(DomainError):
        _record(callback, supervisor, solved=False, satisfaction="dissatisfied")


def test_callback_page_records_through_the_form(client, community, cadre, supervisor):
    case = resolved_case(community=community, by=cadre)
    callbacks_create()
    callback = Callback.objects.get(case=case)
    client.force_login(supervisor)
    response = client.post(
        reverse("outcomes:callback_detail", args=[callback.pk]),
        {"contacted": "yes", "method": "visit", "solved": "no", "satisfaction": "basically", "note": "还在漏水"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS


def test_cadre_of_another_community_gets_404(client, community, cadre, other_cadre):
    case = resolved_case(community=community, by=cadre)
    callbacks_create()
    client.force_login(other_cadre)
    response = client.get(reverse("outcomes:callback_detail", args=[Callback.objects.get(case=case).pk]))
    assert response.status_code == 404


def test_callback_list_has_a_fixed_number_of_queries(client, community, cadre, django_assert_max_num_queries):
    leader = official(Role.STREET_LEADER, street=community.street)
    client.force_login(leader)
    resolved_case(community=community, by=cadre)
    callbacks_create()
    url = reverse("outcomes:callback_list") + "?state=all"
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    for _ in range(8):
        resolved_case(community=community, by=cadre)
    callbacks_create()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("LH-") >= 9


def test_anonymous_answer_shows_on_the_callback_page(client, community, cadre):
    case = resolved_case(community=community, by=cadre, source=Case.Source.FEEDBACK)
    callbacks_create()
    Feedback.objects.create(
        street=community.street,
        community=community,
        text="路灯",
        received_at=case.opened_at,
        case=case,
        state=Feedback.State.CASE_CREATED,
        triaged_at=case.opened_at,
        solved=True,
        satisfaction="satisfied",
        answered_at=case.resolved_at,
    )
    client.force_login(cadre)
    response = client.get(reverse("outcomes:callback_detail", args=[Callback.objects.get(case=case).pk]))
    assert "问题已解决" in response.content.decode()


# ----------------------------------------------------------------------------------- independence


def _labels(form, name: str) -> list[str]:
    return [c.label for c in form.selects[name] if c.value]


def test_job_spreads_callbacks_over_the_pool_never_to_the_cases_own_people(community, cadre, supervisor):
    second = official(Role.SUPERVISOR, street=community.street)
    own = resolved_case(community=community, by=cadre, first_responder=supervisor)  # the supervisor received it
    others = [resolved_case(community=community, by=cadre) for _ in range(3)]

    assert callbacks_create() == 4

    assert Callback.objects.get(case=own).assignee == second
    assignees = [Callback.objects.get(case=case).assignee for case in others]
    assert cadre not in assignees
    assert sorted(Callback.objects.values_list("assignee", flat=True)) == sorted([supervisor.pk] * 2 + [second.pk] * 2)


def test_other_visit_teams_members_join_the_pool_but_not_the_team_that_visited(community, cadre, supervisor):
    CallbackPool.objects.filter(kind=CallbackPool.Kind.ROLE).update(is_active=False)
    visited, other = VisitTeamFactory(street=community.street), VisitTeamFactory(street=community.street)
    ours = official(Role.STREET_STAFF, street=community.street)
    theirs = official(Role.STREET_STAFF, street=community.street)
    rep = official(Role.PARTY_REP, community=community)  # on a team, but does not record callbacks
    VisitTeamMemberFactory(team=visited, user=ours)
    VisitTeamMemberFactory(team=other, user=theirs)
    VisitTeamMemberFactory(team=other, user=rep, kind="party_rep")
    callback = callback_for(resolved_case(community=community, by=cadre))
    Callback.objects.filter(pk=callback.pk).update(team=visited)
    callback.refresh_from_db()

    assert [user for user, _c in callback_candidates(callback=callback)] == [theirs]
    assert callback_assign(callback=callback, user=supervisor, assignee=theirs).assignee == theirs


def test_without_anyone_in_the_pool_a_callback_waits_to_be_assigned(community, cadre):
    CallbackPool.objects.update(is_active=False)
    colleague = official(Role.COMMUNITY_CADRE, community=community)
    resolved_case(community=community, by=cadre)

    callbacks_create()

    callback = Callback.objects.get()
    assert callback.assignee is None
    assert not Notification.objects.filter(title__startswith="待回访").exists()
    # Any independent official of the community may make it; the handler is not offered it.
    assert list(callbacks_to_make(user=colleague)) == [callback]
    assert list(callbacks_to_make(user=cadre)) == []


@pytest.mark.parametrize("who", ["handler", "first_responder"])
def test_the_cases_own_people_may_not_record_its_callback(community, cadre, supervisor, who):
    receiver = official(Role.COMMUNITY_CADRE, community=community)
    case = resolved_case(community=community, by=cadre, first_responder=receiver)
    callbacks_create()
    callback = Callback.objects.get(case=case)
    person = cadre if who == "handler" else receiver
    role = "承办人" if who == "handler" else "首问责任人"

    with pytest.raises(DomainError, match=f"您是该诉求的{role},不能回访自己办理的诉求"):
        _record(callback, person, solved=True, satisfaction="satisfied")

    callback.refresh_from_db()
    assert (callback.answered_at, callback.recorded_by, callback.attempts) == (None, None, 0)
    assert Case.objects.get(pk=case.pk).state == CaseState.RESOLVED


@pytest.mark.parametrize("who", ["handler", "first_responder"])
def test_assigning_the_callback_to_the_cases_own_people_is_refused(community, cadre, supervisor, who):
    receiver = official(Role.SUPERVISOR, street=community.street)
    case = resolved_case(community=community, by=cadre, first_responder=receiver)
    callbacks_create()
    callback = Callback.objects.get(case=case)
    person = cadre if who == "handler" else receiver
    role = "承办人" if who == "handler" else "首问责任人"

    with pytest.raises(DomainError, match=f"是诉求 {case.number} 的{role},不能回访自己办理的诉求") as refused:
        callback_assign(callback=callback, user=supervisor, assignee=person)

    assert refused.value.code == "not_independent"
    assert Callback.objects.get(pk=callback.pk).assignee == supervisor
    assert not AuditEvent.objects.filter(action="outcomes.callback_assign").exists()


def test_assigning_someone_outside_the_pool_or_by_a_cadre_is_refused(community, cadre, supervisor):
    callback = callback_for(resolved_case(community=community, by=cadre))
    colleague = official(Role.COMMUNITY_CADRE, community=community)  # independent, but not in the pool

    with pytest.raises(DomainError, match="不在芦湖村的回访人员库中"):
        callback_assign(callback=callback, user=supervisor, assignee=colleague)
    with pytest.raises(NotAllowed):
        callback_assign(callback=callback, user=colleague, assignee=supervisor)
    assert Callback.objects.get(pk=callback.pk).assignee is None


def test_leader_assigns_from_the_page_which_offers_only_independent_people(client, community, cadre):
    leader = official(Role.STREET_LEADER, street=community.street)
    handler_supervisor = official(Role.SUPERVISOR, street=community.street)
    caller = official(Role.SUPERVISOR, street=community.street)
    case = resolved_case(community=community, by=handler_supervisor)
    callback = callback_for(case, assignee=handler_supervisor)  # assigned before the rule
    client.force_login(leader)

    page = client.get(reverse("outcomes:callback_detail", args=[callback.pk])).content.decode()
    assert "本人办理的诉求,需改派" in page
    form = form_in(page, "assign")
    assert _labels(form, "assignee") == [f"{caller}(纪工委督办人员,待回访 0 件)"]

    response = client.post(
        form.action, {"assignee": form.option("assignee", str(caller)), "note": "交叉回访", **form.hidden}
    )

    assert response.status_code == 302
    assert Callback.objects.get(pk=callback.pk).assignee == caller
    event = AuditEvent.objects.get(action="outcomes.callback_assign")
    assert (event.actor, event.changes["before"], event.changes["after"]["assignee"]) == (
        leader,
        {"assignee": handler_supervisor.pk},
        caller.pk,
    )
    assert caller.notifications.filter(title__startswith="待回访").count() == 1
    # A crafted post naming the handler is refused, with the reason.
    response = client.post(form.action, {"assignee": handler_supervisor.pk}, follow=True)
    assert "承办人、首问责任人不能回访自己办理的诉求" in response.content.decode()
    assert Callback.objects.get(pk=callback.pk).assignee == caller


def test_handler_sees_no_record_form_on_their_own_cases_callback(client, community, cadre):
    callback = callback_for(resolved_case(community=community, by=cadre))
    client.force_login(cadre)
    page = client.get(reverse("outcomes:callback_detail", args=[callback.pk])).content.decode()
    assert 'data-testid="not-independent"' in page and "保存回访" not in page
    assert not forms_in(page, "assign")


def test_api_lists_candidates_and_refuses_the_handler(client, community, cadre, supervisor):
    leader = official(Role.STREET_LEADER, street=community.street)
    callback = callback_for(resolved_case(community=community, by=cadre))
    client.force_login(leader)

    candidates = client.get(reverse("api_callback_candidates", args=[callback.pk])).json()
    assert [(c["id"], c["pool"]) for c in candidates] == [(supervisor.pk, "纪工委督办人员")]

    url = reverse("api_callback_assign", args=[callback.pk])
    refused = client.post(url, {"assignee": cadre.pk}, content_type="application/json")
    assert refused.status_code == 400 and "不能回访自己办理的诉求" in refused.content.decode()
    done = client.post(url, {"assignee": supervisor.pk}, content_type="application/json")
    assert done.status_code == 200
    assert (done.json()["assignee"], done.json()["needs_reassignment"]) == (supervisor.pk, False)

    client.force_login(cadre)
    assert client.post(url, {"assignee": supervisor.pk}, content_type="application/json").status_code == 403


def test_callback_pool_is_seeded_configuration():
    assert list(CallbackPool.objects.active().values_list("kind", "role")) == [
        ("role", "supervisor"),
        ("other_team", ""),
    ]


def test_a_callback_assigned_to_its_handler_before_the_rule_is_offered_to_independent_officials(community, cadre):
    colleague = official(Role.COMMUNITY_CADRE, community=community)
    legacy = callback_for(resolved_case(community=community, by=cadre), assignee=cadre)
    other = callback_for(resolved_case(community=community, by=colleague), assignee=official(Role.SUPERVISOR))

    assert list(callbacks_to_make(user=colleague)) == [legacy]  # not the one another person was given
    assert list(callbacks_to_make(user=cadre)) == []
    assert _record(legacy, colleague, solved=True, satisfaction="satisfied").recorded_by == colleague
    assert other.assignee != colleague
