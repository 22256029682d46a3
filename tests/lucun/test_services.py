from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from lucun import services, tasks
from lucun.audit import AuditAction
from lucun.models import Notification, NotificationDelivery, OutboxMessage
from lucun.notify.backends import EmailBackend, LogBackend
from tests.factories import UserFactory
from tests.lucun.outbox import BrokerRecorder, Recorded, outbox_rows

pytestmark = pytest.mark.django_db


def test_audit_record_keeps_who_what_and_before_after(cadre, community):
    event = services.audit_record(
        actor=cadre,
        action=AuditAction.LEGACY,
        obj=community,
        community=community,
        before={"name": "旧名"},
        after={"name": community.name},
        summary="更名",
    )
    assert event.actor == cadre
    assert event.object_id == str(community.pk)
    assert event.object_repr == "芦湖村"
    assert event.changes == {"before": {"name": "旧名"}, "after": {"name": "芦湖村"}}


def test_notification_with_a_dedupe_key_reaches_each_recipient_once(django_capture_on_commit_callbacks):
    a, b = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=False):
        first = services.notification_send(recipients=[a, b], title="督办", dedupe_key="case:1:red")
        second = services.notification_send(recipients=[a, b, b], title="督办", dedupe_key="case:1:red")
    assert len(first) == 2
    assert second == []
    assert Notification.objects.filter(dedupe_key="case:1:red").count() == 2


def test_notifications_are_delivered_through_the_outbox_after_commit(django_capture_on_commit_callbacks, settings):
    settings.LUCUN_NOTIFICATION_BACKENDS = ["lucun.notify.backends.EmailBackend"]
    user = UserFactory(email="cadre@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_send(recipients=[user], title="新的诉求", body="请签收", url="/cases/1/")
    assert OutboxMessage.objects.get().sent_at is not None
    assert mail.outbox[0].subject == "新的诉求"
    assert mail.outbox[0].to == ["cadre@example.org"]


def test_outbox_keeps_the_message_when_the_broker_is_down_and_flush_sends_it_later(
    django_capture_on_commit_callbacks,
):
    from lucun.celery import app

    task = app.tasks["lucun.tasks.notification_deliver"]
    with (
        mock.patch.object(task, "apply_async", side_effect=ConnectionError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.notification_send(recipients=[UserFactory()], title="提醒")
    message = OutboxMessage.objects.get()
    assert message.sent_at is None
    assert message.attempts == 1
    assert "broker down" in message.last_error
    assert message.claimed_at is None  # released: the next flush may take it

    assert services.outbox_flush() == 1
    message.refresh_from_db()
    assert message.sent_at is not None
    assert services.outbox_flush() == 0


def test_mark_read_marks_only_the_users_own_messages():
    me, other = UserFactory(), UserFactory()
    mine = Notification.objects.create(recipient=me, title="a")
    theirs = Notification.objects.create(recipient=other, title="b")
    assert services.notification_mark_read(user=me, notification_ids=[mine.pk, theirs.pk]) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_log_backend_writes_what_would_be_sent(caplog):
    note = Notification.objects.create(recipient=UserFactory(real_name="张三"), title="督办单", url="/x/")
    with caplog.at_level("INFO", logger="lucun.notify"):
        LogBackend().deliver(note)
    assert "张三" in caplog.text and "督办单" in caplog.text


def test_email_backend_skips_users_without_an_address():
    note = Notification.objects.create(recipient=UserFactory(email=""), title="x")
    EmailBackend().deliver(note)
    assert mail.outbox == []


def test_a_failing_channel_does_not_stop_the_others(settings, caplog):
    settings.LUCUN_NOTIFICATION_BACKENDS = [
        "lucun.notify.backends.WebhookBackend",
        "lucun.notify.backends.EmailBackend",
    ]
    settings.LUCUN_WEBHOOK_URL = "http://127.0.0.1:9/unreachable"
    note = Notification.objects.create(recipient=UserFactory(email="a@example.org"), title="x")
    services.notification_deliver(notification_ids=[note.pk])
    assert len(mail.outbox) == 1
    assert "WebhookBackend" in caplog.text


# ----------------------------------------------------------------------------------- the outbox sends each row once


def test_a_second_flush_sends_nothing_the_first_one_sent():
    outbox_rows(3)
    with BrokerRecorder() as broker:
        assert services.outbox_flush() == 3
        assert services.outbox_flush() == 0
    assert broker.count() == {f"row-{i}": 1 for i in range(3)}
    assert set(OutboxMessage.objects.values_list("attempts", "claimed_at")) == {(1, None)}


def test_a_flush_after_the_send_on_commit_sends_nothing_again(django_capture_on_commit_callbacks):
    with BrokerRecorder() as broker:
        with django_capture_on_commit_callbacks(execute=True):
            services.outbox_enqueue(task_name="elsewhere.tasks.unknown", marker="after-commit")
        assert services.outbox_flush() == 0
        assert services.outbox_send(message_id=OutboxMessage.objects.get().pk) is False
    assert broker.count() == {"after-commit": 1}


def test_a_flush_leaves_more_than_one_batch_nothing_unsent():
    outbox_rows(services.OUTBOX_CLAIM_BATCH + 5)
    with BrokerRecorder() as broker:
        assert services.outbox_flush() == services.OUTBOX_CLAIM_BATCH + 5
    assert len(broker.count()) == services.OUTBOX_CLAIM_BATCH + 5
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def test_a_row_the_broker_refuses_waits_for_the_next_flush_and_the_others_go():
    outbox_rows(3)
    with BrokerRecorder(refuse={"row-1"}) as broker:
        assert services.outbox_flush() == 2  # row-1 is tried once, not again in the same flush
    refused = OutboxMessage.objects.get(kwargs__marker="row-1")
    assert (refused.sent_at, refused.claimed_at, refused.attempts) == (None, None, 1)
    assert "refused row-1" in refused.last_error
    with BrokerRecorder() as broker:
        assert services.outbox_flush() == 1
    assert broker.count() == {"row-1": 1}
    refused.refresh_from_db()
    assert refused.sent_at is not None and refused.attempts == 2


def test_a_claim_whose_sender_died_is_taken_again_after_the_lease():
    [stale, fresh] = outbox_rows(2)
    now = timezone.now()
    # A process claimed both and died before it sent them: one long ago, one a minute ago.
    OutboxMessage.objects.filter(pk=stale.pk).update(
        claimed_at=now - services.OUTBOX_CLAIM_LEASE - timedelta(seconds=1)
    )
    OutboxMessage.objects.filter(pk=fresh.pk).update(claimed_at=now - timedelta(minutes=1))
    with BrokerRecorder() as broker:
        assert services.outbox_flush() == 1
        assert services.outbox_send(message_id=fresh.pk) is False  # still someone else's
        with time_machine.travel(now + services.OUTBOX_CLAIM_LEASE, tick=False):
            assert services.outbox_flush() == 1
    assert broker.count() == {"row-0": 1, "row-1": 1}
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


# ----------------------------------------------------------------------------------- each delivery once


@pytest.fixture
def recording(settings):
    settings.LUCUN_NOTIFICATION_BACKENDS = ["tests.lucun.outbox.RecordingBackend", "tests.lucun.outbox.OtherChannel"]
    Recorded.clear()
    yield Recorded
    Recorded.clear()


def test_a_delivery_that_runs_twice_delivers_each_notification_through_each_channel_once(recording):
    notes = [Notification.objects.create(recipient=UserFactory(), title=f"第{i}条") for i in range(3)]
    ids = [n.pk for n in notes]
    assert services.notification_deliver(notification_ids=ids) == 0
    assert services.notification_deliver(notification_ids=list(reversed(ids))) == 0
    assert recording.count() == {(channel, pk): 1 for channel in ("recording", "other") for pk in ids}
    deliveries = NotificationDelivery.objects.all()
    assert deliveries.count() == 6
    assert all(d.delivered_at is not None and d.attempts == 1 for d in deliveries)


def test_a_failed_delivery_is_kept_and_the_retry_delivers_only_what_is_missing(recording):
    note = Notification.objects.create(recipient=UserFactory(), title="督办")
    recording.refuse("recording", times=1)
    assert services.notification_deliver(notification_ids=[note.pk]) == 1
    failed = NotificationDelivery.objects.get(channel="recording")
    assert (failed.delivered_at, failed.claimed_at, failed.attempts) == (None, None, 1)
    assert "channel down" in failed.last_error
    assert NotificationDelivery.objects.get(channel="other").delivered_at is not None

    assert services.notification_deliver(notification_ids=[note.pk]) == 0
    failed.refresh_from_db()
    assert failed.delivered_at is not None and failed.attempts == 2
    assert recording.count() == {("recording", note.pk): 1, ("other", note.pk): 1}


def test_the_delivery_task_retries_a_failing_channel_without_repeating_the_others(recording):
    note = Notification.objects.create(recipient=UserFactory(), title="督办")
    recording.refuse("recording", times=1)
    result = tasks.notification_deliver.apply(kwargs={"notification_ids": [note.pk]}, throw=False)
    assert result.successful()
    assert recording.count() == {("recording", note.pk): 1, ("other", note.pk): 1}
    assert NotificationDelivery.objects.get(channel="recording").attempts == 2


def test_a_delivery_claimed_by_a_worker_that_died_is_taken_over_after_the_lease(recording):
    stale, fresh = (Notification.objects.create(recipient=UserFactory(), title=t) for t in ("甲", "乙"))
    now = timezone.now()
    for note, at in ((stale, now - services.DELIVERY_CLAIM_LEASE - timedelta(seconds=1)), (fresh, now)):
        NotificationDelivery.objects.create(notification=note, channel="recording", claimed_at=at, attempts=1)
    services.notification_deliver(notification_ids=[stale.pk, fresh.pk])
    assert recording.count() == {
        ("recording", stale.pk): 1,
        ("other", stale.pk): 1,
        ("other", fresh.pk): 1,
    }  # the fresh claim is another worker's, still at work
    assert NotificationDelivery.objects.get(notification=stale, channel="recording").attempts == 2
    assert NotificationDelivery.objects.get(notification=fresh, channel="recording").delivered_at is None


def test_the_admin_shows_deliveries_and_changes_none(client):
    note = Notification.objects.create(recipient=UserFactory(), title="督办单")
    delivery = NotificationDelivery.objects.create(notification=note, channel="email", delivered_at=timezone.now())
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = client.get("/admin/lucun/notificationdelivery/")
    assert listing.status_code == 200 and "督办单" in listing.content.decode()
    assert client.get("/admin/lucun/notificationdelivery/add/").status_code == 403
    page = client.post(f"/admin/lucun/notificationdelivery/{delivery.pk}/change/", {"channel": "webhook"})
    assert page.status_code == 403
    delivery.refresh_from_db()
    assert delivery.channel == "email"
