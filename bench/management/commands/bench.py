import os
import platform
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

# What --only can name, and the data each needs (cases, households; the org tree is always built).
MEASUREMENTS = {
    "sweep": {"cases"},
    "dashboard": {"cases"},
    "mine": {"cases"},
    "api": {"cases"},
    "ledger": {"households"},
    "redemptions": set(),
    "cards": set(),
    "feedback": set(),
}
DEFAULT_RUNS, QUICK_RUNS = 7, 3
DEFAULT_CASES, QUICK_CASES = 1_000_000, 3_000
# The sweep is also measured when the table holds this many cases, for the chart (a tenth below a million).
SIZE_CHECKPOINT = 100_000
DEFAULT_CHART = "var/bench/bench.svg"


class Command(BaseCommand):
    help = (
        "Benchmark at a county's scale on a database of its own (created and dropped here): prints a table of "
        "medians, worst runs, each line's floor and the ratio to it, SQL statements and targets, and writes a chart."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quick", action="store_true", help="small data, under a minute; times not judged")
        parser.add_argument(
            "--cases", type=int, default=None, help=f"cases (default {DEFAULT_CASES:,}; quick {QUICK_CASES:,})"
        )
        parser.add_argument(
            "--runs", type=int, default=None, help=f"timed runs of each (default {DEFAULT_RUNS}; quick {QUICK_RUNS})"
        )
        parser.add_argument(
            "--only",
            nargs="+",
            choices=sorted(MEASUREMENTS),
            metavar="NAME",
            help=f"run only these measurements, building only their data: {', '.join(MEASUREMENTS)}",
        )
        parser.add_argument(
            "--chart", default=DEFAULT_CHART, help=f"where to write the sweep's SVG chart (default {DEFAULT_CHART})"
        )
        parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")

    def _without_debug(self) -> None:
        """Start again with DEBUG off: pages are timed as production serves them (no template debugging, no
        query log), which is also how the gunicorn children run (``bench.settings``)."""
        if os.environ.get("LUCUN_BENCH_RESTARTED"):
            raise CommandError("DEBUG stays on in these settings; the benchmark times pages with DEBUG off.")
        self.stdout.write("==> DEBUG is on in these settings: starting again with DEBUG=0, as production runs")
        self.stdout.flush()
        os.execve(  # noqa: S606 -- this same command, with the same arguments
            sys.executable,
            [sys.executable, *sys.argv],
            {**os.environ, "DEBUG": "0", "LUCUN_BENCH_RESTARTED": "1"},
        )

    def handle(self, *args, quick: bool, cases: int | None, runs: int | None, only, chart: str, keep: bool, **options):
        from bench import format_table

        if settings.DEBUG:
            self._without_debug()
        total = cases or (QUICK_CASES if quick else DEFAULT_CASES)
        runs = runs or (QUICK_RUNS if quick else DEFAULT_RUNS)
        chosen = set(only or MEASUREMENTS)
        if not quick and connection.vendor != "postgresql":
            raise CommandError("The full benchmark needs PostgreSQL (set DATABASE_URL); use --quick on SQLite.")
        db = settings.DATABASES["default"]
        # A file on SQLite too, so the processes the benchmark starts (gunicorn, the print job) can open it.
        db.setdefault("TEST", {})["NAME"] = f"{db['NAME']}_bench"
        self.stdout.write(f"==> creating the benchmark database ({connection.vendor})")
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=False)
        try:
            results, points = self._run(total=total, runs=runs, quick=quick, chosen=chosen)
        finally:
            if not keep:
                connection.creation.destroy_test_db(old_name, verbosity=0)
        heading = (
            f"lucun bench · {timezone.localtime():%Y-%m-%d %H:%M} · {platform.node()} · "
            f"{platform.processor() or platform.machine()} · {connection.vendor} · {total:,} cases · {runs} runs"
            + (" · quick: times not judged" if quick else "")
        )
        self.stdout.write("")
        self.stdout.write(heading)
        self.stdout.write(format_table(results))
        if points["changes"] or points["size"]:
            from bench.chart import sweep_chart

            path = Path(chart)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(sweep_chart(by_changes=points["changes"], by_size=points["size"], subtitle=heading))
            self.stdout.write(f"chart: {path}")
        if any(r.met is False for r in results):
            raise CommandError("some targets were missed (see the table)")

    def _run(self, *, total: int, runs: int, quick: bool, chosen: set[str]):
        from bench import cards, feedback, points, timed, visits
        from bench import cases as case_pages
        from bench import sweep as sweep_bench
        from bench.data import analyze, build_org, case_columns, case_rows, insert_rows, pending_requests
        from bench.timing import now_for_bench
        from cases import services
        from cases.models import OPEN_STATES, Case

        needs = set().union(*(MEASUREMENTS[name] for name in chosen))
        now = now_for_bench()
        org = build_org()
        started = time.perf_counter()
        series = {"changes": [], "size": []}
        small_statements = 0
        if "cases" in needs:
            self.stdout.write("==> inserting 1,000 cases, then the rest")
            first = min(1000, total)
            insert_rows(Case, case_columns(), case_rows(org=org, count=first, now=now))
            analyze()
            _, small_statements = timed(lambda: services.case_colours_sweep(now=now), runs=1)
            fixed = sweep_bench.change_counts(total)[0]
            checkpoint = max(first, min(SIZE_CHECKPOINT, total // 10))

            def size_point() -> None:
                analyze()
                open_cases = Case.objects.filter(state__in=OPEN_STATES).count()
                point = sweep_bench.size_point(now=now, open_cases=open_cases, changes=fixed, runs=runs)
                if point:
                    series["size"].append(point)

            if "sweep" in chosen and checkpoint == first < total:
                size_point()
            done, chunk = first, 200_000
            while done < total:
                size = min(chunk, total - done, max(0, checkpoint - done) or chunk)
                insert_rows(Case, case_columns(), case_rows(org=org, count=size, now=now, start_serial=done))
                done += size
                self.stdout.write(f"    {done:,} cases ({time.perf_counter() - started:.0f} s)")
                if "sweep" in chosen and done == checkpoint < total:
                    size_point()
            made = pending_requests(now=now)
            self.stdout.write(f"    {made:,} pending extension and return requests")
        if "households" in needs:
            made = visits.build_households(org=org, count=visits.households_for(total), now=now)
            self.stdout.write(f"    {made['households']:,} households, {made['visits']:,} visits")
        analyze()
        self.stdout.write(f"==> data ready in {time.perf_counter() - started:.0f} s; measuring")
        results = []
        if "sweep" in chosen:
            lines, by_changes = sweep_bench.measure(
                now=now, total=total, runs=runs, quick=quick, small_statements=small_statements
            )
            results += lines
            series["changes"] = by_changes
            series["size"] += by_changes[:1]
        if chosen & {"dashboard", "mine", "api"}:
            # The rolled-back sweeps above left dead row versions behind, and sweeping up to the present (as beat
            # does every minute) moves thousands of cases more. Autovacuum clears both within a minute on
            # PostgreSQL (cases migration 0012 sets it to act after 5,000 changed rows); do it here so the pages
            # are measured in the state an office screen sees.
            services.case_colours_sweep()
            analyze()
            results += case_pages.measure(org=org, runs=runs, quick=quick, only=chosen)
        for name, module in (("ledger", visits), ("redemptions", points), ("cards", cards), ("feedback", feedback)):
            if name in chosen:
                results += module.measure(org=org, runs=runs, quick=quick)
        return results, series
