"""Writes of the visiting plan: cycles built for a street, assignments adjusted. Each one owns its transaction and
audit."""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from lucun.errors import DomainError
from lucun.models import Community, Street, User
from lucun.services import audit_record

from .. import rules
from ..audit import AuditAction
from ..models import VisitAssignment, VisitCycle, VisitTeam


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
