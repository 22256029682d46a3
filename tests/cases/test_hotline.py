"""12345 hotline orders: uploaded (xlsx, CSV in GBK) or pushed with a key become cases once; bad rows are reported
row by row; the caller is masked by role; status changes go back signed, retried until delivered."""

import csv
import hashlib
import hmac
import io
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from cases import services
from cases.models import Case, HotlineDelivery, HotlineOrder, HotlineSetting, Tier
from cases.services.hotline import HotlineDeliveryFailed, hotline_delivery_send, hotline_tier, hotline_time_limit
from lucun.errors import DomainError, NotAllowed
from lucun.models import AuditEvent, OutboxMessage, Role
from tests.factories import official

pytestmark = pytest.mark.django_db

HEADER = ["工单编号", "受理时间", "诉求人", "联系电话", "诉求地址", "诉求内容", "诉求类型", "办理时限", "承办单位"]


def _row(number="GD001", **over):
    row = {
        "工单编号": number,
        "受理时间": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S"),
        "诉求人": "张三丰",
        "联系电话": "13812345678",
        "诉求地址": "芦湖村三组12号",
        "诉求内容": "村口路灯坏了三盏,晚上出行不便。",
        "诉求类型": "基础设施",
        "办理时限": "5个工作日",
        "承办单位": "芦湖街道",
    }
    row.update(over)
    return [row[h] for h in HEADER]


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _csv(rows, encoding="gbk") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.fixture
def staff(street):
    return official(Role.STREET_STAFF, street=street)


def _upload(client, user, content, name, preview=False):
    client.force_login(user)
    data = {"file": SimpleUploadedFile(name, content)}
    if preview:
        data["preview"] = "on"
    return client.post("/cases/hotline/", data)


def test_an_uploaded_workbook_makes_a_hotline_case_of_each_order(client, staff, community):
    response = _upload(client, staff, _xlsx([_row("GD001"), _row("GD002", 办理时限="24小时")]), "orders.xlsx")
    assert response.status_code == 200
    assert "新建 2 件 · 已导入过 0 件 · 有误 0 行" in response.content.decode()
    order = HotlineOrder.objects.select_related("case__tier").get(number="GD001")
    case = order.case
    assert case.source == Case.Source.HOTLINE and case.community == community
    assert case.category.name == "基础设施"
    assert case.tier.code == "assigned"  # 5 working days (7 calendar days) → the 1-week tier
    assert HotlineOrder.objects.get(number="GD002").case.tier.code == "immediate"
    assert order.caller_phone == "13812345678" and case.contact_phone == ""
    assert AuditEvent.objects.filter(action="cases.hotline_import").count() == 1


def test_a_gbk_csv_is_read_and_importing_it_again_makes_no_second_case(client, staff, community):
    content = _csv([_row("GD100"), _row("GD101")])
    first = _upload(client, staff, content, "工单.csv")
    assert "新建 2 件" in first.content.decode()
    again = _upload(client, staff, content, "工单.csv")
    assert "新建 0 件 · 已导入过 2 件" in again.content.decode()
    assert Case.objects.filter(source=Case.Source.HOTLINE).count() == 2


def test_a_preview_keeps_nothing(client, staff, community):
    response = _upload(client, staff, _xlsx([_row("GD200")]), "orders.xlsx", preview=True)
    assert "预览结果(尚未保存)" in response.content.decode()
    assert not HotlineOrder.objects.exists() and not Case.objects.exists()


def test_bad_rows_are_reported_with_their_reason_and_good_rows_kept(client, staff, community):
    rows = [
        _row("GD300"),
        _row("GD301", 诉求地址="外省某地", 承办单位="某局"),
        _row("GD302", 办理时限="尽快"),
        _row("GD303", 联系电话="不详"),
        _row("", 诉求内容="没有编号"),
        _row("GD300"),
        _row("GD304"),
    ]
    body = _upload(client, staff, _xlsx(rows), "orders.xlsx").content.decode()
    assert "新建 2 件 · 已导入过 0 件 · 有误 5 行" in body
    assert "无法确定由哪个村(居)办理" in body
    assert "办理时限“尽快”无法识别" in body
    assert "不是电话号码" in body
    assert "缺少工单编号" in body
    assert "同一文件中工单编号重复" in body
    assert set(HotlineOrder.objects.values_list("number", flat=True)) == {"GD300", "GD304"}


def test_a_file_without_the_required_columns_is_refused_whole(client, staff, community):
    response = _upload(client, staff, "编号,内容\r\n1,2\r\n".encode(), "x.csv")
    assert response.status_code == 400
    assert "表头缺少必填的列" in response.content.decode()


def test_a_community_official_may_not_import(client, cadre, community):
    response = _upload(client, cadre, _xlsx([_row()]), "orders.xlsx")
    assert response.status_code == 403


def test_time_limits_map_to_the_longest_tier_within_them():
    tiers = list(Tier.objects.all())
    now = timezone.now()
    by = {t.code: t for t in tiers}
    assert hotline_tier(hotline_time_limit("24小时", accepted_at=now), tiers) == by["immediate"]
    assert hotline_tier(hotline_time_limit("3天", accepted_at=now), tiers) == by["immediate"]
    assert hotline_tier(hotline_time_limit("7天", accepted_at=now), tiers) == by["assigned"]
    assert hotline_tier(hotline_time_limit("1个月", accepted_at=now), tiers) == by["escalated"]
    assert hotline_tier(hotline_time_limit("2小时", accepted_at=now), tiers) == by["immediate"]
    deadline = timezone.localtime(now + timedelta(days=15)).strftime("%Y-%m-%d %H:%M")
    assert hotline_tier(hotline_time_limit(deadline, accepted_at=now), tiers) == by["assigned"]


# --- push API --------------------------------------------------------------------------------------------------


@pytest.fixture
def key(street, staff):
    return services.hotline_key_issue(street=street, name="县12345平台", user=staff)


def _push(client, secret, orders):
    headers = {"HTTP_X_HOTLINE_KEY": secret} if secret is not None else {}
    return client.post("/api/v1/hotline/orders/", {"orders": orders}, content_type="application/json", **headers)


ORDER = {"number": "API001", "content": "小区垃圾无人清运。", "address": "芦湖村五组", "time_limit": "3天"}


def test_a_pushed_order_becomes_a_case_once(client, key, community):
    _key, secret = key
    first = _push(client, secret, [ORDER])
    assert first.status_code == 200 and first.json()["created"] == 1
    again = _push(client, secret, [ORDER, {**ORDER, "number": "API002", "address": "别处"}])
    data = again.json()
    assert (data["created"], data["existing"], data["errors"]) == (0, 1, 1)
    assert data["rows"][1]["status"] == "error" and "村(居)" in data["rows"][1]["message"]
    assert HotlineOrder.objects.get(number="API001").via == HotlineOrder.Via.API


@pytest.mark.parametrize("secret", [None, "h12345_not-a-key"])
def test_a_push_without_a_valid_key_is_refused(client, key, secret):
    response = _push(client, secret, [ORDER])
    assert response.status_code == 403
    assert not HotlineOrder.objects.exists()


def test_a_revoked_key_pushes_nothing(client, key, staff):
    hotline_key, secret = key
    services.hotline_key_revoke(key=hotline_key, user=staff, reason="平台更换")
    assert _push(client, secret, [ORDER]).status_code == 403


def test_a_keys_settings_change_only_by_whoever_manages_the_street_and_are_audited(key, staff, community):
    hotline_key, _secret = key
    cadre = official(Role.COMMUNITY_CADRE, community=community)
    with pytest.raises(NotAllowed):
        services.hotline_key_change(key=hotline_key, user=cadre, name="别人改的", hourly_limit=5)
    with pytest.raises(DomainError, match="至少为 1"):
        services.hotline_key_change(key=hotline_key, user=staff, name="县12345平台", hourly_limit=0)
    services.hotline_key_change(key=hotline_key, user=staff, name="市12345平台", hourly_limit=120)
    hotline_key.refresh_from_db()
    assert (hotline_key.name, hotline_key.hourly_limit) == ("市12345平台", 120)
    event = AuditEvent.objects.get(action="cases.hotline_key_change")
    assert event.changes["after"] == {"name": "市12345平台", "hourly_limit": 120}


def test_a_key_over_its_hourly_limit_is_held_back(client, key, community):
    hotline_key, secret = key
    hotline_key.hourly_limit = 1
    hotline_key.save(update_fields=["hourly_limit"])
    assert _push(client, secret, [ORDER]).status_code == 200
    response = _push(client, secret, [ORDER])
    assert response.status_code == 429


# --- the caller, by role ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "full"),
    [(Role.COMMUNITY_CADRE, True), (Role.STREET_LEADER, True), (Role.SUPERVISOR, True), (Role.STREET_STAFF, False)],
)
def test_the_caller_is_shown_in_full_only_to_the_roles_that_see_household_phones(
    client, key, community, user_of, role, full
):
    _key, secret = key
    _push(client, secret, [{**ORDER, "caller_name": "张三丰", "caller_phone": "13812345678"}])
    case = HotlineOrder.objects.get(number="API001").case
    client.force_login(user_of(role))
    body = client.get(case.get_absolute_url()).content.decode()
    if full:
        assert "张三丰" in body and "13812345678" in body
    else:
        assert "张**" in body and "138****5678" in body and "13812345678" not in body


# --- results back ----------------------------------------------------------------------------------------------


def test_the_results_sheet_has_the_hotlines_columns(client, key, community, supervisor, cadre):
    _key, secret = key
    _push(client, secret, [ORDER])
    case = HotlineOrder.objects.get(number="API001").case
    services.case_accept(case=case, user=cadre)
    services.case_resolve(case=case, user=cadre, resolution="已安排保洁公司每日清运。")
    client.force_login(supervisor)
    response = client.get("/outcomes/hotline/results.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][:5]) == ["工单编号", "办理结果", "办结时间", "回访情况", "满意度"]
    assert rows[1][0] == "API001" and rows[1][1] == "已安排保洁公司每日清运。" and rows[1][2]


class _Receiver(BaseHTTPRequestHandler):
    received: list = []
    fail_next = 0

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if type(self).fail_next:
            type(self).fail_next -= 1
            self.send_response(503)
            self.end_headers()
            return
        type(self).received.append((dict(self.headers), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    _Receiver.received = []
    _Receiver.fail_next = 0
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, _Receiver
    server.shutdown()
    server.server_close()


SECRET = "s" * 40


def _hotline_case(client, key, street, staff, receiver):
    server, _handler = receiver
    services.hotline_setting_save(
        street=street,
        user=staff,
        callback_url=f"http://127.0.0.1:{server.server_address[1]}/callback",
        callback_secret=SECRET,
    )
    _push(client, key[1], [ORDER])
    return HotlineOrder.objects.get(number="API001").case


def test_each_status_change_goes_back_signed_once(client, key, street, staff, cadre, receiver, monkeypatch):
    monkeypatch.setattr("lucun.services.outbox_send", lambda **kwargs: False)  # the worker is not running here
    case = _hotline_case(client, key, street, staff, receiver)
    services.case_accept(case=case, user=cadre)
    services.case_record_progress(case=case, user=cadre, note="已联系")  # accepted → in progress
    services.case_record_progress(case=case, user=cadre, note="再次联系")  # no change of state: nothing sent
    assert HotlineDelivery.objects.count() == 2
    assert OutboxMessage.objects.filter(task_name="cases.tasks.hotline_delivery_send").count() == 2
    assert services.hotline_deliveries_retry() == 2
    assert services.hotline_deliveries_retry() == 0  # delivered rows are never sent again
    _server, handler = receiver
    assert len(handler.received) == 2
    for headers, body in handler.received:
        expected = hmac.new(
            SECRET.encode(), headers["X-Lucun-Timestamp"].encode() + b"." + body, hashlib.sha256
        ).hexdigest()
        assert headers["X-Lucun-Signature"] == f"sha256={expected}"
        assert headers["X-Lucun-Delivery"] == json.loads(body)["delivery_id"]
    states = [json.loads(body)["state"] for _headers, body in handler.received]
    assert states == ["accepted", "in_progress"]
    assert json.loads(handler.received[0][1])["order_number"] == "API001"


def test_a_refused_delivery_is_retried_until_delivered(client, key, street, staff, cadre, receiver, monkeypatch):
    monkeypatch.setattr("lucun.services.outbox_send", lambda **kwargs: False)
    case = _hotline_case(client, key, street, staff, receiver)
    services.case_accept(case=case, user=cadre)
    _server, handler = receiver
    handler.fail_next = 1
    delivery = HotlineDelivery.objects.get()
    with pytest.raises(HotlineDeliveryFailed):
        hotline_delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.delivered_at is None and delivery.attempts == 1 and "503" in delivery.last_error
    assert services.hotline_deliveries_retry() == 1
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None and delivery.attempts == 2
    assert len(handler.received) == 1


def test_no_callback_address_sends_nothing(client, key, cadre, community):
    _push(client, key[1], [ORDER])
    case = HotlineOrder.objects.get(number="API001").case
    services.case_accept(case=case, user=cadre)
    assert not HotlineDelivery.objects.exists()
    assert not HotlineSetting.objects.exists()
