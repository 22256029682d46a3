"""Demo deliberation: 芦湖街道's doorstep venues and a year of meetings in the seed's proportions.

28 stations and halls (3 staff each) covering every grid, 22 talk points; 272 大家小家 meetings
that put 248 problems on their agendas and settled 213 of them (86%); 12 joint meetings in 9
communities that solved 34 hard problems; 3 contest rounds; a dozen online discussions; and the
meetings of the coming weeks. Agenda items are the demo cases the cases app created (it seeds
first), each put on a meeting held while it was open. Meetings start on the half hour on working days: in office
hours, or in the evening for the 大家小家 forums and online discussions residents join after work
(``lucun.demo_time``). Rows are bulk-inserted for speed.
"""

from collections import defaultdict

from django.db import transaction

from lucun.demo import DemoContext
from lucun.models import Community, Grid

from ..models import Meeting, Venue
from .meetings import seed_meetings

TALK_POINTS = ["小区凉亭说事点", "超市门口说事点", "健身广场说事点", "文化广场说事点", "村头大槐树说事点"]


def seed(ctx: DemoContext) -> None:
    communities = ctx.communities
    if Venue.objects.filter(community__in=communities).exists():
        ctx.log(f"现场议:已有 {Meeting.objects.filter(community__in=communities).count()} 场村(居)会议,跳过")
        return
    with transaction.atomic():
        venues = _seed_venues(ctx)
        seed_meetings(ctx, venues)


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
