"""Every write of anonymous feedback from the sender's side: submission, the satisfaction answer, and the hourly
digest to the cadres. Channels are in feedback_channels.py, triage into cases in feedback_triage.py.

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
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import DomainError, require
from lucun.images import CleanImage, image_delete, image_save, images_clean
from lucun.models import Community, User, phone_validator
from lucun.scoping import has_role
from lucun.services import notification_bulk_send

from .. import permissions
from ..models import (
    OPEN_STATES,
    Case,
    CaseState,
    Category,
    Feedback,
    FeedbackChannel,
    FeedbackPhoto,
    new_lookup_code,
    to_hour,
)
from .moving import case_reopen

logger = logging.getLogger(__name__)

State = Feedback.State
# Officials who triage the intake queue and manage channels: the same who dispatch cases.
TRIAGE_ROLES = permissions.DISPATCH_ROLES


def can_triage(user: User, community: Community) -> bool:
    return has_role(user, TRIAGE_ROLES, community)


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


def clean_sms_phone(phone: str) -> str:
    """The phone of a sender who asked for an SMS: a mobile number is needed."""
    phone = clean_phone(phone)
    require(bool(phone), _("要收短信,请留下手机号。"))
    require(bool(re.fullmatch(r"1\d{10}", phone)), _("短信只能发到手机:请填11位手机号。"))
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
    notify_sms: bool = False,
    photos: Iterable[CleanImage] = (),
    submit_key: str | None = None,
) -> tuple[Feedback, bool]:
    """Store an anonymous message and return it (with its lookup code) and whether it was stored now.

    With ``notify_sms`` the sender gets one SMS with the lookup code when the case is resolved (a mobile
    ``reply_phone`` is then required).

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
        reply_phone = clean_sms_phone(reply_phone) if notify_sms else clean_phone(reply_phone)
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
                        notify_sms=notify_sms,
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


# --- 我也遇到 (同问) ---------------------------------------------------------------------------------


def same_question_submit(
    *,
    channel: FeedbackChannel,
    case: Case,
    reply_phone: str = "",
    submit_key: str | None = None,
) -> tuple[Feedback, bool]:
    """Record that one more villager has the problem of an open case, and return their receipt and whether it is new.

    An anonymous row as a message is, without text: linked to the case at once (merged), it follows the case
    with its own lookup code, and the sender's later answer counts like any other. The case counts it. The same
    ``submit_key`` (a second tap) returns the row already stored, and False.
    """
    if submit_key:
        existing = Feedback.objects.filter(submit_key=submit_key).first()
        if existing:
            return existing, False
    require(channel.is_active, _("这个二维码已停用,请改用街道的反馈二维码。"))
    require(case.street_id == channel.street_id, _("所选问题不属于本街道。"))
    require(
        case.state in OPEN_STATES and bool(case.public_title), _("这个问题已经办结或不再公开,请直接写下您的情况提交。")
    )
    reply_phone = clean_phone(reply_phone)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                feedback = Feedback.objects.create(
                    channel=channel,
                    street_id=case.street_id,
                    community_id=case.community_id,
                    category_id=case.category_id,
                    text="",
                    reply_phone=reply_phone,
                    received_at=to_hour(timezone.now()),
                    lookup_code=new_lookup_code(),
                    submit_key=submit_key or None,
                    same_question=True,
                    state=State.MERGED,
                    case=case,
                )
                # One UPDATE of the count, no event: an event's exact time would tell when the villager tapped.
                Case.objects.filter(pk=case.pk).update(same_question_count=F("same_question_count") + 1)
            return feedback, True
        except IntegrityError:
            existing = Feedback.objects.filter(submit_key=submit_key).first() if submit_key else None
            if existing:
                return existing, False
    raise DomainError(_("提交没有成功,请再试一次。"))  # pragma: no cover


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


def feedback_resolved_sms(*, case_id: int) -> int:
    """Text each sender of this case who asked for it: once, the lookup code and nothing else; return how many.

    The SMS names no case and quotes nothing of the message: a phone can be read by others.
    """
    from lucun.models import SmsMessage
    from lucun.notify.services import sms_enqueue

    senders = Feedback.objects.filter(
        case_id=case_id, state__in=(State.CASE_CREATED, State.MERGED), notify_sms=True
    ).exclude(reply_phone="")
    sent = 0
    for feedback_id, phone, code in senders.values_list("pk", "reply_phone", "lookup_code"):
        message = sms_enqueue(
            phone=phone,
            kind=SmsMessage.Kind.CASE_RESOLVED,
            params={"code": code},
            dedupe_key=f"feedback-resolved:{feedback_id}",
        )
        sent += message is not None
    return sent


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
