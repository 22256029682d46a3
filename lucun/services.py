"""Writes of the core domain: audit records, notifications and the outbox."""

import logging
import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .models import AuditEvent, Community, Notification, NotificationDelivery, OutboxMessage, User

logger = logging.getLogger(__name__)


def audit_record(
    *,
    actor: User | None,
    action: str,  # a member of an app's AuditAction (lucun.audit)
    obj: Model | None = None,
    community: Community | None = None,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one insert-only audit record of a change (or of a view of sensitive data).

    Raise ``UnknownAuditAction`` for an action no app declared, before anything is written.
    """
    audit.action_check(action)
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


# A claim is a lease. A row claimed by a process that died before it was sent becomes claimable again after
# this long, so it is sent late rather than never; the broker may then get it twice (at-least-once), which
# is why every delivery is idempotent (``notification_deliver``). Longer than the flush task's hard time
# limit (300 s), so a flush that is still running never has its rows taken by another.
OUTBOX_CLAIM_LEASE = timedelta(minutes=10)
OUTBOX_CLAIM_BATCH = 100


def outbox_enqueue(*, task_name: str, **kwargs: Any) -> OutboxMessage:
    """Store a task in the caller's transaction and send it to the broker after commit.

    If the broker is unreachable the row stays unsent and ``outbox_flush`` sends it later.
    """
    message = OutboxMessage.objects.create(task_name=task_name, kwargs=kwargs)
    transaction.on_commit(lambda: outbox_send(message_id=message.pk))
    return message


def _outbox_claim(*, rows: QuerySet[OutboxMessage], limit: int) -> list[OutboxMessage]:
    """Claim up to ``limit`` of ``rows`` that nobody is sending, oldest first; return the claimed messages.

    One design for both databases: a short transaction that selects claimable rows and marks them claimed,
    committed before anything goes to the broker (no lock is held while the broker is called).
    On PostgreSQL the SELECT locks the rows it returns and skips rows another claim has locked
    (FOR UPDATE SKIP LOCKED); a row that another claim changed meanwhile is re-checked against the
    condition on its new version, so once a claim commits its rows are no longer claimable.
    SQLite ignores FOR UPDATE, but every transaction is IMMEDIATE (settings): it takes the database's one
    write lock before the SELECT, so claims run one after another and each sees the ones before it.
    Either way no two claims return the same row until the lease runs out.
    """
    now = timezone.now()
    claimable = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - OUTBOX_CLAIM_LEASE)
    with transaction.atomic():
        messages = list(
            rows.filter(claimable, sent_at__isnull=True)
            .select_for_update(skip_locked=True)
            .order_by("created_at", "pk")[:limit]
        )
        if messages:
            OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
                claimed_at=now, attempts=F("attempts") + 1
            )
    for message in messages:
        message.claimed_at = now
        message.attempts += 1
    return messages


def _outbox_hand_over(message: OutboxMessage) -> bool:
    """Send one claimed message to the broker and mark it sent; on failure release the claim for a later flush."""
    from .celery import app

    try:
        if message.task_name not in app.tasks:
            app.loader.import_default_modules()  # registers every app's tasks module
        task = app.tasks.get(message.task_name)
        if task is not None:
            task.apply_async(kwargs=message.kwargs)
        else:
            app.send_task(message.task_name, kwargs=message.kwargs)
    except Exception as exc:
        # Only this claim is released: if the lease ran out and another process took the row, it is theirs.
        OutboxMessage.objects.filter(pk=message.pk, sent_at__isnull=True, claimed_at=message.claimed_at).update(
            claimed_at=None, last_error=str(exc)[:300]
        )
        logger.warning("outbox: could not send %s (%s); kept for retry", message.task_name, exc)
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now(), claimed_at=None)
    return True


def outbox_send(*, message_id: int) -> bool:
    """Send one stored task to the broker unless it was sent or another process is sending it; return whether sent."""
    claimed = _outbox_claim(rows=OutboxMessage.objects.filter(pk=message_id), limit=1)
    return bool(claimed) and _outbox_hand_over(claimed[0])


def outbox_flush(*, limit: int = 500) -> int:
    """Send stored tasks that were not handed to the broker yet; return how many were sent.

    Rows are claimed in small batches, so flushes running at the same moment (and the send after commit)
    share the work and send no row twice. A row that fails is tried again by the next flush, not this one.
    """
    sent = 0
    rows = OutboxMessage.objects.all()
    while limit > 0:
        batch = _outbox_claim(rows=rows, limit=min(OUTBOX_CLAIM_BATCH, limit))
        if not batch:
            break
        limit -= len(batch)
        sent += sum(_outbox_hand_over(message) for message in batch)
        # Go on after the last row claimed (keyset order), so rows released by a failure wait for the next flush.
        last = batch[-1]
        rows = OutboxMessage.objects.filter(
            Q(created_at__gt=last.created_at) | Q(created_at=last.created_at, pk__gt=last.pk)
        )
    return sent


def notification_send(
    *,
    recipients: Iterable[User],
    title: str,
    body: str = "",
    url: str = "",
    level: str = Notification.Level.INFO,
    dedupe_key: str | None = None,
    kind: str = "",
) -> list[Notification]:
    """Put a message in each recipient's notification centre and queue the other channels.

    With a ``dedupe_key`` each recipient gets the message at most once, whoever else sends it. ``kind`` names
    what it is for channels that carry only some kinds (SMS, ``SmsMessage.Kind``).
    """
    created: list[Notification] = []
    for recipient in {r.pk: r for r in recipients}.values():
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    recipient=recipient,
                    title=title[:200],
                    body=body,
                    url=url,
                    level=level,
                    dedupe_key=dedupe_key,
                    kind=kind,
                )
        except IntegrityError:
            if dedupe_key is None:
                raise
            continue
        created.append(note)
    if created:
        outbox_enqueue(task_name="lucun.tasks.notification_deliver", notification_ids=[n.pk for n in created])
    return created


# A delivery claimed by a worker that died before it finished is taken over after this long. Longer than the
# delivery task's hard time limit (``lucun.tasks.notification_deliver``), so a live worker keeps its claims.
DELIVERY_CLAIM_LEASE = timedelta(minutes=15)


def _deliveries_claim(*, channel: str, notification_ids: list[int]) -> tuple[uuid.UUID, dict[int, int]]:
    """Claim the deliveries of ``notification_ids`` through ``channel`` that are not delivered and not held.

    Return this claim's token and {notification id: delivery id} for the ones it claimed.
    The claim rows are inserted with ON CONFLICT DO NOTHING on the unique (notification, channel), so of two
    runs at once only one inserts each row (on PostgreSQL the second waits for the first to commit, then
    skips it; on SQLite the IMMEDIATE transactions run one after another). Rows that exist but were released
    by a failure, or whose claim outlived its lease, are taken over with a conditional UPDATE that another
    claim cannot pass once it commits (PostgreSQL re-checks the condition on the row's new version).
    Ids are claimed in ascending order, so concurrent runs take row locks in one order (no deadlock).
    """
    token = uuid.uuid4()
    now = timezone.now()
    ids = sorted(set(notification_ids))
    with transaction.atomic():
        NotificationDelivery.objects.bulk_create(
            [
                NotificationDelivery(notification_id=pk, channel=channel, claim=token, claimed_at=now, attempts=1)
                for pk in ids
            ],
            ignore_conflicts=True,
        )
        NotificationDelivery.objects.filter(
            Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - DELIVERY_CLAIM_LEASE),
            notification_id__in=ids,
            channel=channel,
            delivered_at__isnull=True,
        ).update(claim=token, claimed_at=now, attempts=F("attempts") + 1)
    mine = NotificationDelivery.objects.filter(notification_id__in=ids, channel=channel, claim=token)
    return token, dict(mine.values_list("notification_id", "pk"))


def notification_deliver(*, notification_ids: list[int]) -> int:
    """Hand notifications to every configured external channel (e-mail, SMS, webhook); return how many failed.

    Each notification goes through each channel once, however often this runs and however many workers run
    it at once: the delivery is claimed before the channel is called and marked delivered after. A failing
    channel does not stop the others; its deliveries are released, so the next run (the task's retry)
    delivers only what is still missing.
    """
    from .notify import get_backends

    backends = get_backends()
    if not backends or not notification_ids:
        return 0
    notifications = Notification.objects.filter(pk__in=notification_ids).select_related("recipient").in_bulk()
    failed = 0
    for backend in backends:
        token, claimed = _deliveries_claim(channel=backend.channel, notification_ids=list(notifications))
        for note_id, delivery_id in sorted(claimed.items()):
            note = notifications[note_id]
            try:
                backend.deliver(note)
            except Exception as exc:
                logger.exception("notification %s: delivery through %s failed", note.pk, type(backend).__name__)
                # Released only if still this run's claim (a claim past its lease may belong to another run).
                NotificationDelivery.objects.filter(pk=delivery_id, claim=token, delivered_at__isnull=True).update(
                    claimed_at=None, last_error=f"{type(exc).__name__}: {exc}"[:300]
                )
                failed += 1
                continue
            NotificationDelivery.objects.filter(pk=delivery_id).update(delivered_at=timezone.now())
    return failed


def notification_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given); return the count."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())


def notification_insert_select(*, select_sql: str, params: list | tuple, kind: str = "") -> list[int]:
    """Create notifications from a SELECT in one statement; each (recipient, dedupe_key) at most once.

    The set-based counterpart of ``notification_bulk_send`` for thousands of notices (the colour sweep):
    ``select_sql`` yields recipient_id, level, title, body, url, dedupe_key, created_at in that order,
    with a WHERE clause (SQLite needs one before ON CONFLICT). Returns the ids created and queues
    their delivery through the other channels; they are stored with ``kind`` (``notification_send``).
    """
    table = connection.ops.quote_name(Notification._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(c)
        for c in ("recipient_id", "level", "title", "body", "url", "dedupe_key", "created_at")
    )
    # The kind goes in with the row: setting it afterwards would write every new notice a second time.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}, {connection.ops.quote_name('kind')}) "  # noqa: S608
            f"SELECT chosen.*, %s FROM ({select_sql}) AS chosen WHERE true ON CONFLICT DO NOTHING RETURNING id",
            [kind, *params],
        )
        created = [row[0] for row in cursor.fetchall()]
    if created:
        outbox_enqueue(task_name="lucun.tasks.notification_deliver", notification_ids=created)
    return created


def notification_bulk_send(*, messages: list[dict[str, Any]], level: str = Notification.Level.INFO) -> list[int]:
    """Create many notifications in a few statements; each (recipient, dedupe_key) at most once.

    Each message is a dict with recipient_id, title, body, url, dedupe_key and optionally level and kind.
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
                kind=m.get("kind", ""),
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


def user_sms_notices_set(*, user: User, enabled: bool) -> User:
    """The person's own choice: red notices and approval requests also by SMS to their phone (or not)."""
    enabled = bool(enabled)
    if user.sms_notices != enabled:
        before = {"sms_notices": user.sms_notices}
        user.sms_notices = enabled
        with transaction.atomic():
            user.save(update_fields=["sms_notices"])
            audit_record(
                actor=user,
                action=audit.AuditAction.SMS_NOTICES_SET,
                obj=user,
                summary="开启短信提醒" if enabled else "关闭短信提醒",
                before=before,
                after={"sms_notices": enabled},
            )
    return user


# --- Files no row names ---------------------------------------------------------------------------------------


def files_unowned_delete(*, older_than: timedelta, now=None) -> int:
    """Delete the uploaded files that no row names, written more than ``older_than`` ago; return how many, and
    record the sweep once in the audit trail.

    A photo is stored before the row that names it is committed; when that transaction rolls back (a visit whose
    request could not become a case, a refused step after the upload, a worker that died), the file stays behind
    with nobody to see or delete it. Every registered kind of file (``lucun.files``) is swept, thumbnails with
    their photos; a file that cannot be deleted is logged and tried again on the next sweep.
    """
    from . import files

    written_before = (now or timezone.now()) - older_than
    counts: dict[str, int] = {}
    for entry in files.registered():
        storage = entry.model._meta.get_field(entry.field).storage
        deleted = 0
        for name in files.unowned_files(entry, written_before=written_before):
            try:
                storage.delete(name)
            except OSError:
                logger.exception("cannot delete the unowned file %s", name)
                continue
            deleted += 1
        if deleted:
            counts[entry.kind] = deleted
    total = sum(counts.values())
    if total:
        audit_record(
            actor=None,
            action=audit.AuditAction.FILES_UNOWNED_DELETE,
            summary=_("清理无主的上传文件:%(n)d 个") % {"n": total},
            after={"files": counts, "hours": int(older_than.total_seconds() // 3600)},
        )
    return total
