"""Writes of the core domain: audit records, notifications and the outbox."""

import logging
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from .models import AuditEvent, Community, Notification, OutboxMessage, User

logger = logging.getLogger(__name__)


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: Model | None = None,
    community: Community | None = None,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one insert-only audit record of a change (or of a view of sensitive data)."""
    changes: dict[str, Any] = {}
    if before is not None:
        changes["before"] = before
    if after is not None:
        changes["after"] = after
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        community=community,
        summary=summary[:300],
        changes=changes,
    )


def outbox_enqueue(*, task_name: str, **kwargs: Any) -> OutboxMessage:
    """Store a task in the caller's transaction and send it to the broker after commit.

    If the broker is unreachable the row stays unsent and ``outbox_flush`` sends it later.
    """
    message = OutboxMessage.objects.create(task_name=task_name, kwargs=kwargs)
    transaction.on_commit(lambda: outbox_send(message_id=message.pk))
    return message


def outbox_send(*, message_id: int) -> bool:
    """Send one stored task to the broker; return whether it was handed over."""
    from .celery import app

    message = OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).first()
    if message is None:
        return False
    try:
        if message.task_name not in app.tasks:
            app.loader.import_default_modules()  # registers every app's tasks module
        task = app.tasks.get(message.task_name)
        if task is not None:
            task.apply_async(kwargs=message.kwargs)
        else:
            app.send_task(message.task_name, kwargs=message.kwargs)
    except Exception as exc:
        OutboxMessage.objects.filter(pk=message.pk).update(attempts=message.attempts + 1, last_error=str(exc)[:300])
        logger.warning("outbox: could not send %s (%s); kept for retry", message.task_name, exc)
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now(), attempts=message.attempts + 1)
    return True


def outbox_flush(*, limit: int = 500) -> int:
    """Send stored tasks that were not handed to the broker yet; return how many were sent."""
    pending = OutboxMessage.objects.filter(sent_at__isnull=True).order_by("created_at").values_list("pk", flat=True)
    return sum(outbox_send(message_id=pk) for pk in list(pending[:limit]))


def notification_send(
    *,
    recipients: Iterable[User],
    title: str,
    body: str = "",
    url: str = "",
    level: str = Notification.Level.INFO,
    dedupe_key: str | None = None,
) -> list[Notification]:
    """Put a message in each recipient's notification centre and queue the other channels.

    With a ``dedupe_key`` each recipient gets the message at most once, whoever else sends it.
    """
    created: list[Notification] = []
    for recipient in {r.pk: r for r in recipients}.values():
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    recipient=recipient, title=title[:200], body=body, url=url, level=level, dedupe_key=dedupe_key
                )
        except IntegrityError:
            if dedupe_key is None:
                raise
            continue
        created.append(note)
    if created:
        outbox_enqueue(task_name="lucun.tasks.notification_deliver", notification_ids=[n.pk for n in created])
    return created


def notification_deliver(*, notification_ids: list[int]) -> None:
    """Hand notifications to every configured external channel (e-mail, SMS, webhook)."""
    from .notify import get_backends

    notifications = list(Notification.objects.filter(pk__in=notification_ids).select_related("recipient"))
    for backend in get_backends():
        for note in notifications:
            try:
                backend.deliver(note)
            except Exception:
                logger.exception("notification %s: delivery through %s failed", note.pk, type(backend).__name__)


def notification_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given); return the count."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())


def notification_insert_select(*, select_sql: str, params: list | tuple) -> list[int]:
    """Create notifications from a SELECT in one statement; each (recipient, dedupe_key) at most once.

    The set-based counterpart of ``notification_bulk_send`` for thousands of notices (the colour sweep):
    ``select_sql`` yields recipient_id, level, title, body, url, dedupe_key, created_at in that order,
    with a WHERE clause (SQLite needs one before ON CONFLICT). Returns the ids created and queues
    their delivery through the other channels.
    """
    table = connection.ops.quote_name(Notification._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(c)
        for c in ("recipient_id", "level", "title", "body", "url", "dedupe_key", "created_at")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) {select_sql} ON CONFLICT DO NOTHING RETURNING id",
            params,
        )
        created = [row[0] for row in cursor.fetchall()]
    if created:
        outbox_enqueue(task_name="lucun.tasks.notification_deliver", notification_ids=created)
    return created


def notification_bulk_send(*, messages: list[dict[str, Any]], level: str = Notification.Level.INFO) -> list[int]:
    """Create many notifications in a few statements; each (recipient, dedupe_key) at most once.

    Each message is a dict with recipient_id, title, body, url, dedupe_key and optionally level.
    Returns the ids of the notifications this call created (others existed already) and queues
    their delivery through the other channels.
    """
    if not messages:
        return []
    stamp = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=m["recipient_id"],
                title=m["title"][:200],
                body=m.get("body", ""),
                url=m.get("url", ""),
                level=m.get("level", level),
                dedupe_key=m["dedupe_key"],
                created_at=stamp,
            )
            for m in messages
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )
    # Rows carrying this call's timestamp are the ones it created; a racing call's inserts were ignored.
    created = list(
        Notification.objects.filter(created_at=stamp, dedupe_key__in=[m["dedupe_key"] for m in messages]).values_list(
            "pk", flat=True
        )
    )
    if created:
        outbox_enqueue(task_name="lucun.tasks.notification_deliver", notification_ids=created)
    return created
