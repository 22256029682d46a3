"""Anonymous feedback under load: gunicorn serving the public form, against a bare view served the same way.

Each client does what a villager's phone does: open the form a QR code names (GET), then send it (POST, a
multipart form without photo), and expects the receipt with the lookup code. Every submission comes from
its own address (X-Forwarded-For, one trusted proxy), as many villagers would: the rate limit still runs
on every request, and a refusal (429) counts as an error.
"""

import http.client
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from . import Result
from .child import child_env, shareable

WORKERS = 3  # gunicorn sync workers, as the web service in docker-compose.yml
TEXT = "小区东门的路灯坏了好几天了,晚上老人出门看不清路,麻烦尽快修一下。"
RECEIPT = b'data-testid="lookup-code"'  # the answer to the POST shows the lookup code
_SUBMIT_KEY = re.compile(r'name="submit_key"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="submit_key"')
_RADIO = re.compile(r"<input[^>]*>")


class Refused(Exception):
    """The server answered something other than what a working submission gets."""


@dataclass
class Load:
    clients: int
    seconds: float = 0.0
    done: int = 0
    errors: int = 0
    latencies: dict[str, list[float]] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Completed steps (a bare request, or a form and its submission) per second."""
        return self.done / self.seconds if self.seconds else 0.0

    @property
    def request_rate(self) -> float:
        return sum(len(v) for v in self.latencies.values()) / self.seconds if self.seconds else 0.0

    def p99(self, *kinds: str) -> float:
        values = sorted(ms for kind in kinds or self.latencies for ms in self.latencies.get(kind, []))
        if not values:
            return 0.0
        return values[min(len(values) - 1, int(len(values) * 0.99))]


def measure(*, org: dict, runs: int, quick: bool) -> list[Result]:
    """Serve the form and a bare view with gunicorn, load each for a while; ``runs`` is not used (one long run)."""
    name = "anonymous feedback submission on gunicorn"
    target = "0 errors; ≥ 35% of bare view (≤ 2.86 × floor); p99 ≤ 100 ms"
    if not shareable():
        return [Result(name, target, met=None, note="skipped: the database is in memory")]
    from visits.services import feedback_point_create

    community = org["communities"][0]
    point = feedback_point_create(actor=None, community=community, name="基准广场宣传栏", place="square")
    token = point.channel.token
    statements = _submission_statements(token)
    clients, seconds, warmup = (4, 3.0, 0.3) if quick else (32, 20.0, 2.0)

    with _gunicorn() as port:
        bare_step = _bare_step(port)
        feedback_step = _feedback_step(port, token)
        _load(bare_step, clients=clients, seconds=warmup, prefix=250)
        _load(feedback_step, clients=clients, seconds=warmup, prefix=251)
        bare = _load(bare_step, clients=clients, seconds=seconds, prefix=252)
        feedback = _load(feedback_step, clients=clients, seconds=seconds, prefix=10)

    ratio = feedback.request_rate / bare.request_rate if bare.request_rate else 0.0
    p99 = feedback.p99()
    errors = bare.errors + feedback.errors
    note = (
        f"{feedback.request_rate:.0f} req/s ({feedback.rate:.0f} forms sent/s) = {ratio:.0%} of "
        f"{bare.request_rate:.0f} bare req/s; p99 {p99:.0f} ms (form {feedback.p99('form'):.0f}, "
        f"send {feedback.p99('post'):.0f}); {errors} errors"
        + (f": {'; '.join(feedback.samples + bare.samples)}" if errors else "")
    )
    met = errors == 0
    if not quick:
        met = met and ratio >= 0.35 and p99 <= 100
    return [
        Result(
            f"bare Django view on gunicorn ({WORKERS} workers), {clients} clients, {seconds:.0f} s",
            "—",
            bare.latencies.get("bare", []),
            0,
            note=f"{bare.request_rate:.0f} req/s, p99 {bare.p99():.0f} ms",
        ),
        Result(
            f"{name}: open the form + send it, {clients} clients, {seconds:.0f} s",
            target,
            [ms for values in feedback.latencies.values() for ms in values],
            statements,
            met=met,
            note=note,
            # The floor is the bare view under the same load: its requests/s over the form's.
            floor_ms=bare.latencies.get("bare", []),
            ratio_override=(1 / ratio) if ratio else None,
        ),
    ]


def _submission_statements(token: str) -> int:
    """The SQL statements of opening the form and sending it, counted in this process."""
    client = Client(REMOTE_ADDR="192.0.2.1")
    client.get(f"/f/{token}/")  # warm caches (content types, …) that a running server has warm
    with CaptureQueriesContext(connection) as queries:
        fields = _form_fields(client.get(f"/f/{token}/").content.decode())
        response = client.post(f"/f/{token}/", {**fields, "text": TEXT, "reply_phone": "", "website": ""})
    if response.status_code != 200 or RECEIPT not in response.content:
        raise RuntimeError(f"the feedback form answered {response.status_code}")
    return len(queries.captured_queries)


# ---------------------------------------------------------------------------------------------- the server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _gunicorn() -> Iterator[int]:
    """Run gunicorn on the benchmark database (``bench.settings``) and yield its port."""
    port = _free_port()
    command = [sys.executable, "-m", "gunicorn", "lucun.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    # --preload only makes the start quicker (the app is imported once, then forked); requests are served alike.
    command += ["--workers", str(WORKERS), "--preload", "--log-level", "warning"]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(command, env=child_env(), stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            _wait_until_up(server, port, log)
            yield port
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_up(server: subprocess.Popen, port: int, log) -> None:
    deadline = time.monotonic() + 60
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped: {_tail(log)}")
        try:
            if _request(port, "GET", "/bench/bare/", {})[0] == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn did not answer within a minute: {_tail(log)}")
        time.sleep(0.2)


def _tail(log) -> str:
    log.seek(0)
    return log.read()[-2000:].decode(errors="replace")


# ---------------------------------------------------------------------------------------------- the clients


def _request(port: int, method: str, path: str, headers: dict, body: bytes | None = None):
    """One request on a fresh connection (gunicorn's sync workers close it after each answer)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        start = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        content = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        return response.status, response.getheader("Location", ""), content, elapsed
    finally:
        conn.close()


Step = Callable[[str, list], None]


def _bare_step(port: int) -> Step:
    def step(address: str, timings: list) -> None:
        status, _, content, ms = _request(port, "GET", "/bench/bare/", {"X-Forwarded-For": address})
        if status != 200 or content != b"ok":
            raise Refused(f"bare view answered {status}")
        timings.append(("bare", ms))

    return step


def _form_fields(page: str) -> dict[str, str]:
    """Read what the browser would send back: the submit key, the community ticked, the first category."""
    key = _SUBMIT_KEY.search(page)
    fields = {"submit_key": (key.group(1) or key.group(2)) if key else ""}
    for tag in _RADIO.findall(page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or not value or 'type="radio"' not in tag:
            continue
        if name.group(1) == "community" and (" checked" in tag or "community" not in fields):
            fields["community"] = value.group(1)
        elif name.group(1) == "category" and "category" not in fields and value.group(1):
            fields["category"] = value.group(1)
    return fields


def _multipart(fields: dict[str, str]) -> tuple[bytes, str]:
    """Encode a form as a browser does (enctype multipart/form-data), with the photo input left empty."""
    boundary = f"----lucunbench{uuid.uuid4().hex}"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n')
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename=""\r\n'
        "Content-Type: application/octet-stream\r\n\r\n\r\n"
    )
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


def _feedback_step(port: int, token: str) -> Step:
    path = f"/f/{token}/"

    def step(address: str, timings: list) -> None:
        headers = {"X-Forwarded-For": address}
        status, _, content, ms = _request(port, "GET", path, headers)
        if status != 200:
            raise Refused(f"form answered {status}")
        timings.append(("form", ms))
        fields = _form_fields(content.decode())
        if not fields.get("submit_key") or not fields.get("community"):
            raise Refused("form without submit key or community")
        body, content_type = _multipart(
            {**fields, "text": TEXT, "reply_phone": "", "website": "", "category": fields.get("category", "")}
        )
        status, _, content, ms = _request(port, "POST", path, {**headers, "Content-Type": content_type}, body)
        if status != 200 or RECEIPT not in content:
            raise Refused("rate limit refused it (429)" if status == 429 else f"send answered {status}")
        timings.append(("post", ms))

    return step


def _load(step: Step, *, clients: int, seconds: float, prefix: int) -> Load:
    """Run ``clients`` threads calling ``step`` back to back for ``seconds``; each call from a new address."""
    load = Load(clients=clients)
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client(index: int) -> None:
        timings: list = []
        done = errors = 0
        samples: list[str] = []
        barrier.wait()
        n = 0
        while time.perf_counter() < deadline[0]:
            address = f"{prefix}.{index}.{n // 256 % 256}.{n % 256}"
            n += 1
            try:
                step(address, timings)
                done += 1
            except (Refused, OSError, http.client.HTTPException) as exc:
                errors += 1
                if len(samples) < 2:
                    samples.append(str(exc) or type(exc).__name__)
        with lock:
            load.done += done
            load.errors += errors
            load.samples.extend(samples[: max(0, 3 - len(load.samples))])
            for kind, ms in timings:
                load.latencies.setdefault(kind, []).append(ms)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    start = time.perf_counter()
    deadline[0] = start + seconds
    barrier.wait()
    for t in threads:
        t.join()
    load.seconds = time.perf_counter() - start
    return load
