"""The benchmark behind ``manage.py bench``: builds its own data set, measures, prints a table.

Each timed line has a floor, measured in the same run on the same data: the least work that gives the same
result (the bare UPDATE of exactly the rows that change, the page's one indexed query, the bare view), so a
target is a ratio to it as well as a time. Targets are checked here, never in unit tests. ``--quick`` runs
the same measurements on small data and judges only what does not depend on the machine (statement counts,
correctness, that each floor gives the same figures as the real thing); times are shown, not judged. Beside each
rendered page, a signed-in page with nothing on it (``empty_page_line``) is shown for comparison, with no floor.
"""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass
class Result:
    name: str
    target: str
    runs_ms: list[float] = field(default_factory=list)
    statements: int | None = None
    met: bool | None = None  # None: not judged (quick mode, or a figure shown for information)
    note: str = ""
    # The floor's timed runs; ``ratio`` overrides median / floor median where the target is a rate (feedback).
    floor_ms: list[float] = field(default_factory=list)
    ratio_override: float | None = None

    @property
    def floor(self) -> float | None:
        return statistics.median(self.floor_ms) if self.floor_ms else None

    @property
    def ratio(self) -> float | None:
        """How many times the floor this line costs (median against median)."""
        if self.ratio_override is not None:
            return self.ratio_override
        if self.median is None or not self.floor:
            return None
        return self.median / self.floor

    @property
    def median(self) -> float | None:
        return statistics.median(self.runs_ms) if self.runs_ms else None

    @property
    def worst(self) -> float | None:
        return max(self.runs_ms) if self.runs_ms else None


def timed(fn: Callable[[], object], *, runs: int, warmup: int = 1) -> tuple[list[float], int]:
    """Run ``fn`` ``warmup`` + ``runs`` times; return the timed runs in ms and the statements of the last one."""
    for _ in range(warmup):
        fn()
    times, statements = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        statements = len([q for q in queries.captured_queries if not _is_savepoint(q["sql"])])
    return times, statements


def empty_page_line(*, user, who: str, runs: int) -> Result:
    """Time a signed-in page with nothing on it (``bench.urls.empty``) as ``user``: the session, the person, the
    navigation and ``base.html``, which each page pays on top of its floor. Shown for comparison, not judged."""
    from django.test import Client, override_settings

    client = Client()
    client.force_login(user)

    def get():
        response = client.get("/bench/empty/")
        if response.status_code != 200:
            raise RuntimeError(f"the empty page answered {response.status_code}")

    with override_settings(ROOT_URLCONF="bench.urls"):
        times, statements = timed(get, runs=runs)
    return Result(f"signed-in page with nothing on it, as {who}", "shown for comparison", times, statements)


def median_of(times: list[float]) -> float:
    return statistics.median(times) if times else 0.0


def _is_savepoint(sql: str) -> bool:
    head = sql.lstrip().upper()
    return head.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))


def format_table(results: list[Result]) -> str:
    headers = ["measurement", "median ms", "worst ms", "floor ms", "× floor", "SQL", "target", "met"]
    rows = [
        [
            r.name,
            f"{r.median:.1f}" if r.median is not None else "—",
            f"{r.worst:.1f}" if r.worst is not None else "—",
            f"{r.floor:.1f}" if r.floor is not None else "—",
            f"{r.ratio:.2f}" if r.ratio is not None else "—",
            str(r.statements) if r.statements is not None else "—",
            r.target,
            {True: "yes", False: "NO", None: "not judged"}[r.met] + (f" ({r.note})" if r.note else ""),
        ]
        for r in results
    ]
    widths = [max(_width(h), *(_width(row[i]) for row in rows)) for i, h in enumerate(headers)]
    line = "| " + " | ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = ["| " + " | ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)) + " |" for row in rows]
    return "\n".join([line, rule, *body])


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
