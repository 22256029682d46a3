from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent, CaseList, CaseState, Colour, ExtensionRequest
from lucun.errors import DomainError, NotAllowed
from lucun.models import Role
from tests.cases.factories import category, open_case, tier
from tests.factories import UserFactory, official

pytestmark = pytest.mark.django_db

T0 = timezone.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(480))


@pytest.fixture
def handler(community):
    return official(Role.GRID_WORKER, community=community)


def kinds(case):
    return list(case.events.values_list("kind", flat=True))


def test_open_gives_a_readable_number_per_street_and_year(community, cadre):
    with time_machine.travel(T0, tick=False):
        first = open_case(community=community, by=cadre)
        second = open_case(community=community, by=cadre)
    assert first.number == "LH-2026-000001"
    assert second.number == "LH-2026-000002"


def test_numbering_restarts_each_year(community, cadre):
    with time_machine.travel(T0, tick=False):
        open_case(community=community, by=cadre)
    with time_machine.travel(T0.replace(year=2027), tick=False):
        assert open_case(community=community, by=cadre).number == "LH-2027-000001"


def test_open_fixes_due_and_warn_from_the_tier(community, cadre):
    with time_machine.travel(T0, tick=False):
        immediate = open_case(community=community, by=cadre, tier_code="immediate")
        escalated = open_case(community=community, by=cadre, tier_code="escalated")
    assert immediate.due_at == T0 + timedelta(hours=24)
    assert immediate.warn_at == T0 + timedelta(hours=16)
    assert escalated.due_at == T0 + timedelta(days=30)
    assert escalated.warn_at == T0 + timedelta(days=23)
    assert immediate.colour == Colour.GREEN
    assert kinds(immediate) == [CaseEvent.Kind.OPENED]


def test_first_responder_defaults_to_whoever_registered_it(community, cadre):
    case = open_case(community=community, by=cadre)
    assert case.first_responder == cadre


def test_open_remembers_its_source_object(community, cadre, grid):
    case = open_case(community=community, by=cadre, source=Case.Source.OTHER, source_object=grid)
    assert Case.objects.get(pk=case.pk).source_object == grid


def test_an_official_of_another_community_cannot_open_a_case_there(community, other_cadre):
    with pytest.raises(NotAllowed, match="不能在该村"):
        open_case(community=community, by=other_cadre)


def test_handler_accepts_and_records_progress(community, cadre, handler):
    case = open_case(community=community, by=cadre, handler=handler)
    case = services.case_accept(case=case, user=handler)
    assert case.state == CaseState.ACCEPTED
    case = services.case_record_progress(case=case, user=handler, note="已联系群众", contacted=True)
    assert case.state == CaseState.IN_PROGRESS
    assert case.first_contact_at is not None
    assert kinds(case) == ["opened", "accepted", "progress"]


def test_only_the_handler_may_accept(community, cadre, handler):
    case = open_case(community=community, by=cadre, handler=handler)
    with pytest.raises(NotAllowed, match="不是该诉求的承办人"):
        services.case_accept(case=case, user=official(Role.GRID_WORKER, community=community))


def test_accepting_twice_is_refused(community, cadre, handler):
    case = open_case(community=community, by=cadre, handler=handler)
    services.case_accept(case=case, user=handler)
    with pytest.raises(DomainError, match="只有已登记的诉求可以签收"):
        services.case_accept(case=case, user=handler)


def test_resolve_needs_a_result_and_stops_the_clock(community, cadre, handler):
    case = open_case(community=community, by=cadre, handler=handler)
    with pytest.raises(DomainError, match="请填写办理结果"):
        services.case_resolve(case=case, user=handler, resolution="  ")
    case = services.case_resolve(
        case=case, user=handler, resolution="已修复", public_reply="道路已修好", case_list="self"
    )
    assert case.state == CaseState.RESOLVED
    assert case.case_list == CaseList.SELF
    with pytest.raises(DomainError):
        services.case_record_progress(case=case, user=handler, note="x")


def test_extension_approved_moves_the_deadline_once(community, cadre, handler):
    case = open_case(community=community, by=cadre, handler=handler)
    due = case.due_at
    request = services.case_request_extension(case=case, user=handler, extra_time=timedelta(days=3), reason="等材料")
    with pytest.raises(DomainError, match="已有待审批"):
        services.case_request_extension(case=case, user=handler, extra_time=timedelta(days=1), reason="再等")
    services.case_decide_extension(request=request, user=cadre, approve=True)  # 承办, up to 3 days: the cadres
    case.refresh_from_db()
    assert case.due_at == due + timedelta(days=3)
    assert case.extended
    with pytest.raises(DomainError, match="已延期过一次"):
        services.case_request_extension(case=case, user=handler, extra_time=timedelta(days=1), reason="还要")


def test_refused_extension_keeps_the_deadline(community, cadre, handler):
    case = open_case(community=community, by=cadre, handler=handler)
    request = services.case_request_extension(case=case, user=handler, extra_time=timedelta(days=3), reason="等")
    services.case_decide_extension(request=request, user=cadre, approve=False, note="请按期办结")
    case.refresh_from_db()
    assert not case.extended
    assert request.__class__.objects.get(pk=request.pk).decision == ExtensionRequest.Decision.REFUSED


def test_only_the_configured_approver_decides_an_extension(community, cadre, handler, supervisor):
    case = open_case(community=community, by=cadre, handler=handler)
    request = services.case_request_extension(case=case, user=handler, extra_time=timedelta(days=1), reason="等")
    with pytest.raises(NotAllowed, match="由村居干部审批"):
        services.case_decide_extension(request=request, user=supervisor, approve=True)


def test_extension_of_a_red_case_turns_it_green_again(community, cadre, handler):
    with time_machine.travel(T0, tick=False):
        case = open_case(community=community, by=cadre, handler=handler, tier_code="immediate")
    with time_machine.travel(T0 + timedelta(hours=25), tick=False):
        services.case_colours_sweep()
        case.refresh_from_db()
        assert case.colour == Colour.RED
        request = services.case_request_extension(case=case, user=handler, extra_time=timedelta(hours=24), reason="等")
        services.case_decide_extension(request=request, user=cadre, approve=True)
        case.refresh_from_db()
        assert case.colour == Colour.GREEN
        assert case.red_since is None


def test_pause_stops_the_clock_and_moves_the_deadline(community, cadre, handler):
    with time_machine.travel(T0, tick=False):
        case = open_case(community=community, by=cadre, handler=handler, tier_code="immediate")
        due = case.due_at
        services.case_pause(case=case, user=handler, reason="等待群众提供材料")
    with time_machine.travel(T0 + timedelta(hours=30), tick=False):
        assert services.case_colours_sweep().red == 0  # paused cases do not turn red
        case = services.case_resume(case=case, user=handler)
    assert case.due_at == due + timedelta(hours=30)
    assert case.paused_total == timedelta(hours=30)
    assert case.colour == Colour.GREEN
    assert kinds(case)[-2:] == ["paused", "resumed"]


def test_pause_needs_a_reason_and_resume_needs_a_pause(community, cadre, handler):
    case = open_case(community=community, by=cadre, handler=handler)
    with pytest.raises(DomainError, match="暂停原因"):
        services.case_pause(case=case, user=handler, reason="")
    with pytest.raises(DomainError, match="没有暂停"):
        services.case_resume(case=case, user=handler)


def test_return_needs_approval_and_then_clears_the_handler(community, cadre, handler, street_leader):
    case = open_case(community=community, by=cadre, handler=handler)
    request = services.case_request_return(case=case, user=handler, reason="不属于本网格")
    case.refresh_from_db()
    assert case.handler == handler  # nothing moves until a street leader approves
    services.case_decide_return(request=request, user=street_leader, approve=True)
    case.refresh_from_db()
    assert case.handler is None
    assert case.state == CaseState.REGISTERED


def test_escalate_to_a_higher_tier_recomputes_deadlines_from_registration(community, cadre, handler):
    with time_machine.travel(T0, tick=False):
        case = open_case(community=community, by=cadre, handler=handler, tier_code="immediate")
    with time_machine.travel(T0 + timedelta(hours=5), tick=False):
        case = services.case_escalate(
            case=case, user=cadre, tier=tier("escalated"), case_list=CaseList.STREET, reason="超出村居权限"
        )
    assert case.due_at == T0 + timedelta(days=30)
    assert case.case_list == CaseList.STREET
    assert case.deadline_version == 2
    event = case.events.get(kind="escalated")
    assert event.before["tier"] == "即办" and event.after["tier"] == "特办"


def test_escalating_downwards_is_refused(community, cadre):
    case = open_case(community=community, by=cadre, tier_code="escalated")
    with pytest.raises(DomainError, match="只能升级到更高"):
        services.case_escalate(case=case, user=cadre, tier=tier("immediate"), reason="x")
    case = open_case(community=community, by=cadre)
    services.case_escalate(case=case, user=cadre, case_list=CaseList.STREET, reason="x")
    with pytest.raises(DomainError, match="上一级清单"):
        services.case_escalate(case=case, user=cadre, case_list=CaseList.SELF, reason="x")


def test_reopen_gives_a_new_limit_and_the_second_reopen_turns_red(community, cadre, handler):
    case = open_case(community=community, by=cadre, handler=handler)
    services.case_resolve(case=case, user=handler, resolution="已处理")
    case = services.case_reopen(case=case, user=None, reason="群众反映未解决")
    assert case.state == CaseState.IN_PROGRESS and case.colour == Colour.GREEN
    services.case_resolve(case=case, user=handler, resolution="再次处理")
    case = services.case_reopen(case=case, user=None, reason="仍不满意")
    assert case.reopen_count == 2
    assert case.colour == Colour.RED


def test_cancel_needs_a_reason_and_keeps_the_case(community, cadre):
    case = open_case(community=community, by=cadre)
    with pytest.raises(DomainError, match="撤销原因"):
        services.case_cancel(case=case, user=cadre, reason="")
    services.case_cancel(case=case, user=cadre, reason="重复登记")
    assert Case.objects.get(pk=case.pk).state == CaseState.CANCELLED


def test_illegal_moves_on_a_cancelled_case_are_refused(community, cadre, handler):
    case = open_case(community=community, by=cadre, handler=handler)
    services.case_cancel(case=case, user=cadre, reason="重复")
    for move in (
        lambda: services.case_accept(case=case, user=handler),
        lambda: services.case_resolve(case=case, user=handler, resolution="x"),
        lambda: services.case_pause(case=case, user=handler, reason="x"),
        lambda: services.case_reopen(case=case, user=cadre, reason="x"),
    ):
        with pytest.raises(DomainError):
            move()


def test_first_responder_never_changes_through_assignment(community, cadre, handler):
    case = open_case(community=community, by=cadre)
    services.case_assign(case=case, user=cadre, handler=handler, handler_office="芦湖村委会")
    case.refresh_from_db()
    assert case.first_responder == cadre
    assert case.handler == handler


def test_auto_close_closes_cases_resolved_long_ago(community, cadre, handler):
    with time_machine.travel(T0, tick=False):
        case = open_case(community=community, by=cadre, handler=handler)
        services.case_resolve(case=case, user=handler, resolution="已处理")
    with time_machine.travel(T0 + timedelta(days=8), tick=False):
        assert services.cases_auto_close(after=timedelta(days=7)) == 1
    assert Case.objects.get(pk=case.pk).state == CaseState.CLOSED


def test_conduct_violation_needs_a_supervisor(community, cadre, supervisor):
    from cases.models import ConductKind

    kind = ConductKind.objects.get(name="推诿扯皮")
    with pytest.raises(NotAllowed):
        services.conduct_violation_record(
            user=cadre,
            official=UserFactory(),
            kind=kind,
            community=community,
            occurred_on=timezone.localdate(),
            note="x",
        )
    violation = services.conduct_violation_record(
        user=supervisor, official=cadre, kind=kind, community=community, occurred_on=timezone.localdate(), note="推诿"
    )
    assert violation.kind.name == "推诿扯皮"


def test_default_configuration_is_seeded():
    from cases.models import Category, ConductKind, Tier

    assert Category.objects.count() == 6
    assert category("livelihood").name == "民生保障"
    assert list(Tier.objects.values_list("name", flat=True)) == ["即办", "承办", "特办"]
    assert ConductKind.objects.count() == 10


def test_a_note_goes_on_the_timeline_without_moving_the_case(community, cadre, handler):
    case = open_case(community=community, by=cadre, handler=handler)
    services.case_note_add(case=case, user=cadre, note="议事会议定:先清理排水沟")
    case.refresh_from_db()
    assert case.state == CaseState.REGISTERED
    assert case.events.get(kind="note").note == "议事会议定:先清理排水沟"
    with pytest.raises(NotAllowed, match="不能在该诉求上添加备注"):
        services.case_note_add(case=case, user=official(Role.UNIT_HEAD, community=community), note="x")


def test_a_supervisor_sets_a_new_deadline_and_the_colour_follows(community, cadre, handler, supervisor):
    with time_machine.travel(T0, tick=False):
        case = open_case(community=community, by=cadre, handler=handler, tier_code="immediate")
    with time_machine.travel(T0 + timedelta(hours=30), tick=False):
        services.case_colours_sweep()
        case.refresh_from_db()
        assert case.colour == Colour.RED
        with pytest.raises(NotAllowed, match="只有督办人员"):
            services.case_set_deadline(case=case, user=cadre, due_at=T0 + timedelta(days=10), reason="联席会决定")
        case = services.case_set_deadline(
            case=case, user=supervisor, due_at=T0 + timedelta(days=10), reason="联席会决定"
        )
    assert case.due_at == T0 + timedelta(days=10)
    assert case.warn_at == T0 + timedelta(days=10) - timedelta(hours=8)
    assert case.colour == Colour.GREEN and case.red_since is None
    assert case.events.get(kind="deadline_set").before["colour"] == "red"


def test_a_case_names_its_state_as_its_choices_do():
    from cases.models import Case
    from cases.states import CaseState

    for state in CaseState:
        assert Case(state=state).get_state_display() == str(state.label)
    assert Case(state="gone").get_state_display() == "gone"  # a value no longer among the choices shows as stored
