import io
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from cases import services as case_services
from cases.models import Case, CaseEvent, CaseList, CaseState
from deliberation import selectors, services
from deliberation.models import (
    AgendaItem,
    ContestCriterion,
    Decision,
    FollowUpTask,
    Meeting,
    MeetingStep,
    ParticipantRole,
    ProcedureStep,
)
from deliberation.services import TaskSpec
from lucun.errors import DomainError, NotAllowed
from lucun.images import ImageRefused
from lucun.models import AuditEvent, Role
from tests.cases.factories import open_case
from tests.deliberation.factories import family_forum, joint_meeting, venue
from tests.factories import official

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(street):
    return official(Role.STREET_STAFF, street=street)


def test_done_when_settled_and_escalated_items_reach_their_cases_and_the_joint_meeting(
    cadre, community, street, street_leader, staff
):
    meeting = family_forum(community=community, by=cadre, participants={ParticipantRole.RESIDENT_REPS: 12})
    settled_case = open_case(community=community, by=cadre, title="楼道堆放杂物")
    hard_case = open_case(community=community, by=cadre, title="小区雨污管网改造")
    settled_item = services.agenda_add(meeting=meeting, user=cadre, case=settled_case)
    hard_item = services.agenda_add(meeting=meeting, user=cadre, case=hard_case)

    services.agenda_decide(
        item=settled_item,
        user=cadre,
        decision=Decision.SETTLED,
        summary="居民代表和物业共同商议",
        result="物业三日内清理,楼长每周巡查",
        case_list=CaseList.SELF,
    )
    services.agenda_decide(item=hard_item, user=cadre, decision=Decision.BEYOND, summary="需住建部门立项,村居无权限")

    settled_case.refresh_from_db()
    assert settled_case.state == CaseState.RESOLVED
    assert settled_case.case_list == CaseList.SELF
    assert "物业三日内清理" in settled_case.resolution
    assert settled_case.events.filter(kind=CaseEvent.Kind.RESOLVED).exists()
    hard_case.refresh_from_db()
    assert hard_case.state != CaseState.RESOLVED
    assert hard_case.case_list == CaseList.STREET
    assert hard_case.tier.code == "escalated"
    assert hard_case.events.filter(kind=CaseEvent.Kind.ESCALATED).exists()
    meeting.refresh_from_db()
    assert meeting.held_at is not None

    joint = joint_meeting(street=street, by=street_leader, held_in=community)
    assert list(selectors.joint_agenda_proposals(meeting=joint)) == [hard_case]
    [item] = services.joint_meeting_propose_agenda(meeting=joint, user=staff)
    assert item.case == hard_case

    services.agenda_decide(
        item=item,
        user=street_leader,
        decision=Decision.ASSIGNED,
        summary="联席会研究",
        result="纳入年度管网改造计划",
        department="住建局",
        handler=staff,
        due_on=timezone.localdate() + timedelta(days=20),
    )
    hard_case.refresh_from_db()
    assert hard_case.handler == staff
    assert hard_case.handler_office == "住建局"
    note = hard_case.events.get(kind=CaseEvent.Kind.SUPERVISED).note
    assert "住建局" in note and (timezone.localdate() + timedelta(days=20)).strftime("%Y-%m-%d") in note
    assert hard_case.events.filter(kind=CaseEvent.Kind.ASSIGNED).exists()
    next_joint = joint_meeting(street=street, by=street_leader, title="下一次联席会")
    assert not selectors.joint_agenda_proposals(meeting=next_joint).exists()


def test_joint_meeting_deadline_becomes_the_case_deadline_with_an_event(cadre, community, street, street_leader, staff):
    case = open_case(community=community, by=cadre, case_list=CaseList.STREET, tier_code="escalated")
    joint = joint_meeting(street=street, by=street_leader)
    [item] = services.joint_meeting_propose_agenda(meeting=joint, user=street_leader)
    decided = services.agenda_decide(
        item=item,
        user=street_leader,
        decision=Decision.ASSIGNED,
        summary="跨部门",
        result="分两期实施",
        department="交通局",
        handler=staff,
        due_on=timezone.localdate() + timedelta(days=90),
    )
    assert "调整为" in decided.warning
    case.refresh_from_db()
    assert timezone.localtime(case.due_at).date() == timezone.localdate() + timedelta(days=90)
    assert case.events.filter(kind=CaseEvent.Kind.DEADLINE_SET).count() == 1


def test_a_community_cadre_cannot_record_a_joint_meeting_decision(cadre, community, street, street_leader):
    case = open_case(community=community, by=cadre, case_list=CaseList.STREET)
    joint = joint_meeting(street=street, by=street_leader, held_in=community)
    item = services.agenda_add(meeting=joint, user=street_leader, case=case)
    with pytest.raises(NotAllowed, match="不能记录"):
        services.agenda_decide(item=item, user=cadre, decision=Decision.SETTLED, summary="x", result="y")


def test_decision_is_rolled_back_when_the_case_refuses_the_move(cadre, community):
    meeting = family_forum(community=community, by=cadre)
    case = open_case(community=community, by=cadre)
    item = services.agenda_add(meeting=meeting, user=cadre, case=case)
    case_services.case_pause(case=case, user=cadre, reason="等待群众提供材料")
    with pytest.raises(DomainError):
        services.agenda_decide(item=item, user=cadre, decision=Decision.SETTLED, summary="商议", result="解决")
    item.refresh_from_db()
    assert item.decision == "" and item.decided_at is None
    meeting.refresh_from_db()
    assert meeting.held_at is None


def test_follow_up_creates_tasks_and_hands_the_case_to_the_first_owner(cadre, community):
    worker = official(Role.GRID_WORKER, community=community)
    meeting = family_forum(community=community, by=cadre)
    case = open_case(community=community, by=cadre)
    item = services.agenda_add(meeting=meeting, user=cadre, case=case)
    due = timezone.localdate() + timedelta(days=5)
    services.agenda_decide(
        item=item,
        user=cadre,
        decision=Decision.FOLLOW_UP,
        summary="需要联系供电所",
        tasks=[TaskSpec("联系供电所勘察", worker, due), TaskSpec("回访群众", cadre, due)],
    )
    case.refresh_from_db()
    assert case.is_open
    assert case.handler == worker
    assert FollowUpTask.objects.filter(item=item).count() == 2
    assert worker.notifications.filter(title__contains=case.number).exists()


def test_follow_up_needs_at_least_one_task(cadre, community):
    meeting = family_forum(community=community, by=cadre)
    item = services.agenda_add(meeting=meeting, user=cadre, case=open_case(community=community, by=cadre))
    with pytest.raises(DomainError, match="跟进事项"):
        services.agenda_decide(item=item, user=cadre, decision=Decision.FOLLOW_UP, summary="x", tasks=[])


def test_agenda_refuses_closed_foreign_and_duplicate_cases(cadre, community, other_community, other_cadre):
    meeting = family_forum(community=community, by=cadre)
    case = open_case(community=community, by=cadre)
    services.agenda_add(meeting=meeting, user=cadre, case=case)
    with pytest.raises(DomainError, match="已在本次会议议程中"):
        services.agenda_add(meeting=meeting, user=cadre, case=case)
    foreign = open_case(community=other_community, by=other_cadre)
    with pytest.raises(DomainError):
        services.agenda_add(meeting=meeting, user=cadre, case=foreign)
    done = open_case(community=community, by=cadre)
    case_services.case_resolve(case=done, user=cadre, resolution="当场解决")
    with pytest.raises(DomainError, match="未办结"):
        services.agenda_add(meeting=meeting, user=cadre, case=done)


def test_a_case_raised_at_the_meeting_names_the_meeting_as_its_source(cadre, community):
    meeting = family_forum(community=community, by=cadre)
    item = services.agenda_raise_case(meeting=meeting, user=cadre, title="健身广场路灯不亮")
    assert item.case.source == Case.Source.MEETING
    assert item.case.source_object == meeting
    assert item.case.community == community


def test_no_decision_before_the_meeting_starts(cadre, community):
    meeting = family_forum(community=community, by=cadre, starts_at=timezone.now() + timedelta(days=2))
    item = services.agenda_add(meeting=meeting, user=cadre, case=open_case(community=community, by=cadre))
    with pytest.raises(DomainError, match="尚未开始"):
        services.agenda_decide(item=item, user=cadre, decision=Decision.SETTLED, summary="x", result="y")


def test_steps_are_completed_in_their_configured_order(cadre, community):
    meeting = family_forum(community=community, by=cadre)
    steps = list(ProcedureStep.objects.active().order_by("sort_order"))
    assert [s.code for s in steps] == [
        "notice",
        "agenda",
        "participants",
        "discussion",
        "decision",
        "publish",
        "follow_up",
    ]
    with pytest.raises(DomainError, match="请先完成“发布会议通知”"):
        services.step_complete(meeting=meeting, user=cadre, step=steps[1])
    for step in steps[:4]:
        services.step_complete(meeting=meeting, user=cadre, step=step)
    meeting.refresh_from_db()
    assert meeting.held_at is not None  # the discussion step marks the meeting held
    with pytest.raises(DomainError, match="已经完成"):
        services.step_complete(meeting=meeting, user=cadre, step=steps[0])
    assert MeetingStep.objects.filter(meeting=meeting).count() == 4


def test_decision_step_waits_for_every_item(cadre, community):
    meeting = family_forum(community=community, by=cadre)
    services.agenda_add(meeting=meeting, user=cadre, case=open_case(community=community, by=cadre))
    steps = list(ProcedureStep.objects.order_by("sort_order"))
    for step in steps[:4]:
        services.step_complete(meeting=meeting, user=cadre, step=step)
    with pytest.raises(DomainError, match="还有议题"):
        services.step_complete(meeting=meeting, user=cadre, step=steps[4])


def test_a_disabled_step_is_skipped(cadre, community):
    meeting = family_forum(community=community, by=cadre)
    ProcedureStep.objects.filter(code="notice").update(is_active=False)
    services.step_complete(meeting=meeting, user=cadre, step=ProcedureStep.objects.get(code="agenda"))


def test_schedule_checks_kind_place_and_role(cadre, community, street, other_community):
    with pytest.raises(DomainError, match="场所"):
        services.meeting_schedule(
            user=cadre, kind=Meeting.Kind.FAMILY_FORUM, title="x", community=community, starts_at=timezone.now()
        )
    with pytest.raises(DomainError, match="群"):
        services.meeting_schedule(
            user=cadre, kind=Meeting.Kind.ONLINE, title="x", community=community, starts_at=timezone.now()
        )
    with pytest.raises(NotAllowed, match="职务"):
        services.meeting_schedule(
            user=cadre, kind=Meeting.Kind.JOINT, title="x", street=street, location="x", starts_at=timezone.now()
        )
    with pytest.raises(NotAllowed, match="职务"):
        family_forum(community=other_community, by=cadre)
    other_place = venue(community=other_community)
    with pytest.raises(DomainError, match="场所不属于"):
        family_forum(community=community, by=cadre, venue=other_place, location="")
    online = services.meeting_schedule(
        user=cadre,
        kind=Meeting.Kind.ONLINE,
        title="线上议事",
        community=community,
        online_group="芦湖村民情群",
        starts_at=timezone.now(),
    )
    assert online.place == "芦湖村民情群"
    assert AuditEvent.objects.filter(action="deliberation.meeting_schedule").count() == 1


def test_joint_meeting_at_a_venue_is_held_in_the_venues_community(street, street_leader, community):
    place = venue(community=community, kind="hall", name="红色议事厅")
    joint = joint_meeting(street=street, by=street_leader, venue=place, location="")
    assert joint.held_in == community and joint.community is None


def test_cancelled_meeting_refuses_changes(cadre, community):
    meeting = family_forum(community=community, by=cadre, starts_at=timezone.now() + timedelta(days=1))
    services.meeting_cancel(meeting=meeting, user=cadre, reason="天气原因改期")
    with pytest.raises(DomainError, match="已取消"):
        services.agenda_add(meeting=meeting, user=cadre, case=open_case(community=community, by=cadre))


def test_contest_scores_are_checked_against_the_criteria(street, street_leader, community):
    contest = services.meeting_schedule(
        user=street_leader,
        kind=Meeting.Kind.CONTEST,
        title="第一期擂台比武",
        street=street,
        location="街道大礼堂",
        starts_at=timezone.now() - timedelta(hours=1),
    )
    criterion = ContestCriterion.objects.order_by("sort_order").first()
    with pytest.raises(DomainError, match="得分须在"):
        services.contest_score_record(
            meeting=contest, user=street_leader, community=community, judge=1, scores={criterion: 999}
        )
    services.contest_score_record(
        meeting=contest, user=street_leader, community=community, judge=1, scores={criterion: 20}
    )
    services.contest_score_record(
        meeting=contest, user=street_leader, community=community, judge=1, scores={criterion: 25}
    )
    assert contest.scores.get().score == 25  # a second sheet from the same judge corrects the first


def test_photo_is_reencoded_without_exif(cadre, community, settings):
    meeting = family_forum(community=community, by=cadre)
    image = Image.new("RGB", (3000, 1500), "red")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    upload = SimpleUploadedFile("x.jpg", buffer.getvalue(), content_type="image/jpeg")
    photo = services.meeting_photo_add(meeting=meeting, user=cadre, upload=upload)
    with Image.open(photo.image.path) as stored:
        assert not stored.getexif()
        assert max(stored.size) == settings.LUCUN_IMAGE_MAX_EDGE


def test_not_an_image_is_refused(cadre, community):
    meeting = family_forum(community=community, by=cadre)
    upload = SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    with pytest.raises(ImageRefused, match="不是能打开的照片"):
        services.meeting_photo_add(meeting=meeting, user=cadre, upload=upload)
    assert not meeting.photos.exists()


def test_task_completion_by_its_owner(cadre, community):
    meeting = family_forum(community=community, by=cadre)
    item = services.agenda_add(meeting=meeting, user=cadre, case=open_case(community=community, by=cadre))
    services.agenda_decide(
        item=item,
        user=cadre,
        decision=Decision.FOLLOW_UP,
        summary="x",
        tasks=[TaskSpec("回访", cadre, timezone.localdate())],
    )
    task = FollowUpTask.objects.get()
    services.followup_task_complete(task=task, user=cadre, note="已回访")
    task.refresh_from_db()
    assert task.done_at is not None and task.done_by == cadre


def test_decided_items_cannot_be_decided_twice(cadre, community):
    meeting = family_forum(community=community, by=cadre)
    item = services.agenda_add(meeting=meeting, user=cadre, case=open_case(community=community, by=cadre))
    services.agenda_decide(item=item, user=cadre, decision=Decision.SETTLED, summary="x", result="y")
    with pytest.raises(DomainError, match="已作出决定"):
        services.agenda_decide(item=item, user=cadre, decision=Decision.SETTLED, summary="x", result="y")
    assert AgendaItem.objects.get().decision == Decision.SETTLED


def test_meeting_scheduled_in_the_past_for_records_of_online_talks(cadre, community):
    with time_machine.travel(timezone.now() - timedelta(days=3)):
        meeting = family_forum(community=community, by=cadre)
    assert meeting.starts_at < timezone.now()
