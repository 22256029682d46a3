from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cases import services, tasks
from cases.models import Case, CaseEvent, Colour
from lucun.models import Notification, Role
from tests.cases.factories import open_case
from tests.factories import official

pytestmark = pytest.mark.django_db

T0 = timezone.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(480))


@pytest.fixture
def handler(community):
    return official(Role.GRID_WORKER, community=community)


@pytest.fixture
def case(community, cadre, handler):
    with time_machine.travel(T0, tick=False):
        return open_case(community=community, by=cadre, handler=handler, tier_code="immediate")


def sweep_at(when, capture):
    with time_machine.travel(when, tick=False), capture(execute=True):
        tasks.case_colours_sweep.delay()


def test_case_turns_yellow_then_red_through_the_celery_task(case, django_capture_on_commit_callbacks):
    sweep_at(T0 + timedelta(hours=15), django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.colour == Colour.GREEN
    sweep_at(T0 + timedelta(hours=16), django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.colour == Colour.YELLOW
    sweep_at(T0 + timedelta(hours=24), django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.colour == Colour.RED
    assert case.red_since == T0 + timedelta(hours=24)
    assert list(case.events.values_list("kind", flat=True)) == ["opened", "turned_yellow", "turned_red"]


def test_red_sends_a_supervision_notice_to_first_responder_handler_and_supervisors(
    case, cadre, handler, supervisor, other_community, django_capture_on_commit_callbacks
):
    foreign_supervisor = official(Role.SUPERVISOR, community=other_community)
    sweep_at(T0 + timedelta(hours=25), django_capture_on_commit_callbacks)
    notices = Notification.objects.filter(level=Notification.Level.URGENT)
    assert set(notices.values_list("recipient", flat=True)) == {cadre.pk, handler.pk, supervisor.pk}
    assert foreign_supervisor.pk not in notices.values_list("recipient", flat=True)
    assert notices.first().url == case.get_absolute_url()


def test_a_repeated_sweep_records_and_notifies_nothing_more(case, django_capture_on_commit_callbacks):
    sweep_at(T0 + timedelta(hours=25), django_capture_on_commit_callbacks)
    events, notes = CaseEvent.objects.count(), Notification.objects.count()
    sweep_at(T0 + timedelta(hours=25), django_capture_on_commit_callbacks)
    assert (CaseEvent.objects.count(), Notification.objects.count()) == (events, notes)


def test_the_database_refuses_a_second_record_of_the_same_transition(case):
    from django.db import IntegrityError, transaction

    CaseEvent.objects.create(case=case, kind="turned_red", deadline_version=case.deadline_version)
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseEvent.objects.create(case=case, kind="turned_red", deadline_version=case.deadline_version)
    CaseEvent.objects.create(case=case, kind="turned_red", deadline_version=case.deadline_version + 1)


def test_a_moved_deadline_can_turn_the_case_red_again(case, handler, cadre, django_capture_on_commit_callbacks):
    sweep_at(T0 + timedelta(hours=25), django_capture_on_commit_callbacks)
    with time_machine.travel(T0 + timedelta(hours=25), tick=False):
        request = services.case_request_extension(case=case, user=handler, extra_time=timedelta(hours=5), reason="等")
        services.case_decide_extension(request=request, user=cadre, approve=True)
    sweep_at(T0 + timedelta(hours=31), django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.colour == Colour.RED
    assert case.events.filter(kind="turned_red").count() == 2


def test_notifying_the_same_sweep_twice_sends_each_notice_once(case, django_capture_on_commit_callbacks):
    with time_machine.travel(T0 + timedelta(hours=25), tick=False), django_capture_on_commit_callbacks(execute=False):
        services.case_colours_sweep()
    at = CaseEvent.objects.get(kind="turned_red").at.isoformat()
    first = services.case_events_notify(kind="turned_red", at=at)
    assert first > 0
    assert services.case_events_notify(kind="turned_red", at=at) == 0
    assert Notification.objects.filter(dedupe_key__startswith="case-event:").count() == first


def test_still_red_after_the_tier_delay_goes_on_the_notice_list(case, django_capture_on_commit_callbacks):
    sweep_at(T0 + timedelta(hours=24), django_capture_on_commit_callbacks)
    sweep_at(T0 + timedelta(hours=47), django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.noticed_at is None
    sweep_at(T0 + timedelta(hours=48), django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.noticed_at == T0 + timedelta(hours=48)
    assert case.events.filter(kind="noticed").count() == 1


def test_resolved_cases_are_not_swept(case, handler, django_capture_on_commit_callbacks):
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        services.case_resolve(case=case, user=handler, resolution="当场解决")
    sweep_at(T0 + timedelta(days=3), django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.colour == Colour.GREEN
    assert not case.events.filter(kind__startswith="turned").exists()


def test_live_colour_is_right_between_sweeps(case):
    later = T0 + timedelta(hours=17)
    assert case.colour == Colour.GREEN
    assert case.colour_at(later) == Colour.YELLOW
    assert Case.objects.with_live_colour(later).get(pk=case.pk).live_colour == Colour.YELLOW
    assert Case.objects.with_live_colour(T0 + timedelta(hours=30)).get(pk=case.pk).live_colour == Colour.RED


def test_sweep_statement_count_does_not_grow_with_cases(community, cadre, django_assert_num_queries):
    with time_machine.travel(T0, tick=False):
        for _ in range(3):
            open_case(community=community, by=cadre, tier_code="immediate")
    # Nothing is due: one look in the alarm table, no transaction, nothing written.
    with time_machine.travel(T0 + timedelta(hours=1), tick=False), django_assert_num_queries(1) as idle:
        assert services.case_colours_sweep() == services.SweepResult()
    (probe,) = idle.captured_queries
    assert "cases_casealarm" in probe["sql"] and not probe["sql"].lstrip().upper().startswith("UPDATE")
    with time_machine.travel(T0, tick=False):
        for _ in range(20):
            open_case(community=community, by=cadre, tier_code="immediate")
    with time_machine.travel(T0 + timedelta(hours=1), tick=False), django_assert_num_queries(1):
        services.case_colours_sweep()
    # Once something is due, the same look lets the sweep go on to its three transitions.
    with time_machine.travel(T0 + timedelta(hours=17), tick=False):
        assert services.case_colours_sweep() == services.SweepResult(yellow=23)


def test_sweep_statement_count_is_the_same_when_many_cases_change(community, cadre, django_assert_max_num_queries):
    def counted(n):
        with time_machine.travel(T0, tick=False):
            for _ in range(n):
                open_case(community=community, by=cadre, tier_code="immediate")
        with time_machine.travel(T0 + timedelta(hours=30), tick=False), django_assert_max_num_queries(99) as sweep:
            services.case_colours_sweep()
        return len(sweep.captured_queries)

    assert counted(2) == counted(25)


def test_notices_carry_the_case_number_title_local_deadline_and_link(
    case, cadre, handler, django_capture_on_commit_callbacks
):
    sweep_at(T0 + timedelta(hours=16), django_capture_on_commit_callbacks)
    yellow = Notification.objects.get(level=Notification.Level.WARNING)
    assert yellow.recipient == handler  # the handler, not the first responder, once someone handles it
    assert yellow.title == f"即将到期提醒:{case.number} {case.title}"
    assert yellow.body == "办理期限:2026-03-03 09:00"  # T0 + 24 h, shown in the street's time zone
    assert yellow.url == case.get_absolute_url()
    assert yellow.dedupe_key == f"case-event:{case.events.get(kind='turned_yellow').pk}"

    sweep_at(T0 + timedelta(hours=24), django_capture_on_commit_callbacks)
    red = Notification.objects.filter(level=Notification.Level.URGENT)
    assert {n.title for n in red} == {f"督办单(超期):{case.number} {case.title}"}
    assert red.filter(recipient=cadre).count() == 1


def test_a_sweep_of_many_cases_notifies_in_a_fixed_number_of_statements(
    community, cadre, supervisor, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with time_machine.travel(T0, tick=False):
        cases = [open_case(community=community, by=cadre, tier_code="immediate") for _ in range(12)]
    with time_machine.travel(T0 + timedelta(hours=25), tick=False), django_capture_on_commit_callbacks(execute=False):
        services.case_colours_sweep()
    at = CaseEvent.objects.filter(kind="turned_red").first().at.isoformat()
    with django_assert_max_num_queries(8):
        created = services.case_events_notify(kind="turned_red", at=at)
    # Each case: the cadre who received it and the community's supervisor, once each.
    assert created == 2 * len(cases)
    assert set(Notification.objects.values_list("recipient", flat=True)) == {cadre.pk, supervisor.pk}
