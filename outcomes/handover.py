"""What a hand-over (``lucun.handover``) moves of outcomes: waiting callbacks (回访) and survey samples.

A waiting callback goes to the successor, unless the successor is (now, after the cases moved) the case's
handler or first responder: nobody calls back their own case (``outcomes.independence``). Such a callback is
re-routed the way the periodic job assigns one, to the person of the pool with the fewest callbacks waiting,
independent of the case and not the leaver; when the pool has nobody, it waits unassigned for the supervisor or
a street leader to give it to someone (they are told). The same holds for a callback the successor already had
whose case the hand-over has just made theirs.

Survey samples are given to visit teams, not people: a leaver's waiting samples are those of the teams they sit
in, and they follow the team seat to the successor (``visits.handover``); the hand-over records each of them.
"""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Case
from lucun.handover import Holding, Moved, register
from lucun.models import HandoverItem
from lucun.selectors import officials_covering
from lucun.services import audit_record, notification_bulk_send, notification_send
from visits.models import VisitTeam

from .audit import AuditAction
from .independence import Pool, case_people
from .models import Callback, SurveySample
from .permissions import CALLBACK_ASSIGN_ROLES
from .services.callbacks import _assigned_message, q_pending


def _callbacks(user, communities):
    return Callback.objects.filter(q_pending(), assignee=user, community__in=communities.values("pk"))


def _count_callbacks(*, user, communities, streets, whole_streets) -> int:
    return _callbacks(user, communities).count()


def _dependent_word(user_id: int, case: Case) -> str:
    return _("承办人") if user_id == case.handler_id else _("首问责任人")


def _move_callbacks(*, handover, actor, communities, streets, whole_streets) -> list[Moved]:
    leaver, successor = handover.leaver, handover.successor
    rows = list(
        _callbacks(leaver, communities)
        .select_for_update(of=("self",))
        .select_related("case", "community")
        .order_by("pk")
    )
    # Callbacks the successor already had, whose case the hand-over has just made theirs.
    own = list(
        _callbacks(successor, communities)
        .filter(Q(case__handler=successor) | Q(case__first_responder=successor))
        .select_for_update(of=("self",))
        .select_related("case", "community")
        .order_by("pk")
    )
    if not rows and not own:
        return []
    pool = Pool({c.community_id for c in [*rows, *own]})
    moved: list[Moved] = []
    rerouted: list[Callback] = []
    waiting: list[Callback] = []
    for callback in [*rows, *own]:
        people = case_people(callback.case)
        if successor.pk not in people:
            callback.assignee = successor
            callback.save(update_fields=["assignee"])
            moved.append(Moved(kind=HandoverItem.Kind.CALLBACK, obj=callback, community_id=callback.community_id))
            continue
        chosen = pool.choose(
            community_id=callback.community_id, team_id=callback.team_id, exclude=people | {leaver.pk, successor.pk}
        )
        callback.assignee_id = chosen
        callback.save(update_fields=["assignee"])
        why = _("接手人%(name)s是该诉求的%(role)s,按回访回避规则不能回访自己的诉求") % {
            "name": successor,
            "role": _dependent_word(successor.pk, callback.case),
        }
        if chosen:
            rerouted.append(callback)
            note = _("%(why)s,已从回访人员库改派。") % {"why": why}
        else:
            waiting.append(callback)
            note = _("%(why)s,回访人员库中无人可派,待纪工委或街道班子成员指派。") % {"why": why}
        moved.append(
            Moved(
                kind=HandoverItem.Kind.CALLBACK_REROUTED,
                obj=callback,
                community_id=callback.community_id,
                note=note,
                given_to_id=chosen,
            )
        )
    if rerouted:
        notification_bulk_send(messages=[_assigned_message(c, c.assignee_id) for c in rerouted])
    for callback in waiting:
        notification_send(
            recipients=officials_covering(community=callback.community, roles=CALLBACK_ASSIGN_ROLES),
            title=_("回访待指派:%(number)s(工作交接后回避)") % {"number": callback.case.number},
            url=callback.get_absolute_url(),
            dedupe_key=f"callback-unassigned:{callback.pk}:{handover.pk}",
        )
    audit_record(
        actor=actor,
        action=AuditAction.CALLBACK_HANDOVER,
        obj=handover,
        community=handover.community,
        summary=_("回访交接 %(count)d 条:%(leaver)s → %(successor)s")
        % {"count": len(moved), "leaver": leaver, "successor": successor},
        after={
            "to_successor": [c.pk for c in rows if c.assignee_id == successor.pk],
            "rerouted": {str(c.pk): c.assignee_id for c in rerouted},
            "unassigned": [c.pk for c in waiting],
        },
    )
    return moved


def _samples(user, communities, streets):
    teams = VisitTeam.objects.filter(Q(members__user=user) | Q(leader=user), street__in=streets.values("pk"))
    return SurveySample.objects.filter(
        team__in=teams.values("pk"),
        community__in=communities.values("pk"),
        answered_at__isnull=True,
        survey__closed_at__isnull=True,
    )


def _count_samples(*, user, communities, streets, whole_streets) -> int:
    return _samples(user, communities, streets).count()


def _move_samples(*, handover, actor, communities, streets, whole_streets) -> list[Moved]:
    # Nothing changes on the sample: its team stays, and the successor takes the leaver's seat in it.
    samples = list(_samples(handover.leaver, communities, streets).select_related("team").order_by("pk"))
    return [
        Moved(
            kind=HandoverItem.Kind.SURVEY_SAMPLE,
            obj=sample,
            community_id=sample.community_id,
            note=_("随走访队伍“%(team)s”的席位移交。") % {"team": sample.team},
        )
        for sample in samples
    ]


def register_holdings() -> None:
    register(
        Holding(
            key="outcomes.callback",
            label=gettext_lazy("待回访"),
            unit=gettext_lazy("条"),
            order=20,
            count=_count_callbacks,
            move=_move_callbacks,
        ),
        Holding(
            key="outcomes.survey_sample",
            label=gettext_lazy("所在队伍待调查的样本"),
            unit=gettext_lazy("户"),
            order=30,
            count=_count_samples,
            move=_move_samples,
        ),
    )
