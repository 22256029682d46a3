"""Open311 GeoReport v2 under /open311/v2/: the spec's resources, fields and errors, in JSON and XML; anonymity,
keys and rate limits; the sender's view and the public list.

The field lists below are the spec's (http://wiki.open311.org/GeoReport_v2), in its order.
"""

import json
import threading
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.db import models
from django.test import override_settings

from cases import services
from cases.models import Case, Category, Feedback, FeedbackChannel
from lucun.errors import NotAllowed
from lucun.models import Role, SmsMessage
from tests.cases.factories import category, channel, open_case, submit
from tests.factories import CommunityFactory, StreetFactory, official

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
DISCOVERY_FIELDS = ["changeset", "contact", "key_service", "endpoints"]
ENDPOINT_FIELDS = ["specification", "url", "changeset", "type", "formats"]
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
ATTRIBUTE_FIELDS = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
]
RECEIPT_FIELDS = ["service_request_id", "service_notice", "account_id"]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
# What a civic app may send about the person or the place: none of it may be stored anywhere.
PERSONAL = {
    "email": "zhang.wei.1987@example.com",
    "first_name": "伟Wei",
    "last_name": "张Zhang",
    "device_id": "DEVICE-7f3a9c2e-0b14",
    "account_id": "ACCOUNT-55120931",
    "lat": "36.8194417",
    "long": "117.8250123",
    "address_string": "芦湖村 东头第三家 王家胡同7号",
    "address_id": "ADDR-99812",
}


@pytest.fixture
def leader(street):
    return official(Role.STREET_LEADER, street=street)


@pytest.fixture
def issued(street, community, leader):
    """A key of 芦湖街道: (the key row, the key itself as the app holds it)."""
    return services.open311_key_issue(street=street, name="随手拍 App", user=leader)


def post(client, secret, fmt="json", **fields):
    data = {"api_key": secret, "service_code": "infrastructure", "description": "村口路灯坏了三盏,晚上看不见路。"}
    data.update(fields)
    body = urlencode({k: v for k, v in data.items() if v is not None}, doseq=True)
    return client.post(f"{BASE}/requests.{fmt}", body, content_type="application/x-www-form-urlencoded")


def spec_error(response, status):
    """Assert the answer is the spec's error list with this status, and return its description."""
    assert response.status_code == status
    if response["Content-Type"].startswith("text/xml"):
        root = ET.fromstring(response.content)  # noqa: S314 - our own answer
        assert root.tag == "errors" and [e.tag for e in root] == ["error"]
        assert [c.tag for c in root[0]] == ["code", "description"] and root[0].findtext("code") == str(status)
        return root[0].findtext("description")
    body = response.json()
    assert isinstance(body, list) and len(body) == 1 and list(body[0]) == ["code", "description"]
    assert body[0]["code"] == status
    return body[0]["description"]


def stored_text() -> str:
    """Every text and JSON value in every table: what anonymity must keep personal details out of."""
    values = []
    for model in apps.get_models():
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if names and model._meta.managed:
            values += [str(v) for row in model.objects.values_list(*names) for v in row]
    return "\n".join(values)


def from_xml(element):
    """Read the spec's XML back into the JSON shape (lists by their item elements), every value as text."""
    children = list(element)
    if not children:
        return element.text or None
    names = [c.tag for c in children]
    if len(set(names)) == 1 and (len(children) > 1 or element.tag.endswith("s")) and element.tag != "request":
        return [from_xml(c) for c in children]
    return {c.tag: from_xml(c) for c in children}


def as_text(value):
    """The JSON with every scalar as the text the XML holds (true/false, numbers, empty lists as nothing)."""
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_text(v) for v in value] or None
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)


def both(client, path):
    """GET a resource as JSON and as XML; assert the XML is well formed, UTF-8, and says what the JSON says."""
    as_json = client.get(f"{BASE}/{path.format(fmt='json')}")
    as_xml = client.get(f"{BASE}/{path.format(fmt='xml')}")
    assert as_json["Content-Type"] == "application/json; charset=utf-8"
    assert as_xml["Content-Type"] == "text/xml; charset=utf-8"
    assert as_xml.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert as_json.status_code == as_xml.status_code
    root = ET.fromstring(as_xml.content)  # noqa: S314 - our own answer
    assert from_xml(root) == as_text(as_json.json())
    return as_json, root


# --- Discovery and services -----------------------------------------------------------------------------------


def test_discovery_names_the_v2_endpoint_its_formats_and_the_photo_policy(client, street):
    response, root = both(client, "discovery.{fmt}")
    body = response.json()
    assert list(body) == DISCOVERY_FIELDS and root.tag == "discovery"
    [endpoint] = body["endpoints"]
    assert list(endpoint) == ENDPOINT_FIELDS
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2" and endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert "media_url" in body["contact"] and "不下载" in body["contact"] and "0533-6960000" in body["contact"]
    assert "API 密钥" in body["key_service"]


def test_services_are_the_active_categories_with_the_specs_fields(client, street):
    Category.objects.filter(code="property").update(is_active=False)
    response, root = both(client, "services.{fmt}?jurisdiction_id=LH")
    body = response.json()
    assert root.tag == "services" and {e.tag for e in root} == {"service"}
    assert [s["service_code"] for s in body] == [
        "livelihood",
        "infrastructure",
        "industry",
        "environment",
        "disputes",
    ]
    assert all(list(s) == SERVICE_FIELDS for s in body)
    road = body[1]
    assert (road["service_name"], road["metadata"], road["type"]) == ("基础设施", True, "realtime")
    assert road["description"].startswith("道路破损")


def test_a_service_definition_offers_the_streets_communities_and_the_call_back_choice(
    client, street, community, other_community
):
    StreetFactory(code="QT").communities.create(name="别街道的村")
    response, root = both(client, "services/infrastructure.{fmt}?jurisdiction_id=LH")
    body = response.json()
    assert root.tag == "service_definition" and list(body) == ["service_code", "attributes"]
    assert body["service_code"] == "infrastructure"
    assert all(list(a) == ATTRIBUTE_FIELDS for a in body["attributes"])
    place, callback, sms, note = body["attributes"]
    assert (place["code"], place["datatype"], place["required"], place["order"]) == (
        "community",
        "singlevaluelist",
        True,
        1,
    )
    assert sorted(place["values"], key=lambda v: v["key"]) == [
        {"key": community.pk, "name": "芦湖村"},
        {"key": other_community.pk, "name": "稻香村"},
    ]
    assert [v["key"] for v in callback["values"]] == ["yes", "no"] and callback["required"] is False
    assert [v["key"] for v in sms["values"]] == ["yes", "no"] and sms["required"] is False
    assert "只有查询码" in sms["description"] and "11位手机号" in sms["datatype_description"]
    assert [a["order"] for a in body["attributes"]] == [1, 2, 3, 4]
    assert note["variable"] is False and "不保存姓名" in note["description"]
    assert [a.findtext("code") for a in root.find("attributes")] == ["community", "callback", "sms", "anonymity"]


def test_an_unknown_service_code_is_404_in_the_specs_error_format(client, street):
    assert "no-such" in spec_error(client.get(f"{BASE}/services/no-such.json"), 404)
    assert "no-such" in spec_error(client.get(f"{BASE}/services/no-such.xml"), 404)


def test_the_jurisdiction_is_the_street_code_and_may_be_left_out_only_with_one_street(client, street):
    assert client.get(f"{BASE}/services.json").status_code == 200
    assert client.get(f"{BASE}/services.json?jurisdiction_id=lh").status_code == 200
    assert "XX" in spec_error(client.get(f"{BASE}/services.json?jurisdiction_id=XX"), 404)
    StreetFactory(code="QT")
    assert "jurisdiction_id" in spec_error(client.get(f"{BASE}/services.xml"), 400)


def test_an_unsupported_format_or_method_is_refused_in_the_specs_shape(client, street):
    assert ".html" in spec_error(client.get(f"{BASE}/services.html"), 400)
    response = client.delete(f"{BASE}/services.json")
    assert "DELETE" in spec_error(response, 405) and response["Allow"] == "GET, HEAD"


# --- POST: anonymous feedback through the form's service ----------------------------------------------------


def test_a_post_becomes_anonymous_feedback_and_nothing_personal_is_stored_anywhere(client, community, issued):
    key, secret = issued
    response = post(
        client,
        secret,
        jurisdiction_id="LH",
        phone="13905331234",
        **{
            "attribute[community]": community.pk,
            **PERSONAL,
        },
    )
    assert response.status_code == 201
    [receipt] = response.json()
    assert list(receipt) == RECEIPT_FIELDS and receipt["account_id"] is None
    assert "no-store" in response["Cache-Control"] and response["Referrer-Policy"] == "no-referrer"
    feedback = Feedback.objects.get()
    assert receipt["service_request_id"] == feedback.lookup_code
    assert feedback.lookup_code in receipt["service_notice"] and "电话没有保存" in receipt["service_notice"]
    assert (feedback.channel, feedback.community, feedback.category.code) == (key.channel, community, "infrastructure")
    assert feedback.text == "村口路灯坏了三盏,晚上看不见路。" and feedback.reply_phone == ""
    assert feedback.received_at.minute == 0 and feedback.received_at.second == 0
    everything = stored_text()
    assert [value for value in [*PERSONAL.values(), "13905331234"] if value in everything] == []


def test_a_phone_is_kept_only_when_the_request_asks_for_a_call_back(client, community, issued):
    _key, secret = issued
    fields = {"attribute[community]": community.pk, "attribute[callback]": "yes"}
    assert post(client, secret, phone="139 0533 1234", **fields).status_code == 201
    assert Feedback.objects.get().reply_phone == "13905331234"
    assert "phone" in spec_error(post(client, secret, **fields), 400)
    assert "电话号码不对" in spec_error(post(client, secret, phone="12345", **fields), 400)
    assert Feedback.objects.count() == 1


def test_a_sender_who_asks_for_an_sms_gets_the_lookup_code_once_the_case_is_resolved(
    client, community, issued, leader, settings
):
    """attribute[sms]=yes is the QR form's "notify me" box: the mobile number is kept with the message and, once
    the case is resolved, one SMS carries the lookup code and nothing else."""
    _key, secret = issued
    fields = {"attribute[community]": community.pk, "attribute[sms]": "yes"}
    assert "手机号" in spec_error(post(client, secret, **fields), 400)
    assert "11位手机号" in spec_error(post(client, secret, phone="0533-1234567", **fields), 400)
    assert Feedback.objects.count() == 0

    response = post(client, secret, phone="139 0533 1234", **fields)
    assert response.status_code == 201
    [receipt] = response.json()
    feedback = Feedback.objects.get()
    assert (feedback.reply_phone, feedback.notify_sms) == ("13905331234", True)
    assert "139****1234" in receipt["service_notice"] and "13905331234" not in receipt["service_notice"]
    assert "电话没有保存" not in receipt["service_notice"]

    case = services.feedback_create_case(feedback=feedback, user=leader, title="村口路灯不亮")
    assert not SmsMessage.objects.exists()
    services.case_resolve(case=case, user=leader, resolution="更换灯泡三只", public_reply="路灯已修好。")
    [message] = SmsMessage.objects.all()
    assert (message.phone, message.kind, message.params) == (
        "13905331234",
        SmsMessage.Kind.CASE_RESOLVED,
        {"code": feedback.lookup_code},
    )


def test_the_receipt_reads_as_sentences_in_the_apps_language(client, community, issued):
    _key, secret = issued
    fields = {"attribute[community]": community.pk, "attribute[sms]": "yes", "media_url": "https://example.com/1.jpg"}
    [chinese] = post(client, secret, phone="13905331234", **fields).json()
    code = chinese["service_request_id"]
    assert chinese["service_notice"].startswith("已收到,工作人员会尽快查看。service_request_id 就是查询码")
    assert chinese["service_notice"].endswith("上传。办结后会发一条只含查询码的短信到 139****1234。")

    english = client.post(
        f"{BASE}/requests.json",
        urlencode(
            {
                "api_key": secret,
                "service_code": "infrastructure",
                "description": "村口路灯坏了。",
                **fields,
                "phone": "13905331234",
                "attribute[callback]": "yes",
            }
        ),
        content_type="application/x-www-form-urlencoded",
        HTTP_ACCEPT_LANGUAGE="en",
    ).json()[0]
    assert english["service_request_id"] != code
    assert english["service_notice"].startswith("Received. Staff will look at it soon. service_request_id is the")
    assert english["service_notice"].endswith(
        "QR code. An SMS with only the lookup code will be sent to 139****1234 when it is resolved."
    )


def test_an_sms_with_no_call_back_is_refused_as_the_number_would_be_seen_and_called(client, community, issued):
    _key, secret = issued
    fields = {"attribute[community]": community.pk, "attribute[sms]": "yes", "attribute[callback]": "no"}
    assert "attribute[callback]=no" in spec_error(post(client, secret, phone="13905331234", **fields), 400)
    assert not Feedback.objects.exists()


def test_without_the_sms_choice_nobody_is_texted(client, community, issued, leader):
    _key, secret = issued
    fields = {"attribute[community]": community.pk, "attribute[callback]": "yes", "attribute[sms]": "no"}
    assert post(client, secret, phone="13905331234", **fields).status_code == 201
    feedback = Feedback.objects.get()
    assert (feedback.reply_phone, feedback.notify_sms) == ("13905331234", False)
    case = services.feedback_create_case(feedback=feedback, user=leader, title="村口路灯不亮")
    services.case_resolve(case=case, user=leader, resolution="更换灯泡三只", public_reply="路灯已修好。")
    assert not SmsMessage.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_missing_wrong_revoked_or_foreign_key_is_403_in_the_specs_format(client, community, issued, leader, fmt):
    key, secret = issued
    fields = {"attribute[community]": community.pk}
    assert "api_key" in spec_error(post(client, "", fmt, **fields), 403)
    assert "无效" in spec_error(post(client, secret + "x", fmt, **fields), 403)
    other = StreetFactory(code="QT")
    _foreign, foreign_secret = services.open311_key_issue(
        street=other, name="别处的 App", user=official(Role.STREET_LEADER, street=other)
    )
    assert community.street.name in spec_error(post(client, foreign_secret, fmt, jurisdiction_id="LH", **fields), 403)
    services.open311_key_revoke(key=key, user=leader, reason="App 下线")
    assert "已吊销" in spec_error(post(client, secret, fmt, jurisdiction_id="LH", **fields), 403)
    assert Feedback.objects.count() == 0


def test_a_key_whose_server_forwards_everyones_requests_is_held_by_its_hourly_limit_only(
    client, street, community, leader
):
    """An app's server posts every resident's request from its one address: the QR form's count of an address
    would stop it after a few messages, so such a key (limit_each_address off) is counted by the hour only."""
    key, secret = services.open311_key_issue(
        street=street, name="随手拍服务器", user=leader, hourly_limit=4, limit_each_address=False
    )
    fields = {"attribute[community]": community.pk}
    poster = channel(community=community)
    with override_settings(LUCUN_FEEDBACK_RATE_LIMITS={"submit": 2}):
        assert [post(client, secret, **fields).status_code for _ in range(4)] == [201] * 4
        assert "太多" in spec_error(post(client, secret, **fields), 429)  # the key's own limit still holds
        # and the server's posts used none of the address's count on the QR form
        form = client.post(f"/f/{poster.token}/", {"community": community.pk, "text": "路灯又坏了一盏。"})
        assert form.status_code == 200 and Feedback.objects.filter(channel=poster).count() == 1
    assert Feedback.objects.filter(channel=key.channel).count() == 4


def test_only_whoever_manages_the_street_changes_a_keys_settings(street, community, issued):
    key, _secret = issued
    with pytest.raises(NotAllowed):
        services.open311_key_change(
            key=key,
            user=official(Role.COMMUNITY_CADRE, community=community),
            name=key.name,
            hourly_limit=key.hourly_limit,
            limit_each_address=False,
        )
    key.refresh_from_db()
    assert key.limit_each_address is True


def test_a_session_does_not_stand_in_for_a_key(client, community, leader):
    client.force_login(leader)
    assert "api_key" in spec_error(post(client, "", **{"attribute[community]": community.pk}), 403)


def test_the_forms_checks_apply_and_refusals_store_nothing(client, street, community, issued):
    _key, secret = issued
    fields = {"attribute[community]": community.pk}
    assert "至少" in spec_error(post(client, secret, description="灯", **fields), 400)
    assert "最多" in spec_error(post(client, secret, description="灯" * 1001, **fields), 400)
    assert "service_code" in spec_error(post(client, secret, service_code="", **fields), 400)
    assert "nope" in spec_error(post(client, secret, service_code="nope", **fields), 404)
    assert "attribute[community]" in spec_error(post(client, secret), 400)
    assert "callback" in spec_error(post(client, secret, **fields, **{"attribute[callback]": "maybe"}), 400)
    assert "attribute[sms]" in spec_error(post(client, secret, **fields, **{"attribute[sms]": "maybe"}), 400)
    foreign = CommunityFactory(street=StreetFactory(code="QT"), name="别街道的村")
    on_street = {"jurisdiction_id": "LH", "attribute[community]": foreign.pk}
    assert "attribute[community]" in spec_error(post(client, secret, **on_street), 400)
    Category.objects.filter(code="infrastructure").update(is_active=False)
    assert "infrastructure" in spec_error(post(client, secret, jurisdiction_id="LH", **fields), 404)
    assert Feedback.objects.count() == 0


def test_the_community_may_be_named_in_the_address_instead(client, community, other_community, issued):
    _key, secret = issued
    assert post(client, secret, address_string="稻香村 村委会门口").status_code == 201
    assert Feedback.objects.get().community == other_community


class _Recorder(BaseHTTPRequestHandler):
    hits: list = []

    def do_GET(self):
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_media_url_is_neither_fetched_nor_kept(client, community, issued):
    _key, secret = issued
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/photos/sinkhole-zhangwei.jpg"
    try:
        response = post(client, secret, media_url=url, **{"attribute[community]": community.pk})
    finally:
        server.shutdown()
    assert response.status_code == 201 and "照片链接没有下载也没有保存" in response.json()[0]["service_notice"]
    assert _Recorder.hits == []
    assert "sinkhole-zhangwei" not in stored_text()
    assert not Feedback.objects.get().photos.exists()


def test_each_key_is_limited_per_hour_on_its_own(client, street, community, issued, leader):
    key, secret = issued
    key.hourly_limit = 2
    key.save(update_fields=["hourly_limit"])
    _other, other_secret = services.open311_key_issue(street=street, name="另一个 App", user=leader)
    fields = {"attribute[community]": community.pk}
    with override_settings(LUCUN_FEEDBACK_RATE_LIMITS={"submit": 100}):
        assert [post(client, secret, **fields).status_code for _ in range(2)] == [201, 201]
        response = post(client, secret, **fields)
        assert "太多" in spec_error(response, 429) and response["Retry-After"] == "3600"
        assert post(client, other_secret, **fields).status_code == 201
    assert Feedback.objects.count() == 3


def test_each_address_is_limited_as_on_the_qr_form_and_shares_its_count(client, community, issued):
    _key, secret = issued
    fields = {"attribute[community]": community.pk}
    poster = channel(community=community)
    with override_settings(LUCUN_FEEDBACK_RATE_LIMITS={"submit": 2}):
        assert [post(client, secret, **fields).status_code for _ in range(2)] == [201, 201]
        assert "频繁" in spec_error(post(client, secret, **fields), 429)
        form = client.post(f"/f/{poster.token}/", {"community": community.pk, "text": "路灯又坏了一盏。"})
        assert form.status_code == 429
        elsewhere = client.post(
            f"{BASE}/requests.json",
            urlencode(
                {"api_key": secret, "service_code": "infrastructure", "description": "路灯又坏了一盏。", **fields}
            ),
            content_type="application/x-www-form-urlencoded",
            REMOTE_ADDR="10.0.0.9",
        )
    assert elsewhere.status_code == 201 and Feedback.objects.count() == 3


# --- The sender follows the request --------------------------------------------------------------------------


def test_the_sender_follows_the_request_by_its_id_until_it_is_closed(client, community, issued, leader):
    _key, secret = issued
    request_id = post(client, secret, **{"attribute[community]": community.pk}).json()[0]["service_request_id"]
    response, root = both(client, f"requests/{request_id}.{{fmt}}?jurisdiction_id=LH")
    [seen] = response.json()
    assert root.tag == "service_requests" and list(seen) == REQUEST_FIELDS
    assert (seen["service_request_id"], seen["status"], seen["service_code"]) == (request_id, "open", "infrastructure")
    assert seen["address"] == "芦湖村,芦湖街道" and seen["lat"] is None and seen["description"] is None
    assert seen["requested_datetime"].endswith(":00:00+08:00")
    assert "no-store" in response["Cache-Control"] and response["Referrer-Policy"] == "no-referrer"

    feedback = Feedback.objects.get()
    case = services.feedback_create_case(feedback=feedback, user=leader, title="村口路灯损坏")
    assert client.get(f"{BASE}/requests/{request_id}.json").json()[0]["status"] == "open"
    services.case_resolve(case=case, user=leader, resolution="更换灯泡三只", public_reply="路灯已修好,感谢反映。")
    services.case_close(case=case, user=leader)
    [closed] = client.get(f"{BASE}/requests/{request_id}.json").json()
    assert (closed["status"], closed["status_notes"]) == ("closed", "路灯已修好,感谢反映。")

    [mapped] = client.get(f"{BASE}/tokens/{request_id}.json").json()
    assert mapped == {"service_request_id": request_id, "token": request_id}


def test_the_sender_can_follow_a_qr_message_by_its_lookup_code_too(client, community):
    feedback = submit(channel=channel(community=community))
    [seen] = client.get(f"{BASE}/requests/{feedback.lookup_code.lower()}.json").json()
    assert (seen["service_request_id"], seen["service_code"], seen["service_name"]) == (
        feedback.lookup_code,
        None,
        "其他",
    )


def test_unknown_ids_are_404_and_guessing_them_is_held_back(client, community, issued):
    _key, secret = issued
    request_id = post(client, secret, **{"attribute[community]": community.pk}).json()[0]["service_request_id"]
    with override_settings(LUCUN_FEEDBACK_RATE_LIMITS={"lookup": 2}):
        assert "没有找到" in spec_error(client.get(f"{BASE}/requests/ABCDEFGH.json"), 404)
        assert spec_error(client.get(f"{BASE}/tokens/ABCDEFGJ.xml"), 404)
        assert "频繁" in spec_error(client.get(f"{BASE}/requests/{request_id}.json"), 429)


def test_a_request_of_another_street_is_not_found_under_this_jurisdiction(client, community, issued):
    _key, secret = issued
    request_id = post(client, secret, **{"attribute[community]": community.pk}).json()[0]["service_request_id"]
    StreetFactory(code="QT")
    assert spec_error(client.get(f"{BASE}/requests/{request_id}.json?jurisdiction_id=QT"), 404)


# --- The public list -----------------------------------------------------------------------------------------


@pytest.fixture
def listed_world(community, other_community, leader, issued):
    """A case from an Open311 post (resolved, with a public reply), one from a QR message (open), each with a public
    title; one from feedback that no official gave a public title, one from a household visit and one cancelled:
    the list may show the first two only, by their public titles."""
    key, _secret = issued
    fed, _created = services.feedback_submit(
        channel=key.channel,
        community=community,
        category=category("infrastructure"),
        text="张大爷家门口路灯坏了,他电话13905331234。",
        reply_phone="13905331234",
    )
    resolved = services.feedback_create_case(feedback=fed, user=leader, title="张大爷门口路灯不亮")
    services.case_public_title_set(case=resolved, user=leader, public_title="村口路灯不亮")
    services.case_resolve(case=resolved, user=leader, resolution="内部记录:已更换", public_reply="路灯已修好。")
    qr = submit(channel=channel(community=other_community), text="水塘边没有护栏,孩子常在那里玩。")
    running = services.feedback_create_case(feedback=qr, user=leader, title="水塘护栏缺失")
    services.case_public_title_set(case=running, user=leader, public_title="水塘护栏缺失")
    untitled = services.feedback_create_case(
        feedback=submit(channel=channel(community=community), text="李家的狗夜里一直叫,吵得睡不着。"),
        user=leader,
        title="李四家狗扰民",
    )
    visit = open_case(community=community, by=leader, title="王秀英家低保复核", source=Case.Source.VISIT)
    gone = services.feedback_create_case(
        feedback=submit(channel=key.channel, community=community), user=leader, title="重复"
    )
    services.case_cancel(case=gone, user=leader, reason="重复反映")
    return {
        "resolved": resolved,
        "running": running,
        "untitled": untitled,
        "visit": visit,
        "gone": gone,
        "fed": fed,
        "qr": qr,
    }


def _listing_on(street, leader, on=True):
    services.open311_setting_save(street=street, user=leader, public_listing=on)


def test_the_list_is_off_until_the_street_switches_it_on(client, street, listed_world):
    assert "没有开放" in spec_error(client.get(f"{BASE}/requests.json"), 404)
    assert spec_error(client.get(f"{BASE}/requests.xml"), 404)
    assert spec_error(client.get(f"{BASE}/requests/{listed_world['resolved'].number}.json"), 404)


def test_the_list_shows_only_public_fields_of_cases_from_public_feedback(
    client, street, leader, listed_world, django_assert_num_queries
):
    _listing_on(street, leader)
    with django_assert_num_queries(2):  # the street with its settings, the cases with category and community
        body = client.get(f"{BASE}/requests.json").json()
    resolved, running = listed_world["resolved"], listed_world["running"]
    assert sorted(r["service_request_id"] for r in body) == sorted([resolved.number, running.number])
    assert all(list(r) == REQUEST_FIELDS for r in body)
    shown = {r["service_request_id"]: r for r in body}[resolved.number]
    assert shown == {
        **dict.fromkeys(REQUEST_FIELDS),
        "service_request_id": resolved.number,
        "status": "closed",
        "status_notes": "路灯已修好。",
        "service_name": "基础设施",
        "service_code": "infrastructure",
        "description": "村口路灯不亮",
        "agency_responsible": "芦湖街道",
        "requested_datetime": shown["requested_datetime"],
        "updated_datetime": shown["updated_datetime"],
        "address": "芦湖村,芦湖街道",
    }
    assert shown["requested_datetime"].endswith("T00:00:00+08:00")
    text = json.dumps(body, ensure_ascii=False)
    for secret in ("张大爷", "13905331234", "内部记录", "王秀英", "李四", "重复", listed_world["fed"].lookup_code):
        assert secret not in text
    assert {r["status"] for r in body} == {"open", "closed"}


def test_the_list_filters_as_the_spec_says(client, street, leader, listed_world):
    _listing_on(street, leader)
    resolved, running = listed_world["resolved"], listed_world["running"]

    def ids(query):
        return [r["service_request_id"] for r in client.get(f"{BASE}/requests.json?{query}").json()]

    assert ids("status=closed") == [resolved.number]
    assert ids("status=open") == [running.number]
    assert sorted(ids("status=open,closed")) == sorted([resolved.number, running.number])
    assert ids("service_code=infrastructure") == [resolved.number]
    assert ids(f"service_request_id={running.number},{listed_world['visit'].number}") == [running.number]
    assert ids("start_date=2000-01-01T00:00:00Z&end_date=2000-02-01T00:00:00Z") == []
    assert "90" in spec_error(
        client.get(f"{BASE}/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z"), 400
    )
    assert "status" in spec_error(client.get(f"{BASE}/requests.json?status=pending"), 400)
    assert "start_date" in spec_error(client.get(f"{BASE}/requests.json?start_date=yesterday"), 400)


def test_a_listed_case_is_answered_by_its_number_and_the_xml_says_what_the_json_says(
    client, street, leader, listed_world
):
    _listing_on(street, leader)
    number = listed_world["resolved"].number
    response, root = both(client, f"requests/{number}.{{fmt}}")
    assert response.json()[0]["description"] == "村口路灯不亮" and root[0].findtext("status") == "closed"
    both(client, "requests.{fmt}")
    assert spec_error(client.get(f"{BASE}/requests/{listed_world['visit'].number}.json"), 404)
    assert spec_error(client.get(f"{BASE}/requests/{listed_world['untitled'].number}.json"), 404)
    _listing_on(street, leader, on=False)
    assert spec_error(client.get(f"{BASE}/requests/{number}.json"), 404)


def test_switching_the_list_is_audited(street, leader):
    from lucun.models import AuditEvent

    _listing_on(street, leader)
    _listing_on(street, leader)  # no change, no second row
    _listing_on(street, leader, on=False)
    rows = AuditEvent.objects.filter(action="cases.open311_setting_change").order_by("pk")
    assert [(r.changes["before"]["public_listing"], r.changes["after"]["public_listing"]) for r in rows] == [
        (False, True),
        (True, False),
    ]


# --- Keys ---------------------------------------------------------------------------------------------------


def test_a_key_is_stored_only_as_its_hash_and_owns_a_channel_of_its_street(street, issued):
    import hashlib

    key, secret = issued
    assert secret.startswith("o311_") and len(secret) > 40
    assert key.key_hash == hashlib.sha256(secret.encode()).hexdigest() and secret not in stored_text()
    assert (key.channel.kind, key.channel.street, key.channel.community) == (FeedbackChannel.Kind.OPEN311, street, None)


def test_only_street_level_officials_issue_and_revoke_keys(street, community, issued):
    from lucun.errors import NotAllowed

    cadre = official(Role.COMMUNITY_CADRE, community=community)
    with pytest.raises(NotAllowed):
        services.open311_key_issue(street=street, name="App", user=cadre)
    with pytest.raises(NotAllowed):
        services.open311_key_revoke(key=issued[0], user=cadre, reason="不用了")


def test_revoking_a_key_stops_its_channel_and_needs_a_reason(leader, issued):
    from lucun.errors import DomainError

    key, _secret = issued
    with pytest.raises(DomainError):
        services.open311_key_revoke(key=key, user=leader, reason=" ")
    services.open311_key_revoke(key=key, user=leader, reason="密钥泄露")
    key.refresh_from_db()
    key.channel.refresh_from_db()
    assert (key.is_active, key.revoked_reason, key.channel.is_active) == (False, "密钥泄露", False)


def test_the_channel_page_shows_an_apps_channel_without_a_qr_code(client, leader, issued):
    from django.urls import reverse

    client.force_login(leader)
    page = client.get(reverse("cases:feedback_channels")).content.decode()
    assert "随手拍 App(Open311)" in page and "无二维码" in page
    assert reverse("cases:feedback_channel_qr", kwargs={"pk": issued[0].channel.pk}) not in page


def test_an_open311_channel_comes_only_with_its_key(street, leader):
    from lucun.errors import DomainError

    with pytest.raises(DomainError, match="管理后台"):
        services.feedback_channel_create(
            kind=FeedbackChannel.Kind.OPEN311, street=street, label="自建接口", created_by=leader
        )
