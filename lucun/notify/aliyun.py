"""Aliyun 短信服务 (dysmsapi, API version 2017-05-25): ``SendSms`` and ``QuerySendDetails`` with the RPC signature,
no SDK.

Written from the published documentation:

- SendSms: https://help.aliyun.com/en/sms/developer-reference/api-dysmsapi-2017-05-25-sendsms
  (PhoneNumbers, SignName, TemplateCode, TemplateParam as a JSON object; the answer's ``Code`` is "OK" on
  success, with ``BizId`` and ``RequestId``; the API is not idempotent, so the caller keeps each message from
  being sent twice).
- QuerySendDetails: https://help.aliyun.com/document_detail/419277.html (PhoneNumber, SendDate as yyyyMMdd within
  the last 30 days, PageSize 1–50, CurrentPage; the answer has ``TotalCount`` and
  ``SmsSendDetailDTOs.SmsSendDetailDTO``, each record with the ``OutId`` given to SendSms and its ``SendStatus``:
  1 waiting for the receipt, 2 failed, 3 delivered).
- The RPC signature (签名机制, SignatureVersion 1.0): https://help.aliyun.com/document_detail/154849.html and
  https://www.alibabacloud.com/help/en/sms/signature-method:
  1. every parameter except ``Signature``, sorted by name, each name and value percent-encoded as UTF-8 per
     RFC 3986 (A-Z a-z 0-9 - _ . ~ stay, a space is %20, never +), joined as ``name=value`` with ``&``: the
     canonicalized query string;
  2. StringToSign = HTTPMethod + "&" + percentEncode("/") + "&" + percentEncode(canonicalized query string);
  3. Signature = Base64(HMAC-SHA1(key = AccessKeySecret + "&", StringToSign)), sent as the ``Signature``
     parameter (itself percent-encoded).
  The common parameters: AccessKeyId, Action, Format=JSON, RegionId, SignatureMethod=HMAC-SHA1,
  SignatureNonce (a fresh UUID), SignatureVersion=1.0, Timestamp (UTC, ``yyyy-MM-ddTHH:mm:ssZ``), Version.

The request is a POST with the parameters in a form-encoded body (so phone numbers stay out of proxy logs).
"""

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.request
import uuid
from datetime import UTC, date, datetime
from urllib.parse import quote

ACTION = "SendSms"
QUERY_ACTION = "QuerySendDetails"
VERSION = "2017-05-25"
QUERY_PAGE_SIZE = 50
# SendStatus of a record that QuerySendDetails lists: 1 waiting for the receipt, 2 failed, 3 delivered.
FAILED = "2"

# Codes that say this message can never be sent as it is (the number or the variables): retrying is useless.
# Anything else (flow control, a system error, a key or signature being fixed) is tried again later.
PERMANENT_CODES = frozenset(
    {
        "isv.MOBILE_NUMBER_ILLEGAL",
        "isv.MOBILE_COUNT_OVER_LIMIT",
        "isv.PARAM_LENGTH_LIMIT",
        "isv.TEMPLATE_PARAMS_ILLEGAL",
        "isv.TEMPLATE_MISSING_PARAMETERS",
        "isv.BLACK_KEY_CONTROL_LIMIT",
    }
)


class AliyunError(Exception):
    def __init__(self, code: str, message: str, *, permanent: bool) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.permanent = code, permanent


def percent_encode(value: str) -> str:
    """RFC 3986 encoding of UTF-8 text, as the signature requires: only A-Z a-z 0-9 - _ . ~ are kept."""
    return quote(str(value), safe="-_.~", encoding="utf-8")


def canonicalized_query(params: dict[str, str]) -> str:
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))


def string_to_sign(method: str, params: dict[str, str]) -> str:
    return f"{method.upper()}&{percent_encode('/')}&{percent_encode(canonicalized_query(params))}"


def signature(secret: str, method: str, params: dict[str, str]) -> str:
    """Return the Base64 HMAC-SHA1 of the string to sign, keyed with the secret followed by "&"."""
    digest = hmac.new(f"{secret}&".encode(), string_to_sign(method, params).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _common_params(
    *, action: str, access_key_id: str, region: str, now: datetime | None, nonce: str | None
) -> dict[str, str]:
    return {
        "AccessKeyId": access_key_id,
        "Action": action,
        "Format": "JSON",
        "RegionId": region,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": nonce or uuid.uuid4().hex,
        "SignatureVersion": "1.0",
        "Timestamp": (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": VERSION,
    }


def send_sms_params(
    *,
    access_key_id: str,
    region: str,
    phone: str,
    sign_name: str,
    template_code: str,
    template_param: dict,
    out_id: str = "",
    now: datetime | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The parameters of one SendSms call, without the signature."""
    params = {
        **_common_params(action=ACTION, access_key_id=access_key_id, region=region, now=now, nonce=nonce),
        "PhoneNumbers": phone,
        "SignName": sign_name,
        "TemplateCode": template_code,
        "TemplateParam": json.dumps(template_param, ensure_ascii=False, separators=(",", ":")),
    }
    if out_id:
        params["OutId"] = out_id
    return params


def query_send_details_params(
    *, access_key_id: str, region: str, phone: str, send_date: date, page: int = 1, now: datetime | None = None
) -> dict[str, str]:
    """The parameters of one QuerySendDetails call (one page of one number's messages of one day), unsigned."""
    return {
        **_common_params(action=QUERY_ACTION, access_key_id=access_key_id, region=region, now=now, nonce=None),
        "PhoneNumber": phone,
        "SendDate": f"{send_date:%Y%m%d}",
        "PageSize": str(QUERY_PAGE_SIZE),
        "CurrentPage": str(page),
    }


def send_sms(*, endpoint: str, secret: str, params: dict[str, str], timeout: float) -> str:
    """POST a signed SendSms call; return the provider's BizId, or raise ``AliyunError`` / ``OSError``."""
    return str(_call(endpoint=endpoint, secret=secret, params=params, timeout=timeout).get("BizId", ""))


def query_send_details(*, endpoint: str, secret: str, params: dict[str, str], timeout: float) -> tuple[int, list]:
    """POST a signed QuerySendDetails call; return the day's total count and this page's records (dicts), or
    raise ``AliyunError`` / ``OSError``."""
    answer = _call(endpoint=endpoint, secret=secret, params=params, timeout=timeout)
    records = (answer.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []
    return int(answer.get("TotalCount") or 0), [r for r in records if isinstance(r, dict)]


def _call(*, endpoint: str, secret: str, params: dict[str, str], timeout: float) -> dict:
    """POST one signed call; return its answer when its ``Code`` is "OK", or raise ``AliyunError`` / ``OSError``."""
    signed = {**params, "Signature": signature(secret, "POST", params)}
    body = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in signed.items()).encode()
    request = urllib.request.Request(  # noqa: S310 - the endpoint is the operator's own setting
        endpoint,
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read()
    except urllib.error.HTTPError as exc:  # 4xx/5xx carry the same JSON answer with the error's code
        raw = exc.read()
        if exc.code >= 500 and not raw:
            raise
    try:
        answer = json.loads(raw or b"{}")
    except ValueError as exc:
        raise AliyunError("InvalidResponse", raw[:100].decode(errors="replace"), permanent=False) from exc
    if not isinstance(answer, dict):
        raise AliyunError("InvalidResponse", raw[:100].decode(errors="replace"), permanent=False)
    code = str(answer.get("Code", ""))
    if code == "OK":
        return answer
    raise AliyunError(code or "Unknown", str(answer.get("Message", "")), permanent=code in PERMANENT_CODES)
