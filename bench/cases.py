"""Pages of 分类解 at scale, each next to its floor: the dashboard, my work and the case list API.

A page's floor is the same figures read by hand in raw SQL, with the fewest plain indexed queries that give them
(one for a list page; a few for the dashboard), timed in the same run on the same data. Before a page is timed its
floor's figures are compared with the page's own (the selector's, at the same instant): a floor that reads less
than the page shows would flatter it. Rendering, the session and the scope are what the ratio leaves to the page.
"""

from datetime import datetime, timedelta

from django.db import connection
from django.test import Client
from django.utils import timezone

from . import Result, empty_page_line, median_of, timed

PAGE_TARGET = "≤ 2 × floor and median ≤ 25 ms"
DASHBOARD_TARGET = "≤ 3 × floor and median ≤ 40 ms"
MY_WORK_PAGE = 25  # cases.views.case.PAGE_SIZE
API_PAGE = 50  # lucun.api.pagination.UncountedPagination.page_size


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model) -> str:
    return _qn(model._meta.db_table)


def _in(values) -> str:
    """A literal list of trusted values (enum codes, ids read from the database) for an IN clause."""
    quoted = (str(v) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'" for v in values)
    return "(" + ", ".join(quoted) + ")"


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _at(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


# ------------------------------------------------------------------------------------------- the dashboard


def dashboard_floor(*, street_id: int, now: datetime) -> dict:
    """Read the figures the dashboard shows a street's supervisor, by hand, in three statements.

    1. Open cases by tier, community and live colour: the trigger-kept tally (by stored colour) and, in the same
       statement, the few cases that crossed a threshold since the sweep (through the thresholds' indexes).
    2. The lists: overdue, turned red before the deadline, yellow (each through the running cases' due_at
       index) and the 同问 cases (their partial index), 50, 50, 50 and 10 rows in one statement.
    3. The 12345 hotline figures (whole months from the trigger-kept hotline tally, the month the year begins in
       from the cases through the hotline indexes), the requests waiting and gone on (by their own community), and
       the newest resolve and reopen (which tell whether the stored figures on resolved cases are stale), as
       scalar subqueries of one statement.
    The figures on resolved cases themselves are a stored copy (the cache) on the page, read by neither here.
    """
    from cases.models import (
        OPEN_STATES,
        RUNNING_STATES,
        Case,
        CaseAlarm,
        CaseEvent,
        CaseTally,
        ExtensionRequest,
        HotlineTally,
        ReturnRequest,
    )
    from cases.models.hotline_tally import hotline_tally_month_after
    from lucun.models import Community, User

    since = now - timedelta(days=365)
    whole = hotline_tally_month_after(since)
    at, since_at, whole_at = _at(now), _at(since), _at(whole)
    case, tally, community, user = _table(Case), _table(CaseTally), _table(Community), _table(User)
    running, open_states = _in(RUNNING_STATES), _in(OPEN_STATES)
    communities = f"(SELECT id FROM {community} WHERE street_id = %s)"  # noqa: S608
    # The thresholds still ahead of the stored colour (yellow_at, red_at) are indexed in the alarm table.
    behind = f"id IN (SELECT case_id FROM {_table(CaseAlarm)} WHERE yellow_at <= %s OR red_at <= %s)"  # noqa: S608
    counts = _fetch(
        f"SELECT tier_id, community_id, colour, SUM(n) FROM ("  # noqa: S608
        f"SELECT tier_id, community_id, colour, open_count AS n FROM {tally} "
        f"WHERE open_count > 0 AND community_id IN {communities} "
        f"UNION ALL SELECT tier_id, community_id, colour, -1 FROM {case} "
        f"WHERE community_id IN {communities} AND {behind} "
        f"UNION ALL SELECT tier_id, community_id, CASE WHEN due_at <= %s THEN 'red' ELSE 'yellow' END, 1 "
        f"FROM {case} WHERE community_id IN {communities} AND {behind}"
        ") AS x GROUP BY tier_id, community_id, colour",
        [street_id, street_id, at, at, at, street_id, at, at],
    )
    listed = f"c.id, c.number, c.title, c.due_at, c.same_question_count, m.name, u.real_name FROM {case} AS c "
    listed += f"JOIN {community} AS m ON m.id = c.community_id LEFT JOIN {user} AS u ON u.id = c.handler_id "
    scoped = f"c.community_id IN {communities}"
    lists = _fetch(
        "SELECT * FROM ("  # noqa: S608
        f"SELECT 'overdue' AS list, {listed} WHERE {scoped} AND c.state IN {running} AND c.due_at <= %s "
        "ORDER BY c.due_at, c.id LIMIT 50) AS a UNION ALL SELECT * FROM ("
        f"SELECT 'forced', {listed} WHERE {scoped} AND c.state IN {running} AND c.reopen_count >= 2 "
        "AND c.colour = 'red' AND c.due_at > %s ORDER BY c.due_at, c.id LIMIT 50) AS b UNION ALL SELECT * FROM ("
        f"SELECT 'yellow', {listed} WHERE {scoped} AND c.state IN {running} AND c.warn_at <= %s AND c.due_at > %s "
        "AND c.colour <> 'red' ORDER BY c.due_at, c.id LIMIT 50) AS y UNION ALL SELECT * FROM ("
        f"SELECT 'same', {listed} WHERE {scoped} AND c.same_question_count > 0 AND c.state IN {open_states} "
        "ORDER BY c.same_question_count DESC, c.due_at, c.id LIMIT 10) AS s",
        [street_id, at, street_id, at, street_id, at, at, street_id],
    )
    hotline = f"FROM {case} WHERE community_id IN {communities} AND source = 'hotline'"
    tallied = f"FROM {_table(HotlineTally)} WHERE community_id IN {communities}"
    waiting = " UNION ALL ".join(
        f"SELECT escalated_at FROM {_table(model)} WHERE decision = 'pending' "  # noqa: S608
        f"AND community_id IN {communities}"
        for model in (ExtensionRequest, ReturnRequest)
    )
    newest = f"SELECT MAX(at) FROM {_table(CaseEvent)} WHERE kind = %s"  # noqa: S608
    [figures] = _fetch(
        "SELECT "  # noqa: S608
        f"(SELECT COUNT(*) {hotline} AND opened_at >= %s AND opened_at < %s) "
        f"+ (SELECT COALESCE(SUM(received), 0) {tallied} AND month >= %s), "
        f"(SELECT COALESCE(SUM(open_count), 0) {tallied}), "
        f"(SELECT COUNT(*) {hotline} AND resolved_at >= %s AND resolved_at < %s) "
        f"+ (SELECT COALESCE(SUM(resolved), 0) {tallied} AND month >= %s), "
        f"(SELECT COUNT(*) {hotline} AND resolved_at >= %s AND resolved_at < %s AND resolved_at <= due_at) "
        f"+ (SELECT COALESCE(SUM(on_time), 0) {tallied} AND month >= %s), "
        f"(SELECT COUNT(*) FROM ({waiting}) AS w), "
        f"(SELECT COUNT(escalated_at) FROM ({waiting}) AS w), "
        f"({newest}), ({newest})",
        [
            *(street_id, since_at, whole_at, street_id, whole.date()),
            street_id,
            *(street_id, since_at, whole_at, street_id, whole.date()),
            *(street_id, since_at, whole_at, street_id, whole.date()),
            street_id,
            street_id,
            street_id,
            street_id,
            CaseEvent.Kind.RESOLVED,
            CaseEvent.Kind.REOPENED,
        ],
    )
    return {"counts": counts, "lists": lists, "figures": figures}


def dashboard_floor_figures(floor: dict) -> dict:
    """The floor's rows as the figures the page shows, in the shape ``dashboard_page_figures`` gives."""
    totals: dict[str, int] = {}
    by_tier: dict[tuple[str, int], int] = {}
    by_community: dict[tuple[int, str], int] = {}
    for tier, community, colour, n in floor["counts"]:
        if not n:
            continue
        totals[colour] = totals.get(colour, 0) + n
        by_tier[(colour, tier)] = by_tier.get((colour, tier), 0) + n
        by_community[(community, colour)] = by_community.get((community, colour), 0) + n
    rows = {name: [] for name in ("overdue", "forced", "yellow", "same")}
    for row in floor["lists"]:
        rows[row[0]].append(row)
    red = sorted(rows["overdue"] + rows["forced"], key=lambda r: (_as_datetime(r[4]), r[1]))[:50]
    received, open_, resolved, on_time, waiting, escalated = floor["figures"][:6]
    return {
        "totals": totals,
        "by_tier": by_tier,
        "by_community": by_community,
        "red": [r[1] for r in red],
        "yellow": [r[1] for r in rows["yellow"]],
        "same": [r[1] for r in rows["same"]],
        "hotline": (received, open_, resolved, on_time),
        "approvals": (waiting, escalated),
    }


def _as_datetime(value):
    if isinstance(value, str):  # SQLite hands back text
        return datetime.fromisoformat(value)
    return value.replace(tzinfo=None) if getattr(value, "tzinfo", None) else value


def dashboard_page_figures(*, user, now: datetime) -> dict:
    """The same figures from the page's selector, at the same instant."""
    from cases import selectors

    data = selectors.dashboard(user=user, now=now)
    return {
        "totals": {colour: n for colour, n in data.totals.items() if n},
        "by_tier": {(c, t): n for c, tiers in data.colour_by_tier.items() for t, n in tiers.items() if n},
        "by_community": {(r["id"], c): r[c] for r in data.community_rows for c in ("red", "yellow", "green") if r[c]},
        "red": [c.pk for c in data.red_cases],
        "yellow": [c.pk for c in data.yellow_cases],
        "same": [c.pk for c in data.same_question_cases],
        "hotline": tuple(data.hotline[k] for k in ("received", "open", "resolved", "on_time")),
        "approvals": (data.approvals["waiting"], data.approvals["escalated"]),
    }


def figures_differ(floor: dict, page: dict) -> list[str]:
    return [f"{key}: floor {floor[key]!r:.80} ≠ page {page[key]!r:.80}" for key in page if floor.get(key) != page[key]]


# ------------------------------------------------------------------------------------------- the list pages


def my_work_floor(*, user_id: int, limit: int = MY_WORK_PAGE) -> list[int]:
    """The page of an official's open cases, soonest due first: one query through the responsible-person index."""
    from cases.models import OPEN_STATES, Case, Category, Tier
    from lucun.models import Community

    rows = _fetch(
        f"SELECT c.*, m.name, k.name, t.name FROM {_table(Case)} AS c "  # noqa: S608
        f"JOIN {_table(Community)} AS m ON m.id = c.community_id JOIN {_table(Category)} AS k ON k.id = c.category_id "
        f"JOIN {_table(Tier)} AS t ON t.id = c.tier_id "
        f"WHERE c.responsible_id = %s AND c.state IN {_in(OPEN_STATES)} ORDER BY c.due_at, c.id LIMIT {int(limit)}",
        [user_id],
    )
    return [row[0] for row in rows]


def case_list_floor(*, street_id: int, limit: int = API_PAGE + 1) -> list[int]:
    """The first page of a street's cases, soonest due first (and one more row: is there a next page?)."""
    from cases.models import Case, Category, Tier
    from lucun.models import Community, User

    rows = _fetch(
        f"SELECT c.*, m.name, k.name, t.name, h.real_name, f.real_name FROM {_table(Case)} AS c "  # noqa: S608
        f"JOIN {_table(Community)} AS m ON m.id = c.community_id JOIN {_table(Category)} AS k ON k.id = c.category_id "
        f"JOIN {_table(Tier)} AS t ON t.id = c.tier_id LEFT JOIN {_table(User)} AS h ON h.id = c.handler_id "
        f"JOIN {_table(User)} AS f ON f.id = c.first_responder_id "
        f"WHERE m.street_id = %s ORDER BY c.due_at, c.id LIMIT {int(limit)}",
        [street_id],
    )
    return [row[0] for row in rows]


# ------------------------------------------------------------------------------------------------ measuring


def measure(*, org: dict, runs: int, quick: bool, only: set[str]) -> list[Result]:
    """Time the pages named in ``only`` (dashboard, mine, api) as their officials see them, each with its floor."""
    from cases import selectors
    from cases.models import Case

    results: list[Result] = []
    street = org["streets"][0]
    supervisor = org["users"]["supervisors"][0]

    if "dashboard" in only:
        now = timezone.now()
        page = dashboard_page_figures(user=supervisor, now=now)
        wrong = figures_differ(dashboard_floor_figures(dashboard_floor(street_id=street.pk, now=now)), page)
        client = _client(supervisor)
        times, statements = timed(lambda: _ok(client.get("/cases/dashboard/")), runs=runs)
        floor, floor_statements = timed(lambda: dashboard_floor(street_id=street.pk, now=timezone.now()), runs=runs)
        results.append(
            _judged(
                Result("supervisors' dashboard (server time)", DASHBOARD_TARGET, times, statements, floor_ms=floor),
                wrong=wrong,
                quick=quick,
                ratio=3,
                ms=40,
                note=f"floor: {floor_statements} statements, "
                f"{sum(page['totals'].values()):,} open cases in {len(page['by_community'])} figures",
            )
        )
        results.append(empty_page_line(user=supervisor, who="the supervisor", runs=runs))

    if "mine" in only:
        community = org["communities"][0]
        handler = org["handlers"][community.pk][0]
        expected = list(selectors.my_work(user=handler).values_list("pk", flat=True)[:MY_WORK_PAGE])
        found = my_work_floor(user_id=handler.pk)
        client = _client(handler)
        times, statements = timed(lambda: _ok(client.get("/cases/mine/")), runs=runs)
        floor, _ = timed(lambda: my_work_floor(user_id=handler.pk), runs=runs)
        results.append(
            _judged(
                Result("my work page", PAGE_TARGET, times, statements, floor_ms=floor),
                wrong=[] if found == expected else [f"floor lists {len(found)} cases, the page {len(expected)}"],
                quick=quick,
                ratio=2,
                ms=25,
            )
        )
        results.append(empty_page_line(user=handler, who="the grid worker", runs=runs))

    if "api" in only:
        client = _client(supervisor)
        numbers = [row["number"] for row in _ok(client.get("/api/v1/cases/")).json()["results"]]
        found = list(Case.objects.filter(pk__in=case_list_floor(street_id=street.pk)).order_by("due_at", "pk"))
        same = [c.number for c in found[: len(numbers)]] == numbers
        times, statements = timed(lambda: _ok(client.get("/api/v1/cases/")), runs=runs)
        floor, _ = timed(lambda: case_list_floor(street_id=street.pk), runs=runs)
        results.append(
            _judged(
                Result("case list API, one page", PAGE_TARGET, times, statements, floor_ms=floor),
                wrong=[] if same else ["the floor's page is not the API's page"],
                quick=quick,
                ratio=2,
                ms=25,
            )
        )
    return results


def _judged(result: Result, *, wrong: list[str], quick: bool, ratio: float, ms: float, note: str = "") -> Result:
    """Judge a page against its floor: the same figures always; in a full run also the ratio and the time."""
    if wrong:
        result.met = False
        result.note = "floor and page differ: " + "; ".join(wrong)
        return result
    result.note = note or "the floor reads the same figures"
    result.met = True if quick else ((result.ratio or 0) <= ratio and median_of(result.runs_ms) <= ms)
    return result


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ok(response):
    if response.status_code != 200:
        raise RuntimeError(f"{response.request['PATH_INFO']} answered {response.status_code}")
    return response
