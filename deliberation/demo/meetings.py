"""The demo's year of meetings: joint meetings on the hard problems, 大家小家 forums on the cases they settled,
followed up or sent up, general forums, online discussions, contests, and the meetings of the coming weeks."""

import random
from collections import Counter, defaultdict
from datetime import datetime, timedelta

from django.utils import timezone

from cases.models import OPEN_STATES, Case, CaseList
from lucun import demo_time
from lucun.demo import DemoContext, year_start
from lucun.demo_time import FORUM_STARTS, MEETING_STARTS

from ..models import (
    BallotScore,
    ContestBallot,
    ContestCriterion,
    ContestScore,
    Decision,
    Meeting,
    ParticipantRole,
    Venue,
)
from .builder import LEAD, Builder, Window, announced, stab

FAMILY_FORUMS, ON_AGENDAS, SETTLED = 272, 248, 213
BEYOND = 20  # of the unsettled items, sent up to the joint meeting; the rest need follow-up
JOINT_MEETINGS, JOINT_COMMUNITIES, HARD_PROBLEMS = 12, 9, 34
CONTEST_JUDGES = 7
# The latest contest's resident ballots: printed, used (each scoring a few communities), voided as spoilt.
BALLOTS_ISSUED, BALLOTS_USED, BALLOTS_VOIDED = 120, 86, 10
ONLINE_MEETINGS = 12
GENERAL_TOPICS = [
    "村规民约修订",
    "人居环境整治动员",
    "秋收秸秆禁烧宣传",
    "冬季供暖意见征集",
    "老旧小区改造方案征求意见",
    "志愿服务积分兑换安排",
    "防汛准备",
]
DEPARTMENTS = ["住建局", "自然资源所", "交通运输局", "水务局", "供电所", "农业农村局", "综合执法中队", "民政办"]


def seed_meetings(ctx: DemoContext, venues: dict[int, list[Venue]]) -> None:
    now = timezone.now()
    builder = Builder(ctx, venues)
    windows = [
        Window(
            pk=row["pk"],
            community_id=row["community_id"],
            opened_at=row["opened_at"],
            resolved_at=row["resolved_at"],
            case_list=row["case_list"],
            handler_id=row["handler_id"],
            tier=row["tier__code"],
            title=row["title"],
        )
        for row in Case.objects.filter(street=ctx.street, state__in=[*OPEN_STATES, "resolved", "closed"])
        .values("pk", "community_id", "opened_at", "resolved_at", "case_list", "handler_id", "tier__code", "title")
        .order_by("opened_at", "pk")
    ]
    resolved = [w for w in windows if w.resolved_at is not None]
    hard = [w for w in resolved if w.case_list == CaseList.STREET and w.resolved_at - w.opened_at > timedelta(days=2)]
    # Joint meetings first: they decide which hard problems a community meeting sent up before.
    joint_items, hosts = _joint(builder, ctx, venues, hard)
    forums = _forums(builder, ctx, resolved, joint_items, now)
    _online(builder, ctx, now)
    _upcoming(builder, ctx, [w for w in windows if w.resolved_at is None], now)
    contests = _contests(builder, ctx, now)
    builder.save()
    _scores(ctx, contests)
    ballots = _ballots(ctx)
    held_forums = sum(1 for m in builder.meetings if m.kind == Meeting.Kind.FAMILY_FORUM and m.held_at is not None)
    joint_count = len({index for index, _w in joint_items})
    ctx.log(
        f"现场议:大家小家座谈会 {held_forums} 场(议题 {sum(forums.values())},协商解决 {forums[Decision.SETTLED]}),"
        f"党政联席会 {joint_count} 场(下沉 {hosts} 个村居,难题 {len(joint_items)}),擂台比武 {len(contests)} 期"
        f"(最近一期群众选票 {ballots} 张)"
    )


def _joint(builder: Builder, ctx: DemoContext, venues, hard: list[Window]) -> tuple[list[tuple[int, Window]], int]:
    """The joint meetings held on site, each deciding hard problems open at the time; return (items, host count)."""
    rng = builder.rng
    joint_items: list[tuple[int, Window]] = []
    hosts_used: list[int] = []
    named_hosts = [c.pk for c in ctx.communities if c.name in ("芦湖村", "稻香村", "雍翠园社区")]
    leaders = [u for name, u in ctx.users.items() if name.startswith("leader")]
    budget = HARD_PROBLEMS * ctx.scale
    capacity = -(-budget // JOINT_MEETINGS)  # spread the hard problems over the meetings
    for at, cases in sorted(stab(hard, JOINT_MEETINGS, capacity, timedelta(days=12)), key=lambda s: s[0]):
        counts = Counter(w.community_id for w in cases)
        fresh = [c for c in [*named_hosts, *counts] if c not in hosts_used]
        if len(set(hosts_used)) < JOINT_COMMUNITIES and fresh:
            host = fresh[0] if fresh[0] in named_hosts else max(fresh, key=lambda c: counts.get(c, 0))
        else:
            host = rng.choice(hosts_used)
        hosts_used.append(host)
        host_venue = next((v for v in venues.get(host, []) if v.kind == Venue.Kind.HALL), None)
        index = builder.add(
            Meeting(
                kind=Meeting.Kind.JOINT,
                title=f"党政联席会({next(c.name for c in ctx.communities if c.pk == host)}现场)",
                street=ctx.street,
                held_in_id=host,
                venue=host_venue,
                starts_at=at,
                organiser=rng.choice(leaders),
                held_at=at + timedelta(hours=1),
                created_at=announced(rng, at, 4, 6),
            ),
            [
                (ParticipantRole.STREET_LEADERS, rng.randint(3, 6)),
                (ParticipantRole.DEPARTMENTS, rng.randint(3, 6)),
                (ParticipantRole.COMMITTEES, rng.randint(2, 4)),
                (ParticipantRole.RESIDENT_REPS, rng.randint(3, 8)),
            ],
        )
        for w in cases[: max(0, budget - len(joint_items))]:
            builder.item(
                index,
                w,
                Decision.ASSIGNED,
                summary="街道班子成员和相关部门现场研究,明确牵头部门和办结时限",
                result="由牵头部门制定方案,协调相关单位限期解决",
                department=rng.choice(DEPARTMENTS),
                due_on=timezone.localdate(w.resolved_at),
            )
            joint_items.append((index, w))
    return joint_items, len(set(hosts_used))


def _slots(w: Window, end: datetime) -> tuple[datetime, datetime]:
    """The earliest and latest time a forum may take up ``w``: soon after it came in, an hour before ``end``."""
    return w.opened_at + LEAD, end - timedelta(hours=1)


def _fits(w: Window, end: datetime) -> bool:
    """Whether a forum could meet on ``w`` while it was open, before ``end``."""
    first, last = _slots(w, end)
    return first <= last and demo_time.next_slot(first, FORUM_STARTS) <= last


def _forums(
    builder: Builder, ctx: DemoContext, resolved: list[Window], joint_items: list[tuple[int, Window]], now: datetime
) -> Counter:
    """大家小家 forums: every item on a forum held while its case was open; the rest on general matters."""
    rng, scale = builder.rng, ctx.scale
    joint_time = {w.pk: builder.meetings[i].starts_at for i, w in joint_items}
    sent_up = [w for _i, w in joint_items if _fits(w, joint_time[w.pk])][: BEYOND * scale]
    local = [w for w in resolved if w.case_list in (CaseList.SELF, CaseList.COMMUNITY)]
    rng.shuffle(local)
    local = [w for w in local if _fits(w, w.resolved_at)]
    settled = local[: SETTLED * scale]
    follow = [w for w in local[SETTLED * scale :] if w.resolved_at - w.opened_at > timedelta(days=1)]
    follow = follow[: ON_AGENDAS * scale - SETTLED * scale - len(sent_up)]
    by_community: dict[int, list[tuple[Window, str]]] = defaultdict(list)
    for cases, decision in ((settled, Decision.SETTLED), (follow, Decision.FOLLOW_UP), (sent_up, Decision.BEYOND)):
        for w in cases:
            by_community[w.community_id].append((w, decision))
    forum_count = 0
    for community_id, rows in by_community.items():
        rows.sort(key=lambda r: r[0].opened_at)
        current: tuple[int, datetime] | None = None
        for w, decision in rows:
            end = joint_time[w.pk] if decision == Decision.BEYOND else w.resolved_at
            first, last = _slots(w, end)
            # Join the community's previous meeting when it fell while this case was open (at most 3 items).
            if current and first <= current[1] <= last and len(builder.items[current[0]]) < 3:
                index = current[0]
            else:
                middle = w.opened_at + (end - w.opened_at) * 0.35, w.opened_at + (end - w.opened_at) * 0.75
                at = demo_time.draw(rng, max(middle[0], first), min(middle[1], last), FORUM_STARTS, 30)
                at = at or demo_time.draw(rng, first, last, FORUM_STARTS, 30)
                index = builder.community_meeting(community_id, at, "大家小家座谈会")
                forum_count += 1
                current = (index, at)
            _forum_item(builder, index, w, decision)
    # The rest of the year's forums discussed general matters, with no case on the agenda.
    for _ in range(max(0, FAMILY_FORUMS * scale - forum_count)):
        at = demo_time.draw(rng, year_start(now) + timedelta(days=5), now - timedelta(days=3), FORUM_STARTS, 30)
        builder.community_meeting(rng.choice(ctx.communities).pk, at, rng.choice(GENERAL_TOPICS))
    for index, meeting in enumerate(builder.meetings):
        if meeting.kind == Meeting.Kind.FAMILY_FORUM and builder.items.get(index):
            builder.retitle(index, f"大家小家座谈会:{builder.items[index][0]['case'].title}")
    return Counter({Decision.SETTLED: len(settled), Decision.FOLLOW_UP: len(follow), Decision.BEYOND: len(sent_up)})


def _forum_item(builder: Builder, index: int, w: Window, decision: str) -> None:
    rng = builder.rng
    if decision == Decision.SETTLED:
        builder.item(
            index,
            w,
            decision,
            summary="村(居)“两委”、群众代表和红色楼长逐一发表意见,达成一致",
            result=rng.choice(
                [
                    "由物业负责落实,楼长监督",
                    "群众自愿出工出力,村委会提供材料",
                    "邻里协商达成一致,签订协议",
                    "纳入村级为民办事清单,本月完成",
                ]
            ),
        )
    elif decision == Decision.FOLLOW_UP:
        due = timezone.localdate(w.resolved_at)
        builder.item(
            index,
            w,
            decision,
            summary="需要联系相关单位核实后再办理",
            tasks=[("联系相关单位现场核实", w.handler_id or builder.meetings[index].organiser_id, due, w.resolved_at)],
        )
    else:
        builder.item(index, w, decision, summary="涉及跨部门协调,超出村(居)解决权限,提交街道党政联席会")


def _online(builder: Builder, ctx: DemoContext, now: datetime) -> None:
    rng = builder.rng
    for _ in range(ONLINE_MEETINGS * ctx.scale):
        community = rng.choice(ctx.communities)
        at = demo_time.draw(rng, year_start(now) + timedelta(days=10), now - timedelta(days=5), FORUM_STARTS, 30)
        builder.add(
            Meeting(
                kind=Meeting.Kind.ONLINE,
                title=f"线上议事厅:{rng.choice(GENERAL_TOPICS)}",
                community=community,
                online_group=f"{community.name}民情微信群",
                starts_at=at,
                organiser=builder.secretaries[community.pk],
                held_at=at + timedelta(hours=2),
                created_at=announced(rng, at, 1, 2),
            ),
            [(ParticipantRole.RESIDENT_REPS, rng.randint(20, 60)), (ParticipantRole.COMMITTEES, rng.randint(2, 4))],
        )


def _upcoming(builder: Builder, ctx: DemoContext, open_cases: list[Window], now: datetime) -> None:
    """The coming weeks: forums with open cases on their agendas, and the next joint meeting."""
    rng = builder.rng
    local_open = [w for w in open_cases if w.case_list != CaseList.STREET]
    by_community: dict[int, list[Window]] = defaultdict(list)
    for w in local_open:
        by_community[w.community_id].append(w)
    first = ctx.communities[0].pk
    order = [first] if first in by_community else []
    order += [c for c in by_community if c != first]
    for offset, community_id in enumerate(order[:8]):
        if community_id == first:
            # Met at the last forum time before now in the first community: the demo cadre records its decisions.
            at = demo_time.previous_slot(now - timedelta(minutes=30), FORUM_STARTS)
        else:
            day = now + timedelta(days=2 + offset * 2)
            at = demo_time.draw(rng, day, day + timedelta(days=1), FORUM_STARTS, 30)
            at = at or demo_time.next_slot(day, FORUM_STARTS)
        index = builder.community_meeting(community_id, at, "大家小家座谈会", held=False)
        for w in by_community[community_id][:2]:
            builder.item(index, w)
        if builder.items.get(index):
            builder.meetings[index].title = f"大家小家座谈会:{builder.items[index][0]['case'].title}"
    host = rng.choice(ctx.communities)
    at = demo_time.next_slot(now + timedelta(days=10), MEETING_STARTS)
    builder.add(
        Meeting(
            kind=Meeting.Kind.JOINT,
            title=f"党政联席会({host.name}现场)",
            street=ctx.street,
            held_in=host,
            location=f"{host.name}村(居)委会会议室",
            starts_at=at,
            organiser=ctx.users["leader"],
            created_at=demo_time.previous_working(now),
        ),
        [(ParticipantRole.STREET_LEADERS, 5), (ParticipantRole.DEPARTMENTS, 4), (ParticipantRole.COMMITTEES, 3)],
    )


def _contests(builder: Builder, ctx: DemoContext, now: datetime) -> list[int]:
    rng = builder.rng
    indexes = []
    for number, days in enumerate((300, 180, 60), start=1):
        day = demo_time.local(now - timedelta(days=days)).replace(hour=14, minute=30, second=0, microsecond=0)
        at = demo_time.next_slot(day, MEETING_STARTS)
        indexes.append(
            builder.add(
                Meeting(
                    kind=Meeting.Kind.CONTEST,
                    title=f"第{'一二三'[number - 1]}期社区“擂台比武”",
                    street=ctx.street,
                    location="街道党群服务中心大礼堂",
                    starts_at=at,
                    organiser=ctx.users["staff"],
                    held_at=at + timedelta(hours=2),
                    created_at=announced(rng, at, 14, 16),
                ),
                [
                    (ParticipantRole.RESIDENT_REPS, CONTEST_JUDGES + rng.randint(20, 40)),
                    (ParticipantRole.COMMITTEES, len(ctx.communities) * 2),
                    (ParticipantRole.STREET_LEADERS, rng.randint(3, 7)),
                ],
            )
        )
    return indexes


def _scores(ctx: DemoContext, contests: list[int]) -> None:
    rng = ctx.rng
    criteria = list(ContestCriterion.objects.active())
    meetings = list(Meeting.objects.filter(street=ctx.street, kind=Meeting.Kind.CONTEST).order_by("starts_at"))
    strength = {c.pk: rng.uniform(0.6, 0.95) for c in ctx.communities}
    rows = []
    for number, meeting in enumerate(meetings):
        for community in ctx.communities:
            # Communities improve from round to round, some faster than others.
            level = min(0.98, strength[community.pk] + number * rng.uniform(0.0, 0.05))
            for criterion in criteria:
                for judge in range(1, CONTEST_JUDGES + 1):
                    score = round(criterion.max_score * min(1.0, max(0.3, rng.gauss(level, 0.07))))
                    rows.append(
                        ContestScore(
                            meeting=meeting,
                            community=community,
                            criterion=criterion,
                            judge=judge,
                            score=score,
                            recorded_by=meeting.organiser,
                            recorded_at=meeting.starts_at + timedelta(hours=1),
                        )
                    )
    ContestScore.objects.bulk_create(rows, batch_size=2000)


def _ballots(ctx: DemoContext) -> int:
    """Give the latest contest its residents' ballots; return how many were used.

    A generator of its own: the shared one's sequence, and so every later figure of the demo, stays as it was.
    """
    rng = random.Random(19)
    meeting = Meeting.objects.filter(street=ctx.street, kind=Meeting.Kind.CONTEST).order_by("-starts_at").first()
    if meeting is None:
        return 0
    criteria = list(ContestCriterion.objects.active())
    issued = meeting.starts_at - timedelta(days=1)
    ContestBallot.objects.bulk_create(
        [ContestBallot(meeting=meeting, issued_by=meeting.organiser, issued_at=issued) for _n in range(BALLOTS_ISSUED)]
    )
    ballots = list(ContestBallot.objects.filter(meeting=meeting).order_by("pk"))
    liked = {c.pk: rng.uniform(0.55, 0.95) for c in ctx.communities}
    scores = []
    for n, ballot in enumerate(ballots[:BALLOTS_USED]):
        ballot.used_at = meeting.starts_at + timedelta(minutes=20 + n)
        for community in rng.sample(ctx.communities, k=min(len(ctx.communities), rng.randint(3, 6))):
            for criterion in criteria:
                level = min(1.0, max(0.2, rng.gauss(liked[community.pk], 0.12)))
                scores.append(
                    BallotScore(
                        ballot=ballot,
                        community=community,
                        criterion=criterion,
                        score=round(criterion.max_score * level),
                    )
                )
    for ballot in ballots[-BALLOTS_VOIDED:]:
        ballot.voided_at = meeting.starts_at + timedelta(hours=3)
        ballot.voided_by = meeting.organiser
        ballot.void_reason = "现场未发出,会后统一作废"
    ContestBallot.objects.bulk_update(ballots, ["used_at", "voided_at", "voided_by", "void_reason"], batch_size=500)
    BallotScore.objects.bulk_create(scores, batch_size=2000)
    return BALLOTS_USED
