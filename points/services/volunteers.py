"""Registering volunteers and issuing or revoking their 一码通."""

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone

from lucun.models import Community, User
from lucun.services import audit_record

from .. import roles
from ..models import PointsAccount, ServiceCorps, Volunteer, new_token
from .base import _require


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
