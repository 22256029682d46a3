"""Decisions on agenda items, written back to their cases, and the follow-up tasks they set.

A decision changes its case only through the cases app's services, in the same transaction as the item: either
both are saved or neither is.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import services as case_services
from cases.models import OPEN_STATES, CaseList, Tier
from lucun.errors import require, require_permission
from lucun.models import User
from lucun.services import audit_record, notification_send

from .. import permissions
from ..audit import AuditAction
from ..models import DECISIONS_FOR, AgendaItem, Decision, FollowUpTask, Meeting
from .base import _locked_meeting, _require_open


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
