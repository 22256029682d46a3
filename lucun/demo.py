"""Demo data for the core domain: 芦湖街道 of 高青县 with its 14 communities, grids and officials.

Each app adds its own demo data through a ``demo_seeder`` on its AppConfig, called by
``manage.py seed_demo`` after this one, with the same ``DemoContext``.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction

from .demo_time import TZ
from .models import Community, County, Grid, Position, Role, Street, User

DEMO_PASSWORD = "lucun-demo-2026"  # noqa: S105 - demo logins only; seed_demo refuses production settings


@dataclass(frozen=True)
class SeedFigures:
    """The seed report's figures for 芦湖街道 (工作成效, 今年以来) that the demo reproduces at scale 1.

    The demo's year is the 365 days ending today ("近一年" in the outcome report): everything the seed counts
    "this year" happened in it. Each app's demo takes its volumes from here, and tests/lucun/test_demo_figures.py
    checks what the seeded data computes against them.
    """

    households_visited: int = 11_050
    collected: int = 730
    resolved_by_tier: tuple[tuple[str, int], ...] = (("immediate", 398), ("assigned", 230), ("escalated", 67))
    in_progress: int = 35
    volunteers: int = 2_400
    satisfaction_from: float = 78.0  # %, at the start of the year
    satisfaction_to: float = 90.0  # %, at its end
    complaints_change: float = -20.0  # % year on year
    petitions_change: float = -41.4


SEED = SeedFigures()
YEAR_DAYS = 365
# The year's satisfaction by quarter, oldest first: it rises in steps from the seed's 78 % to its 90 %.
SATISFACTION_STEPS = (0.78, 0.82, 0.86, 0.90)


def year_start(now: datetime) -> datetime:
    """The first moment of the demo's year: local midnight 364 days before today (today is its 365th day)."""
    first = now.astimezone(TZ).date() - timedelta(days=YEAR_DAYS - 1)
    return datetime.combine(first, time.min, TZ)


def satisfaction_target(at: datetime, now: datetime) -> float:
    """The share of satisfied answers the demo aims at for an answer given at ``at`` (by quarter of the year)."""
    quarter = min(3, max(0, int((at - year_start(now)).days // 91.25)))
    return SATISFACTION_STEPS[quarter]


COMMUNITIES = [
    # (name, kind, grid names) — the first four are named in the seed report
    ("芦湖村", Community.Kind.VILLAGE, ["第一网格", "第二网格", "第三网格"]),
    ("稻香村", Community.Kind.VILLAGE, ["第一网格", "第二网格", "第三网格"]),
    ("赵店村", Community.Kind.VILLAGE, ["第一网格", "第二网格", "第三网格"]),
    ("雍翠园社区", Community.Kind.NEIGHBOURHOOD, ["雍翠园小区东区", "雍翠园小区西区", "商业街网格", "锦绣苑小区"]),
    ("上林苑社区", Community.Kind.NEIGHBOURHOOD, ["上林苑一期", "上林苑二期", "滨河网格", "学府网格"]),
    ("北关村", Community.Kind.VILLAGE, ["第一网格", "第二网格"]),
    ("西刘村", Community.Kind.VILLAGE, ["第一网格", "第二网格"]),
    ("东王村", Community.Kind.VILLAGE, ["第一网格", "第二网格"]),
    ("南史村", Community.Kind.VILLAGE, ["第一网格", "第二网格", "第三网格"]),
    ("田家村", Community.Kind.VILLAGE, ["第一网格", "第二网格"]),
    ("付家村", Community.Kind.VILLAGE, ["第一网格", "第二网格"]),
    ("孙家村", Community.Kind.VILLAGE, ["第一网格", "第二网格"]),
    ("高城社区", Community.Kind.NEIGHBOURHOOD, ["幸福里小区", "高城花园", "老街网格"]),
    ("清河社区", Community.Kind.NEIGHBOURHOOD, ["清河湾小区", "水岸名都", "清河老区"]),
]

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = [
    "建国",
    "明",
    "芳",
    "伟",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "超",
    "霞",
    "平",
    "刚",
    "桂英",
    "玉兰",
    "红梅",
    "志强",
    "春生",
    "文华",
    "海燕",
    "国庆",
    "淑珍",
    "德明",
    "玉梅",
    "秀兰",
    "卫东",
    "建华",
    "凤英",
    "永福",
    "振华",
]


@dataclass
class DemoContext:
    """What every app's demo seeder receives: the street, its officials, a seeded RNG and the scale."""

    street: Street
    communities: list[Community]
    users: dict[str, User]
    rng: random.Random
    scale: int = 1
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (username, role, where)
    log: object = print

    def random_name(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def random_phone(self) -> str:
        return "1" + self.rng.choice("3578") + "".join(self.rng.choice("0123456789") for _ in range(9))


_demo_hash: list[str] = []


def _password_hash() -> str:
    """Hash the demo password once: hashing is slow on purpose, and every demo login shares it."""
    if not _demo_hash:
        _demo_hash.append(make_password(DEMO_PASSWORD))
    return _demo_hash[0]


def _user(username: str, real_name: str, phone: str, **extra) -> User:
    user, _ = User.objects.get_or_create(
        username=username,
        defaults={"real_name": real_name, "phone": phone, "password": _password_hash(), **extra},
    )
    return user


def _position(user: User, role: str, title: str = "", **node) -> Position:
    position, _ = Position.objects.get_or_create(
        user=user, role=role, **node, defaults={"title": title, "started_on": date(2023, 1, 1)}
    )
    return position


@transaction.atomic
def seed_org(*, scale: int = 1, log=print) -> DemoContext:
    """Create (or find) the demo county, street, communities, grids, officials and their positions."""
    rng = random.Random(20261127)
    county, _ = County.objects.get_or_create(code="gaoqing", defaults={"name": "高青县"})
    street, _ = Street.objects.get_or_create(
        code="LH", defaults={"county": county, "name": "芦湖街道", "hotline": "0533-6961234"}
    )
    communities: list[Community] = []
    for order, (name, kind, grid_names) in enumerate(COMMUNITIES, start=1):
        community, _ = Community.objects.get_or_create(
            street=street, name=name, defaults={"kind": kind, "sort_order": order}
        )
        communities.append(community)
        for grid_order, grid_name in enumerate(grid_names, start=1):
            Grid.objects.get_or_create(community=community, name=grid_name, defaults={"sort_order": grid_order})

    ctx = DemoContext(street=street, communities=communities, users={}, rng=rng, scale=scale, log=log)
    phones = iter(sorted({ctx.random_phone() for _ in range(2000)}))

    admin = _user("admin", "系统管理员", next(phones), is_staff=True, is_superuser=True)
    ctx.users["admin"] = admin
    ctx.logins.append(("admin", "系统管理员(配置后台)", "全部"))

    # Seven street leaders: each heads one of the seven visit teams.
    for i in range(1, 8):
        username = "leader" if i == 1 else f"leader{i}"
        user = _user(username, ctx.random_name(), next(phones))
        _position(user, Role.STREET_LEADER, "街道班子成员", street=street)
        ctx.users[username] = user
    ctx.logins.append(("leader", Role.STREET_LEADER.label, street.name))

    for i in range(1, 15):
        username = "staff" if i == 1 else f"staff{i}"
        user = _user(username, ctx.random_name(), next(phones))
        _position(user, Role.STREET_STAFF, "机关干部", street=street)
        ctx.users[username] = user
    ctx.logins.append(("staff", Role.STREET_STAFF.label, street.name))

    supervisor = _user("supervisor", ctx.random_name(), next(phones))
    _position(supervisor, Role.SUPERVISOR, "纪工委书记", street=street)
    ctx.users["supervisor"] = supervisor
    ctx.logins.append(("supervisor", Role.SUPERVISOR.label, street.name))

    for index, community in enumerate(communities, start=1):
        secretary = _user("cadre" if index == 1 else f"cadre{index}", ctx.random_name(), next(phones))
        _position(
            secretary,
            Role.COMMUNITY_CADRE,
            "村党组织书记" if community.kind == "village" else "社区党委书记",
            community=community,
        )
        ctx.users[secretary.username] = secretary
        member = _user(f"cadre{index}b", ctx.random_name(), next(phones))
        _position(member, Role.COMMUNITY_CADRE, "村(居)委会委员", community=community)
        ctx.users[member.username] = member
        rep = _user(f"partyrep{index}", ctx.random_name(), next(phones))
        _position(rep, Role.PARTY_REP, "党员代表", community=community)
        ctx.users[rep.username] = rep
        for grid in community.grids.all():
            worker = _user(f"grid{index}_{grid.sort_order}", ctx.random_name(), next(phones))
            _position(worker, Role.GRID_WORKER, "网格员", grid=grid)
            ctx.users[worker.username] = worker
            if community.kind == Community.Kind.NEIGHBOURHOOD:
                head = _user(f"unithead{index}_{grid.sort_order}", ctx.random_name(), next(phones))
                _position(head, Role.UNIT_HEAD, "红色楼长", grid=grid)
                ctx.users[head.username] = head
    ctx.logins.append(("cadre", Role.COMMUNITY_CADRE.label, communities[0].name))
    ctx.logins.append(("cadre2", Role.COMMUNITY_CADRE.label, communities[1].name))
    ctx.logins.append(("grid1_1", Role.GRID_WORKER.label, f"{communities[0].name} 第一网格"))
    ctx.logins.append(("partyrep1", Role.PARTY_REP.label, communities[0].name))
    ctx.logins.append(("unithead4_1", Role.UNIT_HEAD.label, f"{communities[3].name} 雍翠园小区东区"))
    grid_count = Grid.objects.filter(community__street=street).count()
    position_count = Position.objects.filter(user__in=ctx.users.values()).count()
    log(f"组织架构:{street.name},{len(communities)} 个村(居),{grid_count} 个网格,{position_count} 个职务")
    return ctx
