"""Service claims: submission (by staff, by the volunteer, in bulk), approval within the monthly cap, rejection."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import DomainError, error_message
from lucun.images import image_clean, image_save
from lucun.models import Community, User
from lucun.scoping import require_role
from lucun.services import audit_record
from lucun.text import listed

from .. import roles
from ..audit import AuditAction
from ..models import ClaimBatch, LedgerEntry, PointsAccount, PointsPolicy, ServiceClaim, ServiceType, Volunteer
from ..periods import month_bounds
from .base import CapReached, _post

CLAIM_MAX_AGE_DAYS = 92  # a claim must be filed within about one quarter of the service
MAX_HOURS_PER_DAY = 24
MAX_TIMES_PER_DAY = 20


def _check_claim_shape(*, volunteer: Volunteer, service_type: ServiceType, service_date: date, quantity: int) -> None:
    today = timezone.localdate()
    if not volunteer.active:
        raise DomainError(_("该志愿者已停用,不能申报积分。"))
    if not service_type.is_active:
        raise DomainError(_("该服务类别已停用。"))
    if service_date > today:
        raise DomainError(_("服务日期不能晚于今天。"))
    if service_date < today - timedelta(days=CLAIM_MAX_AGE_DAYS):
        raise DomainError(_("只能申报 %(days)d 天以内的服务。") % {"days": CLAIM_MAX_AGE_DAYS})
    limit = MAX_HOURS_PER_DAY if service_type.unit == ServiceType.Unit.HOUR else MAX_TIMES_PER_DAY
    if not 1 <= quantity <= limit:
        raise DomainError(
            _("数量应在 1 到 %(limit)d %(unit)s之间。") % {"limit": limit, "unit": service_type.get_unit_display()}
        )


def claim_submit(
    *,
    actor: User | None,
    volunteer: Volunteer,
    service_type: ServiceType,
    service_date: date,
    quantity: int,
    photo=None,
    note: str = "",
    via: str = ServiceClaim.Via.STAFF,
) -> ServiceClaim:
    """Record a service for approval. ``actor`` is None when the volunteer files it on the 一码通 page."""
    if via == ServiceClaim.Via.SELF:
        policy = PointsPolicy.current()
        pending = volunteer.claims.filter(via=ServiceClaim.Via.SELF, status=ServiceClaim.Status.PENDING).count()
        if pending >= policy.self_claim_pending_limit:
            raise DomainError(_("您已有 %(n)d 条申报在等待审核,请审核后再申报。") % {"n": pending})
    else:
        require_role(actor, roles.MANAGE_ROLES, volunteer.community)
    _check_claim_shape(volunteer=volunteer, service_type=service_type, service_date=service_date, quantity=quantity)
    if service_type.evidence_required and not photo:
        raise DomainError(_("“%(type)s”需要上传一张现场照片作为佐证。") % {"type": service_type.display_name})
    clean_photo = image_clean(photo) if photo else None  # before anything is written: a refusal leaves nothing
    with transaction.atomic():
        claim = ServiceClaim(
            volunteer=volunteer,
            community_id=volunteer.community_id,
            service_type=service_type,
            service_date=service_date,
            quantity=quantity,
            points=quantity * service_type.points_per_unit,
            note=note.strip()[:300],
            via=via,
            submitted_by=actor if actor is not None and actor.is_authenticated else None,
        )
        if clean_photo is not None:
            claim.photo = image_save(image=clean_photo, field=ServiceClaim._meta.get_field("photo"))
        claim.save()
        audit_record(
            actor=claim.submitted_by,
            action=AuditAction.CLAIM_SUBMIT if via != ServiceClaim.Via.SELF else AuditAction.CLAIM_SELF_SUBMIT,
            obj=claim,
            community=volunteer.community,
            summary=f"{service_type.name} × {quantity},{claim.points} 分",
        )
    return claim


def claim_batch_create(
    *,
    actor: User,
    community: Community,
    title: str,
    service_type: ServiceType,
    service_date: date,
    quantity: int,
    volunteers: Iterable[Volunteer],
    source_ref: str = "",
) -> ClaimBatch:
    """Create one pending claim for each attendee of an activity; the activity record is the evidence."""
    require_role(actor, roles.MANAGE_ROLES, community)
    attendees = {v.pk: v for v in volunteers}
    if not attendees:
        raise DomainError(_("请至少选择一名参加活动的志愿者。"))
    foreign = [v.name for v in attendees.values() if v.community_id != community.pk]
    if foreign:
        raise DomainError(_("以下志愿者不属于%(c)s:%(names)s") % {"c": community.name, "names": listed(foreign)})
    for volunteer in attendees.values():
        _check_claim_shape(volunteer=volunteer, service_type=service_type, service_date=service_date, quantity=quantity)
    with transaction.atomic():
        batch = ClaimBatch.objects.create(
            community=community,
            title=title.strip(),
            service_type=service_type,
            service_date=service_date,
            quantity=quantity,
            source_ref=source_ref,
            created_by=actor,
        )
        ServiceClaim.objects.bulk_create(
            ServiceClaim(
                volunteer=volunteer,
                community=community,
                service_type=service_type,
                service_date=service_date,
                quantity=quantity,
                points=quantity * service_type.points_per_unit,
                note=batch.title,
                via=ServiceClaim.Via.BATCH,
                batch=batch,
                submitted_by=actor,
            )
            for volunteer in attendees.values()
        )
        audit_record(
            actor=actor,
            action=AuditAction.CLAIM_BATCH_CREATE,
            obj=batch,
            community=community,
            summary=f"{batch.title}:{len(attendees)} 人,{service_type.name} × {quantity}",
        )
    return batch


def _month_points_used(claim: ServiceClaim) -> int:
    first, last = month_bounds(claim.service_date)
    used = ServiceClaim.objects.filter(
        volunteer_id=claim.volunteer_id,
        service_type_id=claim.service_type_id,
        service_date__range=(first, last),
        status=ServiceClaim.Status.APPROVED,
    ).aggregate(total=Sum("points_awarded"))["total"]
    return used or 0


def claim_approve(*, actor: User, claim: ServiceClaim) -> ServiceClaim:
    """Approve a pending claim and credit its points, up to the service type's monthly cap.

    Approving an approved claim again changes nothing (its earn entry is keyed by the claim).
    """
    require_role(actor, roles.APPROVE_ROLES, claim.community)
    with transaction.atomic():
        claim = ServiceClaim.objects.select_for_update().select_related("service_type", "volunteer").get(pk=claim.pk)
        if claim.status == ServiceClaim.Status.APPROVED:
            return claim
        if claim.status != ServiceClaim.Status.PENDING:
            raise DomainError(_("该申报已处理(%(status)s),不能再审核通过。") % {"status": claim.get_status_display()})
        # Locking the account serialises approvals of one volunteer, so the monthly cap holds under concurrency.
        account = PointsAccount.objects.select_for_update().get(volunteer_id=claim.volunteer_id)
        awarded = claim.points
        cap = claim.service_type.monthly_cap
        note = f"{claim.service_type.name} {claim.service_date:%Y-%m-%d} × {claim.quantity}"
        if cap is not None:
            remaining = cap - _month_points_used(claim)
            if remaining <= 0:
                raise CapReached(
                    _("%(name)s本月“%(type)s”积分已达上限 %(cap)d 分,请驳回该申报。")
                    % {"name": claim.volunteer.name, "type": claim.service_type.display_name, "cap": cap}
                )
            if awarded > remaining:
                awarded = remaining
                note += _("(达到每月上限,按 %(n)d 分入账)") % {"n": awarded}
        _post(
            account_id=account.pk,
            community_id=account.community_id,
            kind=LedgerEntry.Kind.EARN,
            points=awarded,
            idempotency_key=f"claim:{claim.pk}",
            actor=actor,
            claim=claim,
            note=note,
        )
        claim.status = ServiceClaim.Status.APPROVED
        claim.points_awarded = awarded
        claim.decided_by = actor
        claim.decided_at = timezone.now()
        claim.save(update_fields=["status", "points_awarded", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action=AuditAction.CLAIM_APPROVE,
            obj=claim,
            community=claim.community,
            summary=f"入账 {awarded} 分",
        )
    return claim


def claim_reject(*, actor: User, claim: ServiceClaim, reason: str) -> ServiceClaim:
    """Reject a pending claim with a reason the volunteer will see."""
    require_role(actor, roles.APPROVE_ROLES, claim.community)
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请填写未通过的原因。"))
    with transaction.atomic():
        claim = ServiceClaim.objects.select_for_update().get(pk=claim.pk)
        if claim.status != ServiceClaim.Status.PENDING:
            raise DomainError(_("该申报已处理(%(status)s)。") % {"status": claim.get_status_display()})
        claim.status = ServiceClaim.Status.REJECTED
        claim.reject_reason = reason[:200]
        claim.decided_by = actor
        claim.decided_at = timezone.now()
        claim.save(update_fields=["status", "reject_reason", "decided_by", "decided_at"])
        audit_record(actor=actor, action=AuditAction.CLAIM_REJECT, obj=claim, community=claim.community, summary=reason)
    return claim


@dataclass
class BulkResult:
    approved: list[ServiceClaim]
    failed: list[tuple[ServiceClaim, str]]


def claims_approve_many(*, actor: User, claims: Iterable[ServiceClaim]) -> BulkResult:
    """Approve each claim in its own transaction; report the ones a rule refused and why."""
    result = BulkResult(approved=[], failed=[])
    for claim in claims:
        try:
            result.approved.append(claim_approve(actor=actor, claim=claim))
        except DomainError as exc:  # a rule, or the actor's position in the claim's community
            result.failed.append((claim, error_message(exc)))
    return result
