"""A villager who left a mobile number and ticked "notify me" gets one SMS when the case is resolved: the lookup
code and nothing else."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.models import Feedback
from lucun.models import SmsMessage
from lucun.notify.services import sms_flush
from tests.cases.factories import channel, submit
from tests.htmlforms import form_in
from tests.lucun.fake_aliyun import FakeAliyun, aliyun_settings

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PHONE = "13912345678"
TEXT = "村口路灯坏了三盏,晚上看不见路,老人出门不方便。"


@pytest.fixture
def poster(community):
    return channel(community=community)


@pytest.fixture
def working_hours():
    with time_machine.travel(NOON, tick=False):  # outside the quiet hours, whenever the suite runs
        yield


def send_as_shown(client, poster, community, *, phone: str, notify: bool):
    """Open the form, fill it as a person does and tick the SMS box by its label when asked."""
    url = reverse("cases:feedback:form", kwargs={"token": poster.token})
    page = client.get(url).content.decode()
    form = form_in(page, "feedback-form")
    [box] = form.checkboxes["notify_sms"]
    assert "办结后发短信告诉我" in box.label and not box.checked
    data = {**form.hidden, "community": form.choice("community", community.name), "text": TEXT, "reply_phone": phone}
    data.update({"category": form.choice("category", "其他")})
    if notify:
        data["notify_sms"] = box.value
    return client.post(form.action, data)


def resolve(feedback, cadre):
    case = services.feedback_create_case(feedback=feedback, user=cadre, title="村口路灯不亮")
    services.case_record_progress(case=case, user=cadre, note="已联系", contacted=True)
    return services.case_resolve(case=case, user=cadre, resolution="更换灯泡三只", public_reply="路灯已修好。")


def test_a_villager_ticks_notify_me_and_gets_one_sms_with_only_the_lookup_code(
    client, poster, community, cadre, settings, working_hours
):
    response = send_as_shown(client, poster, community, phone="139 1234 5678", notify=True)
    feedback = Feedback.objects.get()
    assert response.status_code == 200 and feedback.lookup_code in response.content.decode()
    assert (feedback.reply_phone, feedback.notify_sms) == (PHONE, True)
    case = resolve(feedback, cadre)

    [message] = SmsMessage.objects.all()
    assert (message.phone, message.kind, message.params) == (PHONE, "case_resolved", {"code": feedback.lookup_code})
    with FakeAliyun() as fake:
        aliyun_settings(settings, fake.url)
        assert sms_flush().sent == 1
    [call] = fake.sent
    assert call["PhoneNumbers"] == PHONE and call["TemplateCode"] == "SMS_100003"
    assert json.loads(call["TemplateParam"]) == {"code": feedback.lookup_code}
    sent = " ".join(call.values())
    for private in (case.title, case.number, case.resolution, case.public_reply, TEXT, community.name):
        assert private not in sent


def test_resolved_again_after_a_reopen_the_villager_is_not_texted_twice(poster, cadre):
    feedback = submit(channel=poster, reply_phone=PHONE, notify_sms=True)
    case = resolve(feedback, cadre)
    services.case_reopen(case=case, user=None, reason="群众说没修好")
    services.case_resolve(case=case, user=cadre, resolution="再次更换")
    assert SmsMessage.objects.count() == 1


def test_without_the_tick_a_phone_left_for_a_call_back_gets_no_sms(client, poster, community, cadre):
    send_as_shown(client, poster, community, phone=PHONE, notify=False)
    feedback = Feedback.objects.get()
    assert (feedback.reply_phone, feedback.notify_sms) == (PHONE, False)
    resolve(feedback, cadre)
    assert not SmsMessage.objects.exists()


@pytest.mark.parametrize(("phone", "error"), [("", "要收短信,请留下手机号"), ("0533-6960000", "短信只能发到手机")])
def test_notify_me_without_a_mobile_number_says_so_and_keeps_nothing(client, poster, community, phone, error):
    response = send_as_shown(client, poster, community, phone=phone, notify=True)
    assert response.status_code == 400 and error in response.content.decode()
    assert not Feedback.objects.exists()
    again = form_in(response.content.decode(), "feedback-form")
    assert again.checkboxes["notify_sms"][0].checked  # what the person ticked stays ticked
