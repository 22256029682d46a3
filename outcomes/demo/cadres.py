"""The demo's cadres and reserve: term goals with their progress, adjustments since 2023 (52 % of secretaries
replaced), 137 talent records (14 brought back, 10 reserve secretaries), two years of complaints and petitions
(down 20 % and 41.4 % year on year), the last quarters' red lines and the last months' stored reports."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from lucun import demo_time
from lucun.demo import SEED, DemoContext, year_start
from lucun.models import Street
from visits.models import VisitLog

from ..models import (
    CadreAdjustment,
    ExternalFigure,
    GoalProgress,
    GoalReview,
    QuarterlyWarning,
    RedLine,
    ReportSnapshot,
    TalentRecord,
    TalentStep,
    TermGoal,
)
from ..periods import Period, add_months, quarter_of
from ..services.cadres import redlines_evaluate, secretaries
from ..services.report import report_prepare

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


def goals_and_adjustments(ctx: DemoContext) -> str:
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
        day = demo_time.next_working_day(start + timedelta(days=rng.randint(0, span - 30)))
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
                effective_on=demo_time.next_working_day(day + timedelta(days=7)),
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
                effective_on=demo_time.previous_working_day(start + timedelta(days=rng.randint(0, span))),
                reason=rng.choice(REASONS[CadreAdjustment.Kind.WITHDREW]),
                recorded_by=supervisor,
            )
        )
    CadreAdjustment.objects.bulk_create(adjustments)
    return f"{len(goals)} 个任期目标,{len(adjustments)} 条干部调整"


def talent(ctx: DemoContext) -> str:
    rng, now = ctx.rng, timezone.now()
    total = TALENT_AT_SCALE_1 * ctx.scale
    stages = [stage for stage, n in TALENT_STAGES for _ in range(n * ctx.scale)]
    stages += [Stage.IDENTIFIED] * (total - len(stages))
    rng.shuffle(stages)
    logs: dict[int, list[int]] = {}
    for community_id, pk in (
        VisitLog.objects.filter(community__in=ctx.communities, visited_at__gte=year_start(now))
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
        created = demo_time.draw(rng, year_start(now) + timedelta(days=5), now - timedelta(days=5))
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
                stage_changed_at=demo_time.draw(rng, created, created + timedelta(days=3)) or created,
            )
        )
    TalentRecord.objects.bulk_create(records, batch_size=1000, ignore_conflicts=True)
    saved = list(
        TalentRecord.objects.filter(community__in=ctx.communities).values_list("pk", "stage", "created_at", "owner_id")
    )
    steps = [TalentStep(record_id=pk, stage_to=Stage.IDENTIFIED, by_id=owner, at=at) for pk, _stage, at, owner in saved]
    steps += [
        TalentStep(
            record_id=pk,
            stage_from=Stage.IDENTIFIED,
            stage_to=stage,
            note="多次联系,已有意向",
            by_id=owner,
            at=demo_time.draw(rng, at + timedelta(days=1), min(at + timedelta(days=30), now)) or at,
        )
        for pk, stage, at, owner in saved
        if stage != Stage.IDENTIFIED
    ]
    TalentStep.objects.bulk_create(steps, batch_size=2000)
    return f"{len(saved)} 名后备人才"


def external(ctx: DemoContext) -> str:
    rng, today = ctx.rng, timezone.localdate()
    recorder = ctx.users["staff"]
    rows = []
    this_month = today.replace(day=1)
    for kind, source, (low, high), change in (
        ("complaints", "县12345热线平台", (34, 42), SEED.complaints_change),
        ("petitions", "县信访局", (11, 14), SEED.petitions_change),
    ):
        # The year before: as it came. This year: each month against the same month a year before, carrying the
        # rounding back from the latest month, so any run of recent months is down by the seed's figure.
        before = {back: rng.randint(low, high) for back in range(13, 25)}
        wanted = carried = 0.0
        for back in range(1, 13):
            wanted += before[back + 12] * (1 + change / 100)
            value = round(wanted - carried)
            carried += value
            rows.append(_figure(ctx, recorder, kind, source, add_months(this_month, -back), value))
        rows += [_figure(ctx, recorder, kind, source, add_months(this_month, -b), v) for b, v in before.items()]
    ExternalFigure.objects.bulk_create(rows)
    return f"{len(rows)} 条外部数据"


def _early_in(month: date) -> datetime:
    """A working morning early in ``month`` (or the last working time before now, for this month)."""
    at = demo_time.next_working(datetime.combine(month + timedelta(days=2), time(9, 0), demo_time.TZ))
    return min(at, demo_time.previous_working(timezone.now()))


def _figure(ctx: DemoContext, recorder, kind: str, source: str, month: date, value: int) -> ExternalFigure:
    return ExternalFigure(
        street=ctx.street,
        kind=kind,
        month=month,
        value=value,
        source=source,
        recorded_by=recorder,
        recorded_at=_early_in(add_months(month, 1)),
    )


def red_lines(ctx: DemoContext) -> str:
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


def snapshots(ctx: DemoContext) -> str:
    """Store the last months' reports for the street leaders, as the monthly task does at each month's start."""
    month = Period.month(timezone.localdate().year, timezone.localdate().month)
    stored = 0
    for _ in range(SNAPSHOT_MONTHS):
        month = month.previous()
        snapshot = report_prepare(street=ctx.street, period=month)
        if snapshot is not None:
            ReportSnapshot.objects.filter(pk=snapshot.pk).update(created_at=_early_in(month.end))
            stored += 1
    return f"{stored} 份月度报告存档"
