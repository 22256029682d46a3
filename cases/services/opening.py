"""Opening a case: its number, its deadlines from the tier, its first event and photos."""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import require, require_permission
from lucun.images import CleanImage, image_save, images_clean
from lucun.models import Community, Grid, User
from lucun.services import audit_record

from .. import clock, permissions
from ..audit import AuditAction
from ..models import Case, CaseCounter, CaseEvent, CaseList, CasePhoto, Category, Colour, Tier
from ..selectors.case import tier_default
from .base import add_event, mark_red, notify


def _next_number(community: Community, at: datetime) -> tuple[int, int, str]:
    year = timezone.localtime(at).year
    street = community.street
    CaseCounter.objects.get_or_create(street=street, year=year)
    counter = CaseCounter.objects.select_for_update().get(street=street, year=year)
    counter.last = F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    return year, counter.last, f"{street.code}-{year}-{counter.last:06d}"


@transaction.atomic
def case_open(
    *,
    community: Community,
    title: str,
    created_by: User,
    source: str,
    category: Category | None = None,
    description: str = "",
    source_object: Model | None = None,
    first_responder: User | None = None,
    grid: Grid | None = None,
    tier: Tier | None = None,
    case_list: str = CaseList.COMMUNITY,
    handler: User | None = None,
    handler_office: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    opened_at: datetime | None = None,
    photos: Iterable[CleanImage] = (),
    public_title: str = "",
) -> Case:
    """Register a case. The first responder (首问责任人) is whoever first received the person; it never changes.

    ``photos`` are clean photos (``lucun.images``), or uploads to clean: all are checked before anything is saved.
    """
    photos = list(photos)
    require(len(photos) <= MAX_CASE_PHOTOS, _("最多上传 %(n)d 张照片。") % {"n": MAX_CASE_PHOTOS})
    photos = images_clean(photos)
    require(bool(title and title.strip()), _("请填写诉求标题。"))
    require(grid is None or grid.community_id == community.pk, _("所选网格不属于该村(居)。"))
    require_permission(
        permissions.can_open(created_by, community) or created_by.is_superuser,
        _("您的职务不能在该村(居)登记诉求。"),
    )
    tier = tier or tier_default()
    require(tier is not None, _("尚未设定默认办理层级,请选择办理层级。"))
    category = category or Category.objects.active().order_by("sort_order").first()
    now = opened_at or timezone.now()
    year, serial, number = _next_number(community, now)
    due_at, warn_at = clock.deadlines(tier, now)
    case = Case(
        street_id=community.street_id,
        year=year,
        serial=serial,
        number=number,
        source=source,
        community=community,
        grid=grid,
        category=category,
        title=title.strip()[:100],
        public_title=clean_public_title(public_title),
        description=description.strip(),
        contact_name=contact_name,
        contact_phone=contact_phone,
        tier=tier,
        case_list=case_list,
        first_responder=first_responder or created_by,
        handler=handler,
        handler_office=handler_office,
        opened_at=now,
        due_at=due_at,
        warn_at=warn_at,
        notice_delay=tier.notice_after_red,
        created_by=created_by,
    )
    if source_object is not None:
        case.source_object = source_object
    case.colour = clock.colour_by_dates(due_at=due_at, warn_at=warn_at, now=timezone.now())
    if case.colour == Colour.RED:
        mark_red(case, timezone.now())
    case.full_clean(exclude=["street", "number", "source_type", "source_id", "first_responder", "created_by"])
    case.save()
    add_event(
        case,
        CaseEvent.Kind.OPENED,
        created_by,
        after={"tier": tier.name, "list": case.get_case_list_display(), "due_at": due_at.isoformat()},
    )
    case_photos_save(case=case, user=created_by, photos=photos)
    if handler and handler != created_by:
        notify(case, [handler], _("新诉求待签收:%(number)s %(title)s") % {"number": number, "title": case.title})
    return case


def clean_public_title(public_title: str) -> str:
    """The public title as stored: one line, not too long, no phone or ID number (villagers read it)."""
    from .feedback_triage import redaction_suggest

    public_title = " ".join((public_title or "").split())
    max_length = Case._meta.get_field("public_title").max_length
    require(
        len(public_title) <= max_length,
        _("公开标题最多 %(max)d 个字,现在是 %(n)d 个字。") % {"max": max_length, "n": len(public_title)},
    )
    require(
        redaction_suggest(public_title) == public_title,
        _("公开标题里有电话或身份证号码:群众都能看到,请去掉。"),
    )
    return public_title


@transaction.atomic
def case_public_title_set(*, case: Case, user: User, public_title: str) -> Case:
    """Set what villagers may read of the case: "我也遇到" suggestions and, where the street switched it on, the
    Open311 public list (empty: the case is neither suggested nor listed)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    require_permission(permissions.can_dispatch(user, case), _("只有派单人员可以修改公开标题。"))
    public_title = clean_public_title(public_title)
    before = case.public_title
    if before == public_title:
        return case
    case.public_title = public_title
    case.save(update_fields=["public_title"])
    audit_record(
        actor=user,
        action=AuditAction.CASE_PUBLIC_TITLE_SET,
        obj=case,
        community=case.community,
        summary=public_title or _("不公开"),
        before={"public_title": before},
        after={"public_title": public_title},
    )
    return case


MAX_CASE_PHOTOS = 6


def case_photos_save(*, case: Case, user: User | None, photos: Iterable[CleanImage]) -> list[CasePhoto]:
    """Store clean photos under random names; the rows go with the caller's transaction."""
    field = CasePhoto._meta.get_field("image")
    rows = [CasePhoto(case=case, image=image_save(image=photo, field=field), uploaded_by=user) for photo in photos]
    return CasePhoto.objects.bulk_create(rows)
