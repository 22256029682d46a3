"""Writes of 直面问 in the field: visit logs with their photos and requests, and a request turned into a case. Each
one owns its transaction and audit."""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case
from cases.services import case_open
from lucun.errors import DomainError
from lucun.images import image_save, images_clean
from lucun.models import User
from lucun.services import audit_record

from ..audit import AuditAction
from ..models import Household, VisitLog, VisitPhoto, VisitRequest, VisitTeam


@dataclass
class RequestInput:
    text: str
    answered: bool = False
    convert: bool = False  # turn it into a case (转为诉求) in the same transaction


def visitlog_create(
    *,
    actor: User,
    household: Household,
    visited_at: datetime,
    visitors: Iterable[User],
    idempotency_key: uuid.UUID | str,
    team: VisitTeam | None = None,
    method: str = VisitLog.Method.HOME,
    met: str = VisitLog.Met.HEAD,
    family_note: str = "",
    suggestions: str = "",
    answered_on_spot: str = "",
    duration_minutes: int | None = None,
    requests: Sequence[RequestInput] = (),
    photos: Sequence = (),
) -> tuple[VisitLog, bool]:
    """Record a visit with its requests and photos; return (log, created).

    The same ``idempotency_key`` sent again returns the first log and creates nothing.
    """
    key = uuid.UUID(str(idempotency_key))
    existing = VisitLog.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return _same_submission(existing, household), False
    visitor_list = list({u.pk: u for u in visitors}.values())
    if len(visitor_list) < 2:
        raise DomainError(_("民情日志至少需要两名走访人。"))
    if visited_at > timezone.now() + timedelta(minutes=10):
        raise DomainError(_("走访时间不能晚于现在。"))
    if team is not None and team.street_id != household.community.street_id:
        raise DomainError(_("走访队伍不属于该住户所在街道。"))
    texts = [r for r in requests if r.text.strip()]
    cleaned_photos = images_clean(photos)  # before the transaction: no half-saved log on a bad photo
    try:
        with transaction.atomic():
            log = VisitLog.objects.create(
                household=household,
                community_id=household.community_id,
                team=team,
                visited_at=visited_at,
                method=method,
                met=met,
                family_note=family_note,
                suggestions=suggestions,
                answered_on_spot=answered_on_spot,
                duration_minutes=duration_minutes,
                idempotency_key=key,
                created_by=actor,
            )
            log.visitors.set(visitor_list)
            created_requests = VisitRequest.objects.bulk_create(
                VisitRequest(
                    log=log,
                    household=household,
                    community_id=household.community_id,
                    text=r.text.strip(),
                    status=VisitRequest.Status.ANSWERED if r.answered and not r.convert else VisitRequest.Status.OPEN,
                )
                for r in texts
            )
            image_field = VisitPhoto._meta.get_field("image")
            VisitPhoto.objects.bulk_create(
                VisitPhoto(
                    log=log, image=image_save(image=clean, field=image_field), width=clean.width, height=clean.height
                )
                for clean in cleaned_photos
            )
            Household.objects.filter(
                Q(last_visited_at__isnull=True) | Q(last_visited_at__lt=visited_at), pk=household.pk
            ).update(last_visited_at=visited_at)
            for request, wanted in zip(created_requests, texts, strict=True):
                if wanted.convert:
                    request.log = log
                    request.household = household
                    visitrequest_convert(request=request, actor=actor)
            audit_record(
                actor=actor,
                action=AuditAction.VISITLOG_CREATE,
                obj=log,
                community=household.community,
                summary=_("记录走访:%(h)s,诉求 %(n)d 条") % {"h": household.head_name, "n": len(texts)},
            )
    except IntegrityError:
        # Two copies of one form raced past the lookup above: the first one won.
        existing = VisitLog.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        return _same_submission(existing, household), False
    return log, True


def _same_submission(log: VisitLog, household: Household) -> VisitLog:
    if log.household_id != household.pk:
        raise DomainError(_("提交键已用于另一条民情日志,请刷新页面后重新填写。"))
    return log


def visitrequest_convert(*, request: VisitRequest, actor: User, category=None, tier=None) -> Case:
    """Turn a visit request into a case (转为诉求); the case remembers the visit log as its source.

    The person who heard the request is the case's first responder (首问负责制). Converting twice
    returns the first case.
    """
    with transaction.atomic():
        locked = (
            VisitRequest.objects.select_for_update(of=("self",))
            .select_related("log", "household", "household__grid", "community")
            .get(pk=request.pk)
        )
        if locked.case_id is not None:
            return locked.case
        household = locked.household
        title = locked.text.strip().splitlines()[0][:100]
        description = _("入户走访时%(head)s(%(address)s)反映:%(text)s") % {
            "head": household.head_name,
            "address": household.address,
            "text": locked.text,
        }
        case = case_open(
            community=locked.community,
            title=title,
            description=description,
            source=Case.Source.VISIT,
            source_object=locked.log,
            created_by=actor,
            first_responder=actor,
            grid=household.grid,
            category=category,
            tier=tier,
            contact_name=household.head_name,
            contact_phone=household.phone,
        )
        locked.case = case
        locked.status = VisitRequest.Status.CONVERTED
        locked.save(update_fields=["case", "status"])
        audit_record(
            actor=actor,
            action=AuditAction.REQUEST_CONVERT,
            obj=locked,
            community=locked.community,
            summary=_("走访诉求转为诉求件 %(number)s") % {"number": case.number},
        )
    request.case, request.status = case, locked.status
    return case
