"""Writes of the hand-over: moving a person's work to a successor, and ending a position only when nothing is left."""

from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import AuditAction
from ..errors import require, require_permission
from ..models import Community, Handover, HandoverItem, Position, Street, User
from ..scoping import _covered_by
from ..services import audit_record, notification_send
from ..text import listed
from . import Held, Moved, held, registered
from .rules import Area, handover_area, people, successors

REASON_MAX = 300


def _held_text(found: list[Held]) -> str:
    return listed(found)


def uncovered_holdings(*, user: User, remaining: QuerySet[Position]) -> list[Held]:
    """What ``user`` holds where none of ``remaining`` (their positions after a change) reaches."""
    covered = _covered_by(remaining)
    # A street is covered as a whole only by a position at the street (or its county), not by one of its communities.
    whole = Street.objects.filter(
        Q(pk__in=remaining.filter(street__isnull=False).values("street"))
        | Q(county__in=remaining.filter(county__isnull=False).values("county"))
    )
    return held(
        user=user,
        communities=Community.objects.exclude(pk__in=covered.values("pk")),
        streets=Street.objects.exclude(pk__in=covered.values("street")),
        whole_streets=Street.objects.exclude(pk__in=whole.values("pk")),
    )


def position_end_check(*, position: Position) -> None:
    """Refuse to end ``position`` while its holder would keep work that no remaining position of theirs reaches."""
    remaining = Position.objects.current().filter(user_id=position.user_id).exclude(pk=position.pk)
    left = uncovered_holdings(user=position.user, remaining=remaining)
    require(
        not left,
        _("%(name)s仍有以下工作未交接:%(items)s。请先办理工作交接,把这些工作移交给接手人,再结束其职务。")
        % {"name": position.user, "items": _held_text(left)},
        code="handover_required",
    )


def _end(*, actor: User, position: Position, ended_on: date, reason: str) -> Position:
    position_end_check(position=position)
    before = position.ended_on
    position.ended_on = max(ended_on, position.started_on) if position.started_on else ended_on
    position.save(update_fields=["ended_on"])
    node = position.org_node
    audit_record(
        actor=actor,
        action=AuditAction.POSITION_END,
        obj=position,
        community=node if isinstance(node, Community) else getattr(node, "community", None),
        summary=f"{position} · {reason}"[:300],
        before={"ended_on": before.isoformat() if before else None},
        after={"ended_on": position.ended_on.isoformat(), "reason": reason},
    )
    return position


def _position_in_area(*, actor: User, position_id: int) -> tuple[Position, Area]:
    area = handover_area(actor)
    position = (
        Position.objects.select_for_update(of=("self",))
        .select_related("user", "street", "community", "grid__community", "county")
        .get(pk=position_id)
    )
    require_permission(
        Position.objects.filter(area.positions(), pk=position.pk).exists(),
        _("您的职务不能结束此职务(不在您负责的范围内)。"),
    )
    return position, area


@transaction.atomic
def position_end(*, actor: User, position: Position, reason: str, ended_on: date | None = None) -> Position:
    """End a current position today (离任); refused while its holder keeps work nobody else was given."""
    reason = (reason or "").strip()
    require(reason, _("请填写结束职务的原因(如:退休、调任某街道)。"))
    position, _area = _position_in_area(actor=actor, position_id=position.pk)
    today = timezone.localdate()
    require(
        position.ended_on is None or position.ended_on >= today,
        _("该职务已于%(date)s结束。") % {"date": position.ended_on},
    )
    return _end(actor=actor, position=position, ended_on=ended_on or today, reason=reason)


def _scope(area: Area, leaver: User) -> tuple[Street, Community | None, QuerySet[Community]]:
    """The street the hand-over is made in (the leaver's, within the area) and its communities in the area."""
    mine = (
        Position.objects.filter(area.positions(), user=leaver)
        .select_related("street", "community__street", "grid__community__street")
        .order_by("-started_on", "-pk")
    )
    first = mine.first()
    require(first is not None, _("此人在您负责的范围内没有职务。"))
    node = first.org_node
    street = (
        node if isinstance(node, Street) else (node.street if isinstance(node, Community) else node.community.street)
    )
    communities = area.communities.filter(street=street)
    community = None
    if not area.whole_streets.filter(pk=street.pk).exists():
        only = list(communities.values_list("pk", flat=True)[:2])
        community = Community.objects.get(pk=only[0]) if len(only) == 1 else None
    return street, community, Community.objects.filter(pk__in=communities.values("pk"))


@transaction.atomic
def handover_make(*, actor: User, leaver: User, successor: User, reason: str, end_positions: bool = False) -> Handover:
    """Move everything ``leaver`` holds in the actor's scope to ``successor``, in one transaction.

    Open cases they handle and those they are first responder of, their waiting callbacks (re-routed where the
    successor would check their own work), their open follow-up tasks and the meetings they organise, the survey
    samples of their visit teams and their seats in those teams. Each moved item is recorded on the hand-over and
    in its app's history. With ``end_positions`` the leaver's positions in the scope end today, which is refused
    (and nothing is moved) if anything would remain.
    """
    reason = (reason or "").strip()
    require(reason, _("请填写交接原因(如:退休、调任、岗位调整)。"))
    require(len(reason) <= REASON_MAX, _("交接原因不能超过300字。"))
    area = handover_area(actor)
    require_permission(people(area).filter(pk=leaver.pk).exists(), _("您的职务不能办理此人的工作交接。"))
    require(successor.pk != leaver.pk, _("接手人不能是移交人本人。"))
    require(
        successors(area, leaver=leaver).filter(pk=successor.pk).exists(),
        _("接手人%(name)s在您负责的范围内没有在任职务,不能接手。请选择在任的干部。") % {"name": successor},
        code="successor_not_in_scope",
    )
    # One hand-over of a person at a time: the second waits for the first and then finds nothing left.
    User.objects.select_for_update().filter(pk=leaver.pk).first()
    street, community, communities = _scope(area, leaver)
    streets = Street.objects.filter(pk=street.pk)
    whole_streets = area.whole_streets.filter(pk=street.pk)  # empty for a community's secretary
    ending = (
        list(Position.objects.current().filter(area.positions(), user=leaver).order_by("pk")) if end_positions else []
    )
    handover = Handover.objects.create(
        leaver=leaver,
        successor=successor,
        actor=actor,
        reason=reason,
        street=street,
        community=community,
        positions_ended=len(ending),
    )
    moved: list[Moved] = []
    for holding in registered():
        moved.extend(
            holding.move(
                handover=handover, actor=actor, communities=communities, streets=streets, whole_streets=whole_streets
            )
        )
    for position in ending:
        position, _area = _position_in_area(actor=actor, position_id=position.pk)
        _end(actor=actor, position=position, ended_on=timezone.localdate(), reason=reason)
    ended = len(ending)
    require(
        moved or ended,
        _("%(name)s在您负责的范围内没有需要交接的工作。") % {"name": leaver},
        code="nothing_to_hand_over",
    )
    types = {}
    HandoverItem.objects.bulk_create(
        [
            HandoverItem(
                handover=handover,
                kind=m.kind,
                content_type=types.setdefault(type(m.obj), ContentType.objects.get_for_model(m.obj)),
                object_id=str(m.obj.pk),
                object_repr=str(m.obj)[:200],
                community_id=m.community_id,
                note=m.note[:300],
            )
            for m in moved
        ],
        batch_size=1000,
    )
    counts = handover_counts(handover=handover)
    audit_record(
        actor=actor,
        action=AuditAction.HANDOVER_MAKE,
        obj=handover,
        community=community,
        summary=f"{leaver} → {successor}:{reason}"[:300],
        after={"counts": counts, "positions_ended": ended, "street": street.pk},
    )
    if moved:
        total = sum(counts.values())
        notification_send(
            recipients=[successor],
            title=_("工作交接:您已接手%(leaver)s的%(total)d项工作") % {"leaver": leaver, "total": total},
            body=_("经办人:%(actor)s;原因:%(reason)s") % {"actor": actor, "reason": reason},
            url=handover.get_absolute_url(),
            dedupe_key=f"handover:{handover.pk}",
        )
    return handover


def handover_counts(*, handover: Handover) -> dict[str, int]:
    """{item kind: how many}, in the kinds' order."""
    rows = dict(
        HandoverItem.objects.filter(handover=handover)
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    return {kind: rows[kind] for kind in HandoverItem.Kind.values if kind in rows}
