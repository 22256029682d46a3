"""Reads of cases: the scoped list, my work, approvals waiting, one case with its events and photos, notices."""

from collections.abc import Sequence
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from lucun.models import Community, User
from lucun.scoping import communities_for, communities_with_role, community_ids_for, scope, user_positions

from .. import source_filters
from ..models import (
    OPEN_STATES,
    Case,
    CaseEvent,
    CaseList,
    CasePhoto,
    CaseState,
    CaseTransfer,
    Colour,
    ConductViolation,
    Tier,
)
from ..permissions import DISPATCH_ROLES
from .approvals import requests_waiting

LIST_RELATED = ("community", "category", "tier", "handler", "first_responder")


def cases_visible(*, user: User, communities: Sequence[int] | None = None) -> QuerySet[Case]:
    """Return the cases this user may see, as one lazy queryset.

    The cases of the user's communities (``lucun.scoping``); a case another community handed to one of them, while
    it waits to be accepted or sent back; and, while the user holds a position, the cases they first received
    (首问负责): a case moved to another community stays in sight of its first responder, not of the old community.
    ``communities`` are the ids ``community_ids_for(user)`` gave, when the caller has them already: the statement
    names them instead of working them out again from the positions.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    if user.is_superuser:
        return Case.objects.all()
    ids = community_ids_for(user) if communities is None else list(communities)
    waiting = CaseTransfer.objects.filter(decision=CaseTransfer.Decision.PENDING, to_community_id__in=ids)
    visible = Q(community_id__in=ids) | Q(pk__in=waiting.values("case"))
    if user_positions(user):
        visible |= Q(first_responder=user.pk)
    return Case.objects.filter(visible)


def case_list(
    *, user: User, filters: dict | None = None, now: datetime | None = None, communities: Sequence[int] | None = None
) -> QuerySet[Case]:
    """Return the cases the user may see, filtered, with their live colour, ready for a list page.

    ``communities``: the user's community ids when the caller has read them (``cases_visible``).
    """
    filters = filters or {}
    queryset = cases_visible(user=user, communities=communities).select_related(*LIST_RELATED).with_live_colour(now)
    if filters.get("q"):
        q = filters["q"].strip()
        queryset = queryset.filter(Q(number__icontains=q) | Q(title__icontains=q))
    for key in ("community", "category", "tier", "handler", "first_responder", "street"):
        if filters.get(key):
            queryset = queryset.filter(**{key: filters[key]})
    if filters.get("state") == "open":
        queryset = queryset.filter(state__in=OPEN_STATES)
    elif filters.get("state") and filters["state"] != "all":
        queryset = queryset.filter(state=filters["state"])
    if filters.get("case_list"):
        queryset = queryset.filter(case_list=filters["case_list"])
    if filters.get("colour"):
        queryset = queryset.filter(live_colour=filters["colour"], state__in=OPEN_STATES)
    if filters.get("source"):
        queryset = queryset.filter(source=filters["source"])
    queryset = source_filters.apply(queryset, filters)
    if filters.get("order") == "same_question":
        return queryset.order_by("-same_question_count", "due_at", "pk")
    return queryset.order_by("due_at", "pk")


# What a row of "my work" shows (cases/_case_rows.html) and what its quick move asks of the case (cases.moves):
# nothing else is read, so a page costs its rows' few columns and no statement per row.
MY_WORK_FIELDS = (
    "number",
    "title",
    "state",
    "colour",
    "due_at",
    "warn_at",
    "paused_at",
    "same_question_count",
    "handler_id",
    "first_responder_id",
    "community__name",
    "community__street_id",
    "category__name",
    "category__name_en",
    "tier__name",
    "tier__name_en",
)


def my_work(
    *, user: User, now: datetime | None = None, colour: str = "", communities: Sequence[int] | None = None
) -> QuerySet[Case]:
    """Return the open cases this official must act on: handled by them, or first received by them, soonest first.

    With ``colour``, only those of that live colour; ``communities``: the user's community ids, if already read.
    """
    queryset = (
        cases_visible(user=user, communities=communities)
        .filter(state__in=OPEN_STATES, responsible_id=user.pk)
        .select_related(*LIST_RELATED)
        .with_live_colour(now)
    )
    if colour:
        queryset = queryset.filter(live_colour=colour)
    return queryset.order_by("due_at", "pk")


def my_work_page(*, user: User, colour: str = "") -> QuerySet[Case]:
    """Return ``my_work`` as its page lists it: only the columns a row shows, joined to its names."""
    return (
        my_work(user=user, colour=colour)
        .select_related(None)
        .select_related("community", "category", "tier")
        .only(*MY_WORK_FIELDS)
    )


def my_work_colours(*, user: User, now: datetime | None = None) -> dict[str, int]:
    """Count the official's open cases (``my_work``) by live colour, in one query."""
    counts = dict.fromkeys(Colour.values, 0)
    for row in my_work(user=user, now=now).order_by().values("live_colour").annotate(n=Count("pk")):
        counts[row["live_colour"]] += row["n"]
    return counts


def approvals_waiting(*, user: User, now: datetime | None = None) -> QuerySet[Case]:
    """Return the cases with an extension or return request this user may decide, soonest due first.

    Each case carries ``extension_pending`` and ``return_pending`` (a request waiting for this user). The requests
    are found through their pending-only unique indexes, so the cost follows the few pending requests, not the cases.
    """
    extensions = requests_waiting(user=user, kind="extension")
    returns = requests_waiting(user=user, kind="return")
    return (
        Case.objects.filter(Q(pk__in=extensions.values("case")) | Q(pk__in=returns.values("case")))
        .select_related(*LIST_RELATED)
        .with_live_colour(now)
        .annotate(
            extension_pending=Exists(extensions.filter(case=OuterRef("pk"))),
            return_pending=Exists(returns.filter(case=OuterRef("pk"))),
        )
        .order_by("due_at", "pk")
    )


def case_get(*, user: User, number: str) -> Case:
    """Return one case the user may see (404 otherwise)."""
    try:
        return (
            cases_visible(user=user)
            .select_related(*LIST_RELATED, "grid", "created_by", "source_type", "community__street")
            .get(number=number)
        )
    except Case.DoesNotExist as exc:
        raise Http404 from exc


def case_photos_visible(*, user: User) -> QuerySet[CasePhoto]:
    """Return the case photos the user may see: those of the cases the user sees."""
    return CasePhoto.objects.filter(case__in=cases_visible(user=user))


def transfers_waiting(*, user: User, now: datetime | None = None) -> QuerySet[Case]:
    """Return the open cases other communities handed to a community this user dispatches for, oldest first.

    Each case carries ``transfer_from`` (the community that handed it over) and ``transfer_at``.
    """
    waiting = CaseTransfer.objects.filter(
        decision=CaseTransfer.Decision.PENDING, to_community__in=communities_with_role(user, DISPATCH_ROLES)
    )
    first = waiting.filter(case=OuterRef("pk")).order_by("requested_at")
    return (
        Case.objects.filter(pk__in=waiting.values("case"), state__in=OPEN_STATES)
        .select_related(*LIST_RELATED)
        .with_live_colour(now)
        .annotate(
            transfer_from=Subquery(first.values("from_community__name")[:1]),
            transfer_to=Subquery(first.values("to_community__name")[:1]),
            transfer_at=Subquery(first.values("requested_at")[:1]),
        )
        .order_by("transfer_at", "pk")
    )


def case_events(*, case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("at", "pk")


def case_sender_answers(*, case: Case) -> QuerySet:
    """The answers anonymous senders gave with their lookup code on this case, oldest first."""
    return (
        case.feedbacks.filter(answered_at__isnull=False)
        .only("pk", "case_id", "solved", "satisfaction", "answered_at")
        .order_by("answered_at", "pk")
    )


def cases_for_source(*, source: object, user: User) -> QuerySet[Case]:
    """Return the cases opened from one source object (a visit log, a feedback, a meeting)."""
    from django.contrib.contenttypes.models import ContentType

    return scope(
        Case.objects.filter(source_type=ContentType.objects.get_for_model(source), source_id=source.pk), user
    ).select_related("handler", "tier")


def notice_list(*, user: User) -> tuple[QuerySet[Case], QuerySet[ConductViolation]]:
    """Return the 通报 list: cases still red past their tier's delay, and recorded conduct violations."""
    cases = (
        scope(Case.objects.filter(noticed_at__isnull=False, state__in=OPEN_STATES), user)
        .select_related(*LIST_RELATED)
        .order_by("noticed_at", "pk")
    )
    violations = scope(ConductViolation.objects.all(), user).select_related(
        "official", "kind", "community", "case", "recorded_by"
    )
    return cases, violations


# The dashboard's background refresh of its stored figures (dashboard_figures.py) is asked for under this flag.
def refresh_flag(key: str) -> str:
    """The cache key that marks a refresh of the stored copy ``key`` as asked for."""
    return f"{key}:refreshing"


def tier_default() -> Tier | None:
    """Return the tier a new case gets unless another is chosen: the one marked default (None if none is)."""
    return Tier.objects.filter(is_default=True).first()


def filter_choices(*, user: User) -> dict:
    """Return the options for the dashboard and list filters, scoped to the user."""
    from ..models import Category

    return {
        "communities": list(communities_for(user).order_by("sort_order", "name")),
        "categories": list(Category.objects.active()),
        "tiers": list(Tier.objects.order_by("rank")),
        "lists": CaseList.choices,
        "states": CaseState.choices,
        "colours": Colour.choices,
    }


def handlers_for(*, community: Community) -> QuerySet[User]:
    """Return the officials who can be named handler of a case in this community."""
    from lucun.selectors import officials_covering

    from ..permissions import HANDLE_ROLES

    return officials_covering(community=community, roles=HANDLE_ROLES)
