"""SMS: the Aliyun SendSms call as its documentation signs it, the SMS outbox, quiet hours, the hourly limit per
number, and who gets one (officials who opted in, for red notices and approval requests)."""

import json
import logging
import socket
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from lucun.models import AuditEvent, Notification, SmsMessage
from lucun.notify import aliyun
from lucun.notify.services import SMS_CLAIM_LEASE, sms_enqueue, sms_flush, sms_send
from lucun.notify.sms import AliyunProvider, quiet_until
from lucun.services import notification_deliver, notification_send
from tests.factories import UserFactory
from tests.htmlforms import form_in
from tests.lucun.fake_aliyun import ACCESS_KEY_SECRET, FakeAliyun, aliyun_settings, expected_signature

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = datetime(2026, 3, 2, 12, 0, tzinfo=SHANGHAI)
PHONE = "13800001111"


@pytest.fixture
def fake(settings):
    with FakeAliyun() as server:
        aliyun_settings(settings, server.url)
        settings.LUCUN_SMS_QUIET_HOURS = "21:00-08:00"
        settings.LUCUN_SMS_PER_HOUR = 5
        yield server


def store(phone=PHONE, key="k1", kind=SmsMessage.Kind.CASE_RESOLVED, params=None, now=NOON) -> SmsMessage:
    message = sms_enqueue(phone=phone, kind=kind, params=params or {"code": "ABCD2345"}, dedupe_key=key)
    SmsMessage.objects.filter(pk=message.pk).update(created_at=now, not_before=now)
    return message


# --- The signature ----------------------------------------------------------------------------------------


def test_the_signature_is_the_documented_hmac_sha1_of_the_sorted_percent_encoded_query():
    params = aliyun.send_sms_params(
        access_key_id="testid",
        region="cn-hangzhou",
        phone="13800001111",
        sign_name="芦湖街道",
        template_code="SMS_1",
        template_param={"code": "AB CD*~"},
        now=datetime(2026, 3, 2, 4, 0, 5, tzinfo=ZoneInfo("UTC")),
        nonce="n-1",
    )
    assert params["Timestamp"] == "2026-03-02T04:00:05Z"
    assert params["TemplateParam"] == '{"code":"AB CD*~"}'
    to_sign = aliyun.string_to_sign("POST", params)
    assert to_sign.startswith("POST&%2F&AccessKeyId%3Dtestid%26Action%3DSendSms%26Format%3DJSON%26")
    # A space is %20 and * is %2A (then encoded again in the string to sign); ~ stays as it is.
    assert "%2522code%2522%253A%2522AB%2520CD%252A~%2522" in to_sign
    assert aliyun.signature(ACCESS_KEY_SECRET, "POST", params) == expected_signature("POST", params)


def test_a_call_with_a_wrong_secret_is_refused_by_the_fake_service_and_retried(fake, settings):
    settings.LUCUN_SMS_ACCESS_KEY_SECRET = "not-the-secret"
    message = store()
    assert sms_send(message_id=message.pk, now=NOON) == "failed"
    assert fake.refused == ["SignatureDoesNotMatch"] and fake.sent == []
    message.refresh_from_db()
    assert message.sent_at is None and message.dropped_at is None and "SignatureDoesNotMatch" in message.last_error


# --- Sending through the outbox ---------------------------------------------------------------------------


def test_a_message_is_sent_signed_with_its_template_and_marked_sent(fake):
    message = store(params={"code": "ABCD2345"})
    assert sms_send(message_id=message.pk, now=NOON) == "sent"
    [call] = fake.sent
    assert call["PhoneNumbers"] == PHONE and call["SignName"] == "芦湖街道"
    assert call["TemplateCode"] == "SMS_100003" and json.loads(call["TemplateParam"]) == {"code": "ABCD2345"}
    assert call["OutId"] == str(message.pk)
    message.refresh_from_db()
    assert message.sent_at == NOON and message.provider_id.startswith("9006197469364984") and message.attempts == 1
    assert sms_send(message_id=message.pk, now=NOON) == "skipped"  # sent: never again
    assert sms_flush(now=NOON + timedelta(hours=2)).sent == 0 and len(fake.sent) == 1


def test_the_same_thing_is_stored_once(fake):
    first = store(key="feedback-resolved:1")
    again = sms_enqueue(phone=PHONE, kind="case_resolved", params={"code": "X"}, dedupe_key="feedback-resolved:1")
    assert again.pk == first.pk and SmsMessage.objects.count() == 1


def test_a_landline_gets_no_sms():
    assert sms_enqueue(phone="0533-6960000", kind="case_resolved", params={}, dedupe_key="x") is None
    assert not SmsMessage.objects.exists()


def test_while_the_provider_is_down_the_message_waits_and_is_delivered_once_when_it_is_back(fake):
    message = store()
    fake.down = True
    assert sms_send(message_id=message.pk, now=NOON) == "failed"
    message.refresh_from_db()
    assert message.sent_at is None and message.claimed_at is None and "ServiceUnavailable" in message.last_error
    retry_at = message.not_before
    assert retry_at > NOON
    assert sms_flush(now=retry_at - timedelta(seconds=1)).sent == 0  # not before its time
    assert sms_flush(now=retry_at).failed == 1  # still down: backs off further
    message.refresh_from_db()
    assert message.not_before > retry_at and message.attempts == 2
    fake.down = False
    result = sms_flush(now=message.not_before)
    assert result.sent == 1 and len(fake.sent) == 1
    assert fake.queries == []  # each try was released, not left: nothing to ask the provider about
    assert sms_flush(now=message.not_before + timedelta(hours=3)).sent == 0 and len(fake.sent) == 1


def test_an_unreachable_provider_is_retried_later(settings):
    aliyun_settings(settings, "http://127.0.0.1:9/")
    with socket.socket() as probe:  # a port nobody listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        settings.LUCUN_SMS_ENDPOINT = f"http://127.0.0.1:{probe.getsockname()[1]}/"
    settings.LUCUN_SMS_QUIET_HOURS = ""
    message = store()
    assert sms_send(message_id=message.pk, now=NOON) == "failed"
    message.refresh_from_db()
    assert message.sent_at is None and message.dropped_at is None and message.not_before > NOON


def test_a_message_the_provider_can_never_send_is_dropped_with_its_reason(fake, caplog):
    message = store(phone="12000000000")
    with caplog.at_level(logging.WARNING, logger="lucun.notify"):
        assert sms_send(message_id=message.pk, now=NOON) == "dropped"
    message.refresh_from_db()
    assert message.dropped_at and "isv.MOBILE_NUMBER_ILLEGAL" in message.drop_reason
    assert "dropped" in caplog.text and "12000000000" not in caplog.text  # the number is masked


def test_a_kind_without_a_template_is_dropped_not_sent(fake, settings):
    settings.LUCUN_SMS_TEMPLATES = {"case_resolved": "SMS_100003"}
    message = store(kind=SmsMessage.Kind.RED_NOTICE, params={"title": "督办单"})
    assert sms_send(message_id=message.pk, now=NOON) == "dropped" and fake.sent == []


def test_after_the_last_attempt_the_message_is_given_up(fake, settings):
    settings.LUCUN_SMS_MAX_ATTEMPTS = 2
    fake.down = True
    message = store()
    assert sms_send(message_id=message.pk, now=NOON) == "failed"
    message.refresh_from_db()
    assert sms_send(message_id=message.pk, now=message.not_before) == "dropped"
    message.refresh_from_db()
    assert "gave up after 2 attempts" in message.drop_reason


# --- A sender that died mid-call ----------------------------------------------------------------------------


class WorkerKilled(BaseException):
    """The worker process killed during the provider's call (a deploy, the OOM killer): nothing after it runs."""


@pytest.fixture
def dying_sender(fake, settings, monkeypatch):
    """Send through a worker that dies in the provider call, after the provider took the message or before; at
    the real time of day (the service dates what it took by its own clock), outside quiet hours."""
    settings.LUCUN_SMS_QUIET_HOURS = ""
    real_send = AliyunProvider.send

    def die(*, provider_took_it: bool) -> tuple[SmsMessage, datetime]:
        def send(self, **kwargs):
            if provider_took_it:
                real_send(self, **kwargs)
            raise WorkerKilled

        now = timezone.now()
        message = store(now=now)
        monkeypatch.setattr(AliyunProvider, "send", send)
        with pytest.raises(WorkerKilled):
            sms_send(message_id=message.pk, now=now)
        monkeypatch.setattr(AliyunProvider, "send", real_send)
        message.refresh_from_db()
        assert message.claimed_at == now and message.sent_at is None  # the claim is left, as a dead worker leaves it
        return message, now

    return die


def test_a_message_the_provider_took_before_its_sender_died_is_not_sent_again(fake, dying_sender):
    # The number had many texts that day: the one asked about is on the query's second page.
    message, died_at = dying_sender(provider_took_it=True)
    [taken] = fake.sent
    fake.sent[:0] = [{**taken, "OutId": f"9{i:04d}"} for i in range(60)]
    assert sms_flush(now=died_at + timedelta(minutes=5)).sent == 0  # the claim still holds: nobody takes it over
    assert fake.queries == []
    result = sms_flush(now=died_at + SMS_CLAIM_LEASE + timedelta(minutes=1))
    assert result.sent == 1 and len(fake.sent) == 61  # confirmed, not sent a second time
    day = f"{timezone.localdate(died_at):%Y%m%d}"
    assert {(q["PhoneNumber"], q["SendDate"]) for q in fake.queries} <= {(PHONE, day), (PHONE, fake_next_day(day))}
    assert [q["CurrentPage"] for q in fake.queries if q["SendDate"] == day] == ["1", "2"]
    message.refresh_from_db()
    assert message.sent_at and message.claimed_at is None and message.provider_id == f"query:{day}"
    assert sms_flush(now=died_at + timedelta(hours=3)).sent == 0 and len(fake.sent) == 61


def test_a_message_its_dead_sender_never_got_to_the_provider_is_sent_once_its_claim_runs_out(fake, dying_sender):
    message, died_at = dying_sender(provider_took_it=False)
    assert fake.sent == []
    assert sms_flush(now=died_at + SMS_CLAIM_LEASE + timedelta(minutes=1)).sent == 1
    assert len(fake.sent) == 1 and fake.queries  # asked first, found nothing, sent
    message.refresh_from_db()
    assert message.sent_at and message.provider_id.startswith("9006197469364984")


def test_a_message_the_provider_reported_failed_is_sent_again(fake, dying_sender):
    fake.status = "2"  # taken, then failed at the operator
    dying_sender(provider_took_it=True)
    assert sms_flush(now=timezone.now() + SMS_CLAIM_LEASE + timedelta(minutes=1)).sent == 1
    assert len(fake.sent) == 2


def test_when_the_provider_cannot_say_whether_it_took_a_message_it_is_sent_again(fake, dying_sender, caplog):
    fake.query_code = "isp.RAM_PERMISSION_DENY"  # the key may send but not query
    dying_sender(provider_took_it=True)
    with caplog.at_level(logging.WARNING, logger="lucun.notify"):
        assert sms_flush(now=timezone.now() + SMS_CLAIM_LEASE + timedelta(minutes=1)).sent == 1
    assert len(fake.sent) == 2  # twice rather than never
    assert "could not ask the provider" in caplog.text and PHONE not in caplog.text


def fake_next_day(day: str) -> str:
    return f"{datetime.strptime(day, '%Y%m%d') + timedelta(days=1):%Y%m%d}"


# --- Quiet hours --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "until"),
    [
        ((21, 0), (2026, 3, 3, 8, 0)),
        ((23, 59), (2026, 3, 3, 8, 0)),
        ((7, 59), (2026, 3, 2, 8, 0)),
        ((8, 0), None),
        ((20, 59), None),
    ],
)
def test_quiet_hours_run_over_midnight_in_local_time(settings, local, until):
    settings.LUCUN_SMS_QUIET_HOURS = "21:00-08:00"
    now = datetime(2026, 3, 2, *local, tzinfo=SHANGHAI)
    expected = datetime(*until, tzinfo=SHANGHAI) if until else None
    assert quiet_until(now) == expected


def test_a_message_in_quiet_hours_waits_for_the_morning_and_is_sent_then(fake):
    evening = datetime(2026, 3, 2, 22, 30, tzinfo=SHANGHAI)
    message = store(now=evening)
    assert sms_send(message_id=message.pk, now=evening) == "deferred"
    message.refresh_from_db()
    morning = datetime(2026, 3, 3, 8, 0, tzinfo=SHANGHAI)
    assert message.not_before == morning and message.attempts == 0 and message.dropped_at is None
    assert sms_flush(now=morning - timedelta(minutes=1)).sent == 0 and fake.sent == []
    assert sms_flush(now=morning).sent == 1 and len(fake.sent) == 1


# --- The hourly limit per number ----------------------------------------------------------------------------


def test_past_the_hourly_limit_a_number_s_messages_wait_for_room_and_others_are_not_held(fake, settings, caplog):
    settings.LUCUN_SMS_PER_HOUR = 2
    for i in range(3):
        store(key=f"same-{i}")
    store(phone="13900002222", key="other")
    with caplog.at_level(logging.INFO, logger="lucun.notify"):
        result = sms_flush(now=NOON)
    assert (result.sent, result.deferred) == (3, 1)
    assert sorted(c["PhoneNumbers"] for c in fake.sent) == [PHONE, PHONE, "13900002222"]
    waiting = SmsMessage.objects.get(sent_at__isnull=True)
    assert waiting.not_before == NOON + timedelta(hours=1) and "rate limit" in waiting.last_error
    assert "rate limit" in caplog.text
    assert sms_flush(now=NOON + timedelta(minutes=30)).sent == 0
    assert sms_flush(now=NOON + timedelta(hours=1)).sent == 1
    assert [c["PhoneNumbers"] for c in fake.sent].count(PHONE) == 3


# --- Who gets one -----------------------------------------------------------------------------------------


@pytest.fixture
def sms_channel(settings):
    settings.LUCUN_NOTIFICATION_BACKENDS = ["lucun.notify.backends.SmsBackend"]


def test_only_officials_who_opted_in_get_approval_requests_by_sms(sms_channel):
    opted_in = UserFactory(phone="13811112222", sms_notices=True)
    not_opted = UserFactory(phone="13833334444")
    notes = notification_send(
        recipients=[opted_in, not_opted], title="延期申请待审批:LH-2026-000001", kind="approval_request"
    )
    assert notification_deliver(notification_ids=[n.pk for n in notes]) == 0
    [message] = SmsMessage.objects.all()
    assert message.phone == "13811112222" and message.kind == "approval_request"
    assert message.params == {"title": "延期申请待审批:LH-2026-000001"}
    assert message.dedupe_key == f"notification:{notes[0].pk if notes[0].recipient == opted_in else notes[1].pk}"
    notification_deliver(notification_ids=[n.pk for n in notes])  # a retry of the task
    assert SmsMessage.objects.count() == 1


def test_ordinary_notifications_are_not_texted_even_to_those_who_opted_in(sms_channel):
    user = UserFactory(phone="13811112222", sms_notices=True)
    notes = notification_send(recipients=[user], title="诉求已办结:LH-2026-000001")
    notification_deliver(notification_ids=[n.pk for n in notes])
    assert not SmsMessage.objects.exists()


def test_a_red_notice_of_the_sweep_reaches_the_handler_who_opted_in(
    sms_channel, community, cadre, django_capture_on_commit_callbacks
):
    import time_machine

    from cases import tasks
    from lucun.models import Role
    from tests.cases.factories import open_case
    from tests.factories import official

    handler = official(Role.GRID_WORKER, community=community)
    handler.phone, handler.sms_notices = "13855556666", True
    handler.save(update_fields=["phone", "sms_notices"])
    start = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False):
        case = open_case(community=community, by=cadre, handler=handler, tier_code="immediate")
    with time_machine.travel(start + timedelta(hours=25), tick=False), django_capture_on_commit_callbacks(execute=True):
        tasks.case_colours_sweep.delay()
    red = Notification.objects.get(recipient=handler, kind="red_notice")
    assert case.number in red.title
    [message] = SmsMessage.objects.filter(phone="13855556666")
    assert message.kind == "red_notice" and message.params["title"] == red.title[:35]
    assert message.sent_at is not None  # the log provider, in the morning's working hours
    assert not SmsMessage.objects.exclude(phone="13855556666").exists()  # nobody else opted in


# --- The settings page ----------------------------------------------------------------------------------


def test_an_official_turns_sms_reminders_on_and_off_on_their_settings_page(client):
    user = UserFactory(phone="13811112222")
    client.force_login(user)
    page = client.get(reverse("account_settings")).content.decode()
    assert "138****2222" in page and "13811112222" not in page
    form = form_in(page, "sms-form")
    [box] = form.checkboxes["sms_notices"]
    assert not box.checked
    response = client.post(form.action, {**form.hidden, "sms_notices": box.value})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.sms_notices is True
    page = client.get(response.url).content.decode()
    assert "已保存" in page and form_in(page, "sms-form").checkboxes["sms_notices"][0].checked
    assert AuditEvent.objects.filter(action="lucun.sms_notices_set", actor=user).count() == 1
    client.post(form.action, form.hidden)  # the box left unticked
    user.refresh_from_db()
    assert user.sms_notices is False


def test_the_settings_page_says_when_there_is_no_mobile_number(client):
    user = UserFactory(phone=None)
    client.force_login(user)
    assert "您还没有登记手机号" in client.get(reverse("account_settings")).content.decode()
