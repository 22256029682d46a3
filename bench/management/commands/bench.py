import platform
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone


class Command(BaseCommand):
    help = (
        "Benchmark at a county's scale on a database of its own (created and dropped here): "
        "prints a table of medians, worst runs, SQL statements and targets."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quick", action="store_true", help="small data, under a minute; times not judged")
        parser.add_argument("--cases", type=int, default=None, help="number of cases (default 1,000,000)")
        parser.add_argument("--runs", type=int, default=None, help="timed runs per measurement")
        parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")

    def handle(self, *args, quick: bool, cases: int | None, runs: int | None, keep: bool, **options):
        from bench import format_table

        total = cases or (3_000 if quick else 1_000_000)
        runs = runs or (3 if quick else 7)
        if not quick and connection.vendor != "postgresql":
            raise CommandError("The full benchmark needs PostgreSQL (set DATABASE_URL); use --quick on SQLite.")
        db = settings.DATABASES["default"]
        # A file on SQLite too, so the processes the benchmark starts (gunicorn, the print job) can open it.
        db.setdefault("TEST", {})["NAME"] = f"{db['NAME']}_bench"
        self.stdout.write(f"==> creating the benchmark database ({connection.vendor})")
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=False)
        try:
            results = self._run(total=total, runs=runs, quick=quick)
        finally:
            if not keep:
                connection.creation.destroy_test_db(old_name, verbosity=0)
        self.stdout.write("")
        self.stdout.write(
            f"lucun bench · {timezone.localtime():%Y-%m-%d %H:%M} · {platform.node()} · "
            f"{platform.processor() or platform.machine()} · {connection.vendor} · {total:,} cases · {runs} runs"
            + (" · quick: times not judged" if quick else "")
        )
        self.stdout.write(format_table(results))
        if any(r.met is False for r in results):
            raise CommandError("some targets were missed (see the table)")

    def _run(self, *, total: int, runs: int, quick: bool):
        from bench import cases as case_bench
        from bench.data import analyze, build_org, case_columns, case_rows, insert_rows
        from bench.timing import now_for_bench
        from cases import services

        now = now_for_bench()
        org = build_org()
        self.stdout.write("==> inserting 1,000 cases, then the rest")
        first = min(1000, total)
        insert_rows(
            __import__("cases.models", fromlist=["Case"]).Case,
            case_columns(),
            case_rows(org=org, count=first, now=now),
        )
        analyze()
        small = services.case_colours_sweep
        from bench import timed

        _, small_statements = timed(lambda: small(now=now), runs=1)
        started = time.perf_counter()
        from cases.models import Case

        chunk = 200_000
        done = first
        while done < total:
            size = min(chunk, total - done)
            insert_rows(Case, case_columns(), case_rows(org=org, count=size, now=now, start_serial=done))
            done += size
            self.stdout.write(f"    {done:,} cases ({time.perf_counter() - started:.0f} s)")
        from bench import cards, feedback, points, visits

        made = visits.build_households(org=org, count=visits.households_for(total), now=now)
        self.stdout.write(f"    {made['households']:,} households, {made['visits']:,} visits")
        analyze()
        self.stdout.write(f"==> data ready in {time.perf_counter() - started:.0f} s; measuring")
        results = case_bench.measure(org=org, now=now, runs=runs, quick=quick, small_sweep_statements=small_statements)
        for more in (visits, points, cards, feedback):
            results += more.measure(org=org, runs=runs, quick=quick)
        return results
