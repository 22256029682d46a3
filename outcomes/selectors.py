"""Every scoped read of the outcomes app: ready querysets for lists, pages and the API."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Prefetch, Q, QuerySet

from cases.models import Case, CaseState, Feedback, HotlineOrder
from lucun.models import Community, Position, User
from lucun.scoping import communities_for, communities_with_role, get_scoped_or_404, scope, streets_for

from . import permissions
from .models import (
    CadreAdjustment,
    Callback,
    ExternalFigure,
    GoalProgress,
    GoalReview,
    QuarterlyWarning,
    RedLine,
    ReportSnapshot,
    SurveyRound,
    SurveySample,
    TalentRecord,
    TalentStep,
    TermGoal,
)
from .periods import Period

CALLBACK_RELATED = ("case", "case__tier", "community", "team", "assignee", "recorded_by")
# A callback follows a resolution: the case is resolved, or already closed (归档) without one.
CALLBACK_CASE_STATES = (CaseState.RESOLVED, CaseState.CLOSED)


def anonymous_q(prefix: str = "") -> Q:
    """Cases whose only contact is an anonymous sender: their answer on the status page is the callback."""
    return Q(**{f"{prefix}source": Case.Source.FEEDBACK, f"{prefix}contact_phone": ""})


def cases_without_callback() -> QuerySet[Case]:
    """Every resolved (or closed) case with no callback for its current resolution round, unscoped: what a
    callback is made for, by the periodic job and by hand (``callback_create_for_case``)."""
    return Case.objects.filter(state__in=CALLBACK_CASE_STATES, resolved_at__isnull=False).filter(
        ~Exists(Callback.objects.filter(case=OuterRef("pk"), round=OuterRef("reopen_count")))
    )


def case_callback(*, user: User, case: Case) -> Callback | None:
    """The callback of the case's current resolution, if there is one and the user may see it."""
    return scope(Callback.objects.filter(case=case, round=case.reopen_count), user).first()


def callback_missing_list(*, user: User, filters: dict | None = None) -> QuerySet[Case]:
    """The resolved cases without a callback in the communities where the user may make one (待生成回访), longest
    resolved first; ``anonymous`` tells those whose callback is the sender's own answer. Filters: ``community``."""
    filters = filters or {}
    qs = cases_without_callback().filter(community__in=communities_with_role(user, permissions.CALLBACK_CREATE_ROLES))
    if filters.get("community"):
        qs = qs.filter(community=filters["community"])
    return (
        qs.annotate(anonymous=ExpressionWrapper(anonymous_q(), output_field=BooleanField()))
        .select_related("community", "handler")
        .order_by("resolved_at", "pk")
    )


def callback_list(*, user: User, state: str = "") -> QuerySet[Callback]:
    """The callbacks the user may see; ``pending``: staff callbacks of the case's current round not yet answered;
    ``mine``: the pending ones that are the user's to make (``callbacks_to_make``)."""
    if state == "mine":
        return callbacks_to_make(user=user)
    qs = scope(Callback.objects.all(), user).select_related(*CALLBACK_RELATED)
    if state == "pending":
        qs = qs.filter(mode=Callback.Mode.STAFF, answered_at__isnull=True, round=F("case__reopen_count"))
        return qs.order_by("resolved_at", "pk")
    if state == "answered":
        qs = qs.filter(answered_at__isnull=False)
    elif state == "anonymous":
        qs = qs.filter(mode=Callback.Mode.ANONYMOUS)
    return qs.order_by("-resolved_at", "-pk")


def callbacks_to_make(*, user: User) -> QuerySet[Callback]:
    """The pending staff callbacks (as ``callback_list(state="pending")``) that are this user's to make, longest
    waiting first: those assigned to the user, and those assigned to nobody (or, from before the rule, to the
    case's own handler or first responder) in the communities where the user records callbacks — never one of a
    case the user handles or first received."""
    return (
        Callback.objects.filter(
            mode=Callback.Mode.STAFF,
            answered_at__isnull=True,
            round=F("case__reopen_count"),
            community__in=communities_with_role(user, permissions.CALLBACK_ROLES),
        )
        # Assigned to nobody, or to the case's own people before that was refused: anyone independent may make it.
        .filter(
            Q(assignee=user.pk)
            | Q(assignee__isnull=True)
            | Q(assignee=F("case__handler"))
            | Q(assignee=F("case__first_responder"))
        )
        .exclude(case__handler=user.pk)
        .exclude(case__first_responder=user.pk)
        .select_related(*CALLBACK_RELATED)
        .order_by("resolved_at", "pk")
    )


def callback_get(*, user: User, pk: int) -> Callback:
    return get_scoped_or_404(
        Callback.objects.select_related(*CALLBACK_RELATED, "case__community", "case__handler"), user, pk=pk
    )


def sender_answers(*, callback: Callback) -> list[Feedback]:
    """The anonymous senders' answers that belong to this callback's resolution (derived, never copied)."""
    answers = Feedback.objects.filter(case_id=callback.case_id, answered_at__isnull=False).order_by("answered_at")
    later = callback.case.callbacks.filter(round__gt=callback.round).order_by("round").first()
    answers = answers.filter(answered_at__gte=callback.resolved_at.replace(minute=0, second=0, microsecond=0))
    if later is not None:
        answers = answers.filter(answered_at__lt=later.resolved_at)
    return list(answers.only("pk", "solved", "satisfaction", "answered_at"))


def survey_list(*, user: User) -> QuerySet[SurveyRound]:
    visible = communities_for(user)
    return (
        SurveyRound.objects.filter(street__in=streets_for(user))
        .annotate(
            sampled=Count("samples", filter=Q(samples__community__in=visible), distinct=True),
            answered=Count(
                "samples", filter=Q(samples__community__in=visible, samples__answered_at__isnull=False), distinct=True
            ),
        )
        .select_related("started_by")
        .order_by("-started_at", "-pk")
    )


def survey_get(*, user: User, pk: int) -> SurveyRound:
    """Return a survey round of a street the user sees (404 otherwise).

    Scoped by street, not through the street's communities: that join has a row per community and
    would find a street official's round once per community.
    """
    from django.http import Http404

    from lucun.scoping import streets_for

    survey = SurveyRound.objects.select_related("street").filter(street__in=streets_for(user), pk=pk).first()
    if survey is None:
        raise Http404
    return survey


def survey_samples(
    *, user: User, survey: SurveyRound, community: Community | None = None, team: int | str | None = None
) -> QuerySet[SurveySample]:
    """The round's samples the user may see; ``team``: a team's id, or ``mine`` for the user's own teams."""
    qs = scope(survey.samples.all(), user).select_related("household", "community", "recorded_by", "team")
    if community is not None:
        qs = qs.filter(community=community)
    if team == "mine":
        qs = qs.filter(team__in=permissions.survey_team_ids(user))
    elif team:
        qs = qs.filter(team=team)
    return qs.order_by("community__sort_order", "answered_at", "household__address", "pk")


def my_survey_samples(*, user: User, answered: bool = False) -> QuerySet[SurveySample]:
    """The samples of open rounds assigned to the user's visit teams, to ask (or already asked)."""
    qs = scope(SurveySample.objects.all(), user).filter(
        team__in=permissions.survey_team_ids(user), survey__closed_at__isnull=True, answered_at__isnull=not answered
    )
    qs = qs.select_related("survey", "household", "community", "recorded_by", "team")
    if answered:
        return qs.order_by("-answered_at", "-pk")
    return qs.order_by("survey__closes_on", "community__sort_order", "household__address", "pk")


def sample_get(*, user: User, pk: int) -> SurveySample:
    return get_scoped_or_404(
        SurveySample.objects.select_related("survey", "community", "household", "team"), user, pk=pk
    )


def red_lines() -> QuerySet[RedLine]:
    return RedLine.objects.active().order_by("sort_order", "name")


def warning_list(*, user: User, year: int | None = None, quarter: int | None = None) -> QuerySet[QuarterlyWarning]:
    qs = scope(QuarterlyWarning.objects.all(), user).select_related("red_line", "cadre", "community", "recorded_by")
    if year:
        qs = qs.filter(year=year)
    if quarter:
        qs = qs.filter(quarter=quarter)
    return qs.order_by("-year", "-quarter", "community__sort_order", "red_line__sort_order", "pk")


def goal_list(*, user: User, community: Community | None = None) -> QuerySet[TermGoal]:
    qs = scope(TermGoal.objects.all(), user).select_related("community")
    if community is not None:
        qs = qs.filter(community=community)
    return qs.prefetch_related(
        Prefetch("progress", queryset=GoalProgress.objects.order_by("year", "quarter")),
        Prefetch("reviews", queryset=GoalReview.objects.order_by("year")),
    ).order_by("community__sort_order", "sort_order", "pk")


def goal_get(*, user: User, pk: int) -> TermGoal:
    return get_scoped_or_404(TermGoal.objects.select_related("community"), user, pk=pk)


def adjustment_list(*, user: User) -> QuerySet[CadreAdjustment]:
    return scope(CadreAdjustment.objects.all(), user).select_related("community").order_by("-effective_on", "-pk")


def talent_list(*, user: User, filters: dict | None = None) -> QuerySet[TalentRecord]:
    filters = filters or {}
    qs = scope(TalentRecord.objects.all(), user).select_related("community", "owner")
    for key in ("community", "stage", "kind"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    if filters.get("q"):
        qs = qs.filter(Q(name__icontains=filters["q"]) | Q(working_in__icontains=filters["q"]))
    return qs.order_by("community__sort_order", "-stage_changed_at", "-pk")


def talent_get(*, user: User, pk: int) -> TalentRecord:
    return get_scoped_or_404(
        TalentRecord.objects.select_related("community", "owner", "visit_log", "visit_log__household", "created_by"),
        user,
        pk=pk,
    )


def talent_steps(*, record: TalentRecord) -> QuerySet[TalentStep]:
    return record.steps.select_related("by").order_by("at", "pk")


def talent_counts(*, user: User) -> list[dict]:
    """Counts per community and stage, one query."""
    stages = TalentRecord.Stage.values
    rows: dict[int, dict] = {}
    for r in (
        scope(TalentRecord.objects.all(), user)
        .order_by()
        .values("community", "community__name", "community__sort_order", "stage")
        .annotate(n=Count("pk"))
    ):
        entry = rows.setdefault(
            r["community"],
            {"name": r["community__name"], "order": r["community__sort_order"], "stages": dict.fromkeys(stages, 0)},
        )
        entry["stages"][r["stage"]] = r["n"]
    result = sorted(rows.values(), key=lambda e: (e["order"], e["name"]))
    for entry in result:
        entry["cells"] = [entry["stages"][s] for s in stages]
        entry["total"] = sum(entry["cells"])
    return result


def external_list(*, user: User) -> QuerySet[ExternalFigure]:
    from lucun.scoping import streets_for

    return (
        ExternalFigure.objects.filter(street__in=streets_for(user)).select_related("street").order_by("-month", "kind")
    )


def snapshot_list(*, user: User) -> QuerySet[ReportSnapshot]:
    """The monthly reports stored for the streets the user works for as a whole, newest first.

    A street's report is prepared for its leaders and carries every community's figures: it is shown to
    street positions (and county positions over the street), never to a community's officials, who read
    their own community's figures on the live report.
    """
    if not getattr(user, "is_authenticated", False):
        return ReportSnapshot.objects.none()
    positions = Position.objects.current().filter(user_id=user.pk)
    whole = Q(street__in=positions.filter(street__isnull=False).values("street")) | Q(
        street__county__in=positions.filter(county__isnull=False).values("county")
    )
    qs = ReportSnapshot.objects.filter(street__in=streets_for(user))
    if not user.is_superuser:
        qs = qs.filter(whole)
    return qs.select_related("street").order_by("-period", "street__name", "pk")


def snapshot_get(*, user: User, pk: int) -> ReportSnapshot:
    from django.http import Http404

    snapshot = snapshot_list(user=user).filter(pk=pk).first()
    if snapshot is None:
        raise Http404
    return snapshot


@dataclass(frozen=True)
class MeasuredLine:
    line: RedLine
    value: Decimal | None
    text: str
    breached: bool  # by the figures so far; a warning only once the quarter is complete


@dataclass(frozen=True)
class RedLineMeasures:
    """The measured red lines of the user's communities for one quarter; ``provisional`` while it runs."""

    period: Period
    provisional: bool
    lines: list[RedLine]
    rows: list[tuple[Community, list[MeasuredLine]]]


def red_line_measures(*, user: User, year: int, quarter: int, today: date | None = None) -> RedLineMeasures:
    """Measure the measurable red lines for each community the user sees, in a fixed number of queries.

    For the quarter running the figures are provisional (暂定): shown, never a warning (that is judged by
    ``services.redlines_evaluate`` once the quarter is complete).
    """
    from .services.cadres import breached, measure

    period = Period.quarter(year, quarter)
    communities = communities_for(user).order_by("sort_order", "name")
    lines = list(RedLine.objects.active().exclude(metric=RedLine.Metric.RECORDED).order_by("sort_order", "name"))
    measures = measure(communities=communities, period=period)
    rows = [
        (
            community,
            [
                MeasuredLine(line=line, value=m.value, text=m.text, breached=breached(line, m))
                for line in lines
                for m in [measures[line.metric][community.pk]]
            ],
        )
        for community in communities
    ]
    return RedLineMeasures(period=period, provisional=not period.is_complete(today), lines=lines, rows=rows)


def hotline_results(*, user: User, start: date, end: date) -> QuerySet[HotlineOrder]:
    """The hotline orders accepted in [start, end) in the user's communities, oldest first, each with its case and
    the latest callback's answer (``cb_*``)."""
    from datetime import datetime, time

    from django.db.models import Exists, OuterRef, Subquery
    from django.utils import timezone

    latest = Callback.objects.filter(case_id=OuterRef("case_id")).order_by("-round")
    since = timezone.make_aware(datetime.combine(start, time.min))
    until = timezone.make_aware(datetime.combine(end, time.min))
    return (
        HotlineOrder.objects.filter(
            case__community__in=communities_for(user), accepted_at__gte=since, accepted_at__lt=until
        )
        .select_related("case")
        .annotate(
            cb_exists=Exists(latest),
            cb_answered_at=Subquery(latest.values("answered_at")[:1]),
            cb_solved=Subquery(latest.values("solved")[:1]),
            cb_attempts=Subquery(latest.values("attempts")[:1]),
            cb_satisfaction=Subquery(latest.values("satisfaction")[:1]),
        )
        .order_by("accepted_at", "pk")
    )
