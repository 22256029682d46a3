"""Scheduling and running meetings: the meeting itself, its parties, the steps of the procedure, minutes and photos."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import require, require_permission
from lucun.images import image_clean, image_save
from lucun.models import Community, Street, User
from lucun.services import audit_record

from .. import permissions
from ..audit import AuditAction
from ..models import Meeting, MeetingPhoto, MeetingStep, ParticipantRole, Participation, ProcedureStep, Venue
from .base import _audit_community, _locked_meeting, _require_open


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
    require(step.pk not in done, _("“%(step)s”已经完成。") % {"step": step.display_name})
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
