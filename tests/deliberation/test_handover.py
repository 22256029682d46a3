"""What a hand-over moves of deliberation (deliberation/handover.py): the leaver's follow-up tasks not yet done and
the meetings they organise that are neither held nor cancelled; what is done stays theirs."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from deliberation import permissions, services
from deliberation.models import Decision, FollowUpTask, Meeting
from deliberation.services import TaskSpec
from lucun.errors import DomainError
from lucun.handover.services import handover_make, position_end
from lucun.models import AuditEvent, Notification, Position, Role
from tests.cases.factories import open_case
from tests.deliberation.factories import family_forum, joint_meeting
from tests.factories import official

pytestmark = pytest.mark.django_db


def _tasks(meeting, by, owner) -> tuple[FollowUpTask, FollowUpTask]:
    """Two tasks of ``owner`` agreed at ``meeting``: one still open, one done."""
    item = services.agenda_add(meeting=meeting, user=by, case=open_case(community=meeting.community, by=by))
    due = timezone.localdate() + timedelta(days=5)
    services.agenda_decide(
        item=item,
        user=by,
        decision=Decision.FOLLOW_UP,
        summary="需要联系供电所",
        tasks=[TaskSpec("联系供电所勘察", owner, due), TaskSpec("回访群众", owner, due)],
    )
    open_task, done_task = FollowUpTask.objects.filter(item=item).order_by("pk")
    services.followup_task_complete(task=done_task, user=owner, note="已回访")
    return open_task, done_task


def test_open_tasks_and_meetings_not_yet_held_go_to_the_successor(community, street_leader, leaver, successor, cadre):
    held = family_forum(community=community, by=leaver, title="三月座谈会")
    open_task, done_task = _tasks(held, leaver, leaver)
    Meeting.objects.filter(pk=held.pk).update(held_at=timezone.now())
    coming = family_forum(
        community=community, by=leaver, title="四月座谈会", starts_at=timezone.now() + timedelta(days=7)
    )
    overdue = family_forum(community=community, by=leaver, title="没确认召开的座谈会")  # began, not yet recorded held
    called_off = family_forum(community=community, by=leaver, title="取消的座谈会")
    services.meeting_cancel(meeting=called_off, user=leaver, reason="下雨")
    others = family_forum(community=community, by=cadre, title="别人组织的座谈会")

    handover = handover_make(actor=street_leader, leaver=leaver, successor=successor, reason="调任其他街道")

    for row in (open_task, done_task, held, coming, overdue, called_off, others):
        row.refresh_from_db()
    assert (open_task.owner, done_task.owner) == (successor, leaver)  # what was done stays the doer's
    assert (coming.organiser, overdue.organiser) == (successor, successor)
    assert (held.organiser, called_off.organiser, others.organiser) == (leaver, leaver, cadre)
    moved = set(handover.items.values_list("kind", "object_id"))
    assert {("followup_task", str(open_task.pk)), ("meeting_organiser", str(coming.pk))} <= moved
    assert {kind for kind, _pk in moved} == {"handler", "first_responder", "followup_task", "meeting_organiser"}
    assert AuditEvent.objects.filter(action="deliberation.handover", object_id=str(handover.pk)).count() == 2
    assert Notification.objects.filter(recipient=successor, dedupe_key=f"handover:{handover.pk}").exists()

    # The successor now runs what they took over, as its owner and organiser.
    assert permissions.can_manage(successor, coming)
    services.followup_task_complete(task=open_task, user=successor, note="已勘察")
    open_task.refresh_from_db()
    assert open_task.done_by == successor


def test_the_streets_meetings_move_in_a_hand_over_of_its_staff(street, community, street_leader):
    staff = official(Role.STREET_STAFF, street=street)
    taker = official(Role.STREET_STAFF, street=street)
    joint = joint_meeting(street=street, by=staff, starts_at=timezone.now() + timedelta(days=3))
    assert joint.organiser == staff

    handover_make(actor=street_leader, leaver=staff, successor=taker, reason="岗位调整")

    joint.refresh_from_db()
    assert joint.organiser == taker


def test_a_position_does_not_end_while_its_holder_still_owns_an_open_task(community, street_leader, leaver, cadre):
    meeting = family_forum(community=community, by=cadre)
    _tasks(meeting, cadre, leaver)
    Meeting.objects.filter(organiser=leaver).update(organiser=cadre)
    with pytest.raises(DomainError) as refused:
        position_end(actor=street_leader, position=Position.objects.get(user=leaver), reason="退休")
    assert "未完成的跟进事项 1 项" in str(refused.value) and "请先办理工作交接" in str(refused.value)


def test_the_refusal_lists_what_is_left_in_the_readers_language(community, street_leader, leaver, cadre):
    meeting = family_forum(community=community, by=cadre)
    _tasks(meeting, cadre, leaver)
    position = Position.objects.get(user=leaver)
    with translation.override("en"), pytest.raises(DomainError) as refused:
        position_end(actor=street_leader, position=position, reason="退休")
    assert "Requests being handled: 1 item, Follow-up tasks not yet done: 1 item" in str(refused.value)


def test_a_community_secretarys_hand_over_leaves_the_streets_meetings_to_the_street(street, community, cadre):
    # Someone at both levels: a cadre of 芦湖村 who is also on the street's staff, organising a meeting at each.
    both = official(Role.COMMUNITY_CADRE, community=community)
    Position.objects.create(user=both, role=Role.STREET_STAFF, street=street)
    forum = family_forum(community=community, by=both, starts_at=timezone.now() + timedelta(days=2))
    joint = joint_meeting(street=street, by=both, starts_at=timezone.now() + timedelta(days=3))
    taker = official(Role.COMMUNITY_CADRE, community=community)

    handover = handover_make(actor=cadre, leaver=both, successor=taker, reason="不再兼任村里工作")

    forum.refresh_from_db()
    joint.refresh_from_db()
    assert (forum.organiser, joint.organiser) == (taker, both)  # the street's meeting is not the village's to give
    assert not permissions.can_manage(taker, joint)
    assert set(handover.items.values_list("kind", "object_id")) == {("meeting_organiser", str(forum.pk))}


def test_only_a_post_over_the_whole_street_keeps_its_meetings(street, community, street_leader):
    both = official(Role.COMMUNITY_CADRE, community=community)
    street_post = Position.objects.create(user=both, role=Role.STREET_STAFF, street=street)
    joint_meeting(street=street, by=both, starts_at=timezone.now() + timedelta(days=3))

    # Leaving the street's staff while still a village cadre: the village post does not reach the street's meeting.
    with pytest.raises(DomainError) as refused:
        position_end(actor=street_leader, position=street_post, reason="回村任职")
    assert "组织中的议事会议 1 场" in str(refused.value)
    # Leaving the village post while still on the street's staff: the street post keeps it.
    position_end(actor=street_leader, position=Position.objects.get(user=both, community=community), reason="专职街道")
    assert Position.objects.get(user=both, community=community).ended_on is not None
