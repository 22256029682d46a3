"""Notification channels. In-app delivery is the Notification row itself; these add other routes."""

import json
import logging
import urllib.request

from django.conf import settings
from django.core.mail import send_mail

logger = logging.getLogger("lucun.notify")


class Backend:
    """Deliver one notification through a channel; raise on failure (it is logged, others go on)."""

    # The channel's name in the delivery records (each notification goes through a channel once).
    # Keep it when a backend moves or is renamed, or its notifications would be delivered again.
    channel = ""

    def __init__(self) -> None:
        if not self.channel:
            self.channel = f"{type(self).__module__}.{type(self).__qualname__}"

    def deliver(self, notification) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class LogBackend(Backend):
    """Development stand-in for SMS and WeCom/DingTalk: writes what would be sent to the log."""

    channel = "log"

    def deliver(self, notification) -> None:
        logger.info("notify %s: %s — %s", notification.recipient, notification.title, notification.url)


class EmailBackend(Backend):
    """E-mail through Django's mail settings, to recipients who have an address."""

    channel = "email"

    def deliver(self, notification) -> None:
        if notification.recipient.email:
            send_mail(
                notification.title,
                f"{notification.body}\n\n{notification.url}".strip(),
                settings.DEFAULT_FROM_EMAIL,
                [notification.recipient.email],
            )


class WebhookBackend(Backend):
    """A WeCom or DingTalk group robot: posts a text message to ``LUCUN_WEBHOOK_URL``."""

    channel = "webhook"

    def deliver(self, notification) -> None:
        if not settings.LUCUN_WEBHOOK_URL:
            return
        payload = {"msgtype": "text", "text": {"content": f"{notification.title}\n{notification.body}".strip()}}
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's own setting
            settings.LUCUN_WEBHOOK_URL,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5):  # noqa: S310
            pass


class SmsBackend(Backend):
    """SMS to officials who opted in, for red notices and approval requests (``lucun.notify.services``).

    Delivery here stores the text message; the SMS outbox sends it, in its own time (quiet hours, the
    hourly limit per number, retries while the provider is down).
    """

    channel = "sms"

    def deliver(self, notification) -> None:
        from .services import sms_for_notification

        sms_for_notification(notification=notification)
