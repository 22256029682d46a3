"""Every write of deliberation: scheduling and running meetings, agendas of cases, decisions, contest scores.

A decision on an agenda item changes its case only through the cases app's services, in the same
transaction as the item: either both are saved or neither is. A move the meeting's state refuses raises
``DomainError``, one the user's position does not allow ``NotAllowed`` (lucun.errors), with a message for the user.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import services as case_services
from cases.models import OPEN_STATES, Case, CaseList, Category, Tier
from lucun.errors import DomainError, require, require_permission
from lucun.images import image_clean, image_save
from lucun.models import Community, Street, User
from lucun.scoping import communities_for
from lucun.services import audit_record, notification_send

from . import permissions
from .audit import AuditAction
from .models import (
    DECISIONS_FOR,
    AgendaItem,
    ContestCriterion,
    ContestScore,
    Decision,
    FollowUpTask,
    Meeting,
    MeetingPhoto,
    MeetingStep,
    ParticipantRole,
    Participation,
    ProcedureStep,
    Venue,
)


def _meeting_street(meeting: Meeting) -> Street:
    return meeting.street if meeting.street_id else meeting.community.street


def _audit_community(meeting: Meeting) -> Community | None:
    return meeting.community or meeting.held_in


def _locked_meeting(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("community__street", "street", "held_in")
        .get(pk=meeting.pk)
    )


def _require_open(meeting: Meeting) -> None:
    require(meeting.cancelled_at is None, _("该会议已取消。"))


# --- Meetings --------------------------------------------------------------------------------------


@transaction.atomic
def meeting_schedule(
    *,
    user: User,
    kind: str,
    title: str,
    starts_at: datetime,
    community: Community | None = None,
    street: Street | None = None,
    held_in: Community | None = None,
    venue: Venue | None = None,
    location: str = "",
    online_group: str = "",
    participants: dict[str, int] | None = None,
) -> Meeting:
    """Schedule a meeting: a community's forum or online discussion, or the street's joint meeting or contest."""
    require(kind in Meeting.Kind.values, _("会议类型无效。"))
    require(bool(title and title.strip()), _("请填写会议议题或名称。"))
    location, online_group = (location or "").strip(), (online_group or "").strip()
    if kind in Meeting.STREET_KINDS:
        street = street or (community.street if community else None)
        require(street is not None, _("党政联席会和擂台比武由街道召开,请选择街道。"))
        community = None
        require(held_in is None or held_in.street_id == street.pk, _("召开地点所在村(居)不属于该街道。"))
    else:
        require(community is not None, _("请选择召开会议的村(居)。"))
        street, held_in = None, None
    require_permission(
        permissions.can_schedule(user, kind=kind, community=community, street=street),
        _("您的职务不能召开这类会议。"),
    )
    if venue is not None:
        require(venue.is_active, _("该场所已停用。"))
        if community is not None:
            require(venue.community_id == community.pk, _("所选场所不属于该村(居)。"))
        else:
            require(venue.community.street_id == street.pk, _("所选场所不属于该街道。"))
            held_in = held_in or venue.community
            require(held_in.pk == venue.community_id, _("所选场所不在召开地点所在的村(居)。"))
        location = ""
    if kind == Meeting.Kind.ONLINE:
        require(bool(online_group), _("线上议事请填写微信群或小程序的名称。"))
        venue, location = None, ""
    else:
        online_group = ""
        require(venue is not None or bool(location), _("请选择议事场所,或填写其他地点(如田间地头)。"))
    meeting = Meeting.objects.create(
        kind=kind,
        title=title.strip()[:100],
        community=community,
        street=street,
        held_in=held_in,
        venue=venue,
        location=location[:200],
        online_group=online_group[:100],
        starts_at=starts_at,
        organiser=user,
    )
    rows = []
    for role, invited in (participants or {}).items():
        require(role in ParticipantRole.values, _("参会方类型无效。"))
        if invited:
            require(0 < invited <= 5000, _("邀请人数须在1到5000之间。"))
            rows.append(Participation(meeting=meeting, role=role, invited=invited))
    Participation.objects.bulk_create(rows)
    audit_record(
        actor=user,
        action=AuditAction.MEETING_SCHEDULE,
        obj=meeting,
        community=_audit_community(meeting),
        summary=f"{meeting.get_kind_display()} {timezone.localtime(starts_at):%Y-%m-%d %H:%M} {meeting.place}",
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, user: User, reason: str) -> Meeting:
    """Cancel a meeting that has not been held; it is kept with the reason."""
    meeting = _locked_meeting(meeting)
    _require_open(meeting)
    require_permission(permissions.can_manage(user, meeting), _("您不能管理该会议。"))
    require(meeting.held_at is None, _("会议已召开,不能取消。"))
    require(not meeting.agenda_items.exclude(decision="").exists(), _("会议已有议定事项,不能取消。"))
    require(bool(reason and reason.strip()), _("请填写取消原因。"))
    meeting.cancelled_at = timezone.now()
    meeting.cancel_reason = reason.strip()[:200]
    meeting.save(update_fields=["cancelled_at", "cancel_reason"])
    audit_record(
        actor=user,
        action=AuditAction.MEETING_CANCEL,
        obj=meeting,
        community=_audit_community(meeting),
        summary=reason.strip(),
    )
    return meeting


@transaction.atomic
def meeting_minutes_save(*, meeting: Meeting, user: User, minutes: str) -> Meeting:
    """Save the minutes (plain text with a little formatting, rendered escaped)."""
    meeting = _locked_meeting(meeting)
    _require_open(meeting)
    require_permission(permissions.can_manage(user, meeting), _("您不能管理该会议。"))
    require(len(minutes or "") <= 20000, _("会议纪要不能超过20000字。"))
    before = meeting.minutes
    meeting.minutes = (minutes or "").strip()
    meeting.save(update_fields=["minutes"])
    audit_record(
        actor=user,
        action=AuditAction.MEETING_MINUTES_SAVE,
        obj=meeting,
        community=_audit_community(meeting),
        summary=_("纪要 %(n)d 字") % {"n": len(meeting.minutes)},
        before={"length": len(before)},
        after={"length": len(meeting.minutes)},
    )
    return meeting


@dataclass(frozen=True)
class ParticipationSpec:
    """One party at a meeting: how many were invited, how many came (None: not yet known), who by name."""

    role: str
    invited: int
    attended: int | None = None
    note: str = ""
    users: tuple = ()


@transaction.atomic
def participations_record(*, meeting: Meeting, user: User, rows: list[ParticipationSpec]) -> list[Participation]:
    """Record the parties' invitations and attendance; a party with nobody invited and nobody come is removed."""
    meeting = _locked_meeting(meeting)
    _require_open(meeting)
    require_permission(permissions.can_manage(user, meeting), _("您不能管理该会议。"))
    saved, summary = [], []
    for row in rows:
        require(row.role in ParticipantRole.values, _("参会方类型无效。"))
        require(0 <= row.invited <= 5000, _("邀请人数须在0到5000之间。"))
        require(row.attended is None or 0 <= row.attended <= 5000, _("实到人数须在0到5000之间。"))
        require(not row.attended or meeting.starts_at <= timezone.now(), _("会议尚未开始,不能登记实到人数。"))
        if not row.invited and not row.attended and not row.users:
            Participation.objects.filter(meeting=meeting, role=row.role).delete()
            continue
        participation, _created = Participation.objects.update_or_create(
            meeting=meeting,
            role=row.role,
            defaults={"invited": row.invited, "attended": row.attended, "note": row.note.strip()[:200]},
        )
        if row.users:
            participation.users.set(row.users)
        saved.append(participation)
        summary.append(
            f"{participation.get_role_display()} {row.attended if row.attended is not None else '-'}/{row.invited}"
        )
    audit_record(
        actor=user,
        action=AuditAction.PARTICIPATIONS_RECORD,
        obj=meeting,
        community=_audit_community(meeting),
        summary=";".join(summary),
    )
    return saved


@transaction.atomic
def step_complete(*, meeting: Meeting, user: User, step: ProcedureStep, note: str = "") -> MeetingStep:
    """Complete one step of the procedure; the steps go in their configured order."""
    meeting = _locked_meeting(meeting)
    _require_open(meeting)
    require_permission(permissions.can_manage(user, meeting), _("您不能管理该会议。"))
    require(step.is_active, _("该步骤已停用。"))
    done = set(MeetingStep.objects.filter(meeting=meeting).values_list("step_id", flat=True))
    require(step.pk not in done, _("“%(step)s”已经完成。") % {"step": step.name})
    missing = (
        ProcedureStep.objects.active()
        .filter(sort_order__lt=step.sort_order)
        .exclude(pk__in=done)
        .order_by("sort_order")
        .first()
    )
    require(missing is None, _("请先完成“%(step)s”。") % {"step": missing.name if missing else ""})
    now = timezone.now()
    if step.rule == ProcedureStep.Rule.HELD:
        require(meeting.starts_at <= now, _("会议尚未开始。"))
        if meeting.held_at is None:
            meeting.held_at = now
            meeting.save(update_fields=["held_at"])
    if step.rule == ProcedureStep.Rule.DECISIONS:
        require(
            not meeting.agenda_items.filter(decision="").exists(),
            _("还有议题没有作出决定,请逐项记录决定后再完成此步骤。"),
        )
    row = MeetingStep.objects.create(meeting=meeting, step=step, completed_by=user, note=(note or "").strip()[:300])
    audit_record(
        actor=user,
        action=AuditAction.STEP_COMPLETE,
        obj=meeting,
        community=_audit_community(meeting),
        summary=step.name,
    )
    return row


# --- The agenda ------------------------------------------------------------------------------------


def _check_case_for_agenda(meeting: Meeting, case: Case, user: User) -> None:
    require(meeting.kind != Meeting.Kind.CONTEST, _("擂台比武不设诉求议题。"))
    require(case.state in OPEN_STATES, _("只有未办结的诉求可以列入议程(%(number)s)。") % {"number": case.number})
    require(communities_for(user).filter(pk=case.community_id).exists(), _("您无权查看该诉求。"))
    if meeting.community_id:
        require(case.community_id == meeting.community_id, _("该诉求不属于本村(居),不能列入本次会议。"))
    else:
        require(case.street_id == meeting.street_id, _("该诉求不属于本街道,不能列入本次会议。"))


def _add_item(meeting: Meeting, case: Case, user: User) -> AgendaItem:
    require(
        not AgendaItem.objects.filter(meeting=meeting, case=case).exists(),
        _("诉求 %(number)s 已在本次会议议程中。") % {"number": case.number},
    )
    position = (meeting.agenda_items.aggregate(n=Max("position"))["n"] or 0) + 1
    try:
        with transaction.atomic():
            return AgendaItem.objects.create(meeting=meeting, case=case, position=position, added_by=user)
    except IntegrityError as exc:  # a colleague added it at the same moment
        raise DomainError(_("诉求 %(number)s 已在本次会议议程中。") % {"number": case.number}) from exc


@transaction.atomic
def agenda_add(*, meeting: Meeting, user: User, case: Case) -> AgendaItem:
    """Put an open case of the meeting's community (or, for a street meeting, of its street) on the agenda."""
    meeting = _locked_meeting(meeting)
    _require_open(meeting)
    require_permission(permissions.can_manage(user, meeting), _("您不能管理该会议。"))
    case = Case.objects.get(pk=case.pk)
    _check_case_for_agenda(meeting, case, user)
    item = _add_item(meeting, case, user)
    audit_record(
        actor=user,
        action=AuditAction.AGENDA_ADD,
        obj=meeting,
        community=case.community,
        summary=f"{case.number} {case.title}",
    )
    return item


@transaction.atomic
def agenda_raise_case(
    *,
    meeting: Meeting,
    user: User,
    title: str,
    description: str = "",
    category: Category | None = None,
    community: Community | None = None,
    tier: Tier | None = None,
    case_list: str = CaseList.COMMUNITY,
    contact_name: str = "",
    contact_phone: str = "",
) -> AgendaItem:
    """Register a problem raised at the meeting as a new case (source: the meeting) and put it on the agenda."""
    meeting = _locked_meeting(meeting)
    _require_open(meeting)
    require_permission(permissions.can_manage(user, meeting), _("您不能管理该会议。"))
    require(meeting.kind != Meeting.Kind.CONTEST, _("擂台比武不设诉求议题。"))
    if meeting.community_id:
        community = meeting.community
    else:
        require(community is not None, _("请选择问题所在的村(居)。"))
        require(community.street_id == meeting.street_id, _("该村(居)不属于本街道。"))
    case = case_services.case_open(
        community=community,
        title=title,
        created_by=user,
        source=Case.Source.MEETING,
        source_object=meeting,
        category=category,
        description=description,
        tier=tier,
        case_list=case_list,
        contact_name=contact_name,
        contact_phone=contact_phone,
    )
    item = _add_item(meeting, case, user)
    audit_record(
        actor=user,
        action=AuditAction.AGENDA_RAISE_CASE,
        obj=meeting,
        community=community,
        summary=f"{case.number} {case.title}",
    )
    return item


@dataclass(frozen=True)
class TaskSpec:
    """A follow-up task agreed at the meeting."""

    title: str
    owner: User
    due_on: date


def _end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def _decide_settled(item: AgendaItem, user: User, result: str, public_reply: str, case_list: str) -> None:
    meeting = item.meeting
    if meeting.kind == Meeting.Kind.JOINT:
        case_list = CaseList.STREET
    else:
        require(case_list in (CaseList.COMMUNITY, CaseList.SELF), _("协商解决须选择“村居共议”或“群众自商”。"))
    case_services.case_resolve(
        case=item.case,
        user=user,
        resolution=_("%(kind)s协商解决:%(result)s") % {"kind": meeting.get_kind_display(), "result": result},
        public_reply=public_reply or result,
        case_list=case_list,
    )


def _decide_follow_up(item: AgendaItem, user: User, summary: str, tasks: list[TaskSpec]) -> None:
    meeting = item.meeting
    require(bool(tasks), _("需跟进办理的议题请至少填写一项跟进事项(事项、负责人、时限)。"))
    today = timezone.localdate()
    for task in tasks:
        require(bool(task.title and task.title.strip()), _("请填写跟进事项的内容。"))
        require(task.owner.is_active, _("跟进负责人 %(name)s 的账号已停用。") % {"name": task.owner})
        require(task.due_on >= today, _("跟进时限不能早于今天。"))
    FollowUpTask.objects.bulk_create(
        [FollowUpTask(item=item, title=t.title.strip()[:200], owner=t.owner, due_on=t.due_on) for t in tasks]
    )
    case = item.case
    lead = tasks[0].owner
    lines = "\n".join(f"· {t.title.strip()}({t.owner},{t.due_on:%Y-%m-%d} 前)" for t in tasks)
    note = _("%(kind)s议定需跟进办理:%(summary)s\n%(lines)s") % {
        "kind": meeting.get_kind_display(),
        "summary": summary,
        "lines": lines,
    }
    # The first task's owner follows the case up: make them its handler, then note the tasks on it.
    if case.handler_id != lead.pk:
        case_services.case_assign(case=case, user=user, handler=lead, handler_office=case.handler_office)
    if lead.pk == user.pk:
        case_services.case_record_progress(case=case, user=user, note=note)
    else:
        case_services.case_note_add(case=case, user=user, note=note)
    notification_send(
        recipients=[t.owner for t in tasks],
        title=_("议事跟进事项:%(number)s %(title)s") % {"number": case.number, "title": case.title},
        body=lines,
        url=meeting.get_absolute_url(),
    )


def _decide_beyond(item: AgendaItem, user: User, summary: str, special: bool) -> None:
    case = item.case
    tier = None
    if special:
        escalated = Tier.objects.order_by("-rank").first()
        if escalated is not None and escalated.rank > case.tier.rank:
            tier = escalated
    case_list = CaseList.STREET if case.case_list != CaseList.STREET else None
    if tier is None and case_list is None:
        return  # already on the street's list at the top tier: it is queued for the joint meeting as it is
    case_services.case_escalate(
        case=case,
        user=user,
        reason=_("%(kind)s议定:超出村(居)解决权限,提交街道党政联席会。%(summary)s")
        % {"kind": item.meeting.get_kind_display(), "summary": summary},
        tier=tier,
        case_list=case_list,
    )


def _decide_assigned(
    item: AgendaItem, user: User, result: str, department: str, handler: User | None, due_on: date | None
) -> str:
    require(bool(department and department.strip()), _("请填写承办部门。"))
    require(handler is not None, _("请选择承办部门的责任人。"))
    require(due_on is not None, _("请填写办结时限。"))
    require(due_on >= timezone.localdate(), _("办结时限不能早于今天。"))
    case = item.case
    case_services.case_assign(case=case, user=user, handler=handler, handler_office=department.strip()[:60])
    case.refresh_from_db()
    note = _("党政联席会决定:交由%(department)s(%(handler)s)办理,限 %(due)s 前办结。%(result)s") % {
        "department": department.strip(),
        "handler": handler,
        "due": due_on.strftime("%Y-%m-%d"),
        "result": result,
    }
    warning = ""
    if _end_of_day(due_on) != case.due_at:
        # The joint meeting sets the time limit: the case's deadline follows its decision, with an event.
        previous = timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M")
        case_services.case_set_deadline(case=case, user=user, due_at=_end_of_day(due_on), reason=note)
        if _end_of_day(due_on) > case.due_at:
            warning = _("办理期限已按会议决定由 %(before)s 调整为 %(after)s。") % {
                "before": previous,
                "after": due_on.strftime("%Y-%m-%d"),
            }
    case_services.case_supervise(case=case, user=user, note=note)
    return warning


@transaction.atomic
def agenda_decide(
    *,
    item: AgendaItem,
    user: User,
    decision: str,
    summary: str,
    result: str = "",
    public_reply: str = "",
    case_list: str = CaseList.COMMUNITY,
    tasks: list[TaskSpec] | None = None,
    special_tier: bool = True,
    department: str = "",
    handler: User | None = None,
    due_on: date | None = None,
) -> AgendaItem:
    """Record the discussion and the decision on one agenda item, and write it back to the case.

    - settled: the case is resolved under 村居共议 or 群众自商 (上级帮办 at a joint meeting) with the agreed result;
    - follow_up: tasks with owners and dates; the first owner handles the case, which stays open;
    - beyond: the case goes up to 上级帮办 (and the 特办 tier) and waits for the next joint meeting;
    - assigned (joint meeting): the department and its responsible person take the case, with a deadline.
    """
    item = AgendaItem.objects.select_for_update(of=("self",)).select_related("meeting", "case").get(pk=item.pk)
    meeting = _locked_meeting(item.meeting)
    item.meeting = meeting
    _require_open(meeting)
    require(not item.decision, _("该议题已作出决定。"))
    require(decision in DECISIONS_FOR.get(meeting.kind, ()), _("本次会议不能作出这种决定。"))
    require_permission(permissions.can_decide(user, meeting), _("您的职务不能记录本次会议的决定。"))
    require(meeting.starts_at <= timezone.now(), _("会议尚未开始,不能记录决定。"))
    summary, result = (summary or "").strip(), (result or "").strip()
    require(bool(summary), _("请填写讨论情况。"))
    require(item.case.state in OPEN_STATES, _("该诉求已不在办理中,不能再作决定。"))
    if decision in (Decision.SETTLED, Decision.ASSIGNED):
        require(bool(result), _("请填写议定结果。"))
    warning = ""
    if decision == Decision.SETTLED:
        _decide_settled(item, user, result, (public_reply or "").strip(), case_list)
    elif decision == Decision.FOLLOW_UP:
        _decide_follow_up(item, user, summary, tasks or [])
    elif decision == Decision.BEYOND:
        _decide_beyond(item, user, summary, special_tier)
    else:
        warning = _decide_assigned(item, user, result, department, handler, due_on)
        item.department, item.due_on = department.strip()[:60], due_on
    now = timezone.now()
    item.summary, item.result, item.decision = summary, result, decision
    item.decided_by, item.decided_at = user, now
    item.save(update_fields=["summary", "result", "decision", "decided_by", "decided_at", "department", "due_on"])
    if meeting.held_at is None:
        meeting.held_at = now
        meeting.save(update_fields=["held_at"])
    audit_record(
        actor=user,
        action=AuditAction.AGENDA_DECIDE,
        obj=item,
        community=item.case.community,
        summary=f"{item.case.number} {item.get_decision_display()} {warning}".strip(),
        after={"decision": decision, "meeting": meeting.pk, "case": item.case.number},
    )
    item.warning = warning
    return item


@transaction.atomic
def joint_meeting_propose_agenda(*, meeting: Meeting, user: User, cases: list[Case] | None = None) -> list[AgendaItem]:
    """Put the street's escalated cases on a joint meeting's agenda: all proposed ones, or those chosen of them."""
    from .selectors import joint_agenda_proposals

    meeting = _locked_meeting(meeting)
    _require_open(meeting)
    require(meeting.kind == Meeting.Kind.JOINT, _("只有党政联席会按上级帮办清单自动提出议题。"))
    require_permission(permissions.can_manage(user, meeting), _("您不能管理该会议。"))
    proposals = joint_agenda_proposals(meeting=meeting)
    if cases is not None:
        wanted = {c.pk for c in cases}
        proposals = proposals.filter(pk__in=wanted)
        require(proposals.count() == len(wanted), _("所选诉求中有不在建议议题之内的。"))
    items = [_add_item(meeting, case, user) for case in proposals]
    if items:
        audit_record(
            actor=user,
            action=AuditAction.JOINT_MEETING_PROPOSE_AGENDA,
            obj=meeting,
            summary=_("%(n)d 件上级帮办诉求") % {"n": len(items)},
            after={"cases": [i.case.number for i in items]},
        )
    return items


@transaction.atomic
def followup_task_complete(*, task: FollowUpTask, user: User, note: str = "") -> FollowUpTask:
    """Mark a follow-up task done (its owner, or whoever manages the meeting)."""
    task = (
        FollowUpTask.objects.select_for_update(of=("self",))
        .select_related("item__meeting__community", "item__case")
        .get(pk=task.pk)
    )
    require(task.done_at is None, _("该跟进事项已完成。"))
    require_permission(
        task.owner_id == user.pk or permissions.can_manage(user, task.item.meeting),
        _("只有负责人或会议组织方可以确认。"),
    )
    task.done_at, task.done_by, task.done_note = timezone.now(), user, (note or "").strip()[:300]
    task.save(update_fields=["done_at", "done_by", "done_note"])
    audit_record(
        actor=user,
        action=AuditAction.FOLLOWUP_TASK_COMPLETE,
        obj=task,
        community=task.item.case.community,
        summary=task.title,
    )
    return task


# --- Photos ----------------------------------------------------------------------------------------


@transaction.atomic
def meeting_photo_add(*, meeting: Meeting, user: User, upload, caption: str = "") -> MeetingPhoto:
    meeting = _locked_meeting(meeting)
    _require_open(meeting)
    require_permission(permissions.can_manage(user, meeting), _("您不能管理该会议。"))
    image = image_save(image=image_clean(upload), field=MeetingPhoto._meta.get_field("image"))
    photo = MeetingPhoto.objects.create(
        meeting=meeting, image=image, caption=(caption or "").strip()[:100], uploaded_by=user
    )
    audit_record(actor=user, action=AuditAction.MEETING_PHOTO_ADD, obj=meeting, community=_audit_community(meeting))
    return photo


# --- Contests --------------------------------------------------------------------------------------


@transaction.atomic
def contest_score_record(
    *, meeting: Meeting, user: User, community: Community, judge: int, scores: dict[ContestCriterion, int]
) -> list[ContestScore]:
    """Record one resident judge's scores for one community in a contest round (a second entry corrects it)."""
    meeting = _locked_meeting(meeting)
    _require_open(meeting)
    require(meeting.kind == Meeting.Kind.CONTEST, _("只有擂台比武可以评分。"))
    require_permission(permissions.can_manage(user, meeting), _("您不能管理该会议。"))
    require(meeting.starts_at <= timezone.now(), _("擂台比武尚未开始。"))
    require(community.street_id == meeting.street_id, _("该村(居)不属于本街道。"))
    require(1 <= judge <= 999, _("评委编号须在1到999之间。"))
    require(bool(scores), _("请至少填写一项得分。"))
    saved, before = [], {}
    for criterion, score in scores.items():
        require(criterion.is_active, _("评分项“%(name)s”已停用。") % {"name": criterion.name})
        require(
            0 <= score <= criterion.max_score,
            _("“%(name)s”的得分须在0到%(max)d之间。") % {"name": criterion.name, "max": criterion.max_score},
        )
        existing = ContestScore.objects.filter(
            meeting=meeting, community=community, criterion=criterion, judge=judge
        ).first()
        if existing is not None:
            before[criterion.name] = existing.score
            existing.score, existing.recorded_by, existing.recorded_at = score, user, timezone.now()
            existing.save(update_fields=["score", "recorded_by", "recorded_at"])
            saved.append(existing)
        else:
            saved.append(
                ContestScore.objects.create(
                    meeting=meeting,
                    community=community,
                    criterion=criterion,
                    judge=judge,
                    score=score,
                    recorded_by=user,
                )
            )
    if meeting.held_at is None:
        meeting.held_at = timezone.now()
        meeting.save(update_fields=["held_at"])
    audit_record(
        actor=user,
        action=AuditAction.CONTEST_SCORE_RECORD,
        obj=meeting,
        community=community,
        summary=_("评委 %(judge)d 为 %(community)s 评分") % {"judge": judge, "community": community},
        before=before or None,
        after={c.name: s for c, s in scores.items()},
    )
    return saved
