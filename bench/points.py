"""积分超市 under contention: many counter redemptions at once against one volunteer's balance.

Each counter clerk is a process with its own database connection, as a web worker is (opened before the
start, so connecting is not timed); all attempts are released together and go through
``points.services.redemption_create``.
Correct means: exactly the affordable attempts succeed and the others are refused for the balance, the
balance and the stock never go below zero, and the ledger adds up to the balance.
"""

import multiprocessing
import time
from datetime import timedelta

from django.db import connection, connections
from django.utils import timezone

from . import Result

ATTEMPTS = 200
PRICE = 10
AFFORDABLE = 150  # the balance covers this many; the other attempts must be refused
# Connections at once: as many as the web workers of three web containers of three workers each (docker-compose
# scaled to web=3), which is all the concurrency redemptions can reach the database with.
CLERKS = 10


def measure(*, org: dict, runs: int, quick: bool) -> list[Result]:
    name = f"{ATTEMPTS} concurrent redemptions against one balance ({CLERKS} connections)"
    target = f"all correct; ≥ {ATTEMPTS} redemptions/s"
    if connection.vendor != "postgresql":
        return [Result(name, target, met=None, note="skipped: needs PostgreSQL (row locks, concurrent connections)")]
    from points.models import PointsPolicy, RedemptionWindow

    community = org["communities"][1]
    clerk = org["handlers"][community.pk][-1]  # the community cadre works the counter
    today = timezone.localdate()
    RedemptionWindow.objects.create(
        community=community, opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=1), note="基准"
    )
    PointsPolicy.current()
    rounds = 1 if quick else max(1, min(runs, 5))
    times, rates, problems = [], [], []
    for n in range(rounds):
        elapsed, trouble = _round(community=community, clerk=clerk, n=n)
        times.append(elapsed * 1000)
        rates.append(ATTEMPTS / elapsed)
        problems += trouble
    rate = sorted(rates)[len(rates) // 2]
    correct = not problems
    commit_ms = _commit_latency()
    return [
        Result(
            "one-row INSERT and commit (the WAL flush every redemption waits for)",
            "—",
            commit_ms,
            1,
            note=f"ceiling for one balance: {1000 / max(sorted(commit_ms)[len(commit_ms) // 2], 0.001):.0f} "
            "successful redemptions/s (each keeps the account row locked until its commit is flushed)",
        ),
        Result(
            name,
            target,
            times,
            None,
            met=(correct and rate >= ATTEMPTS) if not quick else correct,
            note=f"{rate:.0f}/s, "
            + (
                f"{AFFORDABLE} of {ATTEMPTS} succeed each round, balance and ledger agree"
                if correct
                else "; ".join(problems[:3])
            ),
        ),
    ]


def _commit_latency(samples: int = 50) -> list[float]:
    """Time committing a one-row INSERT into a logged table: the disk's flush, the floor of any serial write."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_commit (n integer)")
        times = []
        for n in range(samples):
            start = time.perf_counter()
            cursor.execute("INSERT INTO bench_commit VALUES (%s)", [n])
            times.append((time.perf_counter() - start) * 1000)
        cursor.execute("DROP TABLE bench_commit")
    return times


def _round(*, community, clerk, n: int) -> tuple[float, list[str]]:
    """Run one round against a fresh volunteer; return the seconds it took and what was wrong."""
    from points import services
    from points.models import LedgerEntry, Redemption, Reward
    from points.selectors import ledger_sum

    volunteer = services.volunteer_create(actor=clerk, community=community, name=f"基准志愿者{n + 1}")
    services.points_adjust(
        actor=clerk,
        volunteer=volunteer,
        points=AFFORDABLE * PRICE,
        reason="纸质台账迁入",
        idempotency_key=f"bench-{n}",
    )
    stock = ATTEMPTS * 2
    reward = services.reward_save(
        actor=clerk,
        reward=Reward(
            community=community, shop_name="爱心超市", name=f"洗衣液{n + 1}", price_points=PRICE, stock=stock
        ),
    )
    # Each clerk is a process of its own with its own connection, as gunicorn's workers are: threads of one
    # Python process would take turns at one interpreter lock, and a clerk holding the account row locked would
    # wait for it between two statements, which no web worker does.
    context = multiprocessing.get_context("fork")
    work = context.Queue()
    for i in range(ATTEMPTS):
        work.put(f"bench-{n}-{i}")
    for _ in range(CLERKS):
        work.put(None)
    outcomes = context.Queue()
    barrier = context.Barrier(CLERKS + 1)
    connections.close_all()  # a forked child must open its own connection, never share the parent's socket
    clerks = [
        context.Process(target=_counter, args=(clerk.pk, volunteer.pk, reward.pk, work, outcomes, barrier))
        for _ in range(CLERKS)
    ]
    for process in clerks:
        process.start()
    barrier.wait(timeout=120)
    start = time.monotonic()
    finished, kinds = [], []
    for _ in range(CLERKS):
        done_at, mine = outcomes.get(timeout=300)
        finished.append(done_at)
        kinds += mine
    elapsed = max(finished) - start
    for process in clerks:
        process.join(timeout=60)

    problems = []
    succeeded = [k for k in kinds if k == "redeemed"]
    refused = [k for k in kinds if k == "refused"]
    others = [k for k in kinds if k not in ("redeemed", "refused")]
    if len(kinds) != ATTEMPTS:
        problems.append(f"{len(kinds)} outcomes for {ATTEMPTS} attempts")
    if others:
        problems.append(f"{len(others)} failed otherwise: {others[0]}")
    if len(succeeded) != AFFORDABLE or len(refused) != ATTEMPTS - AFFORDABLE:
        problems.append(f"{len(succeeded)} succeeded and {len(refused)} were refused")
    volunteer.account.refresh_from_db()
    reward.refresh_from_db()
    balance = volunteer.account.balance
    if balance != (AFFORDABLE - len(succeeded)) * PRICE or balance < 0:
        problems.append(f"balance {balance}")
    if reward.stock != stock - len(succeeded) or reward.stock < 0:
        problems.append(f"stock {reward.stock}")
    if ledger_sum(account=volunteer.account) != balance:
        problems.append("the ledger does not add up to the balance")
    redeemed = LedgerEntry.objects.filter(account=volunteer.account, kind=LedgerEntry.Kind.REDEEM).count()
    if redeemed != len(succeeded) or Redemption.objects.filter(volunteer=volunteer).count() != len(succeeded):
        problems.append(f"{redeemed} ledger entries for {len(succeeded)} redemptions")
    return elapsed, problems


def _counter(clerk_id: int, volunteer_id: int, reward_id: int, work, outcomes, barrier) -> None:
    """One counter clerk (a forked process): redeem until the queue is empty; report when it ended and each outcome."""
    from lucun.models import User
    from points import services
    from points.models import Volunteer

    kinds = []
    try:
        clerk = User.objects.get(pk=clerk_id)
        volunteer = Volunteer.objects.select_related("community").get(pk=volunteer_id)
        connection.ensure_connection()
        barrier.wait(timeout=120)
        while (key := work.get(timeout=120)) is not None:
            try:
                services.redemption_create(actor=clerk, volunteer=volunteer, items={reward_id: 1}, idempotency_key=key)
            except services.InsufficientPoints:
                kinds.append("refused")
            except Exception as exc:  # reported as a problem of the round, never hidden
                kinds.append(repr(exc))
            else:
                kinds.append("redeemed")
    finally:
        done_at = time.monotonic()
        connection.close()
        outcomes.put((done_at, kinds))
