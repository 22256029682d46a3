"""Writes of households: created or edited one by one, imported from a sheet, their sensitive data looked at. Each
one owns its transaction and audit."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lucun.errors import DomainError
from lucun.models import Community, Grid, User, phone_validator
from lucun.services import audit_record

from .. import rules
from ..audit import AuditAction
from ..models import AttentionTag, Household, HouseholdMember


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
