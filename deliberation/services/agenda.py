"""The agenda: open cases put on it, problems raised at the meeting registered as cases, the joint meeting's
proposed cases."""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from cases import services as case_services
from cases.models import OPEN_STATES, Case, CaseList, Category, Tier
from lucun.errors import DomainError, require, require_permission
from lucun.models import Community, User
from lucun.scoping import communities_for
from lucun.services import audit_record

from .. import permissions
from ..audit import AuditAction
from ..models import AgendaItem, Meeting
from .base import _locked_meeting, _require_open


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


@transaction.atomic
def joint_meeting_propose_agenda(*, meeting: Meeting, user: User, cases: list[Case] | None = None) -> list[AgendaItem]:
    """Put the street's escalated cases on a joint meeting's agenda: all proposed ones, or those chosen of them."""
    from ..selectors import joint_agenda_proposals

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
