"""Corrections (reversals, adjustments) and expiry of the ledger."""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import DomainError
from lucun.models import User
from lucun.scoping import require_role
from lucun.services import audit_record

from .. import roles
from ..audit import AuditAction
from ..models import LedgerEntry, PointsAccount, PointsPolicy, Redemption, Reward, ServiceClaim, Volunteer
from ..periods import quarter_bounds, quarter_of, shift_quarter, start_of_day
from .base import InsufficientPoints, _existing_entry, _post

REVERSIBLE_KINDS = frozenset({LedgerEntry.Kind.EARN, LedgerEntry.Kind.REDEEM, LedgerEntry.Kind.ADJUST})


def ledger_entry_reverse(*, actor: User, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Undo one entry with a new entry of the opposite amount that names it; an entry is reversed at most once.

    Reversing an earn also marks its claim reversed; reversing a redemption returns its stock.
    """
    require_role(actor, roles.APPROVE_ROLES, entry.community)
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请填写冲正原因。"))
    if entry.kind not in REVERSIBLE_KINDS:
        raise DomainError(_("只能冲正获得、兑换或调整记录。"))
    key = f"reverse:{entry.pk}"
    existing = _existing_entry(entry.account_id, key)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            claim = redemption = None
            if entry.kind == LedgerEntry.Kind.EARN:
                claim = ServiceClaim.objects.select_for_update().get(pk=entry.claim_id)
            elif entry.kind == LedgerEntry.Kind.REDEEM:
                redemption = Redemption.objects.select_for_update().get(pk=entry.redemption_id)
                for line in redemption.lines.order_by("reward_id"):
                    Reward.objects.filter(pk=line.reward_id, stock__isnull=False).update(
                        stock=F("stock") + line.quantity
                    )
            try:
                reversal = _post(
                    account_id=entry.account_id,
                    community_id=entry.community_id,
                    kind=LedgerEntry.Kind.REVERSE,
                    points=-entry.points,
                    idempotency_key=key,
                    actor=actor,
                    claim=claim,
                    redemption=redemption,
                    reverses=entry,
                    note=reason,
                )
            except InsufficientPoints as exc:
                raise InsufficientPoints(_("余额不足以冲正这笔积分(可能已经兑换),请改用调整记录。")) from exc
            if claim is not None:
                claim.status = ServiceClaim.Status.REVERSED
                claim.save(update_fields=["status"])
            if redemption is not None:
                redemption.cancelled_at = timezone.now()
                redemption.save(update_fields=["cancelled_at"])
            audit_record(
                actor=actor,
                action=AuditAction.LEDGER_ENTRY_REVERSE,
                obj=reversal,
                community=entry.community,
                summary=f"冲正 #{entry.pk}({entry.points:+d}):{reason}",
            )
    except IntegrityError:
        existing = _existing_entry(entry.account_id, key)
        if existing is None:
            raise
        return existing
    return reversal


def points_adjust(*, actor: User, volunteer: Volunteer, points: int, reason: str, idempotency_key: str) -> LedgerEntry:
    """Add or remove points by hand with a reason (e.g. a migration from a paper ledger)."""
    require_role(actor, roles.APPROVE_ROLES, volunteer.community)
    if points == 0:
        raise DomainError(_("调整积分不能为 0。"))
    if not reason.strip():
        raise DomainError(_("请填写调整原因。"))
    account = PointsAccount.objects.get(volunteer=volunteer)
    key = f"adjust:{idempotency_key}"
    existing = _existing_entry(account.pk, key)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            entry = _post(
                account_id=account.pk,
                community_id=account.community_id,
                kind=LedgerEntry.Kind.ADJUST,
                points=points,
                idempotency_key=key,
                actor=actor,
                note=reason.strip(),
            )
            audit_record(
                actor=actor,
                action=AuditAction.POINTS_ADJUST,
                obj=entry,
                community=volunteer.community,
                summary=f"{volunteer.name} {points:+d}:{reason.strip()}",
            )
    except IntegrityError:
        existing = _existing_entry(account.pk, key)
        if existing is None:
            raise
        return existing
    return entry


def expiry_cutoff(*, today: date, quarters: int) -> date:
    """Return the first day of the oldest quarter whose points are still valid."""
    year, quarter = shift_quarter(*quarter_of(today), -quarters)
    return quarter_bounds(year, quarter)[0]


def points_expire(*, today: date | None = None) -> int:
    """Expire points earned before the cutoff that were not spent, oldest first; return how many points expired.

    First in, first out: whatever has been debited so far used up the oldest credits, so what remains
    of the credits older than the cutoff is what expires. Does nothing unless expiry is switched on.
    """
    policy = PointsPolicy.current()
    if not policy.expiry_enabled:
        return 0
    today = today or timezone.localdate()
    cutoff = expiry_cutoff(today=today, quarters=policy.expiry_quarters)
    cutoff_at = start_of_day(cutoff)
    live = Q(entries__reversed_by__isnull=True)
    credits = Q(entries__kind__in=[LedgerEntry.Kind.EARN, LedgerEntry.Kind.ADJUST], entries__points__gt=0)
    debits = Q(
        entries__kind__in=[LedgerEntry.Kind.REDEEM, LedgerEntry.Kind.EXPIRE, LedgerEntry.Kind.ADJUST],
        entries__points__lt=0,
    )
    accounts = (
        PointsAccount.objects.filter(balance__gt=0, entries__created_at__lt=cutoff_at)
        .distinct()
        .values_list("pk", flat=True)
    )
    expired_total = 0
    for account_id in list(accounts):
        sums = PointsAccount.objects.filter(pk=account_id).aggregate(
            old_credits=Sum("entries__points", filter=live & credits & Q(entries__created_at__lt=cutoff_at)),
            spent=Sum("entries__points", filter=live & debits),
        )
        due = (sums["old_credits"] or 0) + (sums["spent"] or 0)
        if due <= 0:
            continue
        key = f"expire:{cutoff:%Y-%m-%d}:{-(sums['spent'] or 0)}"
        try:
            with transaction.atomic():
                account = PointsAccount.objects.select_for_update().get(pk=account_id)
                amount = min(due, account.balance)
                if amount <= 0:
                    continue
                _post(
                    account_id=account_id,
                    community_id=account.community_id,
                    kind=LedgerEntry.Kind.EXPIRE,
                    points=-amount,
                    idempotency_key=key,
                    note=_("%(date)s 以前获得的积分到期") % {"date": f"{cutoff:%Y-%m-%d}"},
                )
        except IntegrityError:
            continue  # another run wrote this very expiry already
        expired_total += amount
    return expired_total
