"""The GeoReport v2 endpoints: /open311/v2/<resource>.<json|xml>.

No session and no login: GET is open to anyone, POST takes an API key the street issued (cases.models.Open311Key).
A POST is anonymous feedback through the same service, checks and rate limits as the QR form; the spec's personal
fields are never read into anything that is stored. Photos: ``media_url`` is neither fetched nor kept (fetching
a URL a client names would make this server reach wherever it points, and keep a photo nobody cleaned); the
answer says so, and the QR form takes photos. Errors come as the spec shapes them: 400, 403 for the key, 404 for
what does not exist, and 429 (with Retry-After) when a key or an address sends too much.
"""

import functools
import re

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters

from lucun.errors import DomainError, NotAllowed, error_message
from lucun.models import Street
from lucun.text import mask_phone, paragraph

from .. import ratelimit, selectors, services
from ..models import Feedback
from ..selectors.open311 import LISTING_SPAN, listing_window
from ..services.feedback import clean_phone, clean_sms_phone, clean_text
from . import render, shapes

# What the spec lets a client send about the person or the place; masked in error reports, never stored.
SENSITIVE = ("api_key", "email", "first_name", "last_name", "phone", "device_id", "account_id", "description")
SENSITIVE += ("lat", "long", "address_string", "address_id", "media_url")
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,40})\](?:\[\])?$")
YES = ("yes", "true", "1")
NO = ("no", "false", "0", "")


class Open311Error(Exception):
    """An answer in the spec's error shape: the HTTP status, and the description the client shows."""

    def __init__(self, status: int, description: str, retry_after: int | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


def endpoint(*methods: str):
    """Check the format and the method, and turn every refusal into the spec's error answer in that format."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorator(view):
        @csrf_exempt  # a key, not a session, authorises a POST: there is nothing for a forged request to ride on
        @functools.wraps(view)
        def wrapped(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
            fmt = fmt.lower()
            if fmt not in render.FORMATS:
                unsupported = _("不支持“.%(fmt)s”:请在地址末尾用 .json 或 .xml。") % {"fmt": fmt[:10]}
                return render.errors("json", 400, unsupported)
            if request.method not in allowed:
                response = render.errors(fmt, 405, _("此地址不接受 %(method)s 请求。") % {"method": request.method})
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            try:
                return view(request, fmt, **kwargs)
            except Open311Error as exc:
                response = render.errors(fmt, exc.status, exc.description)
                if exc.retry_after:
                    response["Retry-After"] = str(exc.retry_after)
                return response
            except NotAllowed as exc:
                return render.errors(fmt, 403, error_message(exc))
            except DomainError as exc:
                return render.errors(fmt, 400, error_message(exc))

        return wrapped

    return decorator


def _private(response: HttpResponse) -> HttpResponse:
    """An answer that holds a sender's id: kept by no cache, its address passed on as no referrer."""
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "no-referrer"
    return response


def _param(request: HttpRequest, name: str) -> str:
    """A parameter from the form body of a POST, else from the query string (some clients send keys there)."""
    value = request.POST.get(name, "") if request.method == "POST" else ""
    return (value or request.GET.get(name, "")).strip()


def _listed(request: HttpRequest, name: str) -> list[str]:
    """A parameter the spec lets a client repeat or join with commas."""
    return [part.strip() for value in request.GET.getlist(name) for part in value.split(",") if part.strip()]


def _street(request: HttpRequest) -> Street:
    jurisdiction = _param(request, "jurisdiction_id")
    if jurisdiction:
        street = selectors.open311_street(jurisdiction)
        if street is None:
            raise Open311Error(
                404,
                _("没有找到 jurisdiction_id 为“%(id)s”的街道;jurisdiction_id 是街道编号,如 LH。")
                % {"id": jurisdiction[:20]},
            )
        return street
    street = selectors.open311_only_street()
    if street is None:
        raise Open311Error(400, _("请提供 jurisdiction_id(街道编号,如 LH):本接口服务不止一个街道。"))
    return street


def _too_many(window: int) -> Open311Error:
    return Open311Error(429, _("提交或查询太频繁了,请稍后再试。"), retry_after=window)


# --- Discovery and services ---------------------------------------------------------------------------------


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Where the endpoint is, what it speaks, whom to ask for a key; and that media_url is not fetched."""
    base = selectors.open311_url(reverse("open311:discovery", kwargs={"fmt": fmt}), request).rsplit("/", 1)[0]
    hotlines = "；".join(f"{s.name} {s.hotline}" for s in selectors.open311_streets() if s.hotline)
    data = {
        "changeset": shapes.CHANGESET,
        "contact": _(
            "请联系街道服务热线:%(hotlines)s。jurisdiction_id 是街道编号。提交的诉求匿名保存:不保存姓名、邮箱、"
            "设备号、账号和位置;media_url 指向的照片不下载,链接也不保存。"
        )
        % {"hotlines": hotlines or _("见街道公示")},
        "key_service": _("提交诉求(POST requests)需要 API 密钥:由街道办在管理后台签发,请向街道服务热线申请。"),
        "endpoints": [
            {
                "specification": shapes.SPECIFICATION,
                "url": base,
                "changeset": shapes.CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render.respond(fmt, "discovery", data)


@endpoint("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    _street(request)
    return render.respond(fmt, "services", [shapes.service(c) for c in selectors.open311_services()])


@endpoint("GET")
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    street = _street(request)
    category = selectors.open311_service(code)
    if category is None:
        raise Open311Error(404, _("没有这项服务:service_code“%(code)s”。") % {"code": code[:30]})
    definition = shapes.service_definition(category, selectors.open311_communities(street))
    return render.respond(fmt, "service_definition", definition)


# --- Requests -----------------------------------------------------------------------------------------------


@endpoint("GET", "POST")
@sensitive_post_parameters(*SENSITIVE)
def service_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    """POST: take a request with an API key. GET: the public list, where the street switched it on."""
    if request.method == "POST":
        return _submit(request, fmt)
    return _listing(request, fmt)


def _attributes(request: HttpRequest) -> dict[str, str]:
    found = {}
    for name in request.POST:
        match = _ATTRIBUTE.match(name)
        if match:
            found[match.group(1)] = request.POST.getlist(name)[0].strip()
    return found


def _choice(attributes: dict[str, str], name: str) -> bool:
    """A yes/no attribute of the service definition (left out: no)."""
    value = attributes.get(name, "").lower()
    if value not in YES + NO:
        raise Open311Error(400, _("attribute[%(name)s] 只能是 yes 或 no。") % {"name": name})
    return value in YES


def _submit(request: HttpRequest, fmt: str) -> HttpResponse:
    street = _street(request)
    secret = _param(request, "api_key")
    if not secret:
        raise Open311Error(403, _("缺少 api_key:提交诉求需要街道签发的 API 密钥。"))
    key = selectors.open311_key(secret)
    if key is None:
        raise Open311Error(403, _("api_key 无效或已吊销。"))
    if key.street_id != street.pk:
        raise Open311Error(403, _("这个 api_key 不能向 %(street)s 提交。") % {"street": street.name})
    if ratelimit.key_limit_exceeded(key):
        raise Open311Error(
            429, _("这个 API 密钥一小时内提交太多了,请稍后再试。"), retry_after=ratelimit.KEY_WINDOW_SECONDS
        )
    code = _param(request, "service_code")
    if not code:
        raise Open311Error(400, _("缺少 service_code:可选的服务见 services.%(fmt)s。") % {"fmt": fmt})
    category = selectors.open311_service(code)
    if category is None:
        raise Open311Error(404, _("没有这项服务:service_code“%(code)s”。") % {"code": code[:30]})
    attributes = _attributes(request)
    community = selectors.open311_community(
        street=street, key=attributes.get("community", ""), address=_param(request, "address_string")
    )
    if community is None:
        raise Open311Error(
            400,
            _(
                "请用 attribute[community] 选择村(居)(可选值见 services/%(code)s.%(fmt)s),"
                "或在 address_string 中写明村(居)名称。"
            )
            % {"code": category.code, "fmt": fmt},
        )
    callback, sms = _choice(attributes, "callback"), _choice(attributes, "sms")
    if sms and "callback" in attributes and not callback:
        # A number kept for the SMS is kept like any other: staff see it and may call, which "no" refused.
        raise Open311Error(
            400,
            _(
                "选了办结短信(attribute[sms]=yes)就会保存手机号,工作人员能看到,也可能回电;"
                "不希望回电(attribute[callback]=no)时请不要选短信。"
            ),
        )
    phone = _param(request, "phone")
    # The form's checks, before the address's limit counts: as on the form, only a message that can be kept counts.
    text = clean_text(request.POST.get("description", ""))
    if sms:  # an SMS needs a mobile number, and keeps it
        phone = clean_sms_phone(phone)
    elif callback:
        phone = clean_phone(phone)
    else:
        phone = ""
    if key.limit_each_address and ratelimit.limit_exceeded(request, "submit"):
        raise _too_many(ratelimit.WINDOW_SECONDS)
    feedback = services.open311_request_submit(
        key=key, community=community, category=category, text=text, phone=phone, callback=callback, sms=sms
    )
    dropped_phone = bool(_param(request, "phone")) and not (callback or sms)
    notice = _receipt_notice(request, feedback, street, dropped_phone=dropped_phone)
    receipt = {"service_request_id": feedback.lookup_code, "service_notice": notice, "account_id": None}
    return _private(render.respond(fmt, "service_requests", [receipt], status=201))


def _receipt_notice(request: HttpRequest, feedback: Feedback, street: Street, *, dropped_phone: bool) -> str:
    parts = [
        selectors.open311_setting(street).service_notice or _("已收到,工作人员会尽快查看。"),
        _("service_request_id 就是查询码,请转告反映人保存好:凭它查看进度,办结后评价(%(url)s)。")
        % {"url": selectors.feedback_status_url(code=feedback.lookup_code, request=request)},
    ]
    if request.POST.get("media_url", "").strip():
        parts.append(_("照片链接没有下载也没有保存;需要照片时请扫街道的反馈二维码上传。"))
    if feedback.notify_sms:
        parts.append(_("办结后会发一条只含查询码的短信到 %(phone)s。") % {"phone": mask_phone(feedback.reply_phone)})
    if dropped_phone:
        parts.append(_("没有选择回电(attribute[callback]=yes)或短信(attribute[sms]=yes),电话没有保存。"))
    return paragraph(parts)


def _when(request: HttpRequest, name: str):
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    moment = parse_datetime(raw.replace(" ", "+"))  # a "+" in a query string often arrives as a space
    if moment is None:
        raise Open311Error(400, _("%(name)s 格式不对,请用 2026-01-01T00:00:00+08:00 这样的时间。") % {"name": name})
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _listing(request: HttpRequest, fmt: str) -> HttpResponse:
    street = _street(request)
    if not selectors.open311_setting(street).public_listing:
        raise Open311Error(404, _("%(street)s 没有开放诉求列表。") % {"street": street.name})
    numbers = _listed(request, "service_request_id")
    statuses = _listed(request, "status")
    if set(statuses) - {"open", "closed"}:
        raise Open311Error(400, _("status 只能是 open 或 closed。"))
    start, end = _when(request, "start_date"), _when(request, "end_date")
    if not numbers:
        start, end = listing_window(start, end)
        if end < start or end - start > LISTING_SPAN:
            raise Open311Error(400, _("start_date 到 end_date 不能超过 90 天,也不能倒过来。"))
    cases = selectors.open311_public_cases(
        street=street,
        numbers=numbers,
        service_codes=_listed(request, "service_code"),
        statuses=statuses,
        start=start,
        end=end,
    )
    return render.respond(fmt, "service_requests", [shapes.request_public(c, street) for c in cases])


def _sender_feedback(request: HttpRequest, street: Street, code: str) -> Feedback:
    """The sender's request by the id the POST returned; misses count as on the status page (guessing ids)."""
    if ratelimit.limit_exceeded(request, "lookup", count=False):
        raise _too_many(ratelimit.WINDOW_SECONDS)
    feedback = selectors.feedback_by_code(code)
    if feedback is None or feedback.street_id != street.pk:
        ratelimit.limit_exceeded(request, "lookup")
        raise Open311Error(404, _("没有找到这个编号的诉求。"))
    return feedback


@endpoint("GET")
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    """One request: by the sender's id (the lookup code), or by case number where the public list is on."""
    street = _street(request)
    code = selectors.normalize_lookup_code(request_id)
    if code is not None:
        feedback = _sender_feedback(request, street, code)
        return _private(render.respond(fmt, "service_requests", [shapes.request_for_sender(feedback)]))
    case = None
    if selectors.open311_setting(street).public_listing:
        case = selectors.open311_public_case(street=street, number=request_id.strip()[:30])
    if case is None:
        raise Open311Error(404, _("没有找到这个编号的诉求。"))
    return render.respond(fmt, "service_requests", [shapes.request_public(case, street)])


@endpoint("GET")
def token_lookup(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    """The spec's token look-up: this endpoint answers in real time, so a token is the request id itself."""
    street = _street(request)
    feedback = _sender_feedback(request, street, token)
    answer = [{"service_request_id": feedback.lookup_code, "token": feedback.lookup_code}]
    return _private(render.respond(fmt, "service_requests", answer))
