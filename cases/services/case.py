"""Every write to a case: opening, each move of its life, and the colour sweep.

Each move checks the case's state and the user's right under a row lock, changes the case,
writes one CaseEvent, and queues its notifications after commit. A move the state refuses raises
``DomainError``, one the user's position does not allow ``NotAllowed`` (lucun.errors), with a message for the user.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import CharField, F, Model, Value
from django.db.models.functions import Cast, Coalesce, Concat, Left, Substr, TruncMinute
from django.db.models.sql import UpdateQuery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.cache import cache_add
from lucun.errors import DomainError, require, require_permission
from lucun.images import CleanImage, image_save, images_clean
from lucun.models import Community, Grid, Notification, User
from lucun.selectors import officials_by_community, officials_covering
from lucun.services import audit_record, notification_insert_select, notification_send, outbox_enqueue
from lucun.text import sql_format

from .. import clock, permissions
from ..audit import AuditAction
from ..models import (
    OPEN_STATES,
    RUNNING_STATES,
    Case,
    CaseCounter,
    CaseEvent,
    CaseList,
    CasePhoto,
    CaseState,
    Category,
    Colour,
    ConductKind,
    ConductViolation,
    ExtensionRequest,
    ReturnRequest,
    Tier,
)
from ..selectors.case import tier_default

Decision = ExtensionRequest.Decision
LIST_ORDER = [CaseList.SELF, CaseList.COMMUNITY, CaseList.STREET]


def _locked(case: Case) -> Case:
    """Reload the case under a row lock, so two moves on one case happen one after the other."""
    return Case.objects.select_for_update().select_related("tier", "community__street").get(pk=case.pk)


def _event(case: Case, kind: str, actor: User | None, note: str = "", before=None, after=None) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, kind=kind, actor=actor, note=note, before=before or {}, after=after or {}, at=timezone.now()
    )


def _notify(case: Case, recipients, title: str, body: str = "", level: str = Notification.Level.INFO) -> None:
    recipients = [r for r in recipients if r is not None]
    if recipients:
        notification_send(recipients=recipients, title=title, body=body, url=case.get_absolute_url(), level=level)


def _supervisors(case: Case):
    return officials_covering(community=case.community, roles=permissions.SUPERVISE_ROLES)


def _set_deadlines(case: Case, due_at: datetime, warn_at: datetime, now: datetime) -> list[str]:
    """Move the deadlines and recompute the stored colour from them; return the fields changed."""
    case.due_at, case.warn_at = due_at, warn_at
    case.deadline_version += 1
    colour = clock.colour_restarted(state=case.state, colour=case.colour, due_at=due_at, warn_at=warn_at, now=now)
    if colour != case.colour:
        case.colour = colour
        case.colour_changed_at = now
    _mark_red(case, now) if case.colour == Colour.RED else _clear_red(case)
    return ["due_at", "warn_at", "deadline_version", "colour", "colour_changed_at", *RED_FIELDS]


RED_FIELDS = ["red_since", "notice_at", "noticed_at"]


def _mark_red(case: Case, now: datetime) -> None:
    """Start (or keep) the red clock: the case goes on the notice list once it has been red long enough."""
    if case.red_since is None:
        case.red_since = now
        case.notice_at = clock.notice_at(now, case.notice_delay)


def _clear_red(case: Case) -> None:
    case.red_since = case.notice_at = case.noticed_at = None


def _next_number(community: Community, at: datetime) -> tuple[int, int, str]:
    year = timezone.localtime(at).year
    street = community.street
    CaseCounter.objects.get_or_create(street=street, year=year)
    counter = CaseCounter.objects.select_for_update().get(street=street, year=year)
    counter.last = F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    return year, counter.last, f"{street.code}-{year}-{counter.last:06d}"


@transaction.atomic
def case_open(
    *,
    community: Community,
    title: str,
    created_by: User,
    source: str,
    category: Category | None = None,
    description: str = "",
    source_object: Model | None = None,
    first_responder: User | None = None,
    grid: Grid | None = None,
    tier: Tier | None = None,
    case_list: str = CaseList.COMMUNITY,
    handler: User | None = None,
    handler_office: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    opened_at: datetime | None = None,
    photos: Iterable[CleanImage] = (),
) -> Case:
    """Register a case. The first responder (首问责任人) is whoever first received the person; it never changes.

    ``photos`` are clean photos (``lucun.images``), or uploads to clean: all are checked before anything is saved.
    """
    photos = list(photos)
    require(len(photos) <= MAX_CASE_PHOTOS, _("最多上传 %(n)d 张照片。") % {"n": MAX_CASE_PHOTOS})
    photos = images_clean(photos)
    require(bool(title and title.strip()), _("请填写诉求标题。"))
    require(grid is None or grid.community_id == community.pk, _("所选网格不属于该村(居)。"))
    require_permission(
        permissions.can_open(created_by, community) or created_by.is_superuser,
        _("您的职务不能在该村(居)登记诉求。"),
    )
    tier = tier or tier_default()
    require(tier is not None, _("尚未设定默认办理层级,请选择办理层级。"))
    category = category or Category.objects.active().order_by("sort_order").first()
    now = opened_at or timezone.now()
    year, serial, number = _next_number(community, now)
    due_at, warn_at = clock.deadlines(tier, now)
    case = Case(
        street_id=community.street_id,
        year=year,
        serial=serial,
        number=number,
        source=source,
        community=community,
        grid=grid,
        category=category,
        title=title.strip()[:100],
        description=description.strip(),
        contact_name=contact_name,
        contact_phone=contact_phone,
        tier=tier,
        case_list=case_list,
        first_responder=first_responder or created_by,
        handler=handler,
        handler_office=handler_office,
        opened_at=now,
        due_at=due_at,
        warn_at=warn_at,
        notice_delay=tier.notice_after_red,
        created_by=created_by,
    )
    if source_object is not None:
        case.source_object = source_object
    case.colour = clock.colour_by_dates(due_at=due_at, warn_at=warn_at, now=timezone.now())
    if case.colour == Colour.RED:
        _mark_red(case, timezone.now())
    case.full_clean(exclude=["street", "number", "source_type", "source_id", "first_responder", "created_by"])
    case.save()
    _event(
        case,
        CaseEvent.Kind.OPENED,
        created_by,
        after={"tier": tier.name, "list": case.get_case_list_display(), "due_at": due_at.isoformat()},
    )
    case_photos_save(case=case, user=created_by, photos=photos)
    if handler and handler != created_by:
        _notify(case, [handler], _("新诉求待签收:%(number)s %(title)s") % {"number": number, "title": case.title})
    return case


MAX_CASE_PHOTOS = 6


def case_photos_save(*, case: Case, user: User | None, photos: Iterable[CleanImage]) -> list[CasePhoto]:
    """Store clean photos under random names; the rows go with the caller's transaction."""
    field = CasePhoto._meta.get_field("image")
    rows = [CasePhoto(case=case, image=image_save(image=photo, field=field), uploaded_by=user) for photo in photos]
    return CasePhoto.objects.bulk_create(rows)


@transaction.atomic
def case_accept(*, case: Case, user: User) -> Case:
    """签收: the handler (or, while nobody handles it, an official in scope who takes it) accepts the case."""
    case = _locked(case)
    require(case.state == CaseState.REGISTERED, _("只有已登记的诉求可以签收。"))
    require_permission(permissions.can_handle(user, case), _("您不是该诉求的承办人,不能签收。"))
    now = timezone.now()
    case.state = CaseState.ACCEPTED
    case.accepted_at = now
    case.handler = case.handler or user
    case.save(update_fields=["state", "accepted_at", "handler"])
    _event(case, CaseEvent.Kind.ACCEPTED, user)
    return case


@transaction.atomic
def case_record_progress(*, case: Case, user: User, note: str, contacted: bool = False) -> Case:
    """Record progress; ``contacted`` says the person was reached (counts for the response rate)."""
    case = _locked(case)
    require(case.state in RUNNING_STATES, _("该诉求当前状态不能记录进展。"))
    require_permission(permissions.can_handle(user, case), _("只有承办人可以记录办理进展。"))
    require(bool(note and note.strip()), _("请填写办理进展。"))
    fields = []
    if case.state != CaseState.IN_PROGRESS:
        case.state = CaseState.IN_PROGRESS
        fields.append("state")
    if case.handler_id is None:
        case.handler = user
        fields.append("handler")
    if case.accepted_at is None:
        case.accepted_at = timezone.now()
        fields.append("accepted_at")
    if contacted and case.first_contact_at is None:
        case.first_contact_at = timezone.now()
        fields.append("first_contact_at")
    if fields:
        case.save(update_fields=fields)
    _event(case, CaseEvent.Kind.PROGRESS, user, note=note.strip(), after={"contacted": contacted})
    return case


@transaction.atomic
def case_assign(*, case: Case, user: User, handler: User, handler_office: str = "") -> Case:
    """Name the responsible person (and office) for an open case."""
    case = _locked(case)
    require(case.is_open, _("已办结或已撤销的诉求不能再指派。"))
    require_permission(permissions.can_dispatch(user, case), _("您的职务不能指派该诉求。"))
    require(handler.is_active, _("该承办人账号已停用。"))
    before = {"handler": str(case.handler or ""), "office": case.handler_office}
    case.handler = handler
    case.handler_office = handler_office or case.handler_office
    if case.state == CaseState.ACCEPTED:
        case.state = CaseState.REGISTERED  # the new handler must sign for it
        case.accepted_at = None
    case.save(update_fields=["handler", "handler_office", "state", "accepted_at"])
    _event(
        case,
        CaseEvent.Kind.ASSIGNED,
        user,
        before=before,
        after={"handler": str(handler), "office": case.handler_office},
    )
    _notify(
        case, [handler], _("您有新的诉求待签收:%(number)s %(title)s") % {"number": case.number, "title": case.title}
    )
    return case


@transaction.atomic
def case_resolve(
    *, case: Case, user: User, resolution: str, public_reply: str = "", case_list: str | None = None
) -> Case:
    """办结: record the result and the public reply; the clock and the colour stop here."""
    case = _locked(case)
    require(case.state in RUNNING_STATES, _("该诉求当前状态不能办结(暂停中的诉求请先恢复计时)。"))
    require_permission(
        permissions.can_handle(user, case) or permissions.can_dispatch(user, case), _("您不能办结该诉求。")
    )
    require(bool(resolution and resolution.strip()), _("请填写办理结果。"))
    now = timezone.now()
    before = {"state": case.state, "list": case.case_list}
    # The colour stops where it stands: the live one, as the sweep would have stored it by now.
    case.colour = clock.colour_at(
        state=case.state, colour=case.colour, due_at=case.due_at, warn_at=case.warn_at, now=now
    )
    case.state = CaseState.RESOLVED
    case.resolved_at = now
    case.resolution = resolution.strip()
    case.public_reply = (public_reply or "").strip()
    case.handler = case.handler or user
    if case_list:
        require(case_list in CaseList.values, _("清单类型无效。"))
        case.case_list = case_list
    case.save(update_fields=["state", "resolved_at", "resolution", "public_reply", "handler", "case_list", "colour"])
    _event(
        case,
        CaseEvent.Kind.RESOLVED,
        user,
        note=case.resolution,
        before=before,
        after={
            "state": case.state,
            "list": case.case_list,
            "on_time": clock.on_time(resolved_at=now, due_at=case.due_at),
        },
    )
    if case.first_responder_id != user.pk:
        _notify(case, [case.first_responder], _("诉求已办结:%(number)s") % {"number": case.number})
    return case


@transaction.atomic
def case_close(*, case: Case, user: User | None = None, note: str = "") -> Case:
    """归档 a resolved case (after the callback, or by the automatic close)."""
    case = _locked(case)
    require(case.state == CaseState.RESOLVED, _("只有已办结的诉求可以归档。"))
    require_permission(user is None or permissions.can_dispatch(user, case), _("您不能归档该诉求。"))
    case.state = CaseState.CLOSED
    case.closed_at = timezone.now()
    case.save(update_fields=["state", "closed_at"])
    _event(case, CaseEvent.Kind.CLOSED, user, note=note or (_("办结后无回访,自动归档") if user is None else ""))
    return case


def cases_auto_close(*, after: timedelta = timedelta(days=7), now: datetime | None = None, limit: int = 1000) -> int:
    """Close the cases resolved more than ``after`` ago that nobody closed; return how many."""
    now = now or timezone.now()
    ids = list(
        Case.objects.filter(state=CaseState.RESOLVED, resolved_at__lte=now - after).values_list("pk", flat=True)[:limit]
    )
    closed = 0
    for pk in ids:
        try:
            case_close(case=Case(pk=pk))
            closed += 1
        except DomainError:
            continue  # closed or reopened meanwhile
    return closed


@transaction.atomic
def case_request_extension(*, case: Case, user: User, extra_time: timedelta, reason: str) -> ExtensionRequest:
    """申请延期: at most one approved extension per case; a supervisor decides."""
    case = _locked(case)
    require(case.state in OPEN_STATES, _("该诉求已办结或已撤销,不能申请延期。"))
    require_permission(permissions.can_handle(user, case), _("只有承办人可以申请延期。"))
    require(not case.extended, _("该诉求已延期过一次,不能再次延期。"))
    require(not case.extension_requests.filter(decision=Decision.PENDING).exists(), _("已有待审批的延期申请。"))
    require(timedelta(0) < extra_time <= case.tier.time_limit, _("延期时间须大于零且不超过本层级的办理时限。"))
    require(bool(reason and reason.strip()), _("请填写延期理由。"))
    request = ExtensionRequest.objects.create(
        case=case, requested_by=user, extra_time=extra_time, reason=reason.strip()
    )
    _event(
        case, CaseEvent.Kind.EXTENSION_REQUESTED, user, note=reason.strip(), after={"extra_hours": _hours(extra_time)}
    )
    _notify(
        case,
        _supervisors(case),
        _("延期申请待审批:%(number)s") % {"number": case.number},
        body=reason.strip(),
        level=Notification.Level.WARNING,
    )
    return request


def _hours(delta: timedelta) -> float:
    return round(delta.total_seconds() / 3600, 1)


@transaction.atomic
def case_decide_extension(*, request: ExtensionRequest, user: User, approve: bool, note: str = "") -> ExtensionRequest:
    """Approve (the deadline moves out, the case is marked extended) or refuse an extension request."""
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    case = _locked(request.case)
    require(request.decision == Decision.PENDING, _("该延期申请已审批。"))
    require_permission(permissions.can_supervise(user, case), _("只有督办人员或街道班子成员可以审批延期。"))
    now = timezone.now()
    request.decision = Decision.APPROVED if approve else Decision.REFUSED
    request.decided_by, request.decided_at, request.decision_note = user, now, note.strip()
    request.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    if approve:
        before = {"due_at": case.due_at.isoformat(), "colour": case.colour}
        fields = _set_deadlines(case, case.due_at + request.extra_time, case.warn_at + request.extra_time, now)
        case.extended = True
        case.save(update_fields=[*fields, "extended"])
        _event(
            case,
            CaseEvent.Kind.EXTENSION_APPROVED,
            user,
            note=note,
            before=before,
            after={"due_at": case.due_at.isoformat(), "colour": case.colour},
        )
    else:
        _event(case, CaseEvent.Kind.EXTENSION_REFUSED, user, note=note)
    _notify(
        case,
        [request.requested_by],
        (_("延期申请已批准:%(number)s") if approve else _("延期申请被驳回:%(number)s")) % {"number": case.number},
        body=note,
    )
    return request


@transaction.atomic
def case_request_return(*, case: Case, user: User, reason: str) -> ReturnRequest:
    """申请退回: the handler says the case is not theirs; approval keeps cases from bouncing between offices."""
    case = _locked(case)
    require(case.state in RUNNING_STATES, _("该诉求当前状态不能申请退回。"))
    require_permission(case.handler_id == user.pk, _("只有承办人可以申请退回。"))
    require(bool(reason and reason.strip()), _("请填写退回理由。"))
    require(not case.return_requests.filter(decision=Decision.PENDING).exists(), _("已有待审批的退回申请。"))
    request = ReturnRequest.objects.create(case=case, requested_by=user, reason=reason.strip())
    _event(case, CaseEvent.Kind.RETURN_REQUESTED, user, note=reason.strip())
    _notify(case, _supervisors(case), _("退回申请待审批:%(number)s") % {"number": case.number}, body=reason.strip())
    return request


@transaction.atomic
def case_decide_return(*, request: ReturnRequest, user: User, approve: bool, note: str = "") -> ReturnRequest:
    """Approve (the case goes back to registered with no handler, to be dispatched again) or refuse a return."""
    request = ReturnRequest.objects.select_for_update().get(pk=request.pk)
    case = _locked(request.case)
    require(request.decision == Decision.PENDING, _("该退回申请已审批。"))
    require_permission(permissions.can_supervise(user, case), _("只有督办人员或街道班子成员可以审批退回。"))
    request.decision = Decision.APPROVED if approve else Decision.REFUSED
    request.decided_by, request.decided_at, request.decision_note = user, timezone.now(), note.strip()
    request.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    if approve:
        before = {"handler": str(case.handler or ""), "office": case.handler_office}
        case.handler, case.handler_office = None, ""
        case.state, case.accepted_at = CaseState.REGISTERED, None
        case.save(update_fields=["handler", "handler_office", "state", "accepted_at"])
        _event(case, CaseEvent.Kind.RETURN_APPROVED, user, note=note, before=before)
        _notify(case, [case.first_responder], _("诉求已退回,请重新指派:%(number)s") % {"number": case.number})
    else:
        _event(case, CaseEvent.Kind.RETURN_REFUSED, user, note=note)
    _notify(
        case,
        [request.requested_by],
        (_("退回申请已批准:%(number)s") if approve else _("退回申请被驳回,请继续办理:%(number)s"))
        % {"number": case.number},
        body=note,
    )
    return request


@transaction.atomic
def case_escalate(
    *, case: Case, user: User, reason: str, tier: Tier | None = None, case_list: str | None = None
) -> Case:
    """升级: to a higher tier (the deadlines are recomputed from registration) and/or up the lists."""
    case = _locked(case)
    require(case.is_open, _("已办结或已撤销的诉求不能升级。"))
    require_permission(permissions.can_dispatch(user, case), _("您的职务不能升级该诉求。"))
    require(bool(reason and reason.strip()), _("请填写升级理由。"))
    require(tier is not None or case_list is not None, _("请选择升级后的层级或清单。"))
    before = {"tier": case.tier.name, "list": case.case_list, "due_at": case.due_at.isoformat()}
    fields: list[str] = []
    if tier is not None and tier.pk != case.tier_id:
        require(tier.rank > case.tier.rank, _("只能升级到更高的办理层级。"))
        now = timezone.now()
        due_at, warn_at = clock.deadlines(tier, case.opened_at + case.paused_total)
        if case.extended:
            approved = case.extension_requests.filter(decision=Decision.APPROVED).first()
            if approved:
                due_at, warn_at = due_at + approved.extra_time, warn_at + approved.extra_time
        case.tier = tier
        case.notice_delay = tier.notice_after_red
        fields += ["tier", "notice_delay", *_set_deadlines(case, due_at, warn_at, now)]
    if case_list is not None and case_list != case.case_list:
        require(case_list in CaseList.values, _("清单类型无效。"))
        require(LIST_ORDER.index(case_list) > LIST_ORDER.index(case.case_list), _("只能提交到上一级清单。"))
        case.case_list = case_list
        fields.append("case_list")
    require(bool(fields), _("升级后的层级或清单与当前相同。"))
    case.save(update_fields=fields)
    _event(
        case,
        CaseEvent.Kind.ESCALATED,
        user,
        note=reason.strip(),
        before=before,
        after={"tier": case.tier.name, "list": case.case_list, "due_at": case.due_at.isoformat()},
    )
    _notify(case, [case.handler, case.first_responder], _("诉求已升级:%(number)s") % {"number": case.number})
    return case


@transaction.atomic
def case_pause(*, case: Case, user: User, reason: str) -> Case:
    """暂停计时 while waiting on residents: the clock stops and the colour holds."""
    case = _locked(case)
    require(case.state in RUNNING_STATES, _("该诉求当前状态不能暂停计时。"))
    require_permission(
        permissions.can_handle(user, case) or permissions.can_dispatch(user, case), _("您不能暂停该诉求。")
    )
    require(bool(reason and reason.strip()), _("请填写暂停原因(例如等待群众提供材料)。"))
    case.state_before_pause, case.state = case.state, CaseState.PAUSED
    case.paused_at = timezone.now()
    case.save(update_fields=["state_before_pause", "state", "paused_at"])
    _event(case, CaseEvent.Kind.PAUSED, user, note=reason.strip())
    return case


@transaction.atomic
def case_resume(*, case: Case, user: User, note: str = "") -> Case:
    """恢复计时: the deadlines move out by the paused time."""
    case = _locked(case)
    require(case.state == CaseState.PAUSED, _("该诉求没有暂停。"))
    require_permission(
        permissions.can_handle(user, case) or permissions.can_dispatch(user, case), _("您不能恢复该诉求。")
    )
    now = timezone.now()
    paused_for = now - case.paused_at
    case.state = case.state_before_pause or CaseState.IN_PROGRESS
    case.state_before_pause = ""
    case.paused_total += paused_for
    case.paused_at = None
    fields = _set_deadlines(case, case.due_at + paused_for, case.warn_at + paused_for, now)
    case.save(update_fields=["state", "state_before_pause", "paused_total", "paused_at", *fields])
    _event(case, CaseEvent.Kind.RESUMED, user, note=note, after={"paused_hours": _hours(paused_for)})
    return case


@transaction.atomic
def case_reopen(*, case: Case, user: User | None, reason: str) -> Case:
    """发回重办 when the person says it was not solved: a new full time limit; the second time it turns red."""
    case = _locked(case)
    require(case.state in (CaseState.RESOLVED, CaseState.CLOSED), _("只有已办结的诉求可以发回重办。"))
    require_permission(user is None or permissions.can_dispatch(user, case), _("您不能发回重办该诉求。"))
    require(bool(reason and reason.strip()), _("请填写发回重办的原因。"))
    now = timezone.now()
    case.state = CaseState.IN_PROGRESS
    case.reopen_count += 1
    case.resolved_at = case.closed_at = None
    fields = _set_deadlines(case, *clock.deadlines(case.tier, now), now)
    if clock.turns_red_on_reopen(case.reopen_count):
        case.colour, case.colour_changed_at = Colour.RED, now
        _mark_red(case, now)
    case.save(update_fields=["state", "reopen_count", "resolved_at", "closed_at", *fields])
    _event(case, CaseEvent.Kind.REOPENED, user, note=reason.strip(), after={"times": case.reopen_count})
    _notify(
        case,
        [case.handler, case.first_responder],
        _("诉求被发回重办:%(number)s") % {"number": case.number},
        body=reason.strip(),
        level=Notification.Level.URGENT if case.colour == Colour.RED else Notification.Level.WARNING,
    )
    return case


@transaction.atomic
def case_cancel(*, case: Case, user: User, reason: str) -> Case:
    """撤销 with a reason; the case is kept, never deleted."""
    case = _locked(case)
    require(case.is_open, _("已办结或已撤销的诉求不能撤销。"))
    require_permission(permissions.can_dispatch(user, case), _("您的职务不能撤销该诉求。"))
    require(bool(reason and reason.strip()), _("请填写撤销原因。"))
    before = {"state": case.state}
    case.state = CaseState.CANCELLED
    case.cancel_reason = reason.strip()[:300]
    case.save(update_fields=["state", "cancel_reason"])
    _event(case, CaseEvent.Kind.CANCELLED, user, note=case.cancel_reason, before=before)
    return case


@transaction.atomic
def case_supervise(*, case: Case, user: User, note: str) -> Case:
    """Issue a supervision notice (督办单) by hand to the handler and the first responder."""
    case = _locked(case)
    require(case.is_open, _("只能督办未办结的诉求。"))
    require_permission(permissions.can_supervise(user, case), _("只有督办人员或街道班子成员可以督办。"))
    require(bool(note and note.strip()), _("请填写督办意见。"))
    _event(case, CaseEvent.Kind.SUPERVISED, user, note=note.strip())
    _notify(
        case,
        [case.handler, case.first_responder],
        _("督办单:%(number)s %(title)s") % {"number": case.number, "title": case.title},
        body=note.strip(),
        level=Notification.Level.URGENT,
    )
    return case


@transaction.atomic
def case_note_add(*, case: Case, user: User, note: str) -> CaseEvent:
    """备注: put a note on the case's timeline (e.g. follow-up tasks a meeting agreed), without moving it."""
    case = _locked(case)
    require_permission(
        permissions.can_handle(user, case)
        or permissions.can_dispatch(user, case)
        or permissions.can_supervise(user, case),
        _("您不能在该诉求上添加备注。"),
    )
    require(bool(note and note.strip()), _("请填写备注内容。"))
    return _event(case, CaseEvent.Kind.NOTE, user, note=note.strip())


@transaction.atomic
def case_set_deadline(*, case: Case, user: User, due_at: datetime, reason: str) -> Case:
    """调整办理期限 by a decision above the handler (a joint meeting): supervisors and street leaders only.

    The yellow threshold keeps its distance from the deadline; the colour follows the new dates.
    """
    case = _locked(case)
    require(case.is_open, _("已办结或已撤销的诉求不能调整期限。"))
    require_permission(permissions.can_supervise(user, case), _("只有督办人员或街道班子成员可以调整办理期限。"))
    require(bool(reason and reason.strip()), _("请填写调整期限的依据。"))
    now = timezone.now()
    require(due_at > now, _("新的办理期限必须晚于现在。"))
    before = {"due_at": case.due_at.isoformat(), "colour": case.colour}
    fields = _set_deadlines(case, due_at, clock.warn_at_for(case.tier, due_at), now)
    case.save(update_fields=fields)
    _event(
        case,
        CaseEvent.Kind.DEADLINE_SET,
        user,
        note=reason.strip(),
        before=before,
        after={"due_at": case.due_at.isoformat(), "colour": case.colour},
    )
    _notify(case, [case.handler, case.first_responder], _("办理期限已调整:%(number)s") % {"number": case.number})
    return case


@transaction.atomic
def conduct_violation_record(
    *,
    user: User,
    official: User,
    kind: ConductKind,
    community: Community,
    occurred_on: date,
    note: str,
    case: Case | None = None,
) -> ConductViolation:
    """Record a violation of the negative list (负面清单); it goes on the notice list (发现一起通报一起)."""
    from lucun.scoping import has_role

    require_permission(
        has_role(user, permissions.SUPERVISE_ROLES, community), _("只有督办人员或街道班子成员可以记录作风问题。")
    )
    require(case is None or case.community_id == community.pk, _("相关诉求不属于该村(居)。"))
    require(occurred_on <= timezone.localdate(), _("发生日期不能晚于今天。"))
    require(bool(note and note.strip()), _("请填写情况说明。"))
    violation = ConductViolation.objects.create(
        official=official,
        kind=kind,
        community=community,
        case=case,
        occurred_on=occurred_on,
        note=note.strip(),
        recorded_by=user,
    )
    audit_record(
        actor=user,
        action=AuditAction.CONDUCT_VIOLATION_RECORD,
        obj=violation,
        community=community,
        summary=f"{official} · {kind}",
    )
    return violation


# --- The colour sweep ------------------------------------------------------------------------------


@dataclass
class SweepResult:
    yellow: int = 0
    red: int = 0
    noticed: int = 0


def _update_sql(queryset, values: dict) -> tuple[str, tuple]:
    """Compile ``queryset.update(**values)`` to SQL, so the UPDATE can return the rows it moved."""
    query = queryset.query.chain(UpdateQuery)
    query.add_update_values(values)
    return query.get_compiler(queryset.db).as_sql()


def _transition(queryset, values: dict, kind: str, now: datetime) -> int:
    """Move the matching rows in one UPDATE and record one event per moved row; return the events recorded.

    A concurrent sweep blocks on the same rows and, re-reading them, no longer matches, so each row
    moves once; the events' unique (case, kind, deadline version) makes a second record impossible even so.
    On PostgreSQL the UPDATE and the INSERT are one statement; elsewhere the UPDATE returns the rows.
    """
    update_sql, update_params = _update_sql(queryset, values)
    qn = connection.ops.quote_name
    table = qn(CaseEvent._meta.db_table)
    columns = ", ".join(qn(c) for c in ("case_id", "kind", "at", "note", "before", "after", "deadline_version"))
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH moved AS ({update_sql} RETURNING {qn('id')}, {qn('deadline_version')}) "  # noqa: S608
                f"INSERT INTO {table} ({columns}) "
                f"SELECT {qn('id')}, %s, %s, '', '{{}}', '{{}}', {qn('deadline_version')} FROM moved "
                "ON CONFLICT DO NOTHING",
                [*update_params, kind, at],
            )
            recorded = cursor.rowcount
        else:
            cursor.execute(f"{update_sql} RETURNING {qn('id')}, {qn('deadline_version')}", update_params)
            moved = cursor.fetchall()
            if moved:
                cursor.executemany(
                    f"INSERT OR IGNORE INTO {table} ({columns}) VALUES (%s, %s, %s, '', '{{}}', '{{}}', %s)",  # noqa: S608
                    [(pk, kind, at, version) for pk, version in moved],
                )
            recorded = len(moved)
    if recorded:
        outbox_enqueue(task_name="cases.tasks.case_events_notify", kind=kind, at=now.isoformat())
    return recorded


@transaction.atomic
def case_colours_sweep(*, now: datetime | None = None) -> SweepResult:
    """Move stored colours forward for open cases: green → yellow at warn_at, → red at due_at, then 通报.

    Three statements whatever the number of cases (three more when something changed); rows that do
    not change are not touched, and each is found through a partial index.
    """
    now = now or timezone.now()
    result = SweepResult()
    result.red = _transition(
        Case.objects.filter(clock.q_turns_red(now)),
        {
            "colour": Colour.RED,
            "colour_changed_at": now,
            "red_since": now,
            "notice_at": clock.notice_at_expression(now),
        },
        CaseEvent.Kind.TURNED_RED,
        now,
    )
    result.yellow = _transition(
        Case.objects.filter(clock.q_turns_yellow(now)),
        {"colour": Colour.YELLOW, "colour_changed_at": now},
        CaseEvent.Kind.TURNED_YELLOW,
        now,
    )
    result.noticed = _transition(
        Case.objects.filter(clock.q_notice_due(now)),
        {"noticed_at": now},
        CaseEvent.Kind.NOTICED,
        now,
    )
    return result


def case_events_notify(*, kind: str, at: str) -> int:
    """Send the notifications for the events one sweep recorded: each recipient once per event.

    One INSERT … SELECT whatever the number of events (a sweep at a county's scale can move ten
    thousand cases), so no case or notice is ever loaded into Python; returns the notices created.
    """
    events = CaseEvent.objects.filter(kind=kind, at=datetime.fromisoformat(at))
    Kind = CaseEvent.Kind
    if kind == Kind.TURNED_YELLOW:
        template, level = _("即将到期提醒:%(number)s %(title)s"), Notification.Level.WARNING
        personal = [Coalesce("case__handler", "case__first_responder")]
    elif kind == Kind.TURNED_RED:
        template, level = _("督办单(超期):%(number)s %(title)s"), Notification.Level.URGENT
        personal = [F("case__handler"), F("case__first_responder")]
    else:
        template, level = _("列入通报:%(number)s 红色超期未办结"), Notification.Level.URGENT
        personal = []
    supervisors: list[tuple[int, int]] = []
    if kind != Kind.TURNED_YELLOW:
        community_ids = list(events.order_by().values_list("case__community_id", flat=True).distinct())
        by_community = officials_by_community(community_ids=community_ids, roles=permissions.SUPERVISE_ROLES)
        supervisors = [(c, u) for c, users in by_community.items() for u in users]
    if not personal and not supervisors:
        return 0

    marker = "0-0-0"
    url_head, url_tail = reverse("cases:case_detail", kwargs={"number": marker}).split(marker)
    rows = events.order_by().annotate(
        event_id=F("pk"),
        event_community=F("case__community_id"),
        notice_title=Left(sql_format(template, number=F("case__number"), title=F("case__title")), 200),
        notice_body=sql_format(
            _("办理期限:%(due)s"), due=Substr(Cast(TruncMinute("case__due_at"), CharField()), 1, 16)
        ),
        notice_url=Concat(Value(url_head), F("case__number"), Value(url_tail)),
        notice_key=Concat(Value("case-event:"), Cast("pk", CharField())),
        **{f"person_{i}": expression for i, expression in enumerate(personal)},
    )
    columns = ["event_id", "event_community", "notice_title", "notice_body", "notice_url", "notice_key"]
    columns += [f"person_{i}" for i in range(len(personal))]
    events_sql, events_params = rows.values(*columns).query.sql_with_params()

    # Only the compiled queryset and fixed names go into the text; every value is a parameter. Each
    # branch carries the notice's text itself: joining back to the events would be a join between two
    # CTE scans, which PostgreSQL (knowing nothing of their size) runs as a nested loop.
    notice = "ev.notice_title, ev.notice_body, ev.notice_url, ev.notice_key"
    branches = [f"SELECT ev.person_{i}, {notice} FROM ev" for i in range(len(personal))]  # noqa: S608
    ctes = [f"ev AS ({events_sql})"]
    if supervisors:
        ctes.append(f"sup(community_id, user_id) AS (VALUES {', '.join(['(%s, %s)'] * len(supervisors))})")
        branches.append(f"SELECT sup.user_id, {notice} FROM ev JOIN sup ON sup.community_id = ev.event_community")  # noqa: S608
    ctes.append(f"recipients(recipient_id, title, body, url, dedupe_key) AS ({' UNION '.join(branches)})")
    select_sql = (
        f"WITH {', '.join(ctes)} "  # noqa: S608
        "SELECT recipient_id, %s, title, body, url, dedupe_key, %s FROM recipients WHERE recipient_id IS NOT NULL"
    )
    params = [
        *events_params,
        *(value for pair in supervisors for value in pair),
        level,
        connection.ops.adapt_datetimefield_value(timezone.now()),
    ]
    return len(notification_insert_select(select_sql=select_sql, params=params))


# --- The dashboard's stored figures ------------------------------------------------------------------


def dashboard_refresh_request(*, user: User, key: str, query: str) -> bool:
    """Ask a worker to recompute a stale stored copy of the dashboard's figures on resolved cases.

    One request per copy every few minutes, however many screens show it; ``query`` is the page's
    filter string, which the worker reads with the same form. Returns whether a refresh was queued.
    """
    from ..selectors.case import refresh_flag

    if not cache_add(refresh_flag(key), 1, timeout=300):
        return False
    outbox_enqueue(task_name="cases.tasks.dashboard_resolved_refresh", user_id=user.pk, query=query)
    return True
