"""Writes of 党群联系卡 and 意见收集二维码: batches, posters, their channels and the print jobs.

A batch or a poster gets its own anonymous-feedback channel from the cases app, in the same transaction;
deactivating it stops the channel too, so a lost card's code says so and sends people to the street.
"""

import logging
import os
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import FeedbackChannel
from cases.services import feedback_channel_create, feedback_channel_deactivate
from lucun.errors import DomainError, require
from lucun.models import Community, User, phone_validator
from lucun.services import audit_record, outbox_enqueue

from .. import permissions, printing
from ..audit import AuditAction
from ..models import ContactCardBatch, DeactivationReason, FeedbackPoint, PrintJob, VisitTeam
from ..models.cards import wechat_validator

logger = logging.getLogger(__name__)

PRINT_TASK = "visits.tasks.print_job_run"
# A job still "running" this long after it started was lost with its worker (the task limit is 15 minutes).
STALE_AFTER = timedelta(minutes=20)


def _require_manager(actor: User | None, community: Community) -> None:
    if actor is not None:  # None: the system itself (a print task, a command)
        permissions.require_card_manager(actor, community)


def _validated(validator, value: str, message: str) -> str:
    try:
        validator(value)
    except ValidationError as exc:
        raise DomainError(message) from exc
    return value


# ------------------------------------------------------------------------------------------ card batches


def card_batch_create(
    *,
    actor: User | None,
    community: Community,
    team: VisitTeam,
    quantity: int,
    contact_name: str,
    contact_phone: str,
    contact_wechat: str = "",
    hotline: str = "",
) -> ContactCardBatch:
    """Register a batch of 党群联系卡 with a fresh QR channel; ``actor`` None means the system."""
    _require_manager(actor, community)
    require(team.street_id == community.street_id, _("走访队伍必须属于本街道。"))
    require(team.is_active, _("该走访队伍已停用,请选择在岗的队伍。"))
    require(
        1 <= quantity <= ContactCardBatch.MAX_QUANTITY,
        _("张数应在 1 到 %(max)d 之间。") % {"max": ContactCardBatch.MAX_QUANTITY},
    )
    contact_name = (contact_name or "").strip()
    require(bool(contact_name) and len(contact_name) <= 50, _("请填写联系干部姓名(不超过50个字)。"))
    contact_phone = _validated(
        phone_validator, (contact_phone or "").replace(" ", ""), _("联系电话不对:请填11位手机号或带区号的固定电话。")
    )
    contact_wechat = (contact_wechat or "").strip()
    if contact_wechat:
        _validated(wechat_validator, contact_wechat, _("微信号应为 6—20 位字母、数字、下划线或减号,并以字母开头。"))
    hotline = (hotline or "").strip() or community.street.hotline
    require(bool(hotline) and len(hotline) <= 30, _("请填写街道热线。"))
    with transaction.atomic():
        # Lock the community so two batches created at once do not take the same number.
        Community.objects.select_for_update().filter(pk=community.pk).first()
        number = (ContactCardBatch.objects.filter(community=community).aggregate(n=Max("number"))["n"] or 0) + 1
        channel = feedback_channel_create(
            kind=FeedbackChannel.Kind.CARD_BATCH,
            label=_("%(community)s 联系卡第%(number)d批") % {"community": community.name, "number": number},
            community=community,
            created_by=actor,
        )
        batch = ContactCardBatch.objects.create(
            community=community,
            team=team,
            number=number,
            quantity=quantity,
            contact_name=contact_name,
            contact_phone=contact_phone,
            contact_wechat=contact_wechat,
            hotline=hotline,
            channel=channel,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CARD_BATCH_CREATE,
            obj=batch,
            community=community,
            summary=_("登记联系卡 %(batch)s,%(n)d 张") % {"batch": batch, "n": quantity},
            after={"team": team.pk, "quantity": quantity, "contact_name": contact_name, "channel": channel.pk},
        )
    return batch


def _deactivate(*, actor: User | None, obj, reason: str, note: str, allowed: tuple[str, ...], action: AuditAction):
    require(reason in allowed, _("请选择停用原因。"))
    note = (note or "").strip()[:150]
    model = type(obj)
    with transaction.atomic():
        obj = model.objects.select_for_update().select_related("community", "channel").get(pk=obj.pk)
        _require_manager(actor, obj.community)
        require(obj.is_active, _("已经停用了。"))
        label = DeactivationReason(reason).label
        if obj.channel.is_active:
            feedback_channel_deactivate(
                channel=obj.channel, user=actor, reason=f"{label}:{note}" if note else str(label)
            )
        obj.is_active = False
        obj.deactivated_at = timezone.now()
        obj.deactivation_reason = reason
        obj.save(update_fields=["is_active", "deactivated_at", "deactivation_reason"])
        audit_record(
            actor=actor,
            action=action,
            obj=obj,
            community=obj.community,
            summary=f"{obj} · {label}" + (f" · {note}" if note else ""),
            before={"is_active": True},
            after={"is_active": False, "reason": reason},
        )
    return obj


def card_batch_deactivate(
    *, actor: User | None, batch: ContactCardBatch, reason: str, note: str = ""
) -> ContactCardBatch:
    """Stop a batch whose cards were lost or replaced; its code then offers the street-wide form."""
    return _deactivate(
        actor=actor,
        obj=batch,
        reason=reason,
        note=note,
        allowed=(DeactivationReason.LOST, DeactivationReason.SUPERSEDED),
        action=AuditAction.CARD_BATCH_DEACTIVATE,
    )


# ----------------------------------------------------------------------------------------------- posters


def feedback_point_create(*, actor: User | None, community: Community, name: str, place: str) -> FeedbackPoint:
    """Put up a 意见收集二维码 poster at a named place, with a QR channel of its own."""
    _require_manager(actor, community)
    name = (name or "").strip()
    require(bool(name) and len(name) <= 60, _("请填写张贴地点(不超过60个字)。"))
    require(place in FeedbackPoint.Place.values, _("请选择地点类型。"))
    with transaction.atomic():
        require(
            not FeedbackPoint.objects.filter(community=community, name=name, is_active=True).exists(),
            _("这个地点已经有在用的二维码;如需换新,请先停用旧的。"),
        )
        channel = feedback_channel_create(
            kind=FeedbackChannel.Kind.POSTER, label=f"{community.name}{name}", community=community, created_by=actor
        )
        point = FeedbackPoint.objects.create(
            community=community, name=name, place=place, channel=channel, created_by=actor
        )
        audit_record(
            actor=actor,
            action=AuditAction.FEEDBACK_POINT_CREATE,
            obj=point,
            community=community,
            summary=_("张贴意见收集二维码:%(point)s") % {"point": point},
            after={"place": place, "channel": channel.pk},
        )
    return point


def feedback_point_deactivate(
    *, actor: User | None, point: FeedbackPoint, reason: str, note: str = ""
) -> FeedbackPoint:
    """Take a poster down (damaged, replaced or removed); its code then offers the street-wide form."""
    return _deactivate(
        actor=actor,
        obj=point,
        reason=reason,
        note=note,
        allowed=tuple(DeactivationReason.values),
        action=AuditAction.FEEDBACK_POINT_DEACTIVATE,
    )


# -------------------------------------------------------------------------------------------- print jobs


def print_job_create(
    *, actor: User | None, batch: ContactCardBatch, address: str, cards: int | None = None
) -> PrintJob:
    """Queue a print-ready PDF of the batch; ``address`` is the absolute address its QR code holds."""
    _require_manager(actor, batch.community)
    require(batch.is_active and batch.channel.is_active, _("该批联系卡已停用,不能再打印。"))
    require(
        address.startswith(("https://", "http://")) and len(address) <= 300,
        _("二维码地址必须是完整网址;请设置 LUCUN_PUBLIC_BASE_URL。"),
    )
    cards = batch.quantity if cards is None else cards
    require(
        1 <= cards <= ContactCardBatch.MAX_QUANTITY,
        _("张数应在 1 到 %(max)d 之间。") % {"max": ContactCardBatch.MAX_QUANTITY},
    )
    with transaction.atomic():
        job = PrintJob.objects.create(
            batch=batch,
            address=address,
            cards=cards,
            per_page=printing.PER_PAGE,
            pages_total=printing.pages_for(cards),
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action=AuditAction.PRINT_JOB_CREATE,
            obj=job,
            community=batch.community,
            summary=_("生成联系卡打印文件:%(batch)s,%(n)d 张") % {"batch": batch, "n": cards},
            after={"address": address, "cards": cards},
        )
        outbox_enqueue(task_name=PRINT_TASK, job_id=job.pk)
    return job


def _claim(job_id: int) -> PrintJob | None:
    """Mark the job running, once: a redelivered task finds it taken (unless its worker died long ago)."""
    with transaction.atomic():
        job = (
            PrintJob.objects.select_for_update(of=("self",))
            .select_related("batch", "batch__community", "batch__community__street")
            .filter(pk=job_id)
            .first()
        )
        if job is None:
            return None
        stale = job.state == PrintJob.State.RUNNING and job.started_at and job.started_at < timezone.now() - STALE_AFTER
        if job.state != PrintJob.State.QUEUED and not stale:
            return None
        job.state = PrintJob.State.RUNNING
        job.started_at = timezone.now()
        job.pages_done = 0
        job.save(update_fields=["state", "started_at", "pages_done"])
    return job


def print_job_run(*, job_id: int) -> PrintJob | None:
    """Render the job's PDF page by page into MEDIA_ROOT, recording progress; return the job (None if taken)."""
    job = _claim(job_id)
    if job is None:
        return None
    batch = job.batch
    text = printing.CardText(
        community=batch.community.name,
        street=batch.community.street.name,
        contact_name=batch.contact_name,
        contact_phone=batch.contact_phone,
        contact_wechat=batch.contact_wechat,
        hotline=batch.hotline,
        label=str(batch),
    )
    step = max(1, job.pages_total // 50)

    def progress(done: int, total: int) -> None:
        if done % step == 0 or done == total:
            PrintJob.objects.filter(pk=job.pk).update(pages_done=done)

    os.makedirs(settings.MEDIA_ROOT, exist_ok=True)
    try:
        with tempfile.TemporaryFile(dir=settings.MEDIA_ROOT) as out:
            printing.card_sheets_pdf(out, text=text, address=job.address, cards=job.cards, on_page=progress)
            out.seek(0)
            job.file.save(f"cards-{batch.pk}.pdf", File(out), save=False)
    except Exception as exc:
        logger.exception("print job %s failed", job.pk)
        PrintJob.objects.filter(pk=job.pk).update(
            state=PrintJob.State.FAILED, error=(str(exc) or type(exc).__name__)[:500], finished_at=timezone.now()
        )
        job.refresh_from_db()
        return job
    job.state = PrintJob.State.DONE
    job.pages_done = job.pages_total
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "state", "pages_done", "finished_at"])
    return job
