"""Writes of the 12345 hotline connection (cases.hotline): keys and settings, orders imported, status sent back.

An order becomes a case through ``case_open`` like any other, with source 12345; each order is imported in a
savepoint of its own, so a bad row is reported with its reason and the good rows around it are kept, and the
order number's unique constraint (per street) makes importing the same order again a no-op however often and
however concurrently it happens. The community comes from the order's 承办单位, else its address: an order that
names no community of the street is refused with its row's reason (fix the row, or the mapping, and import again)
— never guessed into a wrong community's queue.

A status change of a hotline case (``hotline_case_changed``, called for every event of such a case) is recorded
once as a ``HotlineDelivery`` with its body fixed, and sent by a task queued through the outbox; a failed send
is retried by the task and, after that, by the beat job until the platform answers 2xx. A delivered row is never
sent again, and a row claimed by one sender is not sent by another at the same time.
"""

import hashlib
import hmac
import json
import logging
import math
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import DomainError, require, require_permission
from lucun.models import Community, Street, User
from lucun.services import audit_record, outbox_enqueue

from ..audit import AuditAction
from ..models import (
    Case,
    CaseEvent,
    Category,
    HotlineColumn,
    HotlineDelivery,
    HotlineKey,
    HotlineOrder,
    HotlineSetting,
    Tier,
)
from .feedback_channels import _can_manage_channel
from .keys import issued_key_change, issued_key_create, issued_key_revoke
from .opening import case_open

logger = logging.getLogger(__name__)

NAME_MAX = 100
SECRET_MIN = 32
TITLE_MAX = 40
DELIVERY_TIMEOUT_SECONDS = 10
DELIVERY_CLAIM_LEASE = timedelta(minutes=5)
SIGNATURE_HEADER = "X-Lucun-Signature"
TIMESTAMP_HEADER = "X-Lucun-Timestamp"
DELIVERY_HEADER = "X-Lucun-Delivery"


def can_manage_hotline(user: User | None, street: Street) -> bool:
    """Keys, settings and imports of a street's hotline orders: street-level officials (and superusers)."""
    return user is not None and user.is_authenticated and _can_manage_channel(user, street, None)


# --- keys and settings ----------------------------------------------------------------------------------------


@transaction.atomic
def hotline_key_issue(*, street: Street, name: str, user: User, hourly_limit: int = 60) -> tuple[HotlineKey, str]:
    """Issue a key for the hotline platform; return it and the key itself, shown this once and never stored."""
    require_permission(can_manage_hotline(user, street), _("只有街道一级的工作人员可以签发该街道的 12345 推送密钥。"))
    name = (name or "").strip()
    require(bool(name), _("请填写使用方,如县12345热线平台。"))
    require(len(name) <= NAME_MAX, _("使用方不能超过%(n)d个字。") % {"n": NAME_MAX})
    require(hourly_limit >= 1, _("每小时推送上限至少为 1。"))
    return issued_key_create(
        model=HotlineKey,
        street=street,
        name=name,
        hourly_limit=hourly_limit,
        user=user,
        action=AuditAction.HOTLINE_KEY_ISSUE,
    )


@transaction.atomic
def hotline_key_change(*, key: HotlineKey, user: User, name: str, hourly_limit: int) -> HotlineKey:
    """Change a key's name or hourly limit, checked as when it was issued; audited."""
    require_permission(
        can_manage_hotline(user, key.street), _("只有街道一级的工作人员可以修改该街道的 12345 推送密钥。")
    )
    name = (name or "").strip()
    require(bool(name), _("请填写使用方,如县12345热线平台。"))
    require(len(name) <= NAME_MAX, _("使用方不能超过%(n)d个字。") % {"n": NAME_MAX})
    require(hourly_limit >= 1, _("每小时推送上限至少为 1。"))
    return issued_key_change(
        key=key, user=user, action=AuditAction.HOTLINE_KEY_CHANGE, name=name, hourly_limit=hourly_limit
    )


@transaction.atomic
def hotline_key_revoke(*, key: HotlineKey, user: User, reason: str) -> HotlineKey:
    """Revoke a key: it pushes nothing more. Nothing is deleted."""
    key = HotlineKey.objects.select_for_update().select_related("street").get(pk=key.pk)
    require_permission(
        can_manage_hotline(user, key.street), _("只有街道一级的工作人员可以吊销该街道的 12345 推送密钥。")
    )
    issued_key_revoke(key=key, user=user, reason=reason, action=AuditAction.HOTLINE_KEY_REVOKE)
    return key


@transaction.atomic
def hotline_setting_save(*, street: Street, user: User, callback_url: str, callback_secret: str) -> HotlineSetting:
    """Set where the street's status changes go back and the secret they are signed with; audited (not the secret)."""
    require_permission(can_manage_hotline(user, street), _("只有街道一级的工作人员可以修改该街道的 12345 设置。"))
    callback_url = (callback_url or "").strip()
    callback_secret = (callback_secret or "").strip()
    require(
        not callback_url or callback_url.startswith(("https://", "http://")),
        _("回传地址须以 https:// 开头。"),
    )
    require(
        not callback_url or len(callback_secret) >= SECRET_MIN,
        _("填写回传地址时,签名密钥至少 %(n)d 个字符。") % {"n": SECRET_MIN},
    )
    setting, _created = HotlineSetting.objects.select_for_update().get_or_create(street=street)
    before = {"callback_url": setting.callback_url, "secret_changed": False}
    changed_secret = setting.callback_secret != callback_secret
    setting.callback_url = callback_url
    setting.callback_secret = callback_secret
    setting.save(update_fields=["callback_url", "callback_secret"])
    after = {"callback_url": setting.callback_url, "secret_changed": changed_secret}
    if before["callback_url"] != after["callback_url"] or changed_secret:
        audit_record(
            actor=user,
            action=AuditAction.HOTLINE_SETTING_CHANGE,
            obj=setting,
            summary=_("回传地址:%(url)s") % {"url": setting.callback_url or _("不回传")},
            before=before,
            after=after,
        )
    return setting


# --- reading one order ----------------------------------------------------------------------------------------

_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y年%m月%d日",
)


def hotline_datetime(text: str) -> datetime | None:
    """Read a time as the hotline writes it, in China's time unless it names a zone; None if it is not one."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
        for fmt in _DATETIME_FORMATS:
            try:
                moment = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if moment is None:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


_LIMIT = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(个)?\s*(小时|h|时|工作日|天|日|d|周|星期|个月|月)\s*(内)?\s*$", re.IGNORECASE
)


def hotline_time_limit(text: str, *, accepted_at: datetime) -> timedelta | None:
    """Read an order's 办理时限: a span (24小时, 3天, 5个工作日, 2周, 1个月) or a deadline (2026-03-10 17:00).

    Working days count as calendar days plus a weekend for each five begun (5个工作日 → 7 days): a limit in working days
    never ends earlier than the hotline's own. None when the text is empty; DomainError when it is unreadable.
    """
    text = (text or "").strip()
    if not text:
        return None
    match = _LIMIT.match(text)
    if match:
        amount, unit = float(match.group(1)), match.group(3).lower()
        if unit in ("小时", "h", "时"):
            return timedelta(hours=amount)
        if unit == "工作日":
            return timedelta(days=amount + 2 * math.ceil(amount / 5))
        if unit in ("天", "日", "d"):
            return timedelta(days=amount)
        if unit in ("周", "星期"):
            return timedelta(weeks=amount)
        return timedelta(days=30 * amount)
    deadline = hotline_datetime(text)
    require(
        deadline is not None,
        _("办理时限“%(text)s”无法识别(可填 24小时、3天、5个工作日、1个月或截止时间)。") % {"text": text[:30]},
    )
    require(deadline > accepted_at, _("办理时限早于受理时间。"))
    return deadline - accepted_at


def hotline_tier(limit: timedelta | None, tiers: list[Tier]) -> Tier | None:
    """The tier whose time limit is the longest within the order's (so the case is due no later than the order);
    the shortest tier when the order's is shorter than all; None (the default tier) without a limit."""
    if limit is None or not tiers:
        return None
    ordered = sorted(tiers, key=lambda t: t.time_limit)
    within = [t for t in ordered if t.time_limit <= limit + timedelta(minutes=1)]
    return within[-1] if within else ordered[0]


def hotline_category(text: str, categories: list[Category]) -> Category | None:
    """The category named by the order's 诉求类型 (the same name, or one name inside the other); else None."""
    text = (text or "").strip()
    if not text:
        return None
    for category in categories:
        if category.name == text:
            return category
    for category in categories:
        if category.name in text or text in category.name:
            return category
    return None


def hotline_community(*, office: str, address: str, communities: list[Community]) -> Community | None:
    """The community named in the order's 承办单位, else in its address (the longest name that appears)."""
    by_length = sorted(communities, key=lambda c: -len(c.name))
    for text in (office, address):
        text = (text or "").strip()
        if not text:
            continue
        for community in by_length:
            if community.name and community.name in text:
                return community
    return None


_PHONE = re.compile(r"^\+?[0-9][0-9\- ]{4,24}$")


# --- importing --------------------------------------------------------------------------------------------------


@dataclass
class RowResult:
    """What became of one order: 新建 (created), 已导入 (a case exists), or 有误 (refused, with the reason)."""

    row: int
    number: str
    status: str  # "created" | "existing" | "error"
    message: str = ""
    case_number: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)
    dry_run: bool = False

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def created(self) -> int:
        return self.count("created")

    @property
    def existing(self) -> int:
        return self.count("existing")

    @property
    def errors(self) -> int:
        return self.count("error")


@dataclass
class _Context:
    street: Street
    user: User
    via: str
    key: HotlineKey | None
    communities: list[Community]
    categories: list[Category]
    tiers: list[Tier]


class _DryRun(Exception):
    """Raised to roll a preview back."""


def _import_one(ctx: _Context, row: int, values: dict[str, str]) -> RowResult:
    number = (values.get("number") or "").strip()
    result = RowResult(row=row, number=number, status="error")
    if not number:
        result.message = _("缺少工单编号。")
        return result
    if len(number) > 50:
        result.message = _("工单编号超过 50 个字符。")
        return result
    existing = HotlineOrder.objects.filter(street=ctx.street, number=number).select_related("case").first()
    if existing is not None:
        result.status, result.case_number = "existing", existing.case.number
        result.message = _("已导入过,未重复登记。")
        return result
    try:
        with transaction.atomic():
            case = _order_make(ctx, number, values, result)
    except IntegrityError:
        # Imported meanwhile by another upload or push: the constraint kept it to one case.
        order = HotlineOrder.objects.filter(street=ctx.street, number=number).select_related("case").first()
        if order is None:
            raise
        result.status, result.case_number, result.message = "existing", order.case.number, _("已导入过,未重复登记。")
        return result
    except DomainError as exc:
        result.message = str(exc)
        return result
    result.status, result.case_number = "created", case.number
    return result


def _order_make(ctx: _Context, number: str, values: dict[str, str], result: RowResult) -> Case:
    now = timezone.now()
    content = (values.get("content") or "").strip()
    require(bool(content), _("缺少诉求内容。"))
    accepted_text = (values.get("accepted_at") or "").strip()
    accepted_at = hotline_datetime(accepted_text) if accepted_text else now
    require(accepted_at is not None, _("受理时间“%(text)s”无法识别。") % {"text": accepted_text[:30]})
    require(accepted_at <= now + timedelta(minutes=10), _("受理时间晚于现在。"))
    phone = (values.get("caller_phone") or "").strip()
    require(not phone or bool(_PHONE.match(phone)), _("联系电话“%(text)s”不是电话号码。") % {"text": phone[:30]})
    phone = phone.replace(" ", "")[:20]
    caller = (values.get("caller_name") or "").strip()
    require(len(caller) <= 50, _("诉求人超过 50 个字。"))
    office = (values.get("office") or "").strip()
    address = (values.get("address") or "").strip()
    community = hotline_community(office=office, address=address, communities=ctx.communities)
    require(
        community is not None,
        _(
            "承办单位和诉求地址中都没有本街道的村(居)名称,无法确定由哪个村(居)办理。请在工单表中补上村(居)名称后重新导入。"
        ),
    )
    limit_text = (values.get("time_limit") or "").strip()
    limit = hotline_time_limit(limit_text, accepted_at=accepted_at)
    tier = hotline_tier(limit, ctx.tiers)
    if limit is None:
        result.notes.append(_("无办理时限,按默认层级登记。"))
    category_text = (values.get("category") or "").strip()
    category = hotline_category(category_text, ctx.categories)
    if category_text and category is None:
        result.notes.append(_("诉求类型“%(text)s”没有对应的类别,按默认类别登记。") % {"text": category_text[:30]})
    first_line = content.splitlines()[0].strip()
    title = first_line[:TITLE_MAX] + ("…" if len(first_line) > TITLE_MAX else "")
    details = [content]
    if address:
        details.append(_("诉求地址:%(a)s") % {"a": address})
    if limit_text:
        details.append(_("热线办理时限:%(t)s") % {"t": limit_text})
    case = case_open(
        community=community,
        title=title,
        created_by=ctx.user,
        source=Case.Source.HOTLINE,
        category=category,
        description="\n".join(details)[:5000],
        tier=tier,
        handler_office=office[:60],
        opened_at=min(accepted_at, now),
    )
    HotlineOrder.objects.create(
        street=ctx.street,
        number=number,
        case=case,
        accepted_at=accepted_at,
        caller_name=caller,
        caller_phone=phone,
        address=address[:200],
        category_text=category_text[:60],
        time_limit_text=limit_text[:60],
        office=office[:100],
        via=ctx.via,
        key=ctx.key,
        imported_by=ctx.user,
        reported_state=case.state,
    )
    return case


def hotline_orders_import(
    *,
    street: Street,
    rows: list[tuple[int, dict[str, str]]],
    user: User,
    via: str = HotlineOrder.Via.UPLOAD,
    key: HotlineKey | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Make a case of each order not imported before; return what became of each row, in order.

    ``rows`` are ``(row number, {field: text})`` with the fields of ``HotlineField``. Each order is kept or
    refused alone. With ``dry_run`` everything is checked and nothing kept (the upload page's preview).
    """
    require_permission(can_manage_hotline(user, street), _("只有街道一级的工作人员可以导入该街道的 12345 工单。"))
    ctx = _Context(
        street=street,
        user=user,
        via=via,
        key=key,
        communities=list(Community.objects.filter(street=street)),
        categories=list(Category.objects.active().order_by("sort_order", "name")),
        tiers=list(Tier.objects.order_by("rank")),
    )
    report = ImportReport(dry_run=dry_run)
    try:
        with transaction.atomic():
            seen: set[str] = set()
            for row, values in rows:
                number = (values.get("number") or "").strip()
                if number and number in seen:
                    report.rows.append(
                        RowResult(row=row, number=number, status="error", message=_("同一文件中工单编号重复。"))
                    )
                    continue
                seen.add(number)
                report.rows.append(_import_one(ctx, row, values))
            if dry_run:
                raise _DryRun
            if report.created:
                audit_record(
                    actor=user,
                    action=AuditAction.HOTLINE_IMPORT,
                    obj=key,
                    summary=_("%(street)s:新建 %(c)d 件,已导入 %(e)d 件,有误 %(x)d 行(%(via)s)")
                    % {
                        "street": street.name,
                        "c": report.created,
                        "e": report.existing,
                        "x": report.errors,
                        "via": HotlineOrder.Via(via).label,
                    },
                    after={"cases": [r.case_number for r in report.rows if r.status == "created"][:200]},
                )
    except _DryRun:
        pass
    return report


def hotline_columns() -> list[HotlineColumn]:
    return list(HotlineColumn.objects.order_by("id"))


# --- status back to the platform --------------------------------------------------------------------------------


def hotline_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """The signature a platform checks: HMAC-SHA256 with the shared secret over ``timestamp + "." + body``, hex."""
    message = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _payload(order: HotlineOrder, case: Case, event: CaseEvent) -> str:
    finished = case.state in ("resolved", "closed")
    data = {
        "delivery_id": str(event.pk),
        "order_number": order.number,
        "case_number": case.number,
        "street": order.street.code if hasattr(order, "street") else "",
        "state": case.state,
        "state_label": str(case.get_state_display()),
        "event": event.kind,
        "event_label": str(event.get_kind_display()),
        "at": event.at.isoformat(),
        "due_at": case.due_at.isoformat(),
        "result": case.resolution if finished else "",
        "resolved_at": case.resolved_at.isoformat() if finished and case.resolved_at else None,
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def hotline_case_changed(*, case: Case, event: CaseEvent) -> HotlineDelivery | None:
    """Record a hotline case's status change for the platform, once, and queue its sending (caller's transaction).

    Called for every event of a hotline case; only a state other than the one last reported is sent, and only
    where the street named a callback address.
    """
    order = (
        HotlineOrder.objects.select_for_update(of=("self",)).select_related("street").filter(case_id=case.pk).first()
    )
    if order is None or order.reported_state == case.state:
        return None
    order.reported_state = case.state
    order.save(update_fields=["reported_state"])
    setting = HotlineSetting.objects.filter(street_id=order.street_id).first()
    if setting is None or not setting.callback_url:
        return None
    delivery = HotlineDelivery.objects.create(
        order=order, event=event, url=setting.callback_url, body=_payload(order, case, event)
    )
    outbox_enqueue(task_name="cases.tasks.hotline_delivery_send", delivery_id=delivery.pk)
    return delivery


class HotlineDeliveryFailed(Exception):
    """The platform did not take a status change; it stays pending and is sent again."""


def _post(delivery: HotlineDelivery, secret: str) -> None:
    body = delivery.body.encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 (the address is an official's setting, http(s) only)
        delivery.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: hotline_signature(secret=secret, timestamp=timestamp, body=body),
            DELIVERY_HEADER: json.loads(delivery.body)["delivery_id"],
            "User-Agent": "lucun-hotline/1",
        },
    )
    with urllib.request.urlopen(request, timeout=DELIVERY_TIMEOUT_SECONDS) as response:  # noqa: S310
        if not 200 <= response.status < 300:
            raise HotlineDeliveryFailed(f"HTTP {response.status}")


def hotline_delivery_send(*, delivery_id: int) -> bool:
    """Send one pending status change unless it was delivered or another sender holds it; return whether delivered.

    Changes of one order go in order: while an earlier one is pending this one waits (the retry job sends both).
    Raise ``HotlineDeliveryFailed`` when the platform refuses or cannot be reached (the row is released).
    """
    now = timezone.now()
    delivery = HotlineDelivery.objects.select_related("order__street").filter(pk=delivery_id).first()
    if delivery is None or delivery.delivered_at is not None:
        return False
    if HotlineDelivery.objects.filter(order_id=delivery.order_id, delivered_at=None, pk__lt=delivery.pk).exists():
        return False
    claimed = (
        HotlineDelivery.objects.filter(pk=delivery.pk, delivered_at=None)
        .filter(Q(claimed_at=None) | Q(claimed_at__lt=now - DELIVERY_CLAIM_LEASE))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    setting = HotlineSetting.objects.filter(street_id=delivery.order.street_id).first()
    try:
        if setting is None or not setting.callback_secret:
            raise HotlineDeliveryFailed("no callback secret")
        _post(delivery, setting.callback_secret)
    except (OSError, urllib.error.URLError, HotlineDeliveryFailed, ValueError) as exc:
        HotlineDelivery.objects.filter(pk=delivery.pk, claimed_at=now, delivered_at=None).update(
            claimed_at=None, last_error=f"{type(exc).__name__}: {exc}"[:300]
        )
        logger.warning("hotline delivery %s failed (%s); kept for retry", delivery.pk, type(exc).__name__)
        raise HotlineDeliveryFailed(str(exc)) from exc
    HotlineDelivery.objects.filter(pk=delivery.pk).update(delivered_at=timezone.now(), claimed_at=None, last_error="")
    return True


def hotline_deliveries_retry(*, limit: int = 200) -> int:
    """Send the pending status changes, oldest first, stopping at an order whose earlier change fails; return how
    many were delivered."""
    delivered = 0
    blocked: set[int] = set()
    pending = (
        HotlineDelivery.objects.filter(delivered_at=None)
        .order_by("created_at", "pk")
        .values_list("pk", "order_id")[:limit]
    )
    for pk, order_id in list(pending):
        if order_id in blocked:
            continue
        try:
            delivered += hotline_delivery_send(delivery_id=pk)
        except HotlineDeliveryFailed:
            blocked.add(order_id)
    return delivered
