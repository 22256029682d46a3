"""Every write of 直面问: plans, households, imports and visit logs. Each one owns its transaction and audit."""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case
from cases.services import case_open
from lucun.errors import DomainError
from lucun.images import image_save, images_clean
from lucun.models import Community, Grid, Street, User, phone_validator
from lucun.services import audit_record

from .. import rules
from ..audit import AuditAction
from ..models import (
    AttentionTag,
    Household,
    HouseholdMember,
    VisitAssignment,
    VisitCycle,
    VisitLog,
    VisitPhoto,
    VisitRequest,
    VisitTeam,
)

# ---------------------------------------------------------------------------------------------- plan


def cycle_plan_build(
    *, actor: User | None, street: Street, starts_on: date, cycles: int = 1, slot_days: int = rules.SLOT_DAYS
) -> list[VisitCycle]:
    """Add ``cycles`` rotation cycles from ``starts_on``: every community once per cycle, one team each."""
    if cycles < 1:
        raise DomainError(_("轮次数必须至少为 1。"))
    teams = list(VisitTeam.objects.filter(street=street, is_active=True).order_by("sort_order", "name", "pk"))
    communities = list(Community.objects.filter(street=street).order_by("sort_order", "name", "pk"))
    if not teams:
        raise DomainError(_("本街道还没有在岗的走访队伍。"))
    if not communities:
        raise DomainError(_("本街道还没有村(居)。"))
    slots = rules.slots_per_cycle(len(teams), len(communities))
    with transaction.atomic():
        if VisitCycle.objects.filter(street=street, ends_on__gte=starts_on).exists():
            raise DomainError(_("开始日期与已有轮次重叠,请从最后一轮结束之后开始。"))
        last_number = VisitCycle.objects.filter(street=street).aggregate(n=Max("number"))["n"] or 0
        created: list[VisitCycle] = []
        assignments: list[VisitAssignment] = []
        start = starts_on
        for offset in range(cycles):
            number = last_number + offset + 1
            cycle = VisitCycle.objects.create(
                street=street, number=number, starts_on=start, ends_on=start + timedelta(days=slots * slot_days - 1)
            )
            created.append(cycle)
            for planned in rules.rotation(teams, communities, number - 1):
                slot_start, slot_end = rules.slot_dates(start, planned.slot, slot_days)
                assignments.append(
                    VisitAssignment(
                        cycle=cycle,
                        team=planned.team,
                        community=planned.community,
                        starts_on=slot_start,
                        ends_on=slot_end,
                    )
                )
            start = cycle.ends_on + timedelta(days=1)
        VisitAssignment.objects.bulk_create(assignments)
        audit_record(
            actor=actor,
            action=AuditAction.PLAN_BUILD,
            summary=_("生成走访轮次 第%(first)d—%(last)d轮,共 %(count)d 项安排")
            % {"first": created[0].number, "last": created[-1].number, "count": len(assignments)},
            after={"cycles": [c.pk for c in created]},
        )
    return created


def assignment_update(
    *,
    actor: User | None,
    assignment: VisitAssignment,
    team: VisitTeam,
    community: Community,
    starts_on: date,
    ends_on: date,
) -> VisitAssignment:
    """Change one line of the plan. Moving a team to a community already planned in the cycle swaps them."""
    cycle = assignment.cycle
    if team.street_id != cycle.street_id or community.street_id != cycle.street_id:
        raise DomainError(_("队伍和村(居)必须属于本街道。"))
    if not (cycle.starts_on <= starts_on <= ends_on <= cycle.ends_on):
        raise DomainError(
            _("日期必须在本轮 %(start)s 至 %(end)s 之内,且结束不早于开始。")
            % {"start": cycle.starts_on, "end": cycle.ends_on}
        )
    with transaction.atomic():
        busy = (
            VisitAssignment.objects.filter(team=team, starts_on__lte=ends_on, ends_on__gte=starts_on)
            .exclude(pk=assignment.pk)
            .exists()
        )
        if busy:
            raise DomainError(_("%(team)s在这段时间已有走访安排。") % {"team": team})
        before = {
            "team": assignment.team_id,
            "community": assignment.community_id,
            "starts_on": str(assignment.starts_on),
            "ends_on": str(assignment.ends_on),
        }
        other = (
            VisitAssignment.objects.select_for_update()
            .filter(cycle=cycle, community=community)
            .exclude(pk=assignment.pk)
            .first()
        )
        if other is not None:
            # Swap: the other team takes this line's old community, so every community keeps one team.
            other_pk = other.pk
            other.delete()
            other.pk = other_pk
            other.community_id = assignment.community_id
        assignment.team = team
        assignment.community = community
        assignment.starts_on = starts_on
        assignment.ends_on = ends_on
        assignment.save(update_fields=["team", "community", "starts_on", "ends_on"])
        if other is not None:
            other.save(force_insert=True)
        after = {"team": team.pk, "community": community.pk, "starts_on": str(starts_on), "ends_on": str(ends_on)}
        if other is not None:
            after["swapped_with"] = other.pk
        audit_record(
            actor=actor,
            action=AuditAction.ASSIGNMENT_UPDATE,
            obj=assignment,
            community=community,
            summary=_("调整走访安排:%(a)s") % {"a": assignment},
            before=before,
            after=after,
        )
    return assignment


# ------------------------------------------------------------------------------------------ households


@dataclass
class HouseholdData:
    """The fields a household is made of, checked for shape by a form or an import row."""

    head_name: str
    grid: Grid | None = None
    phone: str = ""
    people_count: int = 1
    group: str = ""
    door_number: str = ""
    estate: str = ""
    building: str = ""
    unit: str = ""
    room: str = ""
    attention_level: str | None = None  # None: 重点 when a tag is set, otherwise 一般
    tags: Sequence[AttentionTag] = ()
    note: str = ""
    members: Sequence[dict] = ()


def _fill(household: Household, data: HouseholdData) -> None:
    for name in ("head_name", "grid", "phone", "people_count", "group", "door_number", "estate", "building"):
        setattr(household, name, getattr(data, name))
    household.unit, household.room, household.note = data.unit, data.room, data.note
    household.head_name = data.head_name.strip()
    household.phone = data.phone.strip()
    household.address = rules.household_address(
        group=data.group,
        door_number=data.door_number,
        estate=data.estate,
        building=data.building,
        unit=data.unit,
        room=data.room,
    )
    if data.attention_level:
        household.attention_level = data.attention_level
    elif data.tags:
        household.attention_level = Household.AttentionLevel.MONTHLY
    else:
        household.attention_level = Household.AttentionLevel.ORDINARY
    household.search_key = rules.household_search_key(head_name=household.head_name, address=household.address)


def _check(household: Household) -> None:
    if not household.head_name:
        raise DomainError(_("请填写户主姓名。"))
    if not household.address:
        raise DomainError(_("请填写地址(组和门牌号,或小区、楼、单元、室)。"))
    if household.grid_id and household.grid.community_id != household.community_id:
        raise DomainError(_("网格不属于该村(居)。"))
    if household.phone:
        phone_validator(household.phone)
    clash = Household.objects.filter(
        community_id=household.community_id, address=household.address, head_name=household.head_name
    ).exclude(pk=household.pk)
    if clash.exists():
        raise DomainError(_("该村(居)已有同一地址、同一户主的住户。"))


def household_create(*, actor: User | None, community: Community, data: HouseholdData) -> Household:
    household = Household(community=community)
    _fill(household, data)
    _check(household)
    with transaction.atomic():
        household.save()
        household.tags.set(data.tags)
        HouseholdMember.objects.bulk_create(HouseholdMember(household=household, **m) for m in data.members)
        audit_record(actor=actor, action=AuditAction.HOUSEHOLD_CREATE, obj=household, community=community)
    return household


def household_update(*, actor: User | None, household: Household, data: HouseholdData) -> Household:
    before = {"address": household.address, "head_name": household.head_name, "level": household.attention_level}
    _fill(household, data)
    _check(household)
    with transaction.atomic():
        household.save()
        household.tags.set(data.tags)
        audit_record(
            actor=actor,
            action=AuditAction.HOUSEHOLD_UPDATE,
            obj=household,
            community=household.community,
            before=before,
            after={"address": household.address, "head_name": household.head_name, "level": household.attention_level},
        )
    return household


@dataclass
class ImportReport:
    total: int = 0
    created: int = 0
    rejected: list[tuple[int, list[str]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected and self.total > 0


def household_import(*, actor: User | None, community: Community, rows: Iterable[tuple[int, dict]]) -> ImportReport:
    """Import households from parsed sheet rows: all of them, or none with a reason for each bad row.

    ``rows`` are ``(row_number, {column: value})`` with the columns of ``ledger_io.IMPORT_COLUMNS``.
    """
    report = ImportReport()
    grids = {g.name: g for g in Grid.objects.filter(community=community)}
    tags = {t.name: t for t in AttentionTag.objects.all()}
    levels = {str(label).split("(")[0]: value for value, label in Household.AttentionLevel.choices}
    levels.update({str(label): value for value, label in Household.AttentionLevel.choices})
    existing = set(Household.objects.filter(community=community).values_list("address", "head_name"))
    seen: dict[tuple[str, str], int] = {}
    ready: list[tuple[Household, list[AttentionTag]]] = []
    for row_number, values in rows:
        report.total += 1
        reasons: list[str] = []
        grid = None
        if values.get("grid"):
            grid = grids.get(values["grid"])
            if grid is None:
                reasons.append(_("网格“%(g)s”不存在于%(c)s") % {"g": values["grid"], "c": community.name})
        row_tags = []
        for name in values.get("tags", []):
            if name in tags:
                row_tags.append(tags[name])
            else:
                reasons.append(_("关注标签“%(t)s”不存在") % {"t": name})
        level = None
        if values.get("attention_level"):
            level = levels.get(values["attention_level"])
            if level is None:
                reasons.append(_("关注等级“%(l)s”无效(一般、重点、特别关注)") % {"l": values["attention_level"]})
        people = values.get("people_count") or 1
        try:
            people = int(people)
            if people < 1:
                raise ValueError
        except (TypeError, ValueError):
            reasons.append(_("家庭人口必须是正整数"))
            people = 1
        data = HouseholdData(
            head_name=str(values.get("head_name") or ""),
            grid=grid,
            phone=str(values.get("phone") or ""),
            people_count=people,
            group=str(values.get("group") or ""),
            door_number=str(values.get("door_number") or ""),
            estate=str(values.get("estate") or ""),
            building=str(values.get("building") or ""),
            unit=str(values.get("unit") or ""),
            room=str(values.get("room") or ""),
            attention_level=level,
            tags=row_tags,
            note=str(values.get("note") or ""),
        )
        household = Household(community=community)
        _fill(household, data)
        if not household.head_name:
            reasons.append(_("缺少户主姓名"))
        if not household.address:
            reasons.append(_("缺少地址"))
        if household.phone:
            try:
                phone_validator(household.phone)
            except ValidationError:
                reasons.append(_("电话号码格式不对:%(p)s") % {"p": household.phone})
        key = (household.address, household.head_name)
        if household.head_name and household.address:
            if key in existing:
                reasons.append(_("已有同一地址、同一户主的住户"))
            elif key in seen:
                reasons.append(_("与第 %(n)d 行重复") % {"n": seen[key]})
            seen.setdefault(key, row_number)
        if reasons:
            report.rejected.append((row_number, reasons))
        else:
            ready.append((household, row_tags))
    if report.rejected or not ready:
        return report
    with transaction.atomic():
        created = Household.objects.bulk_create([h for h, _ in ready])
        through = Household.tags.through
        through.objects.bulk_create(
            through(household_id=h.pk, attentiontag_id=t.pk)
            for h, (_, row_tags) in zip(created, ready, strict=True)
            for t in row_tags
        )
        report.created = len(created)
        audit_record(
            actor=actor,
            action=AuditAction.HOUSEHOLD_IMPORT,
            community=community,
            summary=_("从表格导入 %(n)d 户") % {"n": report.created},
        )
    return report


def household_sensitive_viewed(*, actor: User, community: Community, households: Sequence[Household], where: str):
    """Record that the actor was shown sensitive data (tags, full phone) of these households."""
    if not households:
        return None
    if len(households) == 1:
        return audit_record(
            actor=actor,
            action=AuditAction.HOUSEHOLD_SENSITIVE_VIEW,
            obj=households[0],
            community=community,
            summary=_("查看住户敏感信息(%(where)s)") % {"where": where},
        )
    return audit_record(
        actor=actor,
        action=AuditAction.HOUSEHOLD_SENSITIVE_VIEW,
        community=community,
        summary=_("查看 %(n)d 户敏感信息(%(where)s)") % {"n": len(households), "where": where},
        after={"households": [h.pk for h in households]},
    )


# ------------------------------------------------------------------------------------------ visit logs


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
