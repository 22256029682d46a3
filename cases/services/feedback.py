"""Every write of anonymous feedback: channels, submission, triage into cases, redaction, the satisfaction answer.

A submission stores nothing that identifies the sender (no address, no user agent, no exact time) and
writes no audit row or notification that would carry an exact time. Every staff decision is audited.
"""

import logging
import re
from collections.abc import Iterable
from contextlib import nullcontext
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import DomainError, require, require_permission
from lucun.images import CleanImage, image_delete, image_save, images_clean
from lucun.models import Community, Grid, Street, User, phone_validator
from lucun.scoping import STREET_LEVEL_ROLES, has_role, user_positions
from lucun.services import audit_record, notification_bulk_send

from .. import permissions
from ..audit import AuditAction
from ..models import (
    Case,
    CaseEvent,
    CaseList,
    CasePhoto,
    CaseState,
    Category,
    Feedback,
    FeedbackChannel,
    FeedbackPhoto,
    Tier,
    new_channel_token,
    new_lookup_code,
    to_hour,
)
from .case import case_open, case_reopen

logger = logging.getLogger(__name__)

State = Feedback.State
Kind = FeedbackChannel.Kind
# Officials who triage the intake queue and manage channels: the same who dispatch cases.
TRIAGE_ROLES = permissions.DISPATCH_ROLES


def can_triage(user: User, community: Community) -> bool:
    return has_role(user, TRIAGE_ROLES, community)


def _can_manage_channel(user: User, street: Street, community: Community | None) -> bool:
    """Community channels: the community's dispatchers; the street-wide code: street-level officials."""
    if community is not None:
        return has_role(user, TRIAGE_ROLES, community)
    if user.is_superuser:
        return True
    return any(
        p.role in STREET_LEVEL_ROLES and (p.street_id == street.pk or (p.county_id and p.county_id == street.county_id))
        for p in user_positions(user)
    )


# --- Channels --------------------------------------------------------------------------------------


@transaction.atomic
def feedback_channel_create(
    *,
    kind: str,
    label: str,
    community: Community | None = None,
    street: Street | None = None,
    created_by: User | None = None,
) -> FeedbackChannel:
    """Create a channel with a fresh random token: a card batch, a poster, a meeting notice, the street code.

    A channel names a batch or a place, never a household. ``community`` is required except for the
    street-wide code (then ``street``). ``created_by`` None means the system (demo, migrations).
    """
    require(kind in Kind.values, _("渠道类型无效。"))
    # An Open311 channel comes with its key (cases.services.open311), issued in the admin.
    require(kind != Kind.OPEN311, _("Open311 接口渠道随 API 密钥在管理后台签发,不能在这里创建。"))
    label = (label or "").strip()
    require(bool(label), _("请填写渠道名称。"))
    require(len(label) <= 100, _("渠道名称不能超过100个字。"))
    if kind == Kind.STREET:
        require(community is None and street is not None, _("街道总码属于街道,不属于某个村(居)。"))
        require(
            not FeedbackChannel.objects.filter(street=street, kind=Kind.STREET, is_active=True).exists(),
            _("该街道已有启用的街道总码;如需更换,请先停用旧的。"),
        )
    else:
        require(community is not None, _("请选择村(居)。"))
        require(street is None or community.street_id == street.pk, _("所选村(居)不属于该街道。"))
        street = community.street
    require_permission(
        created_by is None or _can_manage_channel(created_by, street, community),
        _("您的职务不能为该村(居)创建反馈渠道。"),
    )
    for _attempt in range(5):
        try:
            with transaction.atomic():
                channel = FeedbackChannel.objects.create(
                    token=new_channel_token(),
                    kind=kind,
                    street=street,
                    community=community,
                    label=label,
                    created_by=created_by,
                )
            break
        except IntegrityError:
            # A token collision is astronomically unlikely; the street-code race is not.
            if (
                kind == Kind.STREET
                and FeedbackChannel.objects.filter(street=street, kind=kind, is_active=True).exists()
            ):
                raise DomainError(_("该街道已有启用的街道总码。")) from None
    else:  # pragma: no cover
        raise DomainError(_("生成二维码令牌失败,请重试。"))
    audit_record(
        actor=created_by,
        action=AuditAction.CHANNEL_CREATE,
        obj=channel,
        community=community,
        summary=f"{channel.get_kind_display()} · {label}",
    )
    return channel


@transaction.atomic
def feedback_channel_deactivate(*, channel: FeedbackChannel, user: User | None, reason: str) -> FeedbackChannel:
    """Stop a channel (cards lost or superseded); its code then says so and offers the street-wide form."""
    channel = (
        FeedbackChannel.objects.select_for_update(of=("self",)).select_related("street", "community").get(pk=channel.pk)
    )
    require(channel.is_active, _("该渠道已停用。"))
    require(bool(reason and reason.strip()), _("请填写停用原因(如:联系卡遗失、已换新批次)。"))
    require_permission(
        user is None or _can_manage_channel(user, channel.street, channel.community),
        _("您的职务不能停用该渠道。"),
    )
    channel.is_active = False
    channel.deactivated_at = timezone.now()
    channel.deactivated_reason = reason.strip()[:200]
    channel.save(update_fields=["is_active", "deactivated_at", "deactivated_reason"])
    audit_record(
        actor=user,
        action=AuditAction.CHANNEL_DEACTIVATE,
        obj=channel,
        community=channel.community,
        summary=channel.deactivated_reason,
        before={"is_active": True},
        after={"is_active": False},
    )
    return channel


def feedback_channel_street_wide(*, street: Street) -> FeedbackChannel:
    """Return the street's active street-wide channel, creating it the first time it is needed."""
    existing = FeedbackChannel.objects.filter(street=street, kind=Kind.STREET, is_active=True).first()
    if existing:
        return existing
    try:
        return feedback_channel_create(
            kind=Kind.STREET, street=street, label=_("%(street)s 街道总码") % {"street": street}
        )
    except DomainError:
        return FeedbackChannel.objects.get(street=street, kind=Kind.STREET, is_active=True)


# --- Submission ------------------------------------------------------------------------------------


def clean_text(text: str) -> str:
    text = (text or "").strip()
    require(len(text) >= Feedback.TEXT_MIN, _("请说说情况,至少写 %(n)d 个字。") % {"n": Feedback.TEXT_MIN})
    require(
        len(text) <= Feedback.TEXT_MAX,
        _("写得太长了:最多 %(max)d 个字,现在是 %(n)d 个字。") % {"max": Feedback.TEXT_MAX, "n": len(text)},
    )
    return text


def clean_phone(phone: str) -> str:
    phone = re.sub(r"[\s]", "", phone or "")
    if not phone:
        return ""
    try:
        phone_validator(phone)
    except ValidationError as exc:
        raise DomainError(_("电话号码不对:请填11位手机号,或带区号的固定电话。不想留电话可以空着。")) from exc
    return phone


def _save_photos(feedback: Feedback, photos: Iterable[CleanImage], saved: list[str]) -> None:
    rows = []
    field = FeedbackPhoto._meta.get_field("image")
    for photo in photos:
        # The files' times would tell the exact second of sending: give them the stored, hour-rounded time.
        name = image_save(image=photo, field=field, moment=feedback.received_at)
        saved.append(name)
        rows.append(
            FeedbackPhoto(feedback=feedback, image=name, width=photo.width, height=photo.height, size=photo.size)
        )
    FeedbackPhoto.objects.bulk_create(rows)


def feedback_submit(
    *,
    channel: FeedbackChannel | None,
    community: Community,
    text: str,
    category: Category | None = None,
    reply_phone: str = "",
    photos: Iterable[CleanImage] = (),
    submit_key: str | None = None,
) -> tuple[Feedback, bool]:
    """Store an anonymous message and return it (with its lookup code) and whether it was stored now.

    All or nothing. The same ``submit_key`` (a double tap on "send", a client's retry) returns the message
    already stored, and False.
    """
    photos = list(photos)
    street_id = channel.street_id if channel else community.street_id
    try:
        require(channel is None or channel.is_active, _("这个二维码已停用,请改用街道的反馈二维码。"))
        require(community.street_id == street_id, _("所选村(居)不属于本街道。"))
        require(category is None or category.is_active, _("所选类别已停用,请重新选择。"))
        text = clean_text(text)
        reply_phone = clean_phone(reply_phone)
        require(
            len(photos) <= FeedbackPhoto.MAX_PER_FEEDBACK,
            _("最多上传 %(n)d 张照片。") % {"n": FeedbackPhoto.MAX_PER_FEEDBACK},
        )
    except DomainError:
        # A second tap whose first one was stored gets that message back, whatever changed in between.
        existing = Feedback.objects.filter(submit_key=submit_key).first() if submit_key else None
        if existing:
            return existing, False
        raise
    photos = images_clean(photos)  # clean already when they come from the page or the API: then nothing to do
    saved: list[str] = []
    try:
        for _attempt in range(5):
            try:
                # One INSERT is all or nothing by itself; photos need a transaction, and so does a caller's
                # transaction (a savepoint, so that a duplicate key leaves it usable).
                atomic = photos or transaction.get_connection().in_atomic_block
                with transaction.atomic() if atomic else nullcontext():
                    feedback = Feedback.objects.create(
                        channel=channel,
                        street_id=street_id,
                        community=community,
                        category=category,
                        text=text,
                        reply_phone=reply_phone,
                        received_at=to_hour(timezone.now()),
                        lookup_code=new_lookup_code(),
                        submit_key=submit_key or None,
                    )
                    _save_photos(feedback, photos, saved)
                return feedback, True
            except IntegrityError:
                for name in saved:
                    image_delete(name, field=FeedbackPhoto._meta.get_field("image"))
                saved.clear()
                existing = Feedback.objects.filter(submit_key=submit_key).first() if submit_key else None
                if existing:  # a second tap on "send": the message is already stored
                    return existing, False
                continue  # a lookup code collision: draw another
        raise DomainError(_("提交没有成功,请再试一次。"))  # pragma: no cover
    except Exception:
        for name in saved:
            image_delete(name, field=FeedbackPhoto._meta.get_field("image"))
        raise


# --- Triage ----------------------------------------------------------------------------------------


def _locked(feedback: Feedback) -> Feedback:
    return Feedback.objects.select_for_update(of=("self",)).select_related("community__street").get(pk=feedback.pk)


def _mark(feedback: Feedback, user: User, state: str, case: Case | None = None, reason: str = "") -> dict:
    before = {"state": feedback.state, "case": feedback.case.number if feedback.case_id else ""}
    feedback.state = state
    feedback.case = case
    feedback.state_reason = reason
    feedback.triaged_by = user
    feedback.triaged_at = timezone.now()
    feedback.save(update_fields=["state", "case", "state_reason", "triaged_by", "triaged_at"])
    return before


@transaction.atomic
def feedback_create_case(
    *,
    feedback: Feedback,
    user: User,
    title: str,
    category: Category | None = None,
    tier: Tier | None = None,
    case_list: str = CaseList.COMMUNITY,
    grid: Grid | None = None,
    handler: User | None = None,
) -> Case:
    """立案: open a case from the message (source 匿名反馈); the message links to it, its status page follows it."""
    feedback = _locked(feedback)
    require_permission(can_triage(user, feedback.community), _("您的职务不能分拣该村(居)的群众反馈。"))
    require(feedback.state in (State.NEW, State.SPAM, State.NOT_ACTIONABLE), _("该反馈已立案或已并入诉求。"))
    case = case_open(
        community=feedback.community,
        title=title,
        created_by=user,
        source=Case.Source.FEEDBACK,
        source_object=feedback,
        category=category or feedback.category,
        description=feedback.shareable_text,
        tier=tier,
        case_list=case_list,
        grid=grid,
        handler=handler,
        contact_phone=feedback.reply_phone,
    )
    CasePhoto.objects.bulk_create(
        [CasePhoto(case=case, image=photo.image.name, uploaded_by=None) for photo in feedback.photos.all()]
    )
    before = _mark(feedback, user, State.CASE_CREATED, case=case)
    audit_record(
        actor=user,
        action=AuditAction.FEEDBACK_CREATE_CASE,
        obj=feedback,
        community=feedback.community,
        summary=case.number,
        before=before,
        after={"state": feedback.state, "case": case.number},
    )
    return case


@transaction.atomic
def feedback_merge(*, feedback: Feedback, user: User, case: Case, note: str = "") -> Feedback:
    """并入: the message repeats a case already registered; the case records it, the message follows it."""
    feedback = _locked(feedback)
    require_permission(can_triage(user, feedback.community), _("您的职务不能分拣该村(居)的群众反馈。"))
    require(feedback.state in (State.NEW, State.SPAM, State.NOT_ACTIONABLE), _("该反馈已立案或已并入诉求。"))
    require(case.street_id == feedback.street_id, _("只能并入本街道的诉求。"))
    require_permission(has_role(user, TRIAGE_ROLES, case.community), _("您无权操作该诉求。"))
    require(case.state != CaseState.CANCELLED, _("该诉求已撤销,不能并入。"))
    note = (note or "").strip()
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.MERGED,
        actor=user,
        note=(_("并入%(feedback)s") % {"feedback": feedback}) + (f":{note}" if note else ""),
        after={"feedback": feedback.pk},
        at=timezone.now(),
    )
    before = _mark(feedback, user, State.MERGED, case=case, reason=note[:300])
    audit_record(
        actor=user,
        action=AuditAction.FEEDBACK_MERGE,
        obj=feedback,
        community=feedback.community,
        summary=case.number,
        before=before,
        after={"state": feedback.state, "case": case.number},
    )
    return feedback


_REJECTED = {
    State.SPAM: AuditAction.FEEDBACK_REJECT_SPAM,
    State.NOT_ACTIONABLE: AuditAction.FEEDBACK_REJECT_NOT_ACTIONABLE,
}


@transaction.atomic
def feedback_reject(*, feedback: Feedback, user: User, state: str, reason: str) -> Feedback:
    """Mark a message as spam (无效信息) or not actionable (无法办理), with a reason; nothing is deleted."""
    feedback = _locked(feedback)
    require_permission(can_triage(user, feedback.community), _("您的职务不能分拣该村(居)的群众反馈。"))
    require(state in (State.SPAM, State.NOT_ACTIONABLE), _("处理方式无效。"))
    require(feedback.state == State.NEW, _("只有待分拣的反馈可以标记为无效或无法办理。"))
    reason = (reason or "").strip()
    require(bool(reason), _("请填写原因。"))
    before = _mark(feedback, user, state, reason=reason[:300])
    audit_record(
        actor=user,
        action=_REJECTED[state],
        obj=feedback,
        community=feedback.community,
        summary=reason[:300],
        before=before,
        after={"state": feedback.state},
    )
    return feedback


_PATTERNS = [
    # ID card numbers (18 digits, the last may be X), then mobile and landline numbers.
    (re.compile(r"(?<!\d)(\d{4})\d{10}(\d{3}[\dXx])(?!\d)"), lambda m: f"{m.group(1)}**********{m.group(2)}"),
    (re.compile(r"(?<!\d)(1\d{2})\d{4}(\d{4})(?!\d)"), lambda m: f"{m.group(1)}****{m.group(2)}"),
    (re.compile(r"(?<!\d)(0\d{2,3}-?)\d{3,4}(\d{4})(?!\d)"), lambda m: f"{m.group(1)}****{m.group(2)}"),
]


def redaction_suggest(text: str) -> str:
    """Return the text with ID card and phone numbers masked: a starting point for the redaction tool."""
    for pattern, replace in _PATTERNS:
        text = pattern.sub(replace, text)
    return text


@transaction.atomic
def feedback_redact(*, feedback: Feedback, user: User, redacted_text: str) -> Feedback:
    """Store the copy of the text with personal details masked; the original stays for the handling office.

    When the message already became a case whose description is still the original text, the case gets
    the redacted copy too.
    """
    feedback = _locked(feedback)
    require_permission(can_triage(user, feedback.community), _("您的职务不能处理该村(居)的群众反馈。"))
    redacted_text = (redacted_text or "").strip()
    require(bool(redacted_text), _("脱敏后的文本不能为空。"))
    require(len(redacted_text) <= Feedback.TEXT_MAX, _("脱敏后的文本过长。"))
    had = bool(feedback.redacted_text)
    feedback.redacted_text = redacted_text
    feedback.redacted_by = user
    feedback.redacted_at = timezone.now()
    feedback.save(update_fields=["redacted_text", "redacted_by", "redacted_at"])
    if feedback.case_id and feedback.state == State.CASE_CREATED:
        case = Case.objects.select_for_update().get(pk=feedback.case_id)
        if case.description == feedback.text:
            case.description = redacted_text
            case.save(update_fields=["description"])
            CaseEvent.objects.create(
                case=case, kind=CaseEvent.Kind.NOTE, actor=user, note=_("情况描述已按群众反馈脱敏文本更新。")
            )
    # The audit keeps who and when, not the text: the original holds the personal details.
    audit_record(
        actor=user,
        action=AuditAction.FEEDBACK_REDACT,
        obj=feedback,
        community=feedback.community,
        summary=_("更新脱敏文本") if had else _("新增脱敏文本"),
    )
    return feedback


# --- The sender's answer ---------------------------------------------------------------------------

ANSWERABLE_STATES = (CaseState.RESOLVED, CaseState.CLOSED)


def feedback_can_answer(feedback: Feedback) -> bool:
    return (
        feedback.answered_at is None
        and feedback.case_id is not None
        and feedback.state in (State.CASE_CREATED, State.MERGED)
        and feedback.case.state in ANSWERABLE_STATES
    )


@transaction.atomic
def feedback_answer(*, feedback: Feedback, solved: bool, satisfaction: str) -> Feedback:
    """Take the sender's answer once: solved or not, and how satisfied. Not solved or 不满意 reopens the case."""
    feedback = Feedback.objects.select_for_update(of=("self",)).select_related("case").get(pk=feedback.pk)
    require(feedback.answered_at is None, _("您已经评价过了,谢谢您。"))
    require(feedback_can_answer(feedback), _("办结之后才能评价。"))
    require(satisfaction in Feedback.Satisfaction.values, _("请选择是否满意。"))
    feedback.solved = bool(solved)
    feedback.satisfaction = satisfaction
    feedback.answered_at = to_hour(timezone.now())
    feedback.save(update_fields=["solved", "satisfaction", "answered_at"])
    if not solved or satisfaction == Feedback.Satisfaction.DISSATISFIED:
        reason = _("群众通过查询码评价:%(solved)s,%(satisfaction)s。") % {
            "solved": _("问题已解决") if solved else _("问题没有解决"),
            "satisfaction": Feedback.Satisfaction(satisfaction).label,
        }
        try:
            case_reopen(case=feedback.case, user=None, reason=reason)
        except DomainError:
            # Another sender's answer reopened it a moment ago: this answer still counts.
            logger.info("feedback %s: case %s was already reopened", feedback.pk, feedback.case_id)
    return feedback


# --- Notification digest -----------------------------------------------------------------------------


def feedback_digest_notify(*, hour=None) -> int:
    """Tell each community's cadres how many messages came in during the last full hour.

    One message per community and hour (never one per feedback, whose exact time it would reveal).
    """
    from lucun.models import Role
    from lucun.selectors import officials_by_community

    hour = to_hour(hour or timezone.now()) - timedelta(hours=1)
    counts: dict[int, int] = {}
    for community_id in Feedback.objects.filter(received_at=hour, state=State.NEW).values_list(
        "community_id", flat=True
    ):
        counts[community_id] = counts.get(community_id, 0) + 1
    if not counts:
        return 0
    recipients = officials_by_community(community_ids=sorted(counts), roles=[Role.COMMUNITY_CADRE])
    names = dict(Community.objects.filter(pk__in=counts).values_list("pk", "name"))
    from django.urls import reverse

    url = reverse("cases:feedback_queue")
    stamp = timezone.localtime(hour).strftime("%Y%m%d%H")
    messages = [
        {
            "recipient_id": user_id,
            "title": _("%(community)s 有 %(n)d 条新的群众反馈待分拣") % {"community": names[cid], "n": n},
            "url": f"{url}?community={cid}",
            "dedupe_key": f"feedback-digest:{cid}:{stamp}",
        }
        for cid, n in counts.items()
        for user_id in recipients.get(cid, [])
    ]
    return len(notification_bulk_send(messages=messages))
