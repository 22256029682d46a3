"""Stand-ins for the broker and for delivery channels that count what they are given, from any thread."""

import threading
from collections import Counter
from unittest import mock

from celery.app.task import Task

from lucun.models import OutboxMessage
from lucun.notify.backends import Backend


def outbox_rows(count: int) -> list[OutboxMessage]:
    """Store ``count`` unsent messages, marked row-0, row-1, …; every other one names a task only the broker knows."""
    names = ("lucun.tasks.notification_deliver", "elsewhere.tasks.unknown")
    return [OutboxMessage.objects.create(task_name=names[i % 2], kwargs={"marker": f"row-{i}"}) for i in range(count)]


class BrokerRecorder:
    """Replace the broker (a task's apply_async and the app's send_task) while in use; count what each row sent.

    Markers in ``refuse`` are refused as a broker that is down would refuse them.
    """

    def __init__(self, refuse: set[str] = frozenset()) -> None:
        self.refuse = set(refuse)
        self._lock = threading.Lock()
        self._sent: list[str] = []

    def _send(self, kwargs) -> None:
        marker = (kwargs or {}).get("marker")
        if marker in self.refuse:
            raise ConnectionError(f"broker refused {marker}")
        with self._lock:
            self._sent.append(marker)

    def count(self) -> dict[str, int]:
        with self._lock:
            return dict(Counter(self._sent))

    def __enter__(self) -> "BrokerRecorder":
        def apply_async(task, args=None, kwargs=None, **options):
            self._send(kwargs)

        def send_task(name, args=None, kwargs=None, **options):
            self._send(kwargs)

        self._patches = [
            mock.patch.object(Task, "apply_async", apply_async),
            mock.patch("lucun.celery.app.send_task", send_task),
        ]
        for patch in self._patches:
            patch.start()
        return self

    def __exit__(self, *exc) -> None:
        for patch in reversed(self._patches):
            patch.stop()


class _Deliveries:
    """What the recording channels were handed, as (channel, notification id); refusals are set per channel."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[tuple[str, int]] = []
        self._refusals: dict[str, int] = {}

    def record(self, channel: str, notification_id: int) -> None:
        with self._lock:
            if self._refusals.get(channel):
                self._refusals[channel] -= 1
                raise ConnectionError(f"{channel}: channel down")
            self._calls.append((channel, notification_id))

    def refuse(self, channel: str, *, times: int) -> None:
        with self._lock:
            self._refusals[channel] = times

    def count(self) -> dict[tuple[str, int], int]:
        with self._lock:
            return dict(Counter(self._calls))

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()
            self._refusals.clear()


Recorded = _Deliveries()


class RecordingBackend(Backend):
    """A channel that records each notification it is handed (LUCUN_NOTIFICATION_BACKENDS in the tests)."""

    channel = "recording"

    def deliver(self, notification) -> None:
        Recorded.record(self.channel, notification.pk)


class OtherChannel(RecordingBackend):
    channel = "other"
