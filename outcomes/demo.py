"""Demo outcomes: a year of callbacks, survey rounds, red lines, goals, adjustments, the talent reserve and the
last months' stored reports.

Runs after every other app's seeder. Satisfaction at callbacks rises over the year from about 78 % to
the high nineties (about 90 % overall); a dissatisfied callback reopened its case, which was resolved
again and called back. Rows are bulk-inserted; the result is what the services would have produced.
"""

import bisect
import time
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseState
from lucun.demo import DemoContext
from lucun.models import Street
from visits.models import Household, VisitAssignment, VisitLog, VisitTeamMember
from visits.selectors import covering_teams

from .independence import Pool
from .models import (
    CadreAdjustment,
    Callback,
    ExternalFigure,
    GoalProgress,
    GoalReview,
    QuarterlyWarning,
    RedLine,
    RedLineRun,
    ReportSnapshot,
    SurveyRound,
    SurveySample,
    TalentRecord,
    TalentStep,
    TermGoal,
)
from .periods import Period, add_months, quarter_of
from .services.cadres import redlines_evaluate, secretaries
from .services.report import report_prepare

Stage, Kind = TalentRecord.Stage, TalentRecord.Kind
TALENT_AT_SCALE_1 = 137
# (stage, how many at scale 1): 14 brought back, 10 reserve secretaries, as in the seed.
TALENT_STAGES = [
    (Stage.RETURNED, 9),
    (Stage.COMMITTEE_MEMBER, 5),
    (Stage.RESERVE_SECRETARY, 10),
    (Stage.CONTACTED, 48),
]
WORK_PLACES = ["淄博市", "济南市", "青岛市", "县城", "北京市", "上海市", "苏州市", "深圳市", "东营市"]
STRENGTHS = ["电商运营", "农业种植", "企业管理", "工程施工", "财务会计", "法律服务", "物流运输", "乡村旅游"]
GOALS = [
    ("村集体经济年收入突破50万元", "集体经济收入 ≥ 50 万元"),
    ("群众满意度保持90%以上", "季度满意率 ≥ 90%"),
    ("完成人居环境整治提升", "道路硬化、路灯、排水全覆盖"),
]
REASONS = {
    CadreAdjustment.Kind.REPLACED: [
        "群众满意度连续两个季度低于60%,按“不换脑子就腾位子”调整",
        "村集体经济收入连续两年排名末位",
        "任期目标年度对账未完成,工作推进不力",
    ],
    CadreAdjustment.Kind.WITHDREW: ["年龄原因主动退出", "身体原因辞去职务", "年度考核不称职,劝退"],
    CadreAdjustment.Kind.APPOINTED: ["经选举新任党组织书记", "从回引人才中选任"],
}


def seed(ctx: DemoContext) -> None:
    started = time.monotonic()
    communities = [c.pk for c in ctx.communities]
    parts = []
    if not Callback.objects.filter(community__in=communities).exists():
        with transaction.atomic():
            parts.append(_callbacks(ctx))
    if (
        not SurveyRound.objects.filter(street=ctx.street).exists()
        and Household.objects.filter(community__in=communities).exists()
    ):
        with transaction.atomic():
            parts.append(_surveys(ctx))
    if not TermGoal.objects.filter(community__in=communities).exists():
        with transaction.atomic():
            parts.append(_goals_and_adjustments(ctx))
    if not TalentRecord.objects.filter(community__in=communities).exists():
        with transaction.atomic():
            parts.append(_talent(ctx))
    if not ExternalFigure.objects.filter(street=ctx.street).exists():
        parts.append(_external(ctx))
    if not RedLineRun.objects.filter(street=ctx.street).exists():
        parts.append(_red_lines(ctx))
    if not ReportSnapshot.objects.filter(street=ctx.street).exists():
        parts.append(_snapshots(ctx))
    if not parts:
        ctx.log("工作成效:演示数据已存在,跳过。")
        return
    ctx.log(f"工作成效:{';'.join(parts)}({time.monotonic() - started:.1f} 秒)")


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


def _callbacks(ctx: DemoContext) -> str:
    rng, now = ctx.rng, timezone.now()
    team_of = _team_lookup(ctx)
    cases = list(
        Case.objects.filter(community__in=ctx.communities, state__in=[CaseState.RESOLVED, CaseState.CLOSED])
        .order_by("resolved_at")
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
    # The demo's weakest community had a bad first quarter (its secretary gets a red-line warning).
    weak = ctx.communities[6].pk if len(ctx.communities) > 6 else None
    callbacks: list[Callback] = []
    events: list[CaseEvent] = []
    reopened: list[tuple[int, object]] = []
    for c in cases:
        resolved = c["resolved_at"]
        team = team_of(c["community_id"], timezone.localdate(resolved))
        found = pool.candidates(
            community_id=c["community_id"], team_id=team, exclude={c["handler_id"], c["first_responder_id"]}
        )
        caller = rng.choice(found).user_id if found else None
        base = {
            "case_id": c["pk"],
            "community_id": c["community_id"],
            "team_id": team,
            "assignee_id": caller,
            "office": c["handler_office"],
        }
        if c["source"] == Case.Source.FEEDBACK and not c["contact_phone"]:
            callbacks.append(
                Callback(round=0, resolved_at=resolved, mode=Callback.Mode.ANONYMOUS, created_at=resolved, **base)
            )
            continue
        answered = resolved + timedelta(hours=rng.uniform(4, 72))
        if answered > now:
            attempts = 1 if rng.random() < 0.3 else 0
            callbacks.append(Callback(round=0, resolved_at=resolved, attempts=attempts, created_at=resolved, **base))
            continue
        progress = max(0.0, 1 - (now - resolved).days / 365)  # 0 a year ago → 1 now
        positive = 0.78 + 0.2 * progress
        if c["community_id"] == weak and 210 < (now - resolved).days < 330:
            positive = 0.5
        roll = rng.random()
        satisfaction = "satisfied" if roll < positive * 0.8 else "basically" if roll < positive else "dissatisfied"
        solved = satisfaction != "dissatisfied" or rng.random() < 0.3
        again = satisfaction == "dissatisfied" or not solved
        callbacks.append(
            Callback(
                round=0,
                resolved_at=resolved,
                contacted=True,
                solved=solved,
                satisfaction=satisfaction,
                method=rng.choice(["phone", "phone", "visit"]),
                note="群众反映问题仍未彻底解决" if again else "",
                recorded_by_id=caller,
                answered_at=answered,
                reopened=again,
                created_at=resolved,
                **base,
            )
        )
        if again:
            # 发回重办, resolved again two days later and called back satisfied.
            second = answered + timedelta(days=2)
            events.append(
                CaseEvent(
                    case_id=c["pk"],
                    kind=CaseEvent.Kind.REOPENED,
                    at=answered,
                    note="回访不满意,发回重办",
                    after={"times": 1},
                )
            )
            events.append(
                CaseEvent(
                    case_id=c["pk"],
                    kind=CaseEvent.Kind.RESOLVED,
                    actor_id=c["handler_id"],
                    at=second,
                    note="重新办理完毕",
                )
            )
            reopened.append((c["pk"], second))
            later = second + timedelta(hours=rng.uniform(4, 48))
            done = later <= now
            callbacks.append(
                Callback(
                    round=1,
                    resolved_at=second,
                    created_at=second,
                    contacted=True if done else None,
                    solved=True if done else None,
                    satisfaction=("basically" if done else ""),
                    method="visit" if done else "",
                    recorded_by_id=caller if done else None,
                    answered_at=later if done else None,
                    **base,
                )
            )
    Callback.objects.bulk_create(callbacks, batch_size=2000)
    CaseEvent.objects.bulk_create(events, batch_size=2000)
    for pk, second in reopened:
        Case.objects.filter(pk=pk).update(reopen_count=1, resolved_at=second)
    answered = sum(1 for c in callbacks if c.answered_at)
    return f"{len(callbacks)} 条回访(已回访 {answered},发回重办 {len(reopened)})"


def _surveys(ctx: DemoContext) -> str:
    rng, today = ctx.rng, timezone.localdate()
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
    rounds = 4
    size = 20 * ctx.scale
    for index in range(rounds):
        started = today - timedelta(days=90 * (rounds - index) - 10)
        # Each community's samples go to the team covering it during the round, as survey_start assigns them.
        teams = covering_teams(communities=ctx.communities, start=started, end=started + timedelta(days=30))
        survey = SurveyRound.objects.create(
            street=ctx.street,
            title=f"{started.year}年第{quarter_of(started)[1]}季度群众满意度入户调查",
            sample_size=size,
            started_by=leader,
            started_at=timezone.make_aware(timezone.datetime.combine(started, timezone.datetime.min.time())),
            closes_on=started + timedelta(days=30),
            closed_at=timezone.make_aware(
                timezone.datetime.combine(started + timedelta(days=30), timezone.datetime.min.time())
            ),
        )
        positive = 0.80 + 0.045 * index
        for community_id, pool in households.items():
            team_id = teams.get(community_id)
            askers = members.get(team_id) or recorders
            for household_id in rng.sample(pool, min(size, len(pool))):
                contacted = rng.random() < 0.92
                roll = rng.random()
                samples.append(
                    SurveySample(
                        survey=survey,
                        household_id=household_id,
                        community_id=community_id,
                        team_id=team_id,
                        contacted=contacted,
                        satisfaction=(
                            (
                                "satisfied"
                                if roll < positive * 0.75
                                else "basically"
                                if roll < positive
                                else "dissatisfied"
                            )
                            if contacted
                            else ""
                        ),
                        method=rng.choice(["visit", "visit", "phone"]),
                        recorded_by_id=rng.choice(askers) if askers else None,
                        answered_at=survey.started_at + timedelta(days=rng.uniform(1, 25)),
                    )
                )
    SurveySample.objects.bulk_create(samples, batch_size=2000)
    return f"{rounds} 轮满意度调查({len(samples)} 户)"


def _goals_and_adjustments(ctx: DemoContext) -> str:
    rng, today = ctx.rng, timezone.localdate()
    supervisor = ctx.users["supervisor"]
    this_year, this_quarter = quarter_of(today)
    goals = []
    for community in ctx.communities:
        for order, (title, target) in enumerate(GOALS):
            goals.append(
                TermGoal(
                    community=community,
                    title=title,
                    target=target,
                    term_start=2023,
                    term_end=2027,
                    sort_order=order,
                    created_by=supervisor,
                )
            )
    TermGoal.objects.bulk_create(goals)
    goals = list(TermGoal.objects.filter(community__in=ctx.communities))
    progress, reviews = [], []
    quarters = []
    period = Period.quarter(this_year, this_quarter)
    for _ in range(4):
        period = period.previous()
        quarters.append((period.start.year, period.quarter_number))
    for goal in goals:
        cadre = ctx.users.get("cadre" if goal.community == ctx.communities[0] else "supervisor")
        percent = rng.randint(10, 30)
        for year, quarter in sorted(quarters):
            percent = min(100, percent + rng.randint(5, 20))
            behind = rng.random() < 0.12
            progress.append(
                GoalProgress(
                    goal=goal,
                    year=year,
                    quarter=quarter,
                    percent=percent,
                    status=GoalProgress.Status.BEHIND if behind else GoalProgress.Status.ON_TRACK,
                    note="项目审批未完成,进度滞后" if behind else "按计划推进",
                    recorded_by=cadre or supervisor,
                )
            )
        roll = rng.random()
        result = "met" if roll < 0.65 else "partly" if roll < 0.9 else "missed"
        reviews.append(
            GoalReview(
                goal=goal,
                year=this_year - 1,
                result=result,
                recorded_by=supervisor,
                evidence={
                    "met": "经街道年度考核核实已完成",
                    "partly": "完成年度计划的七成",
                    "missed": "项目未落地,列入下年度重点督办",
                }[result],
            )
        )
    GoalProgress.objects.bulk_create(progress)
    GoalReview.objects.bulk_create(reviews)

    adjustments = []
    replaced = ctx.communities[: round(len(ctx.communities) * 0.52)]  # 52 % of secretaries since 2023
    start = date(2023, 3, 1)
    span = max((today - start).days, 1)
    for community in replaced:
        day = start + timedelta(days=rng.randint(0, span - 30))
        name = ctx.random_name()
        adjustments.append(
            CadreAdjustment(
                community=community,
                kind=CadreAdjustment.Kind.REPLACED,
                person_name=name,
                position_title="村党组织书记",
                effective_on=day,
                reason=rng.choice(REASONS[CadreAdjustment.Kind.REPLACED]),
                recorded_by=supervisor,
            )
        )
        adjustments.append(
            CadreAdjustment(
                community=community,
                kind=CadreAdjustment.Kind.APPOINTED,
                person_name=ctx.random_name(),
                position_title="村党组织书记",
                effective_on=day + timedelta(days=7),
                reason=rng.choice(REASONS[CadreAdjustment.Kind.APPOINTED]),
                recorded_by=supervisor,
            )
        )
    for _ in range(15):  # 15 officials withdrew
        adjustments.append(
            CadreAdjustment(
                community=rng.choice(ctx.communities),
                kind=CadreAdjustment.Kind.WITHDREW,
                person_name=ctx.random_name(),
                position_title="村(居)委会委员",
                effective_on=start + timedelta(days=rng.randint(0, span)),
                reason=rng.choice(REASONS[CadreAdjustment.Kind.WITHDREW]),
                recorded_by=supervisor,
            )
        )
    CadreAdjustment.objects.bulk_create(adjustments)
    return f"{len(goals)} 个任期目标,{len(adjustments)} 条干部调整"


def _talent(ctx: DemoContext) -> str:
    rng, now = ctx.rng, timezone.now()
    total = TALENT_AT_SCALE_1 * ctx.scale
    stages = [stage for stage, n in TALENT_STAGES for _ in range(n * ctx.scale)]
    stages += [Stage.IDENTIFIED] * (total - len(stages))
    rng.shuffle(stages)
    logs: dict[int, list[int]] = {}
    for community_id, pk in (
        VisitLog.objects.filter(community__in=ctx.communities, visited_at__gte=now - timedelta(days=365))
        .order_by("pk")
        .values_list("community_id", "pk")[:20000]
    ):
        logs.setdefault(community_id, []).append(pk)
    owners = [ctx.users.get("cadre" if i == 1 else f"cadre{i}") for i in range(1, len(ctx.communities) + 1)]
    records = []
    for index, stage in enumerate(stages):
        ci = index % len(ctx.communities)
        community = ctx.communities[ci]
        kind = rng.choice([Kind.RETURNING_YOUTH] * 4 + [Kind.VETERAN] * 2 + [Kind.CAPABLE_ELSEWHERE] * 3 + [Kind.OTHER])
        created = now - timedelta(days=rng.uniform(5, 360))
        pool = logs.get(community.pk, [])
        records.append(
            TalentRecord(
                community=community,
                name=ctx.random_name(),
                kind=kind,
                birth_year=rng.randint(1975, 2000),
                phone=ctx.random_phone(),
                working_in=rng.choice(WORK_PLACES),
                strengths=rng.choice(STRENGTHS),
                stage=stage,
                owner=owners[ci],
                visit_log_id=rng.choice(pool) if pool and rng.random() < 0.85 else None,
                note="走访中了解到有意回乡发展" if stage != Stage.IDENTIFIED else "",
                created_by=owners[ci] or ctx.users["staff"],
                created_at=created,
                stage_changed_at=created + timedelta(days=rng.uniform(0, 3)),
            )
        )
    TalentRecord.objects.bulk_create(records, batch_size=1000, ignore_conflicts=True)
    saved = list(
        TalentRecord.objects.filter(community__in=ctx.communities).values_list("pk", "stage", "created_at", "owner_id")
    )
    steps = [
        TalentStep(record_id=pk, stage_to=Stage.IDENTIFIED, note="登记", by_id=owner, at=at)
        for pk, _stage, at, owner in saved
    ]
    steps += [
        TalentStep(
            record_id=pk,
            stage_from=Stage.IDENTIFIED,
            stage_to=stage,
            note="多次联系,已有意向",
            by_id=owner,
            at=at + timedelta(days=30),
        )
        for pk, stage, at, owner in saved
        if stage != Stage.IDENTIFIED
    ]
    TalentStep.objects.bulk_create(steps, batch_size=2000)
    return f"{len(saved)} 名后备人才"


def _external(ctx: DemoContext) -> str:
    rng, today = ctx.rng, timezone.localdate()
    recorder = ctx.users["staff"]
    rows = []
    this_month = today.replace(day=1)
    for back in range(1, 25):
        month = add_months(this_month, -back)
        recent = back <= 12
        complaints = round(rng.uniform(34, 42) * (0.8 if recent else 1.0))
        petitions = round(rng.uniform(11, 14) * (0.586 if recent else 1.0))
        rows += [
            ExternalFigure(
                street=ctx.street,
                kind="complaints",
                month=month,
                value=complaints,
                source="县12345热线平台",
                recorded_by=recorder,
            ),
            ExternalFigure(
                street=ctx.street,
                kind="petitions",
                month=month,
                value=petitions,
                source="县信访局",
                recorded_by=recorder,
            ),
        ]
    ExternalFigure.objects.bulk_create(rows)
    return f"{len(rows)} 条外部数据"


def _red_lines(ctx: DemoContext) -> str:
    """Compute the last three quarters' red lines (the demo's year of visits), and record two that need evidence."""
    today = timezone.localdate()
    period = Period.quarter(*quarter_of(today))
    warnings = 0
    street = Street.objects.get(pk=ctx.street.pk)
    quarters = []
    for _ in range(3):
        period = period.previous()
        quarters.append(period)
    for p in reversed(quarters):
        warnings += redlines_evaluate(street=street, year=p.start.year, quarter=p.quarter_number).warnings
    supervisor = ctx.users["supervisor"]
    oldest = quarters[-1]
    heads = secretaries(communities=street.communities.all(), period=oldest)
    recorded = []
    for community, code, evidence in (
        (ctx.communities[-1], "collective_economy", "街道经管站统计:村集体经济收入连续两年全街道末位"),
        (ctx.communities[-2], "stability", "因宅基地纠纷处置不及时,引发群众越级上访"),
    ):
        if community.pk in heads:
            recorded.append(
                QuarterlyWarning(
                    red_line=RedLine.objects.get(code=code),
                    cadre_id=heads[community.pk],
                    community=community,
                    year=oldest.start.year,
                    quarter=oldest.quarter_number,
                    source=QuarterlyWarning.Source.RECORDED,
                    evidence=evidence,
                    recorded_by=supervisor,
                )
            )
    QuarterlyWarning.objects.bulk_create(recorded, ignore_conflicts=True)
    return f"红线测算 {len(quarters)} 个季度,预警 {warnings + len(recorded)} 条"


SNAPSHOT_MONTHS = 3


def _snapshots(ctx: DemoContext) -> str:
    """Store the last months' reports for the street leaders, as the monthly task does at each month's start."""
    month = Period.month(timezone.localdate().year, timezone.localdate().month)
    stored = 0
    for _ in range(SNAPSHOT_MONTHS):
        month = month.previous()
        if report_prepare(street=ctx.street, period=month) is not None:
            stored += 1
    return f"{stored} 份月度报告存档"
