"""What a hand-over (``lucun.handover``) moves of cases: handling and first-responder accountability (首问负责).

Both move for every case still in hand: open, and resolved but not yet archived (a callback can send a resolved
case back to its handler, who must be someone still at work). The case keeps its state, tier and deadline (the
office accepted it; the clock does not restart); each moved case gets a ``handed_over`` event naming the
hand-over, and one audit record lists the cases moved.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lucun.handover import Holding, Moved, register
from lucun.models import HandoverItem
from lucun.services import audit_record

from .audit import AuditAction
from .models import Case, CaseEvent, CaseState
from .states import OPEN_STATES

IN_HAND_STATES = (*OPEN_STATES, CaseState.RESOLVED)

FIELDS = {"handler": HandoverItem.Kind.HANDLER, "first_responder": HandoverItem.Kind.FIRST_RESPONDER}
ROLE_WORDS = {"handler": gettext_lazy("承办人"), "first_responder": gettext_lazy("首问责任人")}


def _held(field: str, user, communities):
    return Case.objects.filter(state__in=IN_HAND_STATES, community__in=communities.values("pk"), **{field: user})


def _counter(field: str):
    def count(*, user, communities, streets, whole_streets) -> int:
        return _held(field, user, communities).count()

    return count


def _mover(field: str):
    def move(*, handover, actor, communities, streets, whole_streets) -> list[Moved]:
        leaver, successor = handover.leaver, handover.successor
        cases = list(
            _held(field, leaver, communities)
            .select_for_update(of=("self",))
            .only("pk", "number", "title", "community_id")
            .order_by("pk")
        )
        if not cases:
            return []
        Case.objects.filter(pk__in=[c.pk for c in cases]).update(**{field: successor})
        word = ROLE_WORDS[field]
        note = _("工作交接:%(role)s由%(leaver)s改为%(successor)s。原因:%(reason)s") % {
            "role": word,
            "leaver": leaver,
            "successor": successor,
            "reason": handover.reason,
        }
        CaseEvent.objects.bulk_create(
            [
                CaseEvent(
                    case_id=case.pk,
                    kind=CaseEvent.Kind.HANDED_OVER,
                    actor=actor,
                    note=note,
                    before={field: str(leaver)},
                    after={field: str(successor), "handover": handover.pk},
                )
                for case in cases
            ],
            batch_size=1000,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CASE_HANDOVER,
            obj=handover,
            community=handover.community,
            summary=_("%(role)s交接 %(count)d 件:%(leaver)s → %(successor)s")
            % {"role": word, "count": len(cases), "leaver": leaver, "successor": successor},
            before={field: leaver.pk},
            after={field: successor.pk, "cases": [c.number for c in cases]},
        )
        return [Moved(kind=FIELDS[field], obj=case, community_id=case.community_id) for case in cases]

    return move


def register_holdings() -> None:
    register(
        Holding(
            key="cases.handler",
            label=gettext_lazy("承办中的诉求"),
            unit=gettext_lazy("件"),
            order=10,
            count=_counter("handler"),
            move=_mover("handler"),
        ),
        Holding(
            key="cases.first_responder",
            label=gettext_lazy("首问负责的诉求"),
            unit=gettext_lazy("件"),
            order=11,
            count=_counter("first_responder"),
            move=_mover("first_responder"),
        ),
    )
