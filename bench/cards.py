"""党群联系卡 to PDF: a print job of 12,000 cards, run as the worker runs it, in a process of its own.

The job runs in a child process so that its peak memory is the job's, interpreter and Django included, and
not the benchmark's. The child reports the high-water mark of its own address space (``VmHWM``): its rusage
``ru_maxrss`` would not do, because Linux carries the parent's peak over into a child across ``exec``.
``python -m bench.cards <job id>`` is that child.
"""

import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time

from . import Result
from .child import child_env, shareable

TARGET_SECONDS, TARGET_MB = 60, 300


def measure(*, org: dict, runs: int, quick: bool) -> list[Result]:
    cards = 1_000 if quick else 12_000
    name = f"{cards:,} contact cards to PDF (print job, own process)"
    target = f"≤ {TARGET_SECONDS} s, peak memory ≤ {TARGET_MB} MB"
    if not shareable():
        return [Result(name, target, met=None, note="skipped: the database is in memory")]
    from visits.models import PrintJob, VisitTeam
    from visits.printing import PER_PAGE, pages_for
    from visits.services import card_batch_create

    community = org["communities"][0]
    team = VisitTeam.objects.filter(street_id=community.street_id).first() or VisitTeam.objects.create(
        street_id=community.street_id, name="基准走访队"
    )
    batch = card_batch_create(
        actor=None,
        community=community,
        team=team,
        quantity=cards,
        contact_name="王建国",
        contact_phone="13800138000",
        contact_wechat="wangjianguo88",
        hotline="0571-12345",
    )
    seconds, peaks, sizes, ready = [], [], [], []
    media = tempfile.mkdtemp(prefix="lucun-bench-media-")
    try:
        for _ in range(1 if quick else max(1, min(runs, 3))):
            # Queued as print_job_create queues it, without sending a task: the child is the worker here.
            job = PrintJob.objects.create(
                batch=batch,
                address=f"https://lucun.example.org/f/{batch.channel.token}/",
                cards=cards,
                per_page=PER_PAGE,
                total=pages_for(cards),
            )
            report, peak_kb = _run_child(job.pk, media)
            seconds.append(report["seconds"])
            peaks.append(peak_kb / 1024)
            sizes.append(report["bytes"])
            ready.append(report["ready_kb"] / 1024)
    finally:
        shutil.rmtree(media, ignore_errors=True)
    worst_s, worst_mb = max(seconds), max(peaks)
    met = worst_s <= TARGET_SECONDS and worst_mb <= TARGET_MB
    return [
        Result(
            name,
            target,
            [s * 1000 for s in seconds],
            None,
            met=met if not quick else None,
            note=f"peak {worst_mb:.0f} MB ({max(ready):.0f} MB before the job starts); {sizes[-1] / 1e6:.1f} MB file",
        )
    ]


def _run_child(job_id: int, media: str) -> tuple[dict, int]:
    """Run the job in a child process; return its report and its peak resident memory in KiB."""
    command = [sys.executable, "-m", "bench.cards", str(job_id)]
    with tempfile.TemporaryFile() as out:
        child = subprocess.run(command, env=child_env(MEDIA_ROOT=media), stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
        out.seek(0)
        text = out.read().decode(errors="replace")
    lines = [line for line in text.splitlines() if line.startswith("{")]
    if child.returncode != 0 or not lines:
        raise RuntimeError(f"the print job failed: {text[-2000:]}")
    report = json.loads(lines[-1])
    if report["state"] != "done":
        raise RuntimeError(f"the print job ended {report['state']}: {report.get('error', '')}")
    return report, report["peak_kb"]


def _main(job_id: int) -> None:
    import django

    django.setup()
    from visits.services import print_job_run

    ready_kb = _high_water_kb()
    start = time.perf_counter()
    job = print_job_run(job_id=job_id)
    elapsed = time.perf_counter() - start
    size = job.file.size if job.file else 0
    report = {"state": job.state, "error": job.error, "seconds": elapsed, "bytes": size}
    print(json.dumps({**report, "ready_kb": ready_kb, "peak_kb": _high_water_kb()}))


def _high_water_kb() -> int:
    """Peak resident memory of this process image in KiB (``VmHWM``; ``ru_maxrss`` where there is no /proc)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if __name__ == "__main__":
    _main(int(sys.argv[1]))
