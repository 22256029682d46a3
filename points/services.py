"""Every write of the points system.

Balances and stock change only through guarded UPDATEs (``... WHERE balance >= x``) in the same
transaction as the ledger entry, so two concurrent redemptions of the same points cannot both
succeed, and the database's CHECK constraints stop anything that slips past. Each write that moves
points carries an idempotency key: repeating it returns the first result and changes nothing.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.models import Community, User
from lucun.scoping import has_role
from lucun.services import audit_record

from . import roles
from .images import reencode_photo
from .models import (
    ClaimBatch,
    LedgerEntry,
    PointsAccount,
    PointsPolicy,
    Redemption,
    RedemptionLine,
    Reward,
    ServiceClaim,
    ServiceCorps,
    ServiceType,
    Volunteer,
    new_token,
)
from .periods import month_bounds, quarter_of, shift_quarter, start_of_day
from .selectors import redemption_window

CLAIM_MAX_AGE_DAYS = 92  # a claim must be filed within about one quarter of the service
MAX_HOURS_PER_DAY = 24
MAX_TIMES_PER_DAY = 20


class PointsError(ValidationError):
    """A business rule refused the request; the message is for the person at the screen."""

    code = "points_error"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message, code=code or self.code)


class InsufficientPoints(PointsError):
    code = "insufficient_points"


class OutOfStock(PointsError):
    code = "out_of_stock"


class WindowClosed(PointsError):
    code = "window_closed"


class CapReached(PointsError):
    code = "cap_reached"


def _require(actor: User | None, allowed: Iterable[str], community: Community) -> None:
    if actor is None or not has_role(actor, allowed, community):
        raise PermissionDenied(_("您没有在%(community)s办理此事的权限。") % {"community": community.name})


# --- ledger core -------------------------------------------------------------------------------------


def _post(
    *,
    account_id: int,
    community_id: int,
    kind: str,
    points: int,
    idempotency_key: str,
    actor: User | None = None,
    claim: ServiceClaim | None = None,
    redemption: Redemption | None = None,
    reverses: LedgerEntry | None = None,
    note: str = "",
) -> LedgerEntry:
    """Move ``points`` on one account and write its entry. Call inside a transaction."""
    now = timezone.now()
    accounts = PointsAccount.objects.filter(pk=account_id)
    if points < 0:
        accounts = accounts.filter(balance__gte=-points)
    if accounts.update(balance=F("balance") + points, updated_at=now) != 1:
        raise InsufficientPoints(_("积分余额不足。"))
    # The UPDATE holds the row lock until commit, so this read sees exactly our balance.
    balance = PointsAccount.objects.filter(pk=account_id).values_list("balance", flat=True).get()
    return LedgerEntry.objects.create(
        account_id=account_id,
        community_id=community_id,
        kind=kind,
        points=points,
        balance_after=balance,
        claim=claim,
        redemption=redemption,
        reverses=reverses,
        idempotency_key=idempotency_key,
        note=note[:200],
        created_by=actor if actor is not None and actor.is_authenticated else None,
        created_at=now,
    )


def _existing_entry(account_id: int, key: str) -> LedgerEntry | None:
    return LedgerEntry.objects.filter(account_id=account_id, idempotency_key=key).first()


# --- volunteers ----------------------------------------------------------------------------------------


def volunteer_create(
    *,
    actor: User,
    community: Community,
    name: str,
    phone: str = "",
    corps: Iterable[ServiceCorps] = (),
    joined_on: date | None = None,
    active: bool = True,
) -> Volunteer:
    """Register a volunteer with an empty points account and a fresh 一码通."""
    _require(actor, roles.MANAGE_ROLES, community)
    with transaction.atomic():
        volunteer = Volunteer.objects.create(
            community=community,
            name=name.strip(),
            phone=phone.strip(),
            joined_on=joined_on or timezone.localdate(),
            active=active,
            token=new_token(),
            token_issued_at=timezone.now(),
        )
        volunteer.corps.set(list(corps))
        PointsAccount.objects.create(volunteer=volunteer, community=community)
        audit_record(actor=actor, action="登记志愿者", obj=volunteer, community=community, summary=volunteer.name)
    return volunteer


def volunteer_update(
    *,
    actor: User,
    volunteer: Volunteer,
    name: str,
    phone: str,
    corps: Iterable[ServiceCorps],
    joined_on: date,
    active: bool,
) -> Volunteer:
    """Change a volunteer's details; the community stays (points and history belong to it)."""
    _require(actor, roles.MANAGE_ROLES, volunteer.community)
    before = {"name": volunteer.name, "active": volunteer.active, "joined_on": str(volunteer.joined_on)}
    with transaction.atomic():
        volunteer.name = name.strip()
        volunteer.phone = phone.strip()
        volunteer.joined_on = joined_on
        volunteer.active = active
        volunteer.save(update_fields=["name", "phone", "joined_on", "active"])
        volunteer.corps.set(list(corps))
        audit_record(
            actor=actor,
            action="修改志愿者信息",
            obj=volunteer,
            community=volunteer.community,
            before=before,
            after={"name": volunteer.name, "active": volunteer.active, "joined_on": str(volunteer.joined_on)},
        )
    return volunteer


def volunteer_token_issue(*, actor: User, volunteer: Volunteer) -> str:
    """Issue a new 一码通, which replaces (and so revokes) any earlier card."""
    _require(actor, roles.MANAGE_ROLES, volunteer.community)
    with transaction.atomic():
        volunteer.token = new_token()
        volunteer.token_issued_at = timezone.now()
        volunteer.save(update_fields=["token", "token_issued_at"])
        audit_record(actor=actor, action="签发一码通", obj=volunteer, community=volunteer.community)
    return volunteer.token


def volunteer_token_revoke(*, actor: User, volunteer: Volunteer) -> None:
    """Revoke the 一码通 (lost card): the old code opens nothing until a new one is issued."""
    _require(actor, roles.MANAGE_ROLES, volunteer.community)
    with transaction.atomic():
        volunteer.token = None
        volunteer.token_issued_at = None
        volunteer.save(update_fields=["token", "token_issued_at"])
        audit_record(actor=actor, action="作废一码通", obj=volunteer, community=volunteer.community)


# --- claims ----------------------------------------------------------------------------------------------


def _check_claim_shape(*, volunteer: Volunteer, service_type: ServiceType, service_date: date, quantity: int) -> None:
    today = timezone.localdate()
    if not volunteer.active:
        raise PointsError(_("该志愿者已停用,不能申报积分。"))
    if not service_type.active:
        raise PointsError(_("该服务类别已停用。"))
    if service_date > today:
        raise PointsError(_("服务日期不能晚于今天。"))
    if service_date < today - timedelta(days=CLAIM_MAX_AGE_DAYS):
        raise PointsError(_("只能申报 %(days)d 天以内的服务。") % {"days": CLAIM_MAX_AGE_DAYS})
    limit = MAX_HOURS_PER_DAY if service_type.unit == ServiceType.Unit.HOUR else MAX_TIMES_PER_DAY
    if not 1 <= quantity <= limit:
        raise PointsError(
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
            raise PointsError(_("您已有 %(n)d 条申报在等待审核,请审核后再申报。") % {"n": pending})
    else:
        _require(actor, roles.MANAGE_ROLES, volunteer.community)
    _check_claim_shape(volunteer=volunteer, service_type=service_type, service_date=service_date, quantity=quantity)
    if service_type.evidence_required and not photo:
        raise PointsError(_("“%(type)s”需要上传一张现场照片作为佐证。") % {"type": service_type.name})
    clean_photo = reencode_photo(photo) if photo else None
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
            claim.photo.save(clean_photo.name, clean_photo, save=False)
        claim.save()
        audit_record(
            actor=claim.submitted_by,
            action="申报志愿服务" if via != ServiceClaim.Via.SELF else "一码通自助申报",
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
    _require(actor, roles.MANAGE_ROLES, community)
    attendees = {v.pk: v for v in volunteers}
    if not attendees:
        raise PointsError(_("请至少选择一名参加活动的志愿者。"))
    foreign = [v.name for v in attendees.values() if v.community_id != community.pk]
    if foreign:
        raise PointsError(_("以下志愿者不属于%(c)s:%(names)s") % {"c": community.name, "names": "、".join(foreign)})
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
            action="活动批量申报",
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
    _require(actor, roles.APPROVE_ROLES, claim.community)
    with transaction.atomic():
        claim = ServiceClaim.objects.select_for_update().select_related("service_type", "volunteer").get(pk=claim.pk)
        if claim.status == ServiceClaim.Status.APPROVED:
            return claim
        if claim.status != ServiceClaim.Status.PENDING:
            raise PointsError(_("该申报已处理(%(status)s),不能再审核通过。") % {"status": claim.get_status_display()})
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
                    % {"name": claim.volunteer.name, "type": claim.service_type.name, "cap": cap}
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
            actor=actor, action="审核通过积分申报", obj=claim, community=claim.community, summary=f"入账 {awarded} 分"
        )
    return claim


def claim_reject(*, actor: User, claim: ServiceClaim, reason: str) -> ServiceClaim:
    """Reject a pending claim with a reason the volunteer will see."""
    _require(actor, roles.APPROVE_ROLES, claim.community)
    reason = reason.strip()
    if not reason:
        raise PointsError(_("请填写未通过的原因。"))
    with transaction.atomic():
        claim = ServiceClaim.objects.select_for_update().get(pk=claim.pk)
        if claim.status != ServiceClaim.Status.PENDING:
            raise PointsError(_("该申报已处理(%(status)s)。") % {"status": claim.get_status_display()})
        claim.status = ServiceClaim.Status.REJECTED
        claim.reject_reason = reason[:200]
        claim.decided_by = actor
        claim.decided_at = timezone.now()
        claim.save(update_fields=["status", "reject_reason", "decided_by", "decided_at"])
        audit_record(actor=actor, action="驳回积分申报", obj=claim, community=claim.community, summary=reason)
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
        except (PointsError, PermissionDenied) as exc:
            message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
            result.failed.append((claim, message))
    return result


# --- corrections ---------------------------------------------------------------------------------------------


REVERSIBLE_KINDS = frozenset({LedgerEntry.Kind.EARN, LedgerEntry.Kind.REDEEM, LedgerEntry.Kind.ADJUST})


def ledger_entry_reverse(*, actor: User, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Undo one entry with a new entry of the opposite amount that names it; an entry is reversed at most once.

    Reversing an earn also marks its claim reversed; reversing a redemption returns its stock.
    """
    _require(actor, roles.APPROVE_ROLES, entry.community)
    reason = reason.strip()
    if not reason:
        raise PointsError(_("请填写冲正原因。"))
    if entry.kind not in REVERSIBLE_KINDS:
        raise PointsError(_("只能冲正获得、兑换或调整记录。"))
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
                action="冲正积分流水",
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
    _require(actor, roles.APPROVE_ROLES, volunteer.community)
    if points == 0:
        raise PointsError(_("调整积分不能为 0。"))
    if not reason.strip():
        raise PointsError(_("请填写调整原因。"))
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
                action="调整积分",
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


# --- rewards and redemption -------------------------------------------------------------------------------------


def reward_save(*, actor: User, reward: Reward) -> Reward:
    """Create or update a catalogue item (stock edits here are counts after a stocktake)."""
    _require(actor, roles.CATALOGUE_ROLES, reward.community)
    creating = reward._state.adding
    with transaction.atomic():
        reward.save()
        audit_record(
            actor=actor,
            action="新增兑换商品" if creating else "修改兑换商品",
            obj=reward,
            community=reward.community,
            summary=f"{reward.name} {reward.price_points} 分,库存 {'不限' if reward.stock is None else reward.stock}",
        )
    return reward


def _same_redemption(redemption: Redemption, wanted: Mapping[int, int]) -> bool:
    return {line.reward_id: line.quantity for line in redemption.lines.all()} == dict(wanted)


def redemption_create(
    *,
    actor: User,
    volunteer: Volunteer,
    items: Mapping[int, int],
    idempotency_key: str,
    today: date | None = None,
) -> Redemption:
    """Exchange points for rewards at the counter: stock, balance and ledger change together or not at all.

    ``items`` maps reward ids to quantities. The same ``idempotency_key`` returns the first redemption.
    """
    _require(actor, roles.REDEEM_ROLES, volunteer.community)
    key = (idempotency_key or "").strip()
    if not key:
        raise PointsError(_("缺少幂等键,请刷新页面后重试。"))
    wanted = {int(reward_id): int(qty) for reward_id, qty in items.items() if int(qty) > 0}

    def existing() -> Redemption | None:
        found = Redemption.objects.filter(volunteer=volunteer, idempotency_key=key).prefetch_related("lines").first()
        if found is not None and not _same_redemption(found, wanted):
            raise PointsError(_("该兑换请求已用于另一笔兑换,请刷新页面后重试。"), code="idempotency_conflict")
        return found

    found = existing()
    if found is not None:
        return found
    if not volunteer.active:
        raise PointsError(_("该志愿者已停用,不能兑换。"))
    if not wanted:
        raise PointsError(_("请至少选择一件兑换物品。"))
    window = redemption_window(community=volunteer.community, day=today or timezone.localdate())
    if not window.is_open:
        raise WindowClosed(window.closed_message)
    rewards = {r.pk: r for r in Reward.objects.filter(pk__in=wanted.keys())}
    for reward_id in wanted:
        reward = rewards.get(reward_id)
        if reward is None or not reward.active or reward.community_id != volunteer.community_id:
            raise PointsError(_("所选物品不在%(c)s的积分超市中或已下架。") % {"c": volunteer.community.name})
    total = sum(rewards[rid].price_points * qty for rid, qty in wanted.items())
    try:
        with transaction.atomic():
            # The unique (volunteer, key) row goes in first: a concurrent retry waits here, then finds it.
            redemption = Redemption.objects.create(
                volunteer=volunteer,
                community_id=volunteer.community_id,
                total_points=total,
                idempotency_key=key,
                created_by=actor,
            )
            # Always lock rewards in id order, then the account, so concurrent redemptions cannot deadlock.
            for reward_id in sorted(wanted):
                reward, qty = rewards[reward_id], wanted[reward_id]
                updated = Reward.objects.filter(Q(stock__isnull=True) | Q(stock__gte=qty), pk=reward_id).update(
                    stock=F("stock") - qty
                )
                if updated != 1:
                    raise OutOfStock(_("“%(name)s”库存不足。") % {"name": reward.name})
            RedemptionLine.objects.bulk_create(
                RedemptionLine(
                    redemption=redemption,
                    reward_id=rid,
                    quantity=qty,
                    unit_points=rewards[rid].price_points,
                    points=rewards[rid].price_points * qty,
                )
                for rid, qty in sorted(wanted.items())
            )
            account_id = PointsAccount.objects.values_list("pk", flat=True).get(volunteer_id=volunteer.pk)
            try:
                _post(
                    account_id=account_id,
                    community_id=volunteer.community_id,
                    kind=LedgerEntry.Kind.REDEEM,
                    points=-total,
                    idempotency_key=f"redeem:{key}",
                    actor=actor,
                    redemption=redemption,
                    note="、".join(f"{rewards[rid].name}×{qty}" for rid, qty in sorted(wanted.items())),
                )
            except InsufficientPoints as exc:
                raise InsufficientPoints(
                    _("积分不足:本次需要 %(need)d 分,%(name)s的余额不够。") % {"need": total, "name": volunteer.name}
                ) from exc
            audit_record(
                actor=actor,
                action="积分兑换",
                obj=redemption,
                community=volunteer.community,
                summary=f"{volunteer.name} 兑换 {total} 分",
            )
    except IntegrityError:
        found = existing()
        if found is None:
            raise
        return found
    return redemption


# --- expiry ------------------------------------------------------------------------------------------------------


def expiry_cutoff(*, today: date, quarters: int) -> date:
    """Return the first day of the oldest quarter whose points are still valid."""
    year, quarter = shift_quarter(*quarter_of(today), -quarters)
    from .periods import quarter_bounds

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
