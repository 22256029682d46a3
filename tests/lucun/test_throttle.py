"""The shared attempt counter (``lucun.throttle``): counts in windows, two cache trips a count, open when down."""

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from lucun import throttle

WINDOW = 600


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def _count(value="203.0.113.7"):
    return throttle.record(purpose="test-count", value=value, window_seconds=WINDOW)


def test_attempts_count_up_within_a_window_per_address_and_start_again_in_the_next():
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    with time_machine.travel(start, tick=False):
        assert [_count() for _ in range(3)] == [1, 2, 3]
        assert _count("198.51.100.2") == 1
        assert throttle.too_many(purpose="test-count", value="203.0.113.7", limit=3, window_seconds=WINDOW)
        assert not throttle.hit(purpose="test-count", value="198.51.100.2", limit=2, window_seconds=WINDOW)
        assert throttle.hit(purpose="test-count", value="198.51.100.2", limit=2, window_seconds=WINDOW)
    with time_machine.travel(start.replace(minute=10), tick=False):
        assert _count() == 1


class _Spy:
    """The cache, with the calls the counter makes written down."""

    def __init__(self, monkeypatch):
        self.calls = []
        for name in ("incr", "add", "set"):
            real = getattr(cache, name)
            monkeypatch.setattr(cache, name, self._wrap(name, real))

    def _wrap(self, name, real):
        def call(*args, **kwargs):
            self.calls.append(name)
            return real(*args, **kwargs)

        return call


def test_a_count_increments_first_and_makes_the_counter_only_for_the_windows_first_attempt(monkeypatch):
    spy = _Spy(monkeypatch)
    assert (_count(), spy.calls) == (1, ["incr", "add"])
    spy.calls.clear()
    assert (_count(), spy.calls) == (2, ["incr"])


def test_two_first_attempts_at_once_count_two(monkeypatch):
    """The other attempt makes the counter between this one's failed increment and its add: it counts on."""
    real_add = cache.add

    def add_after_another(key, value, timeout=None):
        real_add(key, 1, timeout=timeout)  # the other attempt's add wins
        return real_add(key, value, timeout=timeout)

    monkeypatch.setattr(cache, "add", add_after_another)
    assert _count() == 2


def test_with_the_cache_down_nothing_is_counted_and_nobody_is_held_back(monkeypatch, caplog):
    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "incr", down)
    assert _count() == 0
    assert not throttle.hit(purpose="test-count", value="203.0.113.7", limit=0, window_seconds=WINDOW)
    assert "not counted: cache unavailable (ConnectionError)" in caplog.text
