"""The demo's satisfaction: a year of callbacks (回访) on the resolved cases and four rounds of household surveys.

Both follow the seed: satisfaction rises over the year from 78 % to 90 % in quarterly steps
(``lucun.demo.SATISFACTION_STEPS``). Each quarter's share of satisfied answers is set exactly rather than drawn,
so the figures land on the seed's: a dissatisfied callback reopens its case (发回重办), which is resolved again and
called back satisfied, and the first callbacks are made a little worse to leave the quarter's share of all answers
on its step. The weakest community had a bad stretch (its secretary gets a red-line warning): fewer satisfied, and
not every complaint was sent back. Callbacks and survey answers are made in office hours on working days.
"""

import bisect
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Case as Switch
from django.db.models import Value, When
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseState
from lucun import demo_time
from lucun.demo import SATISFACTION_STEPS, DemoContext, satisfaction_target, year_start
from visits.models import Household, VisitAssignment, VisitTeamMember
from visits.selectors import covering_teams

from ..independence import Pool
from ..models import Callback, SurveyRound, SurveySample
from ..periods import quarter_of

WEAK_SATISFIED = 0.45  # the weak community's first callbacks during its bad stretch
WEAK_SENT_BACK = 0.4  # of its dissatisfied ones, how many it sent back
SURVEY_ROUNDS = 4


def _team_lookup(ctx: DemoContext):
    """Return a function (community id, day) → the team last assigned to the community by that day."""
    by_community: dict[int, list[tuple[date, int]]] = {}
    for community_id, starts_on, team_id in (
        VisitAssignment.objects.filter(community__in=ctx.communities)
        .order_by("starts_on")
        .values_list("community_id", "starts_on", "team_id")
    ):
        by_community.setdefault(community_id, []).append((starts_on, team_id))

    def team(community_id: int, day: date) -> int | None:
        rows = by_community.get(community_id, [])
        index = bisect.bisect_right([r[0] for r in rows], day) - 1
        return rows[index][1] if index >= 0 else None

    return team


@dataclass
class Answer:
    """A first callback that reached the resident: whether they were satisfied, and whether the case went back."""

    case: dict
    answered: datetime
    weak: bool
    satisfied: bool = True
    sent_back: bool = False


def _outcomes(rng, answers: list[Answer], now: datetime) -> None:
    """Decide each answer so that every quarter's share of positive answers (second callbacks included) is its step.

    A case sent back is called back again, satisfied: it adds an answer and a positive one. With the weak
    community's answers fixed first, the others' share ``x`` of satisfied first callbacks solves
    (weak positives + n) ÷ (weak answers + n × (2 − x)) = target.
    """
    quarters: dict[float, list[Answer]] = {}
    for answer in answers:
        quarters.setdefault(satisfaction_target(answer.answered, now), []).append(answer)
    for target, rows in quarters.items():
        weak = [a for a in rows if a.weak]
        others = [a for a in rows if not a.weak]
        rng.shuffle(weak)
        rng.shuffle(others)
        satisfied = round(WEAK_SATISFIED * len(weak))
        unhappy = weak[satisfied:]
        for answer in unhappy:
            answer.satisfied = False
        for answer in unhappy[: round(WEAK_SENT_BACK * len(unhappy))]:
            answer.sent_back = True
        sent_back = sum(a.sent_back for a in weak)
        positives, answered = satisfied + sent_back, len(weak) + sent_back
        if others:
            share = 2 - ((positives + len(others)) / target - answered) / len(others)
            share = min(1.0, max(0.5, share))
            for answer in others[round(share * len(others)) :]:
                answer.satisfied, answer.sent_back = False, True


def callbacks(ctx: DemoContext) -> str:
    rng, now = ctx.rng, timezone.now()
    team_of = _team_lookup(ctx)
    cases = list(
        Case.objects.filter(community__in=ctx.communities, state__in=[CaseState.RESOLVED, CaseState.CLOSED])
        .order_by("resolved_at", "pk")
        .values(
            "pk",
            "community_id",
            "resolved_at",
            "handler_id",
            "first_responder_id",
            "handler_office",
            "source",
            "contact_phone",
        )
    )
    # Called back by someone of the pool, never by the case's handler or first responder.
    pool = Pool(c["community_id"] for c in cases)
    callers: dict[int, int | None] = {}

    def caller(c: dict) -> int | None:
        if c["pk"] not in callers:
            team = team_of(c["community_id"], timezone.localdate(c["resolved_at"]))
            found = pool.candidates(
                community_id=c["community_id"], team_id=team, exclude={c["handler_id"], c["first_responder_id"]}
            )
            callers[c["pk"]] = rng.choice(found).user_id if found else None
        return callers[c["pk"]]

    # The demo's weakest community had a bad stretch early in the year (its secretary gets a red-line warning).
    weak = ctx.communities[6].pk if len(ctx.communities) > 6 else None
    callbacks: list[Callback] = []
    answers: list[Answer] = []

    def base(c: dict) -> dict:
        return {
            "case_id": c["pk"],
            "community_id": c["community_id"],
            "team_id": team_of(c["community_id"], timezone.localdate(c["resolved_at"])),
            "assignee_id": caller(c),
            "office": c["handler_office"],
        }

    for c in cases:
        resolved = c["resolved_at"]
        if c["source"] == Case.Source.FEEDBACK and not c["contact_phone"]:
            callbacks.append(
                Callback(round=0, resolved_at=resolved, mode=Callback.Mode.ANONYMOUS, created_at=resolved, **base(c))
            )
            continue
        start = resolved + timedelta(hours=2)
        answered = demo_time.draw(rng, start, start + timedelta(hours=70), step=5)
        if answered is None or answered > now:
            attempts = 1 if rng.random() < 0.3 else 0
            callbacks.append(Callback(round=0, resolved_at=resolved, attempts=attempts, created_at=resolved, **base(c)))
            continue
        age = (now - resolved).days
        answers.append(Answer(c, answered, weak=c["community_id"] == weak and 210 < age < 330))
    _outcomes(rng, answers, now)

    events: list[CaseEvent] = []
    reopened: dict[int, datetime] = {}
    for answer in answers:
        c = answer.case
        positive = "satisfied" if rng.random() < 0.8 else "basically"
        satisfaction = positive if answer.satisfied else "dissatisfied"
        # 发回重办: resolved again within two working days, and called back satisfied.
        second = demo_time.add_working(answer.answered, timedelta(hours=rng.uniform(4, 16)))
        sent_back = answer.sent_back and second <= now
        callbacks.append(
            Callback(
                round=0,
                resolved_at=c["resolved_at"],
                contacted=True,
                solved=answer.satisfied or rng.random() < 0.3,
                satisfaction=satisfaction,
                method=rng.choice(["phone", "phone", "visit"]),
                note="群众反映问题仍未彻底解决" if not answer.satisfied else "",
                recorded_by_id=caller(c),
                answered_at=answer.answered,
                reopened=sent_back,
                created_at=c["resolved_at"],
                **base(c),
            )
        )
        if not sent_back:
            continue
        events.append(
            CaseEvent(
                case_id=c["pk"],
                kind=CaseEvent.Kind.REOPENED,
                at=answer.answered,
                note="回访不满意,发回重办",
                after={"times": 1},
            )
        )
        events.append(
            CaseEvent(
                case_id=c["pk"], kind=CaseEvent.Kind.RESOLVED, actor_id=c["handler_id"], at=second, note="重新办理完毕"
            )
        )
        reopened[c["pk"]] = second
        later = demo_time.add_working(second, timedelta(hours=rng.uniform(2, 12)))
        done = later <= now
        callbacks.append(
            Callback(
                round=1,
                resolved_at=second,
                created_at=second,
                contacted=True if done else None,
                solved=True if done else None,
                satisfaction="basically" if done else "",
                method="visit" if done else "",
                recorded_by_id=caller(c) if done else None,
                answered_at=later if done else None,
                **base(c),
            )
        )
    Callback.objects.bulk_create(callbacks, batch_size=2000)
    CaseEvent.objects.bulk_create(events, batch_size=2000)
    if reopened:
        Case.objects.filter(pk__in=reopened).update(
            reopen_count=1, resolved_at=Switch(*[When(pk=pk, then=Value(at)) for pk, at in reopened.items()])
        )
    answered = sum(1 for c in callbacks if c.answered_at)
    return f"{len(callbacks)} 条回访(已回访 {answered},发回重办 {len(reopened)})"


def surveys(ctx: DemoContext) -> str:
    """Four rounds of household surveys, one a quarter, at the quarter's satisfaction exactly."""
    rng, now = ctx.rng, timezone.now()
    households: dict[int, list[int]] = {}
    for community_id, pk in Household.objects.filter(community__in=ctx.communities).values_list("community_id", "pk"):
        households.setdefault(community_id, []).append(pk)
    if not households:
        return "没有住户档案,未生成满意度调查"
    recorders = [u.pk for name, u in ctx.users.items() if name.startswith(("staff", "grid"))]
    members: dict[int, list[int]] = {}
    for team_id, user_id in VisitTeamMember.objects.filter(team__street=ctx.street).values_list("team", "user"):
        members.setdefault(team_id, []).append(user_id)
    leader = ctx.users.get("supervisor") or next(iter(ctx.users.values()))
    samples = []
    size = 20 * ctx.scale
    first = year_start(now)
    for index, target in enumerate(SATISFACTION_STEPS[:SURVEY_ROUNDS]):
        # In the middle of each quarter of the year, for a month.
        started_at = demo_time.next_working(first + timedelta(days=91 * index + 30, hours=9))
        started = timezone.localdate(started_at)
        closes_on = started + timedelta(days=30)
        # Each community's samples go to the team covering it during the round, as survey_start assigns them.
        teams = covering_teams(communities=ctx.communities, start=started, end=closes_on)
        survey = SurveyRound.objects.create(
            street=ctx.street,
            title=f"{started.year}年第{quarter_of(started)[1]}季度群众满意度入户调查",
            sample_size=size,
            started_by=leader,
            started_at=started_at,
            closes_on=closes_on,
            closed_at=demo_time.on_day(rng, demo_time.next_working_day(closes_on)),
        )
        rows = []
        for community_id, pool in households.items():
            team_id = teams.get(community_id)
            askers = members.get(team_id) or recorders
            for household_id in rng.sample(pool, min(size, len(pool))):
                rows.append(
                    SurveySample(
                        survey=survey,
                        household_id=household_id,
                        community_id=community_id,
                        team_id=team_id,
                        contacted=rng.random() < 0.92,
                        method=rng.choice(["visit", "visit", "phone"]),
                        recorded_by_id=rng.choice(askers) if askers else None,
                        answered_at=demo_time.draw(
                            rng, started_at + timedelta(days=1), started_at + timedelta(days=25), step=5
                        ),
                    )
                )
        contacted = [s for s in rows if s.contacted]
        rng.shuffle(contacted)
        positive = round(target * len(contacted))
        for n, sample in enumerate(contacted):
            if n < positive:
                sample.satisfaction = "satisfied" if n < positive * 0.75 else "basically"
            else:
                sample.satisfaction = "dissatisfied"
        samples += rows
    SurveySample.objects.bulk_create(samples, batch_size=2000)
    return f"{SURVEY_ROUNDS} 轮满意度调查({len(samples)} 户)"
