"""What a hand-over (``lucun.handover``) moves of visits: seats in visit teams and the leading of a team.

A team belongs to a street, so the seats moved are those in the teams of the hand-over's street. The successor
takes the leaver's seat as it was (the same 身份 and 新老搭配 mark, which the team's page can change); where the
successor already sits in that team, the leaver's seat is simply given up. Survey samples follow the seat
(``outcomes.handover``).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lucun.handover import Holding, Moved, register
from lucun.models import HandoverItem
from lucun.services import audit_record

from .audit import AuditAction
from .models import VisitTeam, VisitTeamMember


def _seats(user, streets):
    return VisitTeamMember.objects.filter(user=user, team__street__in=streets.values("pk"))


def _led(user, streets):
    return VisitTeam.objects.filter(leader=user, street__in=streets.values("pk"))


def _count_seats(*, user, communities, streets, whole_streets) -> int:
    return _seats(user, streets).count()


def _count_led(*, user, communities, streets, whole_streets) -> int:
    return _led(user, streets).count()


def _move_seats(*, handover, actor, communities, streets, whole_streets) -> list[Moved]:
    leaver, successor = handover.leaver, handover.successor
    seats = list(_seats(leaver, streets).select_for_update(of=("self",)).select_related("team").order_by("pk"))
    if not seats:
        return []
    taken = set(
        VisitTeamMember.objects.filter(user=successor, team__in=[s.team_id for s in seats]).values_list(
            "team_id", flat=True
        )
    )
    moved = []
    for seat in seats:
        if seat.team_id in taken:
            VisitTeamMember.objects.filter(pk=seat.pk).delete()
            note = _("接手人已是该队队员,原队员席位撤销。")
        else:
            seat.user = successor
            seat.save(update_fields=["user"])
            note = ""
        moved.append(Moved(kind=HandoverItem.Kind.TEAM_MEMBER, obj=seat, note=note))
    audit_record(
        actor=actor,
        action=AuditAction.TEAM_HANDOVER,
        obj=handover,
        community=handover.community,
        summary=_("走访队伍席位交接 %(count)d 个:%(leaver)s → %(successor)s")
        % {"count": len(seats), "leaver": leaver, "successor": successor},
        after={"teams": [s.team_id for s in seats], "given_up": sorted(taken)},
    )
    return moved


def _move_led(*, handover, actor, communities, streets, whole_streets) -> list[Moved]:
    leaver, successor = handover.leaver, handover.successor
    teams = list(_led(leaver, streets).select_for_update().order_by("pk"))
    if not teams:
        return []
    VisitTeam.objects.filter(pk__in=[t.pk for t in teams]).update(leader=successor)
    audit_record(
        actor=actor,
        action=AuditAction.TEAM_HANDOVER,
        obj=handover,
        community=handover.community,
        summary=_("走访队伍队长交接 %(count)d 支:%(leaver)s → %(successor)s")
        % {"count": len(teams), "leaver": leaver, "successor": successor},
        after={"led_teams": [t.pk for t in teams]},
    )
    return [Moved(kind=HandoverItem.Kind.TEAM_LEADER, obj=team) for team in teams]


def register_holdings() -> None:
    register(
        Holding(
            key="visits.team_member",
            label=gettext_lazy("走访队伍席位"),
            unit=gettext_lazy("个"),
            order=40,
            count=_count_seats,
            move=_move_seats,
        ),
        Holding(
            key="visits.team_leader",
            label=gettext_lazy("担任队长的走访队伍"),
            unit=gettext_lazy("支"),
            order=41,
            count=_count_led,
            move=_move_led,
        ),
    )
