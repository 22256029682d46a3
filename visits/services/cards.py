"""Writes of 党群联系卡 and 意见收集二维码: batches, posters, their channels and the print jobs.

A batch or a poster gets its own anonymous-feedback channel from the cases app, in the same transaction;
deactivating it stops the channel too, so a lost card's code says so and sends people to the street.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import FeedbackChannel
from cases.services import feedback_channel_create, feedback_channel_deactivate
from lucun.errors import DomainError, require
from lucun.jobs.services import job_claim, job_file_write, job_language, job_language_requested
from lucun.models import Community, User, phone_validator
from lucun.services import audit_record, outbox_enqueue

from .. import permissions, printing
from ..audit import AuditAction
from ..models import ContactCardBatch, DeactivationReason, FeedbackPoint, PrintJob, VisitTeam
from ..models.cards import wechat_validator

PRINT_TASK = "visits.tasks.print_job_run"


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
            total=printing.pages_for(cards),
            language=job_language_requested(),
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


def print_job_run(*, job_id: int) -> PrintJob | None:
    """Render the job's PDF page by page into MEDIA_ROOT, in the language it was asked in, recording progress;
    return the job (None if taken)."""
    job = job_claim(model=PrintJob, job_id=job_id, related=("batch", "batch__community", "batch__community__street"))
    if job is None:
        return None
    with job_language(job):
        return _print_job_write(job)


def _print_job_write(job: PrintJob) -> PrintJob:
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

    def write(out, progress) -> int:
        return printing.card_sheets_pdf(
            out, text=text, address=job.address, cards=job.cards, on_page=lambda done, _total: progress(done)
        )

    return job_file_write(job=job, name=f"cards-{batch.pk}.pdf", write=write)
