"""Feedback channels: a community's posters and card batches, and each street's street-wide code. Every change is
audited."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import DomainError, require, require_permission
from lucun.models import Community, Street, User
from lucun.scoping import STREET_LEVEL_ROLES, has_role, user_positions
from lucun.services import audit_record

from ..audit import AuditAction
from ..models import FeedbackChannel, new_channel_token
from .feedback import TRIAGE_ROLES

Kind = FeedbackChannel.Kind


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
