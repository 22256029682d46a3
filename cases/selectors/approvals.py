"""Reads of the approvals: which rule names the approver of a request, and what waits for a person (the inbox)."""

from datetime import datetime, timedelta

from django.db.models import CharField, Count, DurationField, F, Q, QuerySet, Value
from django.utils import timezone

from lucun.models import User
from lucun.scoping import communities_for, community_ids_for, roles_for

from ..models import ApprovalKind, ApprovalRule, Case, ExtensionRequest, ReturnRequest, Tier
from ..permissions import SUPERVISE_ROLES

PENDING = ExtensionRequest.Decision.PENDING
REQUEST_MODELS = {ApprovalKind.EXTENSION: ExtensionRequest, ApprovalKind.RETURN: ReturnRequest}


ROW_KINDS = {ApprovalKind.EXTENSION.value: 1, ApprovalKind.RETURN.value: 2}


def approval_row_id(kind: str, pk: int) -> int:
    """The one integer that names a request of ``kind`` among the inbox's rows."""
    return pk * 10 + ROW_KINDS[kind]


def approval_row(row_id: int) -> tuple[str, int] | None:
    """The kind and id of the request a row id names (None: it names none)."""
    pk, digit = divmod(row_id, 10)
    kind = next((kind for kind, d in ROW_KINDS.items() if d == digit), None)
    return (kind, pk) if kind and pk > 0 else None


def approvals_inbox_ids(*, user: User, limit: int) -> list[int]:
    """The row ids of the first ``limit`` requests waiting for this person, in the inbox's order."""
    return [approval_row_id(row["request_kind"], row["id"]) for row in approvals_inbox(user=user)[:limit]]


def approvals_picked(*, user: User, ids: list[int]) -> dict[int, ExtensionRequest | ReturnRequest]:
    """The requests of these row ids in this person's communities, decided or not, by row id (one query a kind).

    Whether the person decides one is the decide service's question, which answers why not.
    """
    wanted: dict[str, list[int]] = {}
    for row_id in ids:
        if (found := approval_row(row_id)) is not None:
            wanted.setdefault(found[0], []).append(found[1])
    visible = communities_for(user)
    picked = {}
    for kind, pks in wanted.items():
        requests = REQUEST_MODELS[kind].objects.select_related("case").filter(pk__in=pks, case__community__in=visible)
        picked |= {approval_row_id(kind, request.pk): request for request in requests}
    return picked


def approval_rule_for(*, kind: str, tier: Tier, extra_time: timedelta | None = None) -> ApprovalRule | None:
    """Return the active rule that names the approver of such a request (None: the tier has no rule of this kind).

    Extension rules are tried from the shortest limit up; the one without a limit takes what is left.
    """
    rules = sorted(
        ApprovalRule.objects.active().filter(kind=kind, tier=tier),
        key=lambda rule: (rule.up_to_days is None, rule.up_to_days or 0),
    )
    return next((rule for rule in rules if rule.covers(extra_time)), None)


def _decidable_by(user: User) -> Q:
    """The pending requests this person decides: their role is the one named, at a node covering the case.

    The request's own community is the case's (kept in step when the case moves), so the count reads the requests'
    index alone, not each request's case.

    A request without a named role (made before the rules, or for a tier without rules) is the supervisors' and
    street leaders'. Nobody decides their own request.
    """
    if user.is_superuser:
        allowed = Q(pk__isnull=False)
    else:
        # The ids of the communities each role reaches, read once per request: the statement (the navigation's
        # badge on every page among them) names them instead of repeating the scoping subquery per role.
        allowed = Q(pk__in=[])
        for role in sorted(roles_for(user)):
            if ids := community_ids_for(user, [role]):
                allowed |= Q(approver_role=role, community_id__in=ids)
        if ids := community_ids_for(user, SUPERVISE_ROLES):
            allowed |= Q(approver_role="", community_id__in=ids)
    return Q(decision=PENDING) & allowed & ~Q(requested_by=user)


def requests_waiting(*, user: User, kind: str) -> QuerySet:
    """Return the pending requests of one kind that wait for this person's decision."""
    return REQUEST_MODELS[kind].objects.filter(_decidable_by(user))


def approvals_inbox(*, user: User) -> QuerySet:
    """Return what waits for this person's decision, extensions and returns together, oldest first.

    Rows are dicts (``kind``, ``id``, ``created_at``, ``extra_time`` — None for a return —, the reason, the case's
    number, title and community, the requester's name, ``escalated_at``): two index-served halves in one statement,
    so a page of the inbox costs one query and its count another.
    """
    fields = (
        "id",
        "created_at",
        "reason",
        "escalated_at",
        "case_number",
        "case_title",
        "community_name",
        "requester",
        "requester_username",
        "request_kind",
        "asked",
    )
    shared = {
        "case_number": F("case__number"),
        "case_title": F("case__title"),
        "community_name": F("case__community__name"),
        "requester": F("requested_by__real_name"),
        "requester_username": F("requested_by__username"),
    }
    extensions = requests_waiting(user=user, kind=ApprovalKind.EXTENSION).annotate(
        **shared,
        request_kind=Value(ApprovalKind.EXTENSION.value, output_field=CharField()),
        asked=F("extra_time"),
    )
    returns = requests_waiting(user=user, kind=ApprovalKind.RETURN).annotate(
        **shared,
        request_kind=Value(ApprovalKind.RETURN.value, output_field=CharField()),
        asked=Value(None, output_field=DurationField()),
    )
    return (
        extensions.order_by()
        .values(*fields)
        .union(returns.order_by().values(*fields), all=True)
        .order_by("created_at", "request_kind", "id")
    )


def approvals_waiting_count(*, user: User) -> int:
    """Count what waits for this person's decision (the inbox's length), in one statement."""
    return sum(row["n"] for row in _counted(user=user))


def _counted(*, user: User):
    halves = [
        requests_waiting(user=user, kind=kind).order_by().annotate(one=Value(1)).values("one").annotate(n=Count("pk"))
        for kind in REQUEST_MODELS
    ]
    return halves[0].values("n").union(halves[1].values("n"), all=True)


def approvals_cases(*, user: User) -> QuerySet[Case]:
    """Return the cases with a request waiting for this person (for the home page's panel)."""
    return Case.objects.filter(
        Q(pk__in=requests_waiting(user=user, kind=ApprovalKind.EXTENSION).values("case"))
        | Q(pk__in=requests_waiting(user=user, kind=ApprovalKind.RETURN).values("case"))
    )


def waited(created_at: datetime, now: datetime | None = None) -> timedelta:
    return (now or timezone.now()) - created_at
