"""The points shop: catalogue edits and counter redemptions."""

from collections.abc import Iterable, Mapping
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import DomainError
from lucun.models import User
from lucun.scoping import require_role
from lucun.services import audit_record

from .. import roles
from ..audit import AuditAction
from ..models import LedgerEntry, PointsAccount, Redemption, RedemptionLine, Reward, Volunteer
from ..selectors import redemption_window
from .base import InsufficientPoints, OutOfStock, WindowClosed, _post


def reward_save(*, actor: User, reward: Reward, fields: Iterable[str] | None = None) -> Reward:
    """Create or update a catalogue item.

    ``fields`` names what an update changes (everything when None). Stock set here is a count after a stocktake;
    leave it out of ``fields`` when it was not counted, so redemptions made meanwhile are not overwritten.
    """
    require_role(actor, roles.CATALOGUE_ROLES, reward.community)
    creating = reward._state.adding
    reward.name = reward.name.strip()
    reward.shop_name = reward.shop_name.strip()
    if not reward.name or not reward.shop_name:
        raise DomainError(_("请填写商品名称和兑换点。"))

    def clash() -> DomainError:
        return DomainError(
            _("%(c)s的积分超市已有“%(name)s”,请换一个名称或修改原有商品。")
            % {"c": reward.community.name, "name": reward.name},
            code="reward_exists",
        )

    if Reward.objects.filter(community_id=reward.community_id, name=reward.name).exclude(pk=reward.pk).exists():
        raise clash()
    update_fields = None if creating or fields is None else list(fields)
    stock = "不限" if reward.stock is None else reward.stock
    try:
        with transaction.atomic():
            reward.save(update_fields=update_fields)
            audit_record(
                actor=actor,
                action=AuditAction.REWARD_CREATE if creating else AuditAction.REWARD_UPDATE,
                obj=reward,
                community=reward.community,
                summary=f"{reward.name} {reward.price_points} 分,库存 {stock}",
            )
    except IntegrityError:
        if creating:
            reward.pk = None
            reward._state.adding = True
        if Reward.objects.filter(community_id=reward.community_id, name=reward.name).exclude(pk=reward.pk).exists():
            raise clash() from None
        raise
    return reward


def _same_redemption(redemption: Redemption, wanted: Mapping[int, int]) -> bool:
    return {line.reward_id: line.quantity for line in redemption.lines.all()} == dict(wanted)


def _account_id(volunteer: Volunteer) -> int:
    if Volunteer.account.is_cached(volunteer):
        return volunteer.account.pk
    return PointsAccount.objects.values_list("pk", flat=True).get(volunteer_id=volunteer.pk)


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
    require_role(actor, roles.REDEEM_ROLES, volunteer.community)
    key = (idempotency_key or "").strip()
    if not key:
        raise DomainError(_("缺少幂等键,请刷新页面后重试。"))
    wanted = {int(reward_id): int(qty) for reward_id, qty in items.items() if int(qty) > 0}

    def existing() -> Redemption | None:
        found = Redemption.objects.filter(volunteer=volunteer, idempotency_key=key).prefetch_related("lines").first()
        if found is not None and not _same_redemption(found, wanted):
            raise DomainError(_("该兑换请求已用于另一笔兑换,请刷新页面后重试。"), code="idempotency_conflict")
        return found

    found = existing()
    if found is not None:
        return found
    if not volunteer.active:
        raise DomainError(_("该志愿者已停用,不能兑换。"))
    if not wanted:
        raise DomainError(_("请至少选择一件兑换物品。"))
    window = redemption_window(community=volunteer.community, day=today or timezone.localdate())
    if not window.is_open:
        raise WindowClosed(window.closed_message)
    rewards = {r.pk: r for r in Reward.objects.filter(pk__in=wanted.keys())}
    for reward_id in wanted:
        reward = rewards.get(reward_id)
        if reward is None or not reward.is_active or reward.community_id != volunteer.community_id:
            raise DomainError(_("所选物品不在%(c)s的积分超市中或已下架。") % {"c": volunteer.community.name})
    total = sum(rewards[rid].price_points * qty for rid, qty in wanted.items())
    account_id = _account_id(volunteer)
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
            audit_record(
                actor=actor,
                action=AuditAction.REDEMPTION_CREATE,
                obj=redemption,
                community=volunteer.community,
                summary=f"{volunteer.name} 兑换 {total} 分",
            )
            # The shared rows last, so they stay locked (until commit) as briefly as possible. Always lock
            # rewards in id order, then the account, so concurrent redemptions cannot deadlock.
            for reward_id in sorted(wanted):
                reward, qty = rewards[reward_id], wanted[reward_id]
                updated = Reward.objects.filter(Q(stock__isnull=True) | Q(stock__gte=qty), pk=reward_id).update(
                    stock=F("stock") - qty
                )
                if updated != 1:
                    raise OutOfStock(_("“%(name)s”库存不足。") % {"name": reward.display_name})
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
    except IntegrityError:
        found = existing()
        if found is None:
            raise
        return found
    return redemption
