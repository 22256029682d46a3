"""Demo deliberation: 芦湖街道's doorstep venues and a year of meetings in the seed's proportions.

28 stations and halls (3 staff each) covering every grid, 22 talk points; 272 大家小家 meetings
that put 248 problems on their agendas and settled 213 of them (86%); 12 joint meetings in 9
communities that solved 34 hard problems; 3 contest rounds; a dozen online discussions; and the
meetings of the coming weeks. Agenda items are the demo cases the cases app created (it seeds
first), each put on a meeting held while it was open. Rows are bulk-inserted for speed.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from cases.models import OPEN_STATES, Case, CaseList
from lucun.demo import DemoContext
from lucun.models import Community, Grid

from .models import (
    AgendaItem,
    ContestCriterion,
    ContestScore,
    Decision,
    FollowUpTask,
    Meeting,
    MeetingStep,
    ParticipantRole,
    Participation,
    ProcedureStep,
    Venue,
)

FAMILY_FORUMS, ON_AGENDAS, SETTLED = 272, 248, 213
BEYOND = 20  # of the unsettled items, sent up to the joint meeting; the rest need follow-up
JOINT_MEETINGS, JOINT_COMMUNITIES, HARD_PROBLEMS = 12, 9, 34
CONTEST_ROUNDS, CONTEST_JUDGES = 3, 7
ONLINE_MEETINGS = 12
TALK_POINTS = ["小区凉亭说事点", "超市门口说事点", "健身广场说事点", "文化广场说事点", "村头大槐树说事点"]
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
FIELD_PLACES = ["田间地头", "村委会院内", "小区楼道口", "村文化广场"]


@dataclass
class Window:
    """A demo case and the time it was open: a meeting can take it up only in between."""

    pk: int
    community_id: int
    opened_at: datetime
    resolved_at: datetime | None
    case_list: str
    handler_id: int | None
    tier: str
    title: str

    def contains(self, t: datetime) -> bool:
        end = self.resolved_at or timezone.now()
        return self.opened_at + timedelta(hours=6) <= t <= end - timedelta(hours=1)


def seed(ctx: DemoContext) -> None:
    communities = ctx.communities
    if Venue.objects.filter(community__in=communities).exists():
        ctx.log(f"现场议:已有 {Meeting.objects.filter(community__in=communities).count()} 场村(居)会议,跳过")
        return
    with transaction.atomic():
        venues = _seed_venues(ctx)
        _seed_meetings(ctx, venues)


# --- Venues ----------------------------------------------------------------------------------------


def _seed_venues(ctx: DemoContext) -> dict[int, list[Venue]]:
    rng = ctx.rng
    grids: dict[int, list[Grid]] = defaultdict(list)
    for grid in Grid.objects.filter(community__in=ctx.communities).order_by("sort_order", "pk"):
        grids[grid.community_id].append(grid)
    people = _community_people(ctx)
    venues: list[Venue] = []
    serves: list[tuple[Venue, list[Grid]]] = []
    staff: list[tuple[Venue, list[int]]] = []
    for community in ctx.communities:
        own = grids[community.pk]
        half = max(1, (len(own) + 1) // 2)
        short = community.name.removesuffix("社区").removesuffix("村")
        for kind, name, served in (
            (Venue.Kind.STATION, f"{short}网格党群服务驿站", own[:half]),
            (Venue.Kind.HALL, f"{community.name}红色议事厅", own[half:] or own[:1]),
        ):
            venue = Venue(
                community=community,
                kind=kind,
                name=name,
                address=f"{community.name}党群服务中心" if kind == Venue.Kind.HALL else f"{served[0].name}中心位置",
                opening_hours="周一至周六 8:30-17:30" if kind == Venue.Kind.STATION else "每周三、周六 9:00-11:30",
            )
            venues.append(venue)
            serves.append((venue, served))
            pool = people[community.pk]
            staff.append((venue, rng.sample(pool, min(3, len(pool)))))
    # 20+ talk points in pavilions, at supermarket doors and on fitness squares, most in the neighbourhoods.
    talk_communities = [c for c in ctx.communities if c.kind == Community.Kind.NEIGHBOURHOOD] * 3
    talk_communities += [c for c in ctx.communities if c.kind == Community.Kind.VILLAGE]
    talk_communities = talk_communities[:22]
    used: set[tuple[int, str]] = set()
    for community in talk_communities:
        own = grids[community.pk]
        for name in rng.sample(TALK_POINTS, len(TALK_POINTS)):
            if (community.pk, name) not in used:
                used.add((community.pk, name))
                break
        grid = rng.choice(own)
        venue = Venue(
            community=community,
            kind=Venue.Kind.TALK_POINT,
            name=f"{grid.name}{name}",
            address=f"{community.name}{grid.name}",
            opening_hours="每天 傍晚",
        )
        venues.append(venue)
        serves.append((venue, [grid]))
    Venue.objects.bulk_create(venues)
    Venue.grids.through.objects.bulk_create(
        [Venue.grids.through(venue_id=v.pk, grid_id=g.pk) for v, gs in serves for g in gs]
    )
    Venue.staff.through.objects.bulk_create(
        [Venue.staff.through(venue_id=v.pk, user_id=u) for v, users in staff for u in users]
    )
    by_community: dict[int, list[Venue]] = defaultdict(list)
    for venue in venues:
        by_community[venue.community_id].append(venue)
    stations = sum(1 for v in venues if v.kind != Venue.Kind.TALK_POINT)
    ctx.log(f"现场议:议事场所 {stations} 处(驿站、议事厅),说事点 {len(venues) - stations} 个")
    return by_community


def _community_people(ctx: DemoContext) -> dict[int, list[int]]:
    """Return the demo officials of each community (its cadres, party rep, grid workers, unit heads)."""
    people: dict[int, list[int]] = defaultdict(list)
    for index, community in enumerate(ctx.communities, start=1):
        for username, user in ctx.users.items():
            if (
                username in (f"cadre{index}b", f"partyrep{index}")
                or username.startswith((f"grid{index}_", f"unithead{index}_"))
                or username == ("cadre" if index == 1 else f"cadre{index}")
            ):
                people[community.pk].append(user.pk)
    return people


# --- Meetings --------------------------------------------------------------------------------------


class Builder:
    """Collects meetings and their rows, then writes them in a few bulk inserts."""

    def __init__(self, ctx: DemoContext, venues: dict[int, list[Venue]]):
        self.ctx = ctx
        self.rng = ctx.rng
        self.venues = venues
        self.meetings: list[Meeting] = []
        self.items: dict[int, list[dict]] = defaultdict(list)  # meeting index → agenda rows
        self.parties: dict[int, list[tuple[str, int, int | None]]] = {}
        self.secretaries = {
            c.pk: ctx.users["cadre" if i == 1 else f"cadre{i}"] for i, c in enumerate(ctx.communities, start=1)
        }

    def add(self, meeting: Meeting, parties: list[tuple[str, int]]) -> int:
        held = meeting.held_at is not None
        self.meetings.append(meeting)
        index = len(self.meetings) - 1
        self.parties[index] = [
            (role, invited, max(0, invited - self.rng.randint(0, max(1, invited // 5))) if held else None)
            for role, invited in parties
        ]
        return index

    def community_meeting(self, community_id: int, at: datetime, title: str, held: bool = True) -> int:
        rng = self.rng
        venues = self.venues.get(community_id, [])
        venue = rng.choice(venues) if venues and rng.random() < 0.8 else None
        community = next(c for c in self.ctx.communities if c.pk == community_id)
        meeting = Meeting(
            kind=Meeting.Kind.FAMILY_FORUM,
            title=title,
            community_id=community_id,
            venue=venue,
            location="" if venue else rng.choice(FIELD_PLACES),
            starts_at=at,
            organiser=self.secretaries[community_id],
            held_at=at + timedelta(minutes=30) if held else None,
            created_at=at - timedelta(days=rng.randint(3, 7)),
            minutes=_minutes(title) if held and rng.random() < 0.4 else "",
        )
        parties = [
            (ParticipantRole.RESIDENT_REPS, rng.randint(8, 20)),
            (ParticipantRole.BUILDING_HEADS, rng.randint(2, 6)),
            (ParticipantRole.COMMITTEES, rng.randint(3, 5)),
        ]
        if community.kind == Community.Kind.NEIGHBOURHOOD:
            parties += [(ParticipantRole.OWNERS_COMMITTEE, rng.randint(2, 4)), (ParticipantRole.PROPERTY, 1)]
        elif rng.random() < 0.5:
            parties.append((ParticipantRole.PROPERTY, rng.randint(1, 2)))
        return self.add(meeting, parties)

    def item(self, meeting: int, case: Window, decision: str = "", **fields) -> None:
        self.items[meeting].append({"case": case, "decision": decision, **fields})

    def save(self) -> None:
        Meeting.objects.bulk_create(self.meetings, batch_size=500)
        Participation.objects.bulk_create(
            [
                Participation(meeting=self.meetings[i], role=role, invited=invited, attended=attended)
                for i, rows in self.parties.items()
                for role, invited, attended in rows
            ],
            batch_size=2000,
        )
        items, tasks = [], []
        for index, rows in self.items.items():
            meeting = self.meetings[index]
            for position, row in enumerate(rows, start=1):
                decided = bool(row["decision"])
                decided_at = meeting.starts_at + timedelta(minutes=40 + 10 * position) if decided else None
                item = AgendaItem(
                    meeting=meeting,
                    case_id=row["case"].pk,
                    position=position,
                    added_by=meeting.organiser,
                    added_at=meeting.created_at,
                    summary=row.get("summary", ""),
                    decision=row["decision"],
                    result=row.get("result", ""),
                    department=row.get("department", ""),
                    due_on=row.get("due_on"),
                    decided_by=meeting.organiser if decided else None,
                    decided_at=decided_at,
                )
                items.append(item)
                for title, owner, due, done in row.get("tasks", []):
                    tasks.append((item, title, owner, due, done))
        AgendaItem.objects.bulk_create(items, batch_size=1000)
        FollowUpTask.objects.bulk_create(
            [
                FollowUpTask(
                    item=item,
                    title=title,
                    owner_id=owner,
                    due_on=due,
                    done_at=done,
                    done_by_id=owner if done else None,
                    done_note="已落实" if done else "",
                )
                for item, title, owner, due, done in tasks
            ]
        )
        steps = list(ProcedureStep.objects.active().order_by("sort_order"))
        now = timezone.now()
        MeetingStep.objects.bulk_create(
            [
                MeetingStep(
                    meeting=meeting,
                    step=step,
                    completed_by=meeting.organiser,
                    completed_at=min(now, meeting.starts_at + timedelta(days=-3 + i if i < 3 else (i - 3) * 0.5)),
                )
                for meeting in self.meetings
                if meeting.held_at is not None
                for i, step in enumerate(steps)
            ],
            batch_size=2000,
        )
        self.item_count = len(items)


def _minutes(title: str) -> str:
    return (
        f"# {title}\n"
        "- 村(居)“两委”通报近期群众反映的问题和办理情况\n"
        "- 群众代表、红色楼长逐项发表意见\n"
        "- **议定事项**见议题记录,会后公示\n"
    )


def _stab(windows: list[Window], count: int, capacity: int, gap: timedelta, rng) -> list[tuple[datetime, list]]:
    """Pick ``count`` instants that each fall inside as many open windows as possible (at most ``capacity``)."""
    left = list(windows)
    chosen: list[tuple[datetime, list[Window]]] = []
    for _ in range(count):
        best, best_hits = None, []
        for w in left:
            for t in (w.opened_at + timedelta(days=1), (w.resolved_at or timezone.now()) - timedelta(hours=6)):
                if any(abs(t - c) < gap for c, _ in chosen):
                    continue
                hits = [x for x in left if x.contains(t)]
                if len(hits) > len(best_hits):
                    best, best_hits = t, hits
        if best is None:
            break
        taken = sorted(best_hits, key=lambda w: w.resolved_at or timezone.now())[:capacity]
        chosen.append((best.replace(hour=9 + rng.randint(0, 6), minute=0, second=0, microsecond=0), taken))
        left = [w for w in left if w not in taken]
    # The hour was rounded: keep only the cases still open at the meeting itself.
    return [(t, [w for w in ws if w.contains(t)]) for t, ws in chosen]


def _seed_meetings(ctx: DemoContext, venues: dict[int, list[Venue]]) -> None:
    rng, scale = ctx.rng, ctx.scale
    now = timezone.now()
    street = ctx.street
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
        for row in Case.objects.filter(street=street, state__in=[*OPEN_STATES, "resolved", "closed"])
        .values("pk", "community_id", "opened_at", "resolved_at", "case_list", "handler_id", "tier__code", "title")
        .order_by("opened_at", "pk")
    ]
    resolved = [w for w in windows if w.resolved_at is not None]
    open_cases = [w for w in windows if w.resolved_at is None]
    hard = [w for w in resolved if w.case_list == CaseList.STREET and w.resolved_at - w.opened_at > timedelta(days=2)]
    local = [w for w in resolved if w.case_list in (CaseList.SELF, CaseList.COMMUNITY)]
    rng.shuffle(local)

    # Joint meetings first: they decide which hard problems a community meeting sent up before.
    joint_slots = _stab(hard, JOINT_MEETINGS, 4, timedelta(days=12), rng)
    joint_items: list[tuple[int, Window]] = []
    hosts_used: list[int] = []
    named_hosts = [c.pk for c in ctx.communities if c.name in ("芦湖村", "稻香村", "雍翠园社区")]
    leaders = [u for name, u in ctx.users.items() if name.startswith("leader")]
    budget = HARD_PROBLEMS * scale
    for at, cases in sorted(joint_slots, key=lambda s: s[0]):
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
                street=street,
                held_in_id=host,
                venue=host_venue,
                starts_at=at,
                organiser=rng.choice(leaders),
                held_at=at + timedelta(hours=1),
                created_at=at - timedelta(days=5),
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

    # 大家小家 meetings: every item on a meeting held while its case was open.
    sent_up = [w for i, w in joint_items if w.opened_at + timedelta(days=1) < builder.meetings[i].starts_at]
    sent_up = sent_up[: BEYOND * scale]
    joint_time = {w.pk: builder.meetings[i].starts_at for i, w in joint_items}
    settled_cases = local[: SETTLED * scale]
    follow_cases = [w for w in local[SETTLED * scale :] if w.resolved_at - w.opened_at > timedelta(days=1)]
    follow_cases = follow_cases[: ON_AGENDAS * scale - SETTLED * scale - len(sent_up)]
    forum_count = 0
    by_community: dict[int, list[tuple[Window, str]]] = defaultdict(list)
    for w in settled_cases:
        by_community[w.community_id].append((w, Decision.SETTLED))
    for w in follow_cases:
        by_community[w.community_id].append((w, Decision.FOLLOW_UP))
    for w in sent_up:
        by_community[w.community_id].append((w, Decision.BEYOND))
    for community_id, rows in by_community.items():
        rows.sort(key=lambda r: r[0].opened_at)
        current: tuple[int, datetime] | None = None
        for w, decision in rows:
            end = joint_time.get(w.pk, w.resolved_at) if decision == Decision.BEYOND else w.resolved_at
            # Join the community's previous meeting when it fell while this case was open (at most 3 items).
            if current and w.contains(current[1]) and current[1] < end and len(builder.items[current[0]]) < 3:
                index = current[0]
            else:
                at = w.opened_at + (end - w.opened_at) * rng.uniform(0.35, 0.75)
                at = at.replace(minute=0, second=0, microsecond=0)
                if not (w.contains(at) and at < end):
                    at = w.opened_at + (end - w.opened_at) / 2
                index = builder.community_meeting(community_id, at, "大家小家座谈会")
                forum_count += 1
                current = (index, at)
            _forum_item(builder, index, w, decision)
    # The rest of the year's forums discussed general matters, with no case on the agenda.
    for _ in range(max(0, FAMILY_FORUMS * scale - forum_count)):
        community = rng.choice(ctx.communities)
        at = now - timedelta(days=rng.uniform(3, 360))
        builder.community_meeting(
            community.pk, at.replace(minute=0, second=0, microsecond=0), rng.choice(GENERAL_TOPICS)
        )
    for index, meeting in enumerate(builder.meetings):
        if meeting.kind == Meeting.Kind.FAMILY_FORUM and builder.items.get(index):
            first = builder.items[index][0]["case"]
            meeting.title = f"大家小家座谈会:{first.title}"

    _online(builder, ctx, now)
    _upcoming(builder, ctx, open_cases, now)
    contests = _contests(builder, ctx, now)
    builder.save()
    _scores(ctx, contests)
    held_forums = sum(1 for m in builder.meetings if m.kind == Meeting.Kind.FAMILY_FORUM and m.held_at is not None)
    ctx.log(
        f"现场议:大家小家座谈会 {held_forums} 场(议题 {len(settled_cases) + len(follow_cases) + len(sent_up)},"
        f"协商解决 {len(settled_cases)}),党政联席会 {len(joint_slots)}"
        f" 场(下沉 {len(set(hosts_used))} 个村居,难题 {len(joint_items)}),擂台比武 {len(contests)} 期"
    )


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
        at = (now - timedelta(days=rng.uniform(5, 350))).replace(minute=0, second=0, microsecond=0)
        builder.add(
            Meeting(
                kind=Meeting.Kind.ONLINE,
                title=f"线上议事厅:{rng.choice(GENERAL_TOPICS)}",
                community=community,
                online_group=f"{community.name}民情微信群",
                starts_at=at,
                organiser=builder.secretaries[community.pk],
                held_at=at + timedelta(hours=2),
                created_at=at - timedelta(days=1),
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
            # Under way now in the first community: the demo cadre can record its decisions.
            at = (now - timedelta(minutes=30)).replace(second=0, microsecond=0)
        else:
            at = (now + timedelta(days=2 + offset * 2)).replace(hour=15, minute=0, second=0, microsecond=0)
        index = builder.community_meeting(community_id, at, "大家小家座谈会", held=False)
        for w in by_community[community_id][:2]:
            builder.item(index, w)
        if builder.items.get(index):
            builder.meetings[index].title = f"大家小家座谈会:{builder.items[index][0]['case'].title}"
    host = rng.choice(ctx.communities)
    at = (now + timedelta(days=10)).replace(hour=9, minute=0, second=0, microsecond=0)
    builder.add(
        Meeting(
            kind=Meeting.Kind.JOINT,
            title=f"党政联席会({host.name}现场)",
            street=ctx.street,
            held_in=host,
            location=f"{host.name}村(居)委会会议室",
            starts_at=at,
            organiser=ctx.users["leader"],
            created_at=now,
        ),
        [(ParticipantRole.STREET_LEADERS, 5), (ParticipantRole.DEPARTMENTS, 4), (ParticipantRole.COMMITTEES, 3)],
    )


def _contests(builder: Builder, ctx: DemoContext, now: datetime) -> list[int]:
    rng = builder.rng
    indexes = []
    for number, days in enumerate((300, 180, 60), start=1):
        at = (now - timedelta(days=days)).replace(hour=14, minute=30, second=0, microsecond=0)
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
                    created_at=at - timedelta(days=14),
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
