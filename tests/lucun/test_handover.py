"""Hand-over (工作交接): one action moves a leaver's work to a successor; a position ends only when nothing is left."""

import dataclasses
import re
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cases.models import CaseEvent
from lucun import handover as registry
from lucun.errors import DomainError, NotAllowed
from lucun.handover.services import handover_make, position_end
from lucun.models import AuditEvent, Handover, HandoverItem, Notification, Position, Role
from outcomes.models import CallbackPool
from tests.cases.factories import open_case
from tests.factories import official
from tests.outcomes.factories import callback_for, resolved_case
from visits.models import VisitTeam, VisitTeamMember

pytestmark = pytest.mark.django_db


def _work(community, street, leaver, other):
    """A leaver with a case to handle, one they first received, a callback, and a visit team seat and lead."""
    handled = open_case(community=community, by=other, handler=leaver, title="路灯坏了")
    received = open_case(community=community, by=leaver, handler=other, title="垃圾清运")
    resolved = resolved_case(community=community, by=other, title="水管漏水")
    callback = callback_for(resolved, assignee=leaver)
    team = VisitTeam.objects.create(street=street, name="第一走访队", leader=leaver)
    VisitTeamMember.objects.create(team=team, user=leaver, kind=VisitTeamMember.Kind.COMMUNITY_CADRE)
    return handled, received, callback, team


def test_hand_over_moves_cases_callbacks_and_team_seats_to_the_successor(
    street, community, street_leader, leaver, successor, cadre
):
    handled, received, callback, team = _work(community, street, leaver, cadre)

    handover = handover_make(actor=street_leader, leaver=leaver, successor=successor, reason="调任其他街道")

    handled.refresh_from_db()
    received.refresh_from_db()
    callback.refresh_from_db()
    team.refresh_from_db()
    assert handled.handler == successor
    assert received.first_responder == successor
    assert callback.assignee == successor
    assert team.leader == successor
    assert VisitTeamMember.objects.get(team=team).user == successor
    kinds = dict(handover.items.values_list("object_id", "kind").filter(kind__in=["handler", "first_responder"]))
    assert kinds == {str(handled.pk): "handler", str(received.pk): "first_responder"}
    assert set(handover.items.values_list("kind", flat=True)) == {
        "handler",
        "first_responder",
        "callback",
        "team_member",
        "team_leader",
    }
    event = CaseEvent.objects.get(case=handled, kind=CaseEvent.Kind.HANDED_OVER)
    assert "调任其他街道" in event.note and event.after["handover"] == handover.pk
    assert AuditEvent.objects.filter(action="lucun.handover_make", object_id=str(handover.pk)).exists()
    assert AuditEvent.objects.filter(action="cases.handover").count() == 2
    note = Notification.objects.get(recipient=successor, dedupe_key=f"handover:{handover.pk}")
    assert "5项工作" in note.title and note.url == handover.get_absolute_url()


def test_a_callback_of_a_case_the_successor_now_handles_goes_to_someone_independent(
    street, community, street_leader, supervisor, leaver, successor
):
    # The leaver handled a resolved case; its callback is the successor's. After the hand-over the successor
    # handles that case, so the callback is re-routed to the pool (the supervisor), never kept by the successor.
    case = resolved_case(community=community, by=leaver, title="水管漏水")
    callback = callback_for(case, assignee=successor)
    CallbackPool.objects.get_or_create(
        name="纪工委", defaults={"kind": CallbackPool.Kind.ROLE, "role": Role.SUPERVISOR}
    )

    handover = handover_make(actor=street_leader, leaver=leaver, successor=successor, reason="退休")

    callback.refresh_from_db()
    case.refresh_from_db()
    assert case.handler == successor
    assert callback.assignee == supervisor
    item = handover.items.get(kind=HandoverItem.Kind.CALLBACK_REROUTED)
    assert "回避" in item.note


def test_a_callback_with_nobody_independent_in_the_pool_waits_unassigned_and_the_assigners_are_told(
    street, community, street_leader, leaver, successor, cadre
):
    case = resolved_case(community=community, by=cadre, title="水管漏水")
    case.__class__.objects.filter(pk=case.pk).update(first_responder=successor)
    callback = callback_for(case, assignee=leaver)
    CallbackPool.objects.update(is_active=False)

    handover_make(actor=street_leader, leaver=leaver, successor=successor, reason="退休")

    callback.refresh_from_db()
    assert callback.assignee is None
    assert Notification.objects.filter(recipient=street_leader, title__contains="回访待指派").exists()


def test_nothing_is_half_done_when_a_later_step_fails(street, community, street_leader, leaver, successor, cadre):
    handled, _received, callback, _team = _work(community, street, leaver, cadre)
    failing = dataclasses.replace(
        registry._holdings["visits.team_leader"], move=mock.Mock(side_effect=RuntimeError("disk full"))
    )
    with mock.patch.dict(registry._holdings, {"visits.team_leader": failing}), pytest.raises(RuntimeError):
        handover_make(actor=street_leader, leaver=leaver, successor=successor, reason="调任")
    handled.refresh_from_db()
    callback.refresh_from_db()
    assert handled.handler == leaver
    assert callback.assignee == leaver
    assert not Handover.objects.exists()
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.HANDED_OVER).exists()


def test_ending_the_last_position_is_refused_while_work_is_left_and_names_it(
    street, community, street_leader, leaver, cadre
):
    open_case(community=community, by=cadre, handler=leaver)
    position = Position.objects.get(user=leaver)
    with pytest.raises(DomainError) as refused:
        position_end(actor=street_leader, position=position, reason="退休")
    assert refused.value.code == "handover_required"
    assert "承办中的诉求 1 件" in str(refused.value) and "请先办理工作交接" in str(refused.value)
    position.refresh_from_db()
    assert position.ended_on is None


def test_hand_over_with_end_positions_leaves_the_leaver_without_position_or_work(
    street, community, street_leader, leaver, successor, cadre
):
    _work(community, street, leaver, cadre)
    handover = handover_make(actor=street_leader, leaver=leaver, successor=successor, reason="退休", end_positions=True)
    assert handover.positions_ended == 1
    assert not Position.objects.current().filter(user=leaver).exclude(ended_on__isnull=False).exists()
    assert AuditEvent.objects.filter(action="lucun.position_end").count() == 1


def test_a_change_of_post_within_the_street_keeps_work_the_new_post_still_reaches(
    street, community, other_community, street_leader, cadre
):
    mover = official(Role.COMMUNITY_CADRE, community=community)
    Position.objects.create(user=mover, role=Role.STREET_STAFF, street=street)
    open_case(community=community, by=cadre, handler=mover)
    position_end(actor=street_leader, position=Position.objects.get(user=mover, community=community), reason="调街道")
    assert Position.objects.get(user=mover, community=community).ended_on is not None


def test_a_community_secretary_hands_over_within_their_community_only(
    community, other_community, cadre, other_cadre, leaver, successor
):
    with pytest.raises(DomainError) as refused:
        open_case(community=community, by=cadre, handler=leaver)
        handover_make(actor=cadre, leaver=leaver, successor=other_cadre, reason="调岗")
    assert refused.value.code == "successor_not_in_scope"
    with pytest.raises(NotAllowed):
        handover_make(actor=other_cadre, leaver=leaver, successor=successor, reason="调岗")
    handover = handover_make(actor=cadre, leaver=leaver, successor=successor, reason="调岗")
    assert handover.community == community


def test_roles_that_do_not_hand_over_are_refused(community, street, leaver, successor, cadre):
    open_case(community=community, by=cadre, handler=leaver)
    staff = official(Role.STREET_STAFF, street=street)
    with pytest.raises(PermissionDenied):
        handover_make(actor=staff, leaver=leaver, successor=successor, reason="调岗")


def test_a_reason_is_required_and_nothing_to_hand_over_is_said(street_leader, leaver, successor):
    with pytest.raises(DomainError, match="交接原因"):
        handover_make(actor=street_leader, leaver=leaver, successor=successor, reason="  ")
    with pytest.raises(DomainError, match="没有需要交接的工作"):
        handover_make(actor=street_leader, leaver=leaver, successor=successor, reason="调岗")


# --- pages ---------------------------------------------------------------------------------------------------


def test_the_handover_page_is_filled_and_submitted(client, street, community, street_leader, leaver, successor, cadre):
    handled, *_rest = _work(community, street, leaver, cadre)
    client.force_login(street_leader)
    listing = client.get(reverse("people_list"))
    assert str(leaver) in listing.content.decode()
    page = client.get(reverse("person_detail", args=[leaver.pk]))
    assert "承办中的诉求" in page.content.decode()
    form = client.get(reverse("handover_create", args=[leaver.pk]))
    assert str(successor) in form.content.decode()
    answer = client.post(
        reverse("handover_create", args=[leaver.pk]),
        {"successor": successor.pk, "reason": "调任其他街道", "end_positions": "on"},
        follow=True,
    )
    body = answer.content.decode()
    assert "已将" in body and "路灯坏了" in body
    handled.refresh_from_db()
    assert handled.handler == successor
    assert not Position.objects.current().filter(user=leaver).exists() or Position.objects.get(user=leaver).ended_on


def test_the_handover_page_shows_a_refusal_in_the_form(client, street_leader, leaver, successor):
    client.force_login(street_leader)
    answer = client.post(reverse("handover_create", args=[leaver.pk]), {"successor": successor.pk, "reason": "调岗"})
    assert answer.status_code == 200
    assert "没有需要交接的工作" in answer.content.decode()


def test_ending_a_position_on_the_page_says_what_is_left(client, community, street_leader, leaver, cadre):
    open_case(community=community, by=cadre, handler=leaver)
    position = Position.objects.get(user=leaver)
    client.force_login(street_leader)
    answer = client.post(reverse("position_end", args=[leaver.pk, position.pk]), {"reason": "退休"}, follow=True)
    assert "请先办理工作交接" in answer.content.decode()


def test_the_successor_reads_the_handover_and_others_get_404(
    client, street_leader, leaver, successor, other_cadre, community, cadre
):
    open_case(community=community, by=cadre, handler=leaver)
    handover = handover_make(actor=street_leader, leaver=leaver, successor=successor, reason="调岗")
    client.force_login(successor)
    assert client.get(handover.get_absolute_url()).status_code == 200
    client.force_login(other_cadre)
    assert client.get(handover.get_absolute_url()).status_code == 404


# --- API -----------------------------------------------------------------------------------------------------


def test_api_hands_over_and_answers_201(client, community, street_leader, leaver, successor, cadre):
    open_case(community=community, by=cadre, handler=leaver)
    client.force_login(street_leader)
    answer = client.post(
        reverse("api_handover_make", args=[leaver.pk]),
        {"successor": successor.pk, "reason": "调岗"},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["counts"] == {"handler": 1}


def test_api_refusals(client, street, community, street_leader, leaver, successor, other_cadre, cadre):
    open_case(community=community, by=cadre, handler=leaver)
    url = reverse("api_handover_make", args=[leaver.pk])
    client.force_login(other_cadre)  # another community: the leaver is not found
    assert (
        client.post(url, {"successor": successor.pk, "reason": "x"}, content_type="application/json").status_code == 404
    )
    client.force_login(official(Role.STREET_STAFF, street=street))  # in scope, but not their role
    assert (
        client.post(url, {"successor": successor.pk, "reason": "x"}, content_type="application/json").status_code == 403
    )
    client.force_login(street_leader)
    answer = client.post(url, {"successor": other_cadre.pk + 10_000, "reason": "x"}, content_type="application/json")
    assert answer.status_code == 400
    position = Position.objects.get(user=leaver)
    answer = client.post(
        reverse("api_position_end", args=[position.pk]), {"reason": "退休"}, content_type="application/json"
    )
    assert answer.status_code == 400 and answer.json()["code"] == "handover_required"


def test_the_admin_refuses_to_end_a_position_while_work_is_left(client, community, leaver, cadre):
    from django.contrib.auth import get_user_model

    open_case(community=community, by=cadre, handler=leaver)
    position = Position.objects.get(user=leaver)
    admin_user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456789")
    client.force_login(admin_user)
    answer = client.post(
        reverse("admin:lucun_position_change", args=[position.pk]),
        {"user": leaver.pk, "role": position.role, "community": community.pk, "ended_on": "2020-01-01"},
    )
    assert "请先办理工作交接" in answer.content.decode()
    position.refresh_from_db()
    assert position.ended_on is None


def test_the_people_pages_name_a_position_and_its_title_in_the_readers_language(client, community, street_leader):
    secretary = official(Role.COMMUNITY_CADRE, community=community)
    Position.objects.filter(user=secretary).update(title="村党组织书记")
    client.force_login(street_leader)
    for url in (reverse("people_list"), reverse("person_detail", args=[secretary.pk])):
        chinese = client.get(url, headers={"accept-language": "zh-hans"}).content.decode()
        english = client.get(url, headers={"accept-language": "en"}).content.decode()
        assert re.search(r"[\u4e00-\u9fff)]\(村党组织书记\) · ", chinese), url
        assert re.search(r"[a-z] \(村党组织书记\) · ", english), url
