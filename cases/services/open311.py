"""Writes of Open311 GeoReport v2 (cases.open311): keys issued and revoked, street settings, a request posted.

A request posted through Open311 is anonymous feedback like one sent by QR code: it goes through
``feedback_submit`` with the same checks. What the spec lets a client say about the person (email, names, device
and account ids) or the exact place (coordinates, address) is never handed on, so never stored; a phone is kept
only when the request asks for a call back, as leaving a number on the form does, or for an SMS once resolved (the
form's box), which keeps it the same way: staff see it and may call.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from lucun.errors import require, require_permission
from lucun.models import Community, Street, User
from lucun.services import audit_record

from ..audit import AuditAction
from ..models import Category, Feedback, FeedbackChannel, Open311Key, Open311Setting
from .feedback import feedback_submit
from .feedback_channels import _can_manage_channel
from .keys import issued_key_change, issued_key_create, issued_key_revoke

NAME_MAX = 100


def can_manage_open311(user: User | None, street: Street) -> bool:
    """Keys and settings of a street: whoever manages its street-wide code (street-level officials, superusers)."""
    return user is not None and _can_manage_channel(user, street, None)


@transaction.atomic
def open311_key_issue(
    *, street: Street, name: str, user: User, hourly_limit: int = 100, limit_each_address: bool = True
) -> tuple[Open311Key, str]:
    """Issue a key for an app; return it and the key itself, which is shown this once and never stored.

    ``limit_each_address`` off: the app's server forwards every resident's request, so only the key's hourly limit
    counts them, not the QR form's limit of the address they come from."""
    require_permission(can_manage_open311(user, street), _("只有街道一级的工作人员可以签发该街道的 API 密钥。"))
    name = (name or "").strip()
    require(bool(name), _("请填写使用方,如某某市民 App。"))
    require(len(name) <= NAME_MAX, _("使用方不能超过%(n)d个字。") % {"n": NAME_MAX})
    require(hourly_limit >= 1, _("每小时提交上限至少为 1。"))
    channel = FeedbackChannel.objects.create(
        kind=FeedbackChannel.Kind.OPEN311,
        street=street,
        community=None,
        label=(_("%(name)s(Open311)") % {"name": name})[:100],
        created_by=user,
    )
    return issued_key_create(
        model=Open311Key,
        street=street,
        name=name,
        hourly_limit=hourly_limit,
        user=user,
        action=AuditAction.OPEN311_KEY_ISSUE,
        channel=channel,
        limit_each_address=bool(limit_each_address),
    )


@transaction.atomic
def open311_key_change(
    *, key: Open311Key, user: User, name: str, hourly_limit: int, limit_each_address: bool
) -> Open311Key:
    """Change a key's name, hourly limit or address counting, checked as when it was issued; audited."""
    require_permission(can_manage_open311(user, key.street), _("只有街道一级的工作人员可以修改该街道的 API 密钥。"))
    name = (name or "").strip()
    require(bool(name), _("请填写使用方,如某某市民 App。"))
    require(len(name) <= NAME_MAX, _("使用方不能超过%(n)d个字。") % {"n": NAME_MAX})
    require(hourly_limit >= 1, _("每小时提交上限至少为 1。"))
    return issued_key_change(
        key=key,
        user=user,
        action=AuditAction.OPEN311_KEY_CHANGE,
        name=name,
        hourly_limit=hourly_limit,
        limit_each_address=bool(limit_each_address),
    )


@transaction.atomic
def open311_key_revoke(*, key: Open311Key, user: User, reason: str) -> Open311Key:
    """Revoke a key: it posts nothing more, and its channel stops with it. Nothing is deleted."""
    key = Open311Key.objects.select_for_update().select_related("street", "channel").get(pk=key.pk)
    require_permission(can_manage_open311(user, key.street), _("只有街道一级的工作人员可以吊销该街道的 API 密钥。"))
    issued_key_revoke(key=key, user=user, reason=reason, action=AuditAction.OPEN311_KEY_REVOKE)
    channel = key.channel
    if channel.is_active:
        channel.is_active = False
        channel.deactivated_at = key.revoked_at
        channel.deactivated_reason = (_("API 密钥已吊销:%(reason)s") % {"reason": key.revoked_reason})[:200]
        channel.save(update_fields=["is_active", "deactivated_at", "deactivated_reason"])
    return key


@transaction.atomic
def open311_setting_save(
    *, street: Street, user: User, public_listing: bool, service_notice: str = ""
) -> Open311Setting:
    """Switch the street's public list on or off and set its notice; the change is audited."""
    require_permission(can_manage_open311(user, street), _("只有街道一级的工作人员可以修改该街道的 Open311 设置。"))
    service_notice = (service_notice or "").strip()
    require(len(service_notice) <= 200, _("受理提示不能超过200个字。"))
    setting, _created = Open311Setting.objects.select_for_update().get_or_create(street=street)
    before = {"public_listing": setting.public_listing, "service_notice": setting.service_notice}
    setting.public_listing = bool(public_listing)
    setting.service_notice = service_notice
    setting.save(update_fields=["public_listing", "service_notice"])
    after = {"public_listing": setting.public_listing, "service_notice": setting.service_notice}
    if before != after:
        audit_record(
            actor=user,
            action=AuditAction.OPEN311_SETTING_CHANGE,
            obj=setting,
            summary=_("公开诉求列表:%(state)s") % {"state": _("开启") if setting.public_listing else _("关闭")},
            before=before,
            after=after,
        )
    return setting


def open311_request_submit(
    *,
    key: Open311Key,
    community: Community,
    category: Category,
    text: str,
    phone: str = "",
    callback: bool = False,
    sms: bool = False,
) -> Feedback:
    """Store a request posted with ``key`` as anonymous feedback of the key's street, through its channel.

    ``phone`` is kept only with ``callback`` (the submitter asked to be called back) or ``sms`` (an SMS with the
    lookup code once the case is resolved, as the QR form's check box asks; a mobile number then); without either
    the number is dropped here. Nothing else about the submitter reaches this function.
    """
    require_permission(key.is_active and key.channel.is_active, _("API 密钥无效或已吊销。"))
    require(community.street_id == key.street_id, _("所选村(居)不属于本街道。"))
    require(not callback or bool((phone or "").strip()), _("选择了希望回电,请同时填写电话(phone)。"))
    feedback, _created = feedback_submit(
        channel=key.channel,
        community=community,
        category=category,
        text=text,
        reply_phone=phone if callback or sms else "",
        notify_sms=sms,
    )
    return feedback
