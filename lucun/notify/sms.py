"""SMS providers, chosen by ``LUCUN_SMS_PROVIDER``, and the quiet hours.

A provider takes one message (the phone, the kind, the template's variables) and returns the provider's id
for it; it raises ``SmsRejected`` when the message can never be sent and any other exception when it may be
sent later (the provider is down or throttles). A provider that can tell whether it took a message already
(``accepted``: found by the ``out_id`` it was sent with) lets a message whose sender died mid-call go once.
"""

import logging
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from . import aliyun

logger = logging.getLogger("lucun.notify")


class SmsRejected(Exception):
    """This message can never be sent as it is (no template for its kind, a number the provider refuses)."""


def mask(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


class LogProvider:
    """Development: writes the message to the log instead of sending it (the number masked)."""

    def send(self, *, phone: str, kind: str, params: dict, out_id: str) -> str:
        logger.info("sms %s to %s: %s", kind, mask(phone), params)
        return f"log-{out_id}"


class AliyunProvider:
    """Aliyun 短信服务 SendSms (``lucun.notify.aliyun``), with the keys, sign name and templates of the settings."""

    def send(self, *, phone: str, kind: str, params: dict, out_id: str) -> str:
        template = settings.LUCUN_SMS_TEMPLATES.get(kind)
        if not template:
            raise SmsRejected(f"no template configured for {kind} (LUCUN_SMS_TEMPLATES)")
        request = aliyun.send_sms_params(
            access_key_id=settings.LUCUN_SMS_ACCESS_KEY_ID,
            region=settings.LUCUN_SMS_REGION,
            phone=phone,
            sign_name=settings.LUCUN_SMS_SIGN_NAME,
            template_code=template,
            template_param=params,
            out_id=out_id,
        )
        try:
            return aliyun.send_sms(
                endpoint=settings.LUCUN_SMS_ENDPOINT,
                secret=settings.LUCUN_SMS_ACCESS_KEY_SECRET,
                params=request,
                timeout=settings.LUCUN_SMS_TIMEOUT,
            )
        except aliyun.AliyunError as exc:
            if exc.permanent:
                raise SmsRejected(str(exc)) from exc
            raise

    def accepted(self, *, phone: str, out_id: str, days: list[date]) -> str | None:
        """Whether the service took a message with this ``out_id`` for this number on one of these (local) days
        and has not reported it failed: "query:<day>" if so (its records carry no BizId), else None. Raises
        ``AliyunError`` / ``OSError`` when the service cannot say."""
        for day in days:
            page, seen = 1, 0
            while True:
                total, records = aliyun.query_send_details(
                    endpoint=settings.LUCUN_SMS_ENDPOINT,
                    secret=settings.LUCUN_SMS_ACCESS_KEY_SECRET,
                    params=aliyun.query_send_details_params(
                        access_key_id=settings.LUCUN_SMS_ACCESS_KEY_ID,
                        region=settings.LUCUN_SMS_REGION,
                        phone=phone,
                        send_date=day,
                        page=page,
                    ),
                    timeout=settings.LUCUN_SMS_TIMEOUT,
                )
                for record in records:
                    if str(record.get("OutId", "")) == out_id and str(record.get("SendStatus")) != aliyun.FAILED:
                        return f"query:{day:%Y%m%d}"
                seen += len(records)
                if not records or seen >= total:
                    break
                page += 1
        return None


PROVIDERS = {"log": LogProvider, "aliyun": AliyunProvider}


def get_provider():
    try:
        return PROVIDERS[settings.LUCUN_SMS_PROVIDER]()
    except KeyError:
        raise ImproperlyConfigured(
            f"LUCUN_SMS_PROVIDER must be one of {sorted(PROVIDERS)}, not {settings.LUCUN_SMS_PROVIDER!r}"
        ) from None


def _quiet_hours() -> tuple[time, time] | None:
    value = (settings.LUCUN_SMS_QUIET_HOURS or "").strip()
    if not value:
        return None
    try:
        start, end = (time.fromisoformat(part.strip()) for part in value.split("-"))
    except ValueError:
        raise ImproperlyConfigured(f"LUCUN_SMS_QUIET_HOURS must read like 21:00-08:00, not {value!r}") from None
    return (start, end) if start != end else None


def quiet_until(now: datetime) -> datetime | None:
    """Return when the quiet hours that ``now`` falls in end (local time, ``TIME_ZONE``), or None if it is not."""
    hours = _quiet_hours()
    if hours is None:
        return None
    start, end = hours
    local = timezone.localtime(now)
    moment = local.time()
    quiet = (start <= moment or moment < end) if start > end else (start <= moment < end)
    if not quiet:
        return None
    until = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    return until if until > local else until + timedelta(days=1)
