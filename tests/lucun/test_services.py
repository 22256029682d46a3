from unittest import mock

import pytest
from django.core import mail

from lucun import services
from lucun.models import Notification, OutboxMessage
from lucun.notify.backends import EmailBackend, LogBackend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_audit_record_keeps_who_what_and_before_after(cadre, community):
    event = services.audit_record(
        actor=cadre,
        action="修改村居名称",
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
