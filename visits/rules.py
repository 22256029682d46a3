"""Pure rules of 直面问, without the database: team make-up, the rotation, plan states, visit frequency."""

import functools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Household, VisitTeamMember

T = TypeVar("T")
C = TypeVar("C")

SLOT_DAYS = 14  # each team visits one community every two weeks

# How often a household must be visited, by attention level; ordinary households once per cycle.
VISIT_INTERVAL_DAYS: dict[str, int | None] = {
    Household.AttentionLevel.ORDINARY: None,
    Household.AttentionLevel.MONTHLY: 30,
    Household.AttentionLevel.BIWEEKLY: 14,
}


def team_warnings(members: Iterable[VisitTeamMember]) -> list[str]:
    """Return what a team lacks: any of the four kinds of member, or a newcomer-with-veteran pairing."""
    members = list(members)
    kinds = {m.kind for m in members}
    warnings = [
        str(_("缺少%(kind)s") % {"kind": label}) for value, label in VisitTeamMember.Kind.choices if value not in kinds
    ]
    has_new = any(m.is_newcomer for m in members)
    has_old = any(not m.is_newcomer for m in members)
    if not (has_new and has_old):
        missing = _("新队员") if not has_new else _("老队员")
        warnings.append(str(_("未实行新老搭配:缺少%(who)s") % {"who": missing}))
    return warnings


def slots_per_cycle(team_count: int, community_count: int) -> int:
    """Return how many two-week slots a cycle needs so that every community is visited once."""
    if team_count < 1 or community_count < 1:
        return 0
    return math.ceil(community_count / team_count)


@dataclass(frozen=True)
class PlannedVisit:
    slot: int
    team: object
    community: object


def rotation(teams: Sequence[T], communities: Sequence[C], cycle_index: int) -> list[PlannedVisit]:
    """Plan one cycle: each team takes one community per slot, every community exactly once.

    Team ``t`` in slot ``s`` gets community ``(t * slots + s + cycle_index) mod n``: within a cycle the
    indices ``t * slots + s`` below ``n`` are distinct, so no community gets two teams, and each new
    cycle shifts every team on by one community, so teams meet different communities over the year.
    """
    slots = slots_per_cycle(len(teams), len(communities))
    n = len(communities)
    plan = []
    for t, team in enumerate(teams):
        for s in range(slots):
            index = t * slots + s
            if index >= n:
                continue  # more team-slots than communities: this team rests in this slot
            plan.append(PlannedVisit(slot=s, team=team, community=communities[(index + cycle_index) % n]))
    return plan


def slot_dates(cycle_start: date, slot: int, slot_days: int = SLOT_DAYS) -> tuple[date, date]:
    start = cycle_start + timedelta(days=slot * slot_days)
    return start, start + timedelta(days=slot_days - 1)


class PlanState(models.TextChoices):
    PLANNED = "planned", _("计划中")
    IN_PROGRESS = "in_progress", _("走访中")
    DONE = "done", _("已完成")
    MISSED = "missed", _("未走访")


def plan_state(*, starts_on: date, ends_on: date, today: date, visits_logged: int) -> str:
    """Derive an assignment's state from its dates and the visits its team logged there."""
    if today < starts_on:
        return PlanState.PLANNED
    if today <= ends_on:
        return PlanState.IN_PROGRESS
    return PlanState.DONE if visits_logged > 0 else PlanState.MISSED


def household_address(
    *, group: str = "", door_number: str = "", estate: str = "", building: str = "", unit: str = "", room: str = ""
) -> str:
    """Compose the display address: 三组 12号, or 雍翠园 3号楼 2单元 501室."""
    parts = [
        group.strip(),
        _suffix(door_number, "号"),
        estate.strip(),
        _suffix(building, "号楼"),
        _suffix(unit, "单元"),
        _suffix(room, "室"),
    ]
    return " ".join(p for p in parts if p)


def _suffix(value: str, suffix: str) -> str:
    value = value.strip()
    if not value:
        return ""
    return value if value.endswith(suffix[-1]) else f"{value}{suffix}"


def household_search_key(*, head_name: str, address: str) -> str:
    """Return the lower-case text a search matches: name, address, and the pinyin initials of both."""
    compact = address.replace(" ", "")
    return " ".join([head_name, compact, initials(head_name), initials(compact)]).lower()[:400]


_HAN_RUN = re.compile(r"([\u3400-\u9fff]+)")


def initials(text: str) -> str:
    """Pinyin initials of the Chinese characters, other characters kept whole: 3号楼 → 3hl."""
    return "".join(_han_initials(part) if _HAN_RUN.fullmatch(part) else part for part in _HAN_RUN.split(text))


@functools.lru_cache(maxsize=4096)
def _han_initials(run: str) -> str:
    # Names and address words repeat a lot (imports, demo data): convert each distinct run once.
    from lucun.text import pinyin_initials

    return pinyin_initials(run)
