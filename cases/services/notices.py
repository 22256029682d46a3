"""The negative list and its 通报: reporting a conduct violation, drafting and publishing a 通报.

"发现一起通报一起": a recorded violation is told at once to the official concerned and to the supervisors of the
community, and goes into the next 通报 of the street. A 通报 is drafted by the street's supervisors or leaders,
listing violations of its period with their handling, then published: it gets its issue number, each case it
names records it in its timeline, the publication is audited and its readers are told. A published 通报 is never
changed; a correction is a new 通报 that names the one it corrects.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import require, require_permission
from lucun.models import Community, Notification, Street, User
from lucun.scoping import communities_for
from lucun.selectors import officials_covering
from lucun.services import audit_record, notification_bulk_send, notification_send

from .. import permissions
from ..audit import AuditAction
from ..models import Bulletin, BulletinItem, Case, CaseEvent, ConductKind, ConductViolation
from ..selectors.notices import bulletin_reader_roles, bulletin_readers
from .conduct import conduct_violation_record

PERIOD_MAX = timedelta(days=366)
ITEMS_MAX = 200
HANDLING_MAX = 500


@dataclass(frozen=True)
class BulletinEntry:
    """One violation a 通报 is to list, and how it was handled."""

    violation: ConductViolation
    handling: str


# --- Conduct violations ------------------------------------------------------------------------------------


def conduct_violation_notify(*, violation: ConductViolation, actor: User | None = None) -> None:
    """Tell the official concerned, and the supervisors of the violation's community, that it was recorded.

    The recorder is not told what they just did. The notices are written with the caller's transaction and
    delivered after it commits.
    """
    values = {
        "official": str(violation.official),
        "kind": violation.kind.display_name,
        "community": violation.community.name,
        "date": violation.occurred_on.isoformat(),
    }
    body = _("%(date)s · %(community)s · %(kind)s") % values
    if violation.case_id:
        body += " · " + _("相关诉求 %(number)s") % {"number": violation.case.number}
    body += "\n" + violation.note
    notification_send(
        recipients=[violation.official],
        title=_("您有一起作风问题被记录:%(kind)s") % values,
        body=body,
        url=violation.case.get_absolute_url() if violation.case_id else "",
        level=Notification.Level.WARNING,
    )
    supervisors = officials_covering(community=violation.community, roles=permissions.SUPERVISE_ROLES).exclude(
        pk__in=[violation.official_id, *([actor.pk] if actor is not None else [])]
    )
    notification_send(
        recipients=supervisors,
        title=_("作风问题已记录:%(official)s · %(kind)s") % values,
        body=body,
        url=reverse("cases:notice_list"),
    )


@transaction.atomic
def conduct_violation_report(
    *,
    user: User,
    official: User,
    kind: ConductKind,
    community: Community,
    occurred_on: date,
    note: str,
    case: Case | None = None,
) -> ConductViolation:
    """Record a violation of the negative list (``conduct_violation_record``) and tell who must know of it."""
    violation = conduct_violation_record(
        user=user, official=official, kind=kind, community=community, occurred_on=occurred_on, note=note, case=case
    )
    conduct_violation_notify(violation=violation, actor=user)
    return violation


# --- 通报 ----------------------------------------------------------------------------------------------------


def _check(
    *,
    user: User,
    street: Street,
    title: str,
    period_from: date,
    period_to: date,
    entries: Sequence[BulletinEntry],
    corrects: Bulletin | None,
) -> None:
    """Refuse a draft the rules do not allow, saying why; nothing is written before this passes."""
    require_permission(
        permissions.can_write_bulletins(user, street),
        _("只有街道督办人员或班子成员可以起草%(street)s的通报。") % {"street": street.name},
    )
    require(bool(title and title.strip()), _("请填写通报标题。"))
    require(period_from <= period_to, _("通报期间的开始日期不能晚于结束日期。"))
    require(period_to - period_from < PERIOD_MAX, _("一期通报的期间最长一年。"))
    require(
        corrects is None or (corrects.is_published and corrects.street_id == street.pk),
        _("只能更正本街道已发布的通报。"),
    )
    require(bool(entries), _("请至少选择一起作风问题列入通报。"))
    require(len(entries) <= ITEMS_MAX, _("一期通报最多列入 %(n)d 起作风问题。") % {"n": ITEMS_MAX})
    violations = [entry.violation for entry in entries]
    require(len({v.pk for v in violations}) == len(violations), _("同一起作风问题只能列入一次。"))
    visible = set(
        communities_for(user).filter(pk__in={v.community_id for v in violations}).values_list("pk", flat=True)
    )
    # A violation the user may not see is not named: the refusal must not tell what it is.
    require(all(v.community_id in visible for v in violations), _("所选的作风问题有的不在您的范围内,请重新选择。"))
    for entry in entries:
        v = entry.violation
        named = {"official": str(v.official), "kind": v.kind.display_name, "date": v.occurred_on.isoformat()}
        require(v.community.street_id == street.pk, _("“%(official)s · %(kind)s”不属于本街道。") % named)
        require(
            period_from <= v.occurred_on <= period_to,
            _("“%(official)s · %(kind)s”(%(date)s)不在通报期间内。") % named,
        )
        handling = (entry.handling or "").strip()
        require(bool(handling), _("请填写“%(official)s · %(kind)s”的处理情况。") % named)
        require(
            len(handling) <= HANDLING_MAX,
            _("“%(official)s · %(kind)s”的处理情况最多 %(n)d 字。") % {**named, "n": HANDLING_MAX},
        )


def _items_write(bulletin: Bulletin, entries: Sequence[BulletinEntry]) -> None:
    BulletinItem.objects.bulk_create(
        [
            BulletinItem(bulletin=bulletin, violation=entry.violation, handling=entry.handling.strip(), sort_order=i)
            for i, entry in enumerate(entries, start=1)
        ]
    )


def _summary(bulletin: Bulletin, violation_ids: Sequence[int]) -> dict:
    return {
        "title": bulletin.title,
        "period": [bulletin.period_from.isoformat(), bulletin.period_to.isoformat()],
        "violations": list(violation_ids),
    }


@transaction.atomic
def bulletin_create(
    *,
    user: User,
    street: Street,
    title: str,
    period_from: date,
    period_to: date,
    entries: Sequence[BulletinEntry],
    body: str = "",
    corrects: Bulletin | None = None,
) -> Bulletin:
    """Draft a 通报 of ``street`` listing ``entries``; only its supervisors and leaders see it until it is published."""
    _check(
        user=user,
        street=street,
        title=title,
        period_from=period_from,
        period_to=period_to,
        entries=entries,
        corrects=corrects,
    )
    bulletin = Bulletin.objects.create(
        street=street,
        title=title.strip(),
        period_from=period_from,
        period_to=period_to,
        body=(body or "").strip(),
        corrects=corrects,
        created_by=user,
    )
    _items_write(bulletin, entries)
    audit_record(
        actor=user,
        action=AuditAction.BULLETIN_CREATE,
        obj=bulletin,
        summary=_("起草通报:%(title)s") % {"title": bulletin.title},
        after=_summary(bulletin, [entry.violation.pk for entry in entries]),
    )
    return bulletin


def _locked(bulletin: Bulletin) -> Bulletin:
    return Bulletin.objects.select_for_update().select_related("street").get(pk=bulletin.pk)


@transaction.atomic
def bulletin_update(
    *,
    user: User,
    bulletin: Bulletin,
    title: str,
    period_from: date,
    period_to: date,
    entries: Sequence[BulletinEntry],
    body: str = "",
) -> Bulletin:
    """Change a draft 通报: its title, period, text and the violations it lists. A published one is final."""
    bulletin = _locked(bulletin)
    require_permission(
        permissions.can_write_bulletins(user, bulletin.street),
        _("只有街道督办人员或班子成员可以修改%(street)s的通报。") % {"street": bulletin.street.name},
    )
    require(not bulletin.is_published, _("这期通报已经发布,不能再修改;如需更正,请另起草一期更正通报。"))
    _check(
        user=user,
        street=bulletin.street,
        title=title,
        period_from=period_from,
        period_to=period_to,
        entries=entries,
        corrects=bulletin.corrects,
    )
    before = _summary(bulletin, list(bulletin.items.values_list("violation_id", flat=True)))
    bulletin.title, bulletin.period_from, bulletin.period_to = title.strip(), period_from, period_to
    bulletin.body = (body or "").strip()
    bulletin.save(update_fields=["title", "period_from", "period_to", "body"])
    bulletin.items.all().delete()
    _items_write(bulletin, entries)
    audit_record(
        actor=user,
        action=AuditAction.BULLETIN_UPDATE,
        obj=bulletin,
        summary=_("修改通报草稿:%(title)s") % {"title": bulletin.title},
        before=before,
        after=_summary(bulletin, [entry.violation.pk for entry in entries]),
    )
    return bulletin


@transaction.atomic
def bulletin_publish(*, user: User, bulletin: Bulletin) -> Bulletin:
    """Publish a draft 通报: give it the street's next issue number of the year, record it on each case it names,
    audit it and tell its readers (after commit). From now on it is read-only."""
    bulletin = _locked(bulletin)
    street = bulletin.street
    require_permission(
        permissions.can_write_bulletins(user, street),
        _("只有街道督办人员或班子成员可以发布%(street)s的通报。") % {"street": street.name},
    )
    require(not bulletin.is_published, _("这期通报已经发布。"))
    items = list(bulletin.items.select_related("violation__official", "violation__kind", "violation__case"))
    require(bool(items), _("通报没有列入任何作风问题,不能发布。"))
    now = timezone.now()
    year = timezone.localtime(now).year
    # One series per street and year: publications of one street wait for each other here.
    list(Street.objects.select_for_update().filter(pk=street.pk).values_list("pk", flat=True))
    last = Bulletin.objects.filter(street=street, year=year).aggregate(last=Max("serial"))["last"] or 0
    bulletin.state = Bulletin.State.PUBLISHED
    bulletin.year, bulletin.serial = year, last + 1
    bulletin.published_by, bulletin.published_at = user, now
    bulletin.save(update_fields=["state", "year", "serial", "published_by", "published_at"])

    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case_id=item.violation.case_id,
                kind=CaseEvent.Kind.BULLETINED,
                actor=user,
                at=now,
                note=_("%(number)s《%(title)s》:%(official)s · %(kind)s;处理情况:%(handling)s")
                % {
                    "number": bulletin.number,
                    "title": bulletin.title,
                    "official": str(item.violation.official),
                    "kind": item.violation.kind.display_name,
                    "handling": item.handling,
                },
                after={"bulletin": bulletin.pk, "violation": item.violation_id},
            )
            for item in items
            if item.violation.case_id
        ]
    )
    roles = bulletin_reader_roles()
    audit_record(
        actor=user,
        action=AuditAction.BULLETIN_PUBLISH,
        obj=bulletin,
        summary=_("发布通报:%(number)s《%(title)s》") % {"number": bulletin.number, "title": bulletin.title},
        after={
            "number": bulletin.number,
            "violations": [item.violation_id for item in items],
            "readers": sorted(roles | permissions.BULLETIN_WRITE_ROLES),
        },
    )
    url = bulletin.get_absolute_url()
    title = _("新通报:%(number)s《%(title)s》") % {"number": bulletin.number, "title": bulletin.title}
    body = _("%(street)s · %(start)s 至 %(end)s · 共 %(n)d 起作风问题") % {
        "street": street.name,
        "start": bulletin.period_from.isoformat(),
        "end": bulletin.period_to.isoformat(),
        "n": len(items),
    }
    readers = bulletin_readers(street=street, roles=roles).exclude(pk=user.pk).values_list("pk", flat=True)
    notification_bulk_send(
        messages=[
            {"recipient_id": pk, "title": title, "body": body, "url": url, "dedupe_key": f"bulletin:{bulletin.pk}"}
            for pk in readers.iterator()
        ]
    )
    return bulletin
