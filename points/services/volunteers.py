"""Registering volunteers, linking them to their household, and issuing or revoking their 一码通."""

from collections.abc import Iterable
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import DomainError, require_permission
from lucun.models import Community, User
from lucun.scoping import require_role
from lucun.services import audit_record
from lucun.text import mask_phone
from visits.models import HouseholdMember

from .. import roles
from ..audit import AuditAction
from ..models import PointsAccount, ServiceCorps, Volunteer, new_token


def _check_member(
    *, actor: User, community: Community, member: HouseholdMember | None, volunteer: Volunteer | None = None
) -> None:
    """Refuse a household link the actor may not make, or one to another community's or another volunteer's member.

    The member's community is a rule across two tables (no CHECK constraint can hold it), so it lives here.
    """
    current = volunteer.member_id if volunteer is not None else None
    if (member.pk if member is not None else None) == current:
        return
    require_permission(
        roles.can_link_member(actor, community),
        _("关联家庭成员需由能查看%(community)s住户家庭成员的村居干部或街道班子成员办理。")
        % {"community": community.name},
    )
    if member is None:
        return
    household = member.household
    if household.community_id != community.pk:
        raise DomainError(
            _("%(member)s(%(address)s)不是%(community)s的住户,志愿者只能关联本村(居)的家庭成员。")
            % {"member": member.name, "address": household.address, "community": community.name},
            code="member_community",
        )
    taken = Volunteer.objects.filter(member=member).exclude(pk=volunteer.pk if volunteer else None).first()
    if taken is not None:
        raise _member_taken(member, taken.name)


def _member_taken(member: HouseholdMember, name: str = "") -> DomainError:
    who = name or _("另一名志愿者")
    return DomainError(
        _("家庭成员%(member)s已关联%(who)s:一个人只能登记为一名志愿者。") % {"member": member.name, "who": who},
        code="member_taken",
    )


def _check_not_registered(*, community: Community, name: str, phone: str, volunteer: Volunteer | None = None) -> None:
    """Refuse a second registration of the same person: same community, same name, same phone."""
    if not phone:
        return
    twin = Volunteer.objects.filter(community=community, name=name, phone=phone)
    if volunteer is not None:
        twin = twin.exclude(pk=volunteer.pk)
    if twin.exists():
        raise _already_registered(community, name, phone)


def _already_registered(community: Community, name: str, phone: str) -> DomainError:
    return DomainError(
        _("%(name)s(手机号 %(phone)s)已在%(community)s登记为志愿者,请勿重复登记。")
        % {"name": name, "phone": mask_phone(phone), "community": community.name},
        code="volunteer_exists",
    )


def _integrity_refusal(
    *, community: Community, name: str, phone: str, member: HouseholdMember | None, volunteer: Volunteer | None = None
) -> DomainError | None:
    """Name the rule a concurrent write broke between our checks and our insert, if it is one of ours."""
    others = Volunteer.objects.exclude(pk=volunteer.pk) if volunteer is not None else Volunteer.objects.all()
    if member is not None and others.filter(member=member).exists():
        return _member_taken(member)
    if phone and others.filter(community=community, name=name, phone=phone).exists():
        return _already_registered(community, name, phone)
    return None


def volunteer_create(
    *,
    actor: User,
    community: Community,
    name: str,
    phone: str = "",
    corps: Iterable[ServiceCorps] = (),
    joined_on: date | None = None,
    active: bool = True,
    member: HouseholdMember | None = None,
) -> Volunteer:
    """Register a volunteer with an empty points account and a fresh 一码通, optionally linked to their household."""
    require_role(actor, roles.MANAGE_ROLES, community)
    name, phone = name.strip(), phone.strip()
    _check_member(actor=actor, community=community, member=member)
    _check_not_registered(community=community, name=name, phone=phone)
    try:
        with transaction.atomic():
            volunteer = Volunteer.objects.create(
                community=community,
                name=name,
                phone=phone,
                joined_on=joined_on or timezone.localdate(),
                active=active,
                member=member,
                token=new_token(),
                token_issued_at=timezone.now(),
            )
            volunteer.corps.set(list(corps))
            PointsAccount.objects.create(volunteer=volunteer, community=community)
            audit_record(
                actor=actor,
                action=AuditAction.VOLUNTEER_CREATE,
                obj=volunteer,
                community=community,
                summary=volunteer.name,
            )
    except IntegrityError:
        refusal = _integrity_refusal(community=community, name=name, phone=phone, member=member)
        if refusal is None:
            raise
        raise refusal from None  # written by someone else a moment ago
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
    member: HouseholdMember | None,
) -> Volunteer:
    """Change a volunteer's details; the community stays (points and history belong to it).

    ``member`` is the household link to keep or set; pass the current one (``volunteer.member``) to leave it.
    """
    require_role(actor, roles.MANAGE_ROLES, volunteer.community)
    name, phone = name.strip(), phone.strip()
    _check_member(actor=actor, community=volunteer.community, member=member, volunteer=volunteer)
    _check_not_registered(community=volunteer.community, name=name, phone=phone, volunteer=volunteer)

    def state() -> dict:
        return {
            "name": volunteer.name,
            "active": volunteer.active,
            "joined_on": str(volunteer.joined_on),
            "member": volunteer.member_id,
        }

    before = state()
    try:
        with transaction.atomic():
            volunteer.name = name
            volunteer.phone = phone
            volunteer.joined_on = joined_on
            volunteer.active = active
            volunteer.member = member
            volunteer.save(update_fields=["name", "phone", "joined_on", "active", "member"])
            volunteer.corps.set(list(corps))
            audit_record(
                actor=actor,
                action=AuditAction.VOLUNTEER_UPDATE,
                obj=volunteer,
                community=volunteer.community,
                before=before,
                after=state(),
            )
    except IntegrityError:
        volunteer.refresh_from_db()
        refusal = _integrity_refusal(
            community=volunteer.community, name=name, phone=phone, member=member, volunteer=volunteer
        )
        if refusal is None:
            raise
        raise refusal from None
    return volunteer


def volunteer_token_issue(*, actor: User, volunteer: Volunteer) -> str:
    """Issue a new 一码通, which replaces (and so revokes) any earlier card."""
    require_role(actor, roles.MANAGE_ROLES, volunteer.community)
    with transaction.atomic():
        volunteer.token = new_token()
        volunteer.token_issued_at = timezone.now()
        volunteer.save(update_fields=["token", "token_issued_at"])
        audit_record(
            actor=actor, action=AuditAction.VOLUNTEER_TOKEN_ISSUE, obj=volunteer, community=volunteer.community
        )
    return volunteer.token


def volunteer_token_revoke(*, actor: User, volunteer: Volunteer) -> None:
    """Revoke the 一码通 (lost card): the old code opens nothing until a new one is issued.

    Revoking a revoked code changes nothing.
    """
    require_role(actor, roles.MANAGE_ROLES, volunteer.community)
    if volunteer.token is None:
        return
    with transaction.atomic():
        volunteer.token = None
        volunteer.token_issued_at = None
        volunteer.save(update_fields=["token", "token_issued_at"])
        audit_record(
            actor=actor, action=AuditAction.VOLUNTEER_TOKEN_REVOKE, obj=volunteer, community=volunteer.community
        )
