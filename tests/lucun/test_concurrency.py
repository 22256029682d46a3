"""Flushes, sends after commit and delivery tasks racing each other: each row and each delivery goes out once."""

import random

import pytest

from lucun import services
from lucun.models import Notification, NotificationDelivery, OutboxMessage
from tests.factories import UserFactory
from tests.lucun.outbox import BrokerRecorder, Recorded, outbox_rows
from tests.race import race

# serialized_rollback: the transactional tests after these find the migrations' data as they left it.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROWS = 200


def test_flushes_racing_each_other_and_the_sends_after_commit_send_each_row_once():
    rows = outbox_rows(ROWS)
    newest_first = [row.pk for row in reversed(rows)]

    def sends_after_commit():
        return sum(services.outbox_send(message_id=pk) for pk in newest_first)

    with BrokerRecorder() as broker:
        results = race(services.outbox_flush, services.outbox_flush, services.outbox_flush, sends_after_commit)

    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == ROWS
    assert broker.count() == {f"row-{i}": 1 for i in range(ROWS)}
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    assert set(OutboxMessage.objects.values_list("attempts", "claimed_at")) == {(1, None)}  # each claimed once


def test_delivery_tasks_running_at_once_deliver_each_notification_through_each_channel_once(settings):
    settings.LUCUN_NOTIFICATION_BACKENDS = ["tests.lucun.outbox.RecordingBackend", "tests.lucun.outbox.OtherChannel"]
    Recorded.clear()
    users = [UserFactory() for _ in range(5)]
    ids = [Notification.objects.create(recipient=users[i % 5], title=f"第{i}条").pk for i in range(ROWS // 2)]

    def deliver(seed):
        order = list(ids)
        random.Random(seed).shuffle(order)  # retries and overlapping batches name the same ids in any order
        return lambda: services.notification_deliver(notification_ids=order)

    results = race(*(deliver(seed) for seed in range(4)))

    assert results == [0, 0, 0, 0]
    assert Recorded.count() == {(channel, pk): 1 for channel in ("recording", "other") for pk in ids}
    assert NotificationDelivery.objects.filter(delivered_at__isnull=False).count() == 2 * len(ids)
    Recorded.clear()
