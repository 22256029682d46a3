"""A stand-in for Aliyun 短信服务 on a local port: it checks each SendSms and QuerySendDetails call as the real
service does and answers in its JSON; a query lists the messages it took for that number on that day (in China's
time), with their OutId.

The signature is recomputed here from the published algorithm (https://help.aliyun.com/document_detail/154849.html),
written out again rather than imported, so a mistake in the code under test cannot agree with itself.
"""

import base64
import hashlib
import hmac
import json
import re
import threading
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote
from zoneinfo import ZoneInfo

ACCESS_KEY_ID = "LTAI5tFakeKeyId"
ACCESS_KEY_SECRET = "fake-secret/with+odd=chars"
SIGN_NAME = "芦湖街道"
TEMPLATES = {"red_notice": "SMS_100001", "approval_request": "SMS_100002", "case_resolved": "SMS_100003"}


def expected_signature(method: str, params: dict[str, str]) -> str:
    def enc(value: str) -> str:
        # Java's URLEncoder, then + → %20, * → %2A, %7E → ~ : the documented recipe.
        return quote(value, safe="", encoding="utf-8").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")

    canonical = "&".join(f"{enc(k)}={enc(params[k])}" for k in sorted(params))
    to_sign = f"{method}&{enc('/')}&{enc(canonical)}"
    mac = hmac.new((ACCESS_KEY_SECRET + "&").encode(), to_sign.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


class FakeAliyun:
    """Run with ``with FakeAliyun() as fake:``; ``fake.url`` is the endpoint, ``fake.sent`` what was accepted."""

    def __init__(self) -> None:
        self.sent: list[dict[str, str]] = []
        self.refused: list[str] = []
        self.nonces: set[str] = set()
        self.answer_code = "OK"  # set to an error code to answer every call with it
        self.down = False  # answer 503 ServiceUnavailable, as the service does when it is out
        self.queries: list[dict[str, str]] = []  # the QuerySendDetails calls answered
        self.query_code = "OK"  # set to an error code to answer every QuerySendDetails call with it
        self.status = "3"  # the SendStatus a query reports for every message taken (3 delivered, 2 failed)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.thread: threading.Thread | None = None

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                params = dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
                status, answer = fake.check(params)
                body = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def check(self, params: dict[str, str]) -> tuple[int, dict]:
        request_id = str(uuid.uuid4()).upper()
        if self.down:
            return 503, {"RequestId": request_id, "Code": "ServiceUnavailable", "Message": "The request has failed."}

        def error(status: int, code: str, message: str) -> tuple[int, dict]:
            with self._lock:
                self.refused.append(code)
            return status, {"RequestId": request_id, "Code": code, "Message": message}

        signature = params.pop("Signature", "")
        if params.get("AccessKeyId") != ACCESS_KEY_ID:
            return error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        action = params.get("Action")
        if action not in ("SendSms", "QuerySendDetails"):
            return error(400, "InvalidAction.NotFound", "Specified api is not found.")
        fixed = {
            "Version": "2017-05-25",
            "Format": "JSON",
            "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0",
        }
        for name, value in fixed.items():
            if params.get(name) != value:
                return error(400, "MissingParameter" if name not in params else "InvalidParameter", name)
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", params.get("Timestamp", "")):
            return error(400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.")
        if signature != expected_signature("POST", params):
            return error(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.")
        with self._lock:
            if params["SignatureNonce"] in self.nonces:
                return error(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
            self.nonces.add(params["SignatureNonce"])
        if action == "QuerySendDetails":
            return self._query(params, request_id, error)
        if not re.fullmatch(r"1[3-9]\d{9}", params.get("PhoneNumbers", "")):
            return error(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if params.get("SignName") != SIGN_NAME:
            return error(200, "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        if params.get("TemplateCode") not in TEMPLATES.values():
            return error(200, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        try:
            json.loads(params.get("TemplateParam", ""))
        except ValueError:
            return error(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法,只接受字符串值")
        if self.answer_code != "OK":
            return error(200, self.answer_code, "触发号码天级流控")
        with self._lock:
            self.sent.append(params)
        return 200, {
            "Message": "OK",
            "RequestId": request_id,
            "BizId": f"9006197469364984^{len(self.sent)}",
            "Code": "OK",
        }

    def _query(self, params: dict[str, str], request_id: str, error) -> tuple[int, dict]:
        for name in ("PhoneNumber", "SendDate", "PageSize", "CurrentPage"):
            if not params.get(name):
                return error(400, "MissingParameter", name)
        if not re.fullmatch(r"\d{8}", params["SendDate"]) or not 1 <= int(params["PageSize"]) <= 50:
            return error(400, "InvalidParameter", "SendDate or PageSize")
        if self.query_code != "OK":
            return error(200, self.query_code, "查询失败")
        with self._lock:
            self.queries.append(params)
            day = [m for m in self.sent if m["PhoneNumbers"] == params["PhoneNumber"] and _day(m) == params["SendDate"]]
        size, page = int(params["PageSize"]), int(params["CurrentPage"])
        records = [
            {
                "PhoneNum": m["PhoneNumbers"],
                "SendStatus": int(self.status),
                "ErrCode": "DELIVERED",
                "TemplateCode": m["TemplateCode"],
                "OutId": m.get("OutId", ""),
                "SendDate": datetime.now(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
            }
            for m in day[(page - 1) * size : page * size]
        ]
        return 200, {
            "Code": "OK",
            "Message": "OK",
            "RequestId": request_id,
            "TotalCount": len(day),
            "SmsSendDetailDTOs": {"SmsSendDetailDTO": records},
        }

    def start(self) -> "FakeAliyun":
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self.thread:
            self.thread.join()

    def __enter__(self) -> "FakeAliyun":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


SHANGHAI = ZoneInfo("Asia/Shanghai")


def _day(call: dict[str, str]) -> str:
    """The day (China's time) a SendSms call reached the service, by its Timestamp."""
    sent = datetime.strptime(call["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return f"{sent.astimezone(SHANGHAI):%Y%m%d}"


def aliyun_settings(settings, url: str) -> None:
    """Point the SMS settings (pytest-django's ``settings``) at a fake endpoint with its keys and templates."""
    settings.LUCUN_SMS_PROVIDER = "aliyun"
    settings.LUCUN_SMS_ACCESS_KEY_ID = ACCESS_KEY_ID
    settings.LUCUN_SMS_ACCESS_KEY_SECRET = ACCESS_KEY_SECRET
    settings.LUCUN_SMS_SIGN_NAME = SIGN_NAME
    settings.LUCUN_SMS_TEMPLATES = dict(TEMPLATES)
    settings.LUCUN_SMS_ENDPOINT = url
    settings.LUCUN_SMS_TIMEOUT = 2.0
