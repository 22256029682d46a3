import pytest
from django.urls import reverse

from cases.models import Case, CaseState, Colour, Feedback
from cases.services import case_resolve
from lucun.errors import DomainError
from lucun.models import Role
from outcomes.models import Callback
from outcomes.services import callback_record, callbacks_create
from tests.factories import official

from .factories import resolved_case

pytestmark = pytest.mark.django_db


def _record(callback, user, **kwargs):
    kwargs.setdefault("contacted", True)
    kwargs.setdefault("method", "phone")
    return callback_record(callback=callback, user=user, **kwargs)


def test_job_creates_one_callback_per_resolution_round(community, cadre):
    case = resolved_case(community=community, by=cadre)

    assert callbacks_create() == 1
    assert callbacks_create() == 0
    callback = Callback.objects.get(case=case)
    assert (callback.round, callback.mode, callback.assignee) == (0, Callback.Mode.STAFF, cadre)

    _record(callback, cadre, solved=False, satisfaction="basically")
    case_resolve(case=Case.objects.get(pk=case.pk), user=cadre, resolution="重新处理完毕")
    assert callbacks_create() == 1
    assert sorted(Callback.objects.filter(case=case).values_list("round", flat=True)) == [0, 1]


def test_job_tells_the_handler_a_callback_is_due(community, cadre):
    resolved_case(community=community, by=cadre)
    callbacks_create()
    assert cadre.notifications.filter(title__startswith="待回访").count() == 1


def test_anonymous_feedback_case_takes_the_senders_answer_as_its_callback(community, cadre):
    case = resolved_case(community=community, by=cadre, source=Case.Source.FEEDBACK)
    callbacks_create()
    callback = Callback.objects.get(case=case)
    assert callback.mode == Callback.Mode.ANONYMOUS
    with pytest.raises(DomainError):
        _record(callback, cadre, solved=True, satisfaction="satisfied")


def test_dissatisfied_callback_reopens_the_case(community, cadre):
    case = resolved_case(community=community, by=cadre)
    callbacks_create()

    callback = _record(Callback.objects.get(case=case), cadre, solved=True, satisfaction="dissatisfied", note="没修好")

    case.refresh_from_db()
    assert callback.reopened
    assert (case.state, case.reopen_count) == (CaseState.IN_PROGRESS, 1)
    assert case.events.filter(kind="reopened").exists()


def test_second_dissatisfied_callback_turns_the_case_red(community, cadre):
    case = resolved_case(community=community, by=cadre)
    for _ in range(2):
        callbacks_create()
        callback = Callback.objects.get(case=case, round=Case.objects.get(pk=case.pk).reopen_count)
        _record(callback, cadre, solved=False, satisfaction="dissatisfied")
        case.refresh_from_db()
        if case.reopen_count < 2:
            case_resolve(case=case, user=cadre, resolution="再次处理")
    assert (case.reopen_count, case.colour) == (2, Colour.RED)


def test_satisfied_callback_closes_the_case(community, cadre):
    case = resolved_case(community=community, by=cadre)
    callbacks_create()
    _record(Callback.objects.get(case=case), cadre, solved=True, satisfaction="satisfied")
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED


def test_unreached_person_counts_an_attempt_and_leaves_the_callback_open(community, cadre):
    case = resolved_case(community=community, by=cadre)
    callbacks_create()
    callback = _record(Callback.objects.get(case=case), cadre, contacted=False)
    assert (callback.attempts, callback.answered_at) == (1, None)
    case.refresh_from_db()
    assert case.state == CaseState.RESOLVED


def test_recorded_callback_is_final(community, cadre):
    case = resolved_case(community=community, by=cadre)
    callbacks_create()
    callback = _record(Callback.objects.get(case=case), cadre, solved=True, satisfaction="satisfied")
    with pytest.raises(DomainError):
        _record(callback, cadre, solved=False, satisfaction="dissatisfied")


def test_callback_page_records_through_the_form(client, community, cadre):
    case = resolved_case(community=community, by=cadre)
    callbacks_create()
    callback = Callback.objects.get(case=case)
    client.force_login(cadre)
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
