"""The colour sweep at scale, each run next to its floor: the bare UPDATE of exactly the rows that change.

The floor is planned before it is timed: which cases change at the instant swept (from the clock's rule on the
plain columns, not from the sweep's own filters), their events and their notices. Timed, it is one UPDATE by id
per transition, one INSERT of the events and, where the line sends notices, one INSERT of them. Before a line is
timed, the sweep and the floor run once each in a rolled-back transaction and must change the same rows and
write the same events and as many notices: a floor that does less than the sweep would flatter it.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction

from . import Result, median_of, timed


def rolled_back(fn):
    """Run ``fn`` in a transaction that is rolled back, so every repetition starts from the same data."""

    def run():
        with transaction.atomic():
            fn()
            transaction.set_rollback(True)

    return run


def sweep_and_notify(at: datetime) -> None:
    """Sweep at ``at`` and send the notices of what moved, as beat and the worker do (here, in one process)."""
    from cases import services
    from cases.models import CaseEvent

    services.case_colours_sweep(now=at)
    for kind in CaseEvent.objects.filter(at=at).order_by().values_list("kind", flat=True).distinct():
        services.case_events_notify(kind=kind, at=at.isoformat())


# ------------------------------------------------------------------------------------------------ the plan


@dataclass
class Plan:
    """What a sweep at ``at`` must do: the cases of each transition, their events and (optionally) notices."""

    at: datetime
    moves: dict[str, list[tuple]] = field(default_factory=dict)  # kind → (id, deadline_version)
    notices: list[tuple] = field(default_factory=list)  # (recipient, level, kind, title, body, url, dedupe key)

    @property
    def changed(self) -> int:
        return sum(len(rows) for rows in self.moves.values())

    def events(self) -> set[tuple[int, str]]:
        return {(pk, kind) for kind, rows in self.moves.items() for pk, _ in rows}


def plan_sweep(at: datetime, *, notices: bool) -> Plan:
    """Work out from the clock's rule which running cases change at ``at`` and what each change writes."""
    from cases import permissions
    from cases.models import RUNNING_STATES, Case, CaseEvent, Colour
    from lucun.models import Notification, SmsMessage
    from lucun.selectors import officials_by_community

    Kind = CaseEvent.Kind
    running = Case.objects.filter(state__in=RUNNING_STATES).order_by("pk")
    fields = ("pk", "deadline_version", "handler_id", "first_responder_id", "community_id", "number", "title", "due_at")
    selected = {
        Kind.TURNED_RED: running.filter(colour__in=[Colour.GREEN, Colour.YELLOW], due_at__lte=at),
        Kind.TURNED_YELLOW: running.filter(colour=Colour.GREEN, warn_at__lte=at, due_at__gt=at),
        Kind.NOTICED: running.filter(colour=Colour.RED, noticed_at__isnull=True, notice_at__lte=at),
    }
    if not notices:  # the ids and versions are all an UPDATE and its events need: keep a million rows small
        fields = fields[:2]
    rows = {kind: list(qs.values_list(*fields)) for kind, qs in selected.items()}
    plan = Plan(at=at, moves={kind: [(r[0], r[1]) for r in found] for kind, found in rows.items()})
    if not notices:
        return plan
    communities = sorted({r[4] for kind in (Kind.TURNED_RED, Kind.NOTICED) for r in rows[kind]})
    supervisors = officials_by_community(community_ids=communities, roles=permissions.SUPERVISE_ROLES)
    for kind, found in rows.items():
        for pk, _, handler, first, community, number, title, due_at in found:
            if kind == Kind.TURNED_YELLOW:
                people, level, notice_kind = {handler or first}, Notification.Level.WARNING, ""
            elif kind == Kind.TURNED_RED:
                people = {handler, first} | set(supervisors.get(community, []))
                level, notice_kind = Notification.Level.URGENT, SmsMessage.Kind.RED_NOTICE
            else:
                people, level, notice_kind = set(supervisors.get(community, [])), Notification.Level.URGENT, ""
            text = f"{number} {title}"[:200]
            body = f"{due_at:%Y-%m-%d %H:%M}"
            for person in sorted(p for p in people if p):
                plan.notices.append((person, level, notice_kind, text, body, f"/cases/{number}/", f"{kind}:{pk}"))
    return plan


def _rowset(columns: list[tuple[str, str]], rows: list[tuple]) -> tuple[str, list]:
    """A FROM item yielding ``rows`` as ``r(columns)``: unnest of one array per column on PostgreSQL, json_each
    on SQLite (a single parameter either way, whatever the number of rows)."""
    names = ", ".join(name for name, _ in columns)
    if connection.vendor == "postgresql":
        arrays = [list(values) for values in zip(*rows, strict=True)] if rows else [[] for _ in columns]
        return f"unnest({', '.join(f'%s::{kind}[]' for _, kind in columns)}) AS r({names})", arrays
    picked = ", ".join(f"json_extract(value, '$[{i}]') AS {name}" for i, (name, _) in enumerate(columns))
    return f"(SELECT {picked} FROM json_each(%s)) AS r", [json.dumps(rows)]  # noqa: S608


def _ids_match(ids: list[int]) -> tuple[str, list]:
    if connection.vendor == "postgresql":
        return "id = ANY(%s)", [ids]
    return "id IN (SELECT value FROM json_each(%s))", [json.dumps(ids)]


def floor_run(plan: Plan) -> int:
    """Write what ``plan`` says with bare statements: an UPDATE by id per transition, one INSERT of the events,
    one of the notices. Return the rows changed (cases, events and notices)."""
    from cases.models import Case, CaseEvent, Colour
    from lucun.models import Notification

    qn = connection.ops.quote_name
    at = connection.ops.adapt_datetimefield_value(plan.at)
    cases = qn(Case._meta.db_table)
    Kind = CaseEvent.Kind
    sets = {
        Kind.TURNED_RED: (
            f"{qn('colour')} = %s, {qn('colour_changed_at')} = %s, {qn('red_since')} = %s, "
            f"{qn('notice_at')} = %s + {qn('notice_delay')}",
            [Colour.RED, at, at, at],
        ),
        Kind.TURNED_YELLOW: (f"{qn('colour')} = %s, {qn('colour_changed_at')} = %s", [Colour.YELLOW, at]),
        Kind.NOTICED: (f"{qn('noticed_at')} = %s", [at]),
    }
    if connection.vendor != "postgresql":  # SQLite keeps durations as microseconds and datetimes as text
        red_set, red_params = sets[Kind.TURNED_RED]
        sets[Kind.TURNED_RED] = (
            red_set.replace(
                f"%s + {qn('notice_delay')}",
                f"strftime('%%Y-%%m-%%d %%H:%%M:%%f', %s, ({qn('notice_delay')} / 1000000.0) || ' seconds')",
            ),
            red_params,
        )
    changed = 0
    with connection.cursor() as cursor:
        for kind, rows in plan.moves.items():
            if not rows:
                continue
            assignments, params = sets[kind]
            where, ids = _ids_match([pk for pk, _ in rows])
            cursor.execute(f"UPDATE {cases} SET {assignments} WHERE {where}", [*params, *ids])  # noqa: S608
            changed += cursor.rowcount
        events = [(pk, kind, version) for kind, rows in plan.moves.items() for pk, version in rows]
        if events:
            source, params = _rowset([("case_id", "bigint"), ("kind", "text"), ("version", "integer")], events)
            columns = ", ".join(qn(c) for c in ("case_id", "kind", "at", "note", "before", "after", "deadline_version"))
            cursor.execute(
                f"INSERT INTO {qn(CaseEvent._meta.db_table)} ({columns}) "  # noqa: S608
                f"SELECT r.case_id, r.kind, %s, '', '{{}}', '{{}}', r.version FROM {source}",
                [at, *params],
            )
            changed += cursor.rowcount
        if plan.notices:
            kinds = [("recipient", "bigint"), ("level", "text"), ("kind", "text"), ("title", "text")]
            kinds += [("body", "text"), ("url", "text"), ("dedupe", "text")]
            source, params = _rowset(kinds, plan.notices)
            names = ("recipient_id", "level", "kind", "title", "body", "url", "dedupe_key", "created_at")
            cursor.execute(
                f"INSERT INTO {qn(Notification._meta.db_table)} ({', '.join(qn(c) for c in names)}) "  # noqa: S608
                f"SELECT r.recipient, r.level, r.kind, r.title, r.body, r.url, r.dedupe, %s FROM {source}",
                [at, *params],
            )
            changed += cursor.rowcount
    return changed


def differences(plan: Plan, *, notices: bool) -> list[str]:
    """Run the sweep and the floor once each, rolled back; return how they differ from the plan (nothing: none)."""
    from cases.models import Case, CaseEvent
    from lucun.models import Notification

    problems: list[str] = []
    with transaction.atomic():
        before = Notification.objects.count()
        if notices:
            sweep_and_notify(plan.at)
        else:
            from cases import services

            services.case_colours_sweep(now=plan.at)
        recorded = set(CaseEvent.objects.filter(at=plan.at).values_list("case_id", "kind"))
        sent = Notification.objects.count() - before
        transaction.set_rollback(True)
    if recorded != plan.events():
        problems.append(f"the sweep recorded {len(recorded)} events, the floor {len(plan.events())}")
    if notices and sent != len(plan.notices):
        problems.append(f"the sweep sent {sent} notices, the floor {len(plan.notices)}")
    with transaction.atomic():
        written = floor_run(plan)
        moved = Case.objects.filter(colour_changed_at=plan.at).count() + Case.objects.filter(noticed_at=plan.at).count()
        transaction.set_rollback(True)
    expected = plan.changed * 2 + len(plan.notices)
    if written != expected or moved != plan.changed:
        problems.append(f"the floor wrote {written} rows, moved {moved} cases ({expected}, {plan.changed} planned)")
    return problems


def instant_for(changes: int, *, after: datetime) -> datetime | None:
    """Return the instant at which a sweep changes exactly ``changes`` cases (those swept at ``after`` stay put).

    A case changes at the first of its thresholds still ahead: yellow, red or (red, not yet listed) the notice.
    One scan of the running cases, untimed. None when fewer cases than that are left to change.
    """
    from cases.models import RUNNING_STATES, Case, Colour

    running = Case.objects.filter(state__in=RUNNING_STATES)
    thresholds = sorted(
        [
            *running.filter(colour=Colour.GREEN, warn_at__gt=after).values_list("warn_at", flat=True),
            *running.filter(colour=Colour.YELLOW, due_at__gt=after).values_list("due_at", flat=True),
            *running.filter(colour=Colour.RED, noticed_at__isnull=True, notice_at__gt=after).values_list(
                "notice_at", flat=True
            ),
        ]
    )
    if changes <= 0 or len(thresholds) < changes:
        return None
    return thresholds[changes - 1]


# ------------------------------------------------------------------------------------------------ the lines


@dataclass
class Point:
    """One point of the chart: a sweep and its floor at a table size and a number of changed rows."""

    open_cases: int
    changed: int
    sweep_ms: float
    floor_ms: float


def changes_line(
    *, name: str, at: datetime, runs: int, notices: bool, target: str, judge, quick: bool
) -> tuple[Result, Plan]:
    """Time the sweep at ``at`` (with its notices or not) against its floor; ``judge(median, ratio)`` → met."""
    plan = plan_sweep(at, notices=notices)
    problems = differences(plan, notices=notices)
    if notices:
        times, statements = timed(rolled_back(lambda: sweep_and_notify(at)), runs=runs)
    else:
        from cases import services

        times, statements = timed(rolled_back(lambda: services.case_colours_sweep(now=at)), runs=runs)
    floor, _ = timed(rolled_back(lambda: floor_run(plan)), runs=runs)
    result = Result(name.format(changed=plan.changed), target, times, statements, floor_ms=floor)
    if problems:
        result.met, result.note = False, "; ".join(problems)
    elif quick:  # the machine-independent part: the floor writes what the sweep writes
        result.met, result.note = True, "the floor writes the same rows"
    else:
        result.met = judge(median_of(times), result.ratio or 0.0)
    return result, plan


def nothing_line(*, now: datetime, runs: int, quick: bool, small_statements: int) -> list[Result]:
    """The sweep when nothing is due: as cheap at any size. Its floor asks the alarm table's indexes once."""
    from cases import clock, services
    from cases.models import CaseAlarm

    def probe() -> bool:
        return CaseAlarm.objects.filter(clock.q_alarm_due(now)).exists()

    if probe():
        raise RuntimeError("the data has cases due to change at the instant it was built around")
    times, statements = timed(lambda: services.case_colours_sweep(now=now), runs=runs)
    floor, _ = timed(probe, runs=runs)
    median = median_of(times)
    return [
        Result(
            "colour sweep, nothing to change",
            "median ≤ 5 ms",
            times,
            statements,
            met=(median <= 5) if not quick else None,
            floor_ms=floor,
            note="floor: one indexed look for a case due to change",
        ),
        Result(
            "SQL statements per sweep: 1,000 cases vs all",
            f"same number ({small_statements} at 1,000)",
            [],
            statements,
            met=statements == small_statements,
        ),
    ]


def change_counts(total_cases: int) -> list[int]:
    """The changed rows of the chart's first series: 1,000, 10,000 and 100,000 at a million cases, in proportion."""
    scale = total_cases / 1_000_000
    return sorted({max(1, round(n * scale)) for n in (1_000, 10_000, 100_000)})


def size_point(*, now: datetime, open_cases: int, changes: int, runs: int) -> Point | None:
    """Sweep ``changes`` cases at the present table size (a point of the chart's second series), with its floor."""
    at = instant_for(changes, after=now)
    if at is None:
        return None
    plan = plan_sweep(at, notices=True)
    times, _ = timed(rolled_back(lambda: sweep_and_notify(at)), runs=runs)
    floor, _ = timed(rolled_back(lambda: floor_run(plan)), runs=runs)
    return Point(open_cases=open_cases, changed=plan.changed, sweep_ms=median_of(times), floor_ms=median_of(floor))


def measure(
    *, now: datetime, total: int, runs: int, quick: bool, small_statements: int
) -> tuple[list[Result], list[Point]]:
    """Every sweep line at the full size; returns the lines and the points of the changed-rows series."""
    from cases.models import OPEN_STATES, Case

    results = nothing_line(now=now, runs=runs, quick=quick, small_statements=small_statements)
    open_cases = Case.objects.filter(state__in=OPEN_STATES).count()
    counts = change_counts(total)
    judged = counts[len(counts) // 2]
    points = []
    for count in counts:
        at = instant_for(count, after=now)
        if at is None:
            continue
        is_judged = count == judged
        result, plan = changes_line(
            name="colour sweep, {changed:,} cases change (events + notices)",
            at=at,
            runs=runs,
            notices=True,
            target="≤ 2 × floor and median ≤ 400 ms" if is_judged else "—",
            judge=(lambda median, ratio: ratio <= 2 and median <= 400) if is_judged else (lambda m, r: None),
            quick=quick,
        )
        results.append(result)
        points.append(Point(open_cases, plan.changed, result.median or 0.0, result.floor or 0.0))

    # Far ahead, every running case that is not red turns red, and the red ones not yet listed go on the notice
    # list: the sweep's worst case, without notices (a real sweep never meets it; an outage of years would).
    far = now + timedelta(days=800)
    everything = max(2, runs // 2)
    result, plan = changes_line(
        name="colour sweep 800 days on, no notices: {changed:,} of " + f"{open_cases:,} open cases change",
        at=far,
        runs=everything,
        notices=False,
        target="≤ 2 × floor",
        judge=lambda median, ratio: ratio <= 2,
        quick=quick,
    )
    from cases.models import CaseEvent

    kinds = {kind: len(rows) for kind, rows in plan.moves.items()}
    result.note = "; ".join(
        filter(
            None,
            [
                result.note,
                f"{kinds.get(CaseEvent.Kind.TURNED_RED, 0):,} turn red, "
                f"{kinds.get(CaseEvent.Kind.NOTICED, 0):,} go on the notice list",
            ],
        )
    )
    results.append(result)
    return results, points
