"""Text messages (短信): store one in the caller's transaction, send it when allowed, each exactly once.

``SmsMessage`` is the SMS channel's own outbox. ``sms_enqueue`` stores a message (one per ``dedupe_key``) and
asks for it to be sent after commit; ``sms_send`` / ``sms_flush`` claim due messages, so two workers never
call the provider for the same one, and then:

- in quiet hours (``LUCUN_SMS_QUIET_HOURS``) the message waits until they end: deferred, never dropped;
- when its number had ``LUCUN_SMS_PER_HOUR`` messages in the last hour it waits until the hour has room:
  deferred too (red notices and approvals must not be lost; the in-app centre has them meanwhile), with the
  reason logged and kept in ``last_error``;
- when the provider is down or throttles, it is tried again later, backing off, up to ``LUCUN_SMS_MAX_ATTEMPTS``
  calls; a message the provider can never send (no template, a refused number) is dropped with its reason.

A worker that dies after the provider accepted a message but before it was marked sent leaves a claim that
runs out after ``SMS_CLAIM_LEASE``. The provider offers no idempotency, so the run that takes such a message
over first asks the provider whether it took the message already (by its ``out_id``, within the dead claim's
lease) and marks it sent if so. A provider that cannot say (the development log) or does not answer has it sent
again: twice is better than a red notice never sent.
"""

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from ..models import Notification, SmsMessage
from ..services import outbox_enqueue
from .sms import SmsRejected, get_provider, mask, quiet_until

logger = logging.getLogger("lucun.notify")

# Longer than the hard time limit of the tasks that send (lucun.tasks.sms_send, sms_flush).
SMS_CLAIM_LEASE = timedelta(minutes=10)
SMS_BATCH = 50
MOBILE = re.compile(r"1\d{10}")
# The kinds of in-app notices an official who opted in also gets by SMS.
OFFICIAL_KINDS = frozenset({SmsMessage.Kind.RED_NOTICE, SmsMessage.Kind.APPROVAL_REQUEST})
# Aliyun's notice templates take variables of at most 35 characters.
PARAM_MAX = 35


def sms_enqueue(*, phone: str, kind: str, params: dict, dedupe_key: str) -> SmsMessage | None:
    """Store a text message and send it after commit; the same ``dedupe_key`` is stored (and sent) once.

    Return the message, or None for a number that cannot take SMS (not a mobile number).
    """
    phone = (phone or "").strip()
    if not MOBILE.fullmatch(phone):
        logger.info("sms %s not stored: %s is not a mobile number", dedupe_key, mask(phone))
        return None
    with transaction.atomic():  # a savepoint: a racing insert of the same key leaves the caller's transaction usable
        message, created = SmsMessage.objects.get_or_create(
            dedupe_key=dedupe_key, defaults={"phone": phone, "kind": kind, "params": params}
        )
    if created:
        outbox_enqueue(task_name="lucun.tasks.sms_send", message_id=message.pk)
    return message


def sms_for_notification(*, notification: Notification) -> SmsMessage | None:
    """Text an in-app notice to its recipient if they opted in, have a mobile number and it is a kind for SMS."""
    recipient = notification.recipient
    if notification.kind not in OFFICIAL_KINDS or not (recipient.sms_notices and recipient.is_active):
        return None
    return sms_enqueue(
        phone=recipient.phone or "",
        kind=notification.kind,
        params={"title": notification.title[:PARAM_MAX]},
        dedupe_key=f"notification:{notification.pk}",
    )


@dataclass
class SmsResult:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    dropped: int = 0

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def _claim(*, rows, now: datetime, limit: int) -> list[SmsMessage]:
    """Claim due messages nobody is sending (as ``lucun.services._outbox_claim`` does for tasks)."""
    claimable = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - SMS_CLAIM_LEASE)
    with transaction.atomic():
        messages = list(
            rows.filter(claimable, sent_at__isnull=True, dropped_at__isnull=True, not_before__lte=now)
            .select_for_update(skip_locked=True)
            .order_by("not_before", "pk")[:limit]
        )
        if messages:
            SmsMessage.objects.filter(pk__in=[m.pk for m in messages]).update(claimed_at=now)
    for message in messages:
        # A claim that ran out: its run may have died after the provider took the message (``_already_sent``).
        message.lapsed_claim_at, message.claimed_at = message.claimed_at, now
    return messages


def _mine(message: SmsMessage):
    """The message while this run's claim holds (a claim past its lease may belong to another run)."""
    return SmsMessage.objects.filter(
        pk=message.pk, claimed_at=message.claimed_at, sent_at__isnull=True, dropped_at__isnull=True
    )


def _release(message: SmsMessage, *, not_before: datetime, reason: str) -> None:
    _mine(message).update(claimed_at=None, not_before=not_before, last_error=reason[:300])


def _drop(message: SmsMessage, *, now: datetime, reason: str) -> str:
    logger.warning("sms %s to %s dropped: %s", message.pk, mask(message.phone), reason)
    _mine(message).update(claimed_at=None, dropped_at=now, drop_reason=reason[:300], last_error=reason[:300])
    return "dropped"


def _room_at(message: SmsMessage, now: datetime) -> datetime | None:
    """When the number has room again under the hourly limit, or None if it has room now.

    Messages to the number that another run holds right now count as sent, so two runs do not both pass
    (this run's own claims are sent one after another, and counted once sent).
    """
    hour_ago = now - timedelta(hours=1)
    recent = SmsMessage.objects.filter(phone=message.phone).exclude(pk=message.pk)
    sent = recent.filter(sent_at__gt=hour_ago)
    in_flight = recent.filter(
        sent_at__isnull=True, dropped_at__isnull=True, claimed_at__gte=now - SMS_CLAIM_LEASE
    ).exclude(claimed_at=message.claimed_at)
    if sent.count() + in_flight.count() < settings.LUCUN_SMS_PER_HOUR:
        return None
    oldest = sent.aggregate(first=Min("sent_at"))["first"]
    return (oldest + timedelta(hours=1)) if oldest else now + timedelta(minutes=1)


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _already_sent(message: SmsMessage, provider) -> str | None:
    """The provider's id for a message taken over from a run whose claim ran out, if the provider took it then.

    That run called the provider, if at all, within its lease: the provider is asked about those (local) days.
    """
    lapsed = getattr(message, "lapsed_claim_at", None)
    accepted = getattr(provider, "accepted", None)
    if lapsed is None or accepted is None:
        return None
    days = sorted({timezone.localdate(lapsed), timezone.localdate(lapsed + SMS_CLAIM_LEASE)})
    try:
        return accepted(phone=message.phone, out_id=str(message.pk), days=days)
    except Exception as exc:
        logger.warning(
            "sms %s to %s: could not ask the provider whether it was sent before (%s: %s); sending it",
            message.pk,
            mask(message.phone),
            type(exc).__name__,
            exc,
        )
        return None


def _deliver(message: SmsMessage, provider, now: datetime) -> str:
    provider_id = _already_sent(message, provider)
    if provider_id:
        logger.info(
            "sms %s to %s: the provider took it before its last claim ran out; not sent again",
            message.pk,
            mask(message.phone),
        )
        return _mark_sent(message, provider_id=provider_id, now=now)
    until = quiet_until(now)
    if until is not None:
        _release(message, not_before=until, reason="")
        return "deferred"
    room_at = _room_at(message, now)
    if room_at is not None:
        reason = f"rate limit: {settings.LUCUN_SMS_PER_HOUR} per hour to this number; waits until {room_at:%H:%M}"
        logger.info("sms %s to %s deferred: %s", message.pk, mask(message.phone), reason)
        _release(message, not_before=room_at, reason=reason)
        return "deferred"
    SmsMessage.objects.filter(pk=message.pk).update(attempts=F("attempts") + 1)
    message.attempts += 1
    try:
        provider_id = provider.send(
            phone=message.phone, kind=message.kind, params=message.params, out_id=str(message.pk)
        )
    except SmsRejected as exc:
        return _drop(message, now=now, reason=str(exc))
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        if message.attempts >= settings.LUCUN_SMS_MAX_ATTEMPTS:
            return _drop(message, now=now, reason=f"gave up after {message.attempts} attempts: {reason}")
        logger.warning("sms %s to %s failed, retried later: %s", message.pk, mask(message.phone), reason)
        _release(message, not_before=now + _backoff(message.attempts), reason=reason)
        return "failed"
    return _mark_sent(message, provider_id=provider_id, now=now)


def _mark_sent(message: SmsMessage, *, provider_id: str, now: datetime) -> str:
    SmsMessage.objects.filter(pk=message.pk).update(
        sent_at=now, claimed_at=None, provider_id=provider_id[:100], last_error=""
    )
    return "sent"


def sms_send(*, message_id: int, now: datetime | None = None) -> str:
    """Send one message if it is due and nobody else is sending it; return what happened (or "skipped")."""
    now = now or timezone.now()
    claimed = _claim(rows=SmsMessage.objects.filter(pk=message_id), now=now, limit=1)
    if not claimed:
        return "skipped"
    return _deliver(claimed[0], get_provider(), now)


def sms_flush(*, now: datetime | None = None, limit: int = 500) -> SmsResult:
    """Send the messages that are due: waited for the morning, for room under the limit, or for the provider."""
    now = now or timezone.now()
    result = SmsResult()
    provider = get_provider()
    done: set[int] = set()
    while limit > 0:
        batch = _claim(rows=SmsMessage.objects.exclude(pk__in=done), now=now, limit=min(SMS_BATCH, limit))
        if not batch:
            break
        limit -= len(batch)
        for message in batch:
            done.add(message.pk)
            result.add(_deliver(message, provider, now))
    return result
