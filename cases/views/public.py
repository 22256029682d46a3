"""The public feedback pages: no account, no WeChat login, nothing identifying kept.

They read and write no session and show nothing of the staff side. The forms are exempt from CSRF on
purpose: there is no login or session to protect, and a token that expires would fail an elderly
person who takes their time (the forms have no time limit). Abuse is held back by the rate limit.
"""

import secrets

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from lucun.errors import page_errors
from lucun.http import no_referrer, secret_page
from lucun.models import Community, Street

from .. import forms, public_cache, selectors, services
from ..models import Feedback, FeedbackChannel
from ..ratelimit import limit_exceeded


def _url(request: HttpRequest, name: str, **kwargs) -> str:
    """Reverse a public page in the namespace this request came through (/f/… at the root, or /cases/f/…)."""
    namespace = request.resolver_match.namespace if request.resolver_match else "cases:feedback"
    return reverse(f"{namespace}:{name}", kwargs=kwargs or None)


def _hotlines() -> list[dict]:
    return [{"street": c.street.name, "hotline": c.street.hotline} for c in selectors.street_channels()]


def _limited(request: HttpRequest, street=None) -> HttpResponse:
    return render(
        request,
        "cases/public/limited.html",
        {"street": street, "hotline": street.hotline if street else "", "lookup_url": _url(request, "lookup")},
        status=429,
    )


@csrf_exempt
@no_referrer
@require_http_methods(["GET", "POST"])
def feedback_form(request: HttpRequest, token: str) -> HttpResponse:
    """The page a QR code opens: the form, with the community filled in from the code.

    The empty form is the same for everyone who opens a code but for its submit key: it is kept in the
    cache (``cases.public_cache``) and served with a fresh key. A message sent is answered with its receipt
    (the lookup code) in the response to the POST itself: a redirect to the status page would put the code in
    an address requested the same second, which the access logs would tie to the sending.
    """
    page_key = version = None
    if request.method == "GET" and selectors.token_is_wellformed(token):
        page_key = ":".join(
            (
                "cases:public-form:page",
                token,
                request.resolver_match.namespace if request.resolver_match else "",
                get_language() or "",
                get_script_prefix(),
            )
        )
        page, version = public_cache.get(page_key)
        if page is not None:
            return _fresh_page(page)
    channel = selectors.channel_by_token(token)
    if channel is None:
        return render(
            request,
            "cases/public/unknown.html",
            {
                "street_channels": [
                    {"channel": c, "url": _url(request, "form", token=c.token)} for c in selectors.street_channels()
                ],
                "lookup_url": _url(request, "lookup"),
            },
            status=404,
        )
    target, notice = channel, ""
    if not channel.is_active:
        # A lost or replaced card still reaches the street: the same form, sent to the street-wide code.
        target = services.feedback_channel_street_wide(street=channel.street)
        notice = _("这个二维码已停用。您仍然可以在下面向%(street)s反映情况,一样会有人处理。") % {
            "street": channel.street.name
        }
    response = _form_page(request, target, channel.community, notice)
    if request.method == "POST":
        add_never_cache_headers(response)  # the receipt holds the lookup code, a refused form the text typed
        return response
    if page_key is not None and response.status_code == 200:
        html = response.content.decode()
        if html.count(response.submit_key) == 1:
            head, _key, tail = html.partition(response.submit_key)
            public_cache.put(page_key, (head, tail), version)
    return response


def _fresh_page(page: tuple[str, str]) -> HttpResponse:
    head, tail = page
    response = HttpResponse(head + _new_submit_key() + tail)
    patch_vary_headers(response, ("Cookie",))  # as the rendered page: the language may come from a cookie
    return response


def _new_submit_key() -> str:
    """The key that makes a second tap on "send" return the message the first one stored."""
    return secrets.token_urlsafe(16)


def _form_page(
    request: HttpRequest, channel: FeedbackChannel, community: Community | None, notice: str
) -> HttpResponse:
    options = selectors.public_form_options(street=channel.street)
    form = forms.PublicFeedbackForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        communities=options["communities"],
        categories=options["categories"],
        initial={"community": community.pk if community else None, "submit_key": _new_submit_key()},
    )
    status = 200
    if request.method == "POST" and request.POST.get("same_case"):
        response = _same_question(request, channel, form, options)
        if response is not None:
            return response
        status = 400
    elif request.method == "POST":
        status = 400
        if form.is_robot:
            limit_exceeded(request, "submit")
            form.add_error(None, _("提交没有成功:请不要填写“请勿填写此项”那一栏,然后再点一次“提交”。"))
        elif form.is_valid():
            if limit_exceeded(request, "submit"):
                return _limited(request, channel.street)
            data = form.cleaned_data
            # All or nothing: after a failed write neither the message nor its photos were kept.
            failed_write = _("提交没有成功:系统暂时无法保存,请稍后再试一次,或拨打街道服务热线反映。")
            with page_errors(request, form, database_errors=failed_write) as call:
                feedback, _created = services.feedback_submit(
                    channel=channel,
                    community=data["community"],
                    category=data["category"],
                    text=data["text"],
                    reply_phone=data["reply_phone"],
                    notify_sms=data["notify_sms"],
                    photos=data["photos"],
                    submit_key=data["submit_key"] or None,
                )
            if call.ok:
                # Reloading this page sends the same submit key again, which returns this same receipt. The
                # street is the channel's (no query: sending stays one INSERT).
                street = channel.street if feedback.street_id == channel.street_id else feedback.street
                return _status_page(request, feedback, just_sent=True, street=street)
    chosen = form["community"].value() if request.method == "POST" else (community.pk if community else None)
    initial_community = next((c for c in options["communities"] if str(c.pk) == str(chosen)), None)
    response = render(
        request,
        "cases/public/form.html",
        {
            "form": form,
            "channel": channel,
            "street": channel.street,
            "hotline": channel.street.hotline,
            "notice": notice,
            "action": _url(request, "form", token=channel.token),
            "similar_url": _url(request, "similar", token=channel.token),
            "lookup_url": _url(request, "lookup"),
            "initial_community": initial_community,
            "photos_lost": request.method == "POST" and bool(request.FILES),
            "text_max": Feedback.TEXT_MAX,
        },
        status=status,
    )
    response.submit_key = form.initial["submit_key"]
    return response


def _same_question(request: HttpRequest, channel: FeedbackChannel, form, options: dict) -> HttpResponse | None:
    """ "我也遇到" on a suggested case: the receipt of a 同问, or None with the refusal added to the form.

    Only the community, the case, the phone (when the villager left one to be called back) and the submit key are
    read; the text typed and the photos are not kept.
    """
    if form.is_robot:
        limit_exceeded(request, "submit")
        form.add_error(None, _("提交没有成功:请不要填写“请勿填写此项”那一栏,然后再点一次“提交”。"))
        return None
    same = forms.SameQuestionForm(request.POST, communities=options["communities"])
    if not same.is_valid():
        for error in same.errors.values():
            form.add_error(None, error)
        return None
    if limit_exceeded(request, "submit"):
        return _limited(request, channel.street)
    data = same.cleaned_data
    case = selectors.same_question_case(community=data["community"], number=data["same_case"])
    if case is None:
        form.add_error(None, _("这个问题已经办结或不再公开。请写下您的情况,点“提交”。"))
        return None
    with page_errors(request, form) as call:
        feedback, _created = services.same_question_submit(
            channel=channel, case=case, reply_phone=data["reply_phone"], submit_key=data["submit_key"] or None
        )
    if not call.ok:
        return None
    response = _status_page(request, feedback, just_sent=True, street=channel.street)
    add_never_cache_headers(response)
    return response


@csrf_exempt
@no_referrer
@require_POST
def feedback_similar(request: HttpRequest, token: str) -> JsonResponse:
    """The form's look-up of open cases like the one being written (JSON; the form works without it).

    POST, so that the words typed never appear in an address or a log. Only what is public of a case is
    answered, and only cases of the chosen community of this code's street and of the chosen category.
    """
    channel = selectors.channel_by_token(token)
    if channel is None:
        return _json({"suggestions": [], "error": _("二维码无效。")}, status=404)
    if limit_exceeded(request, "similar"):
        return _json({"suggestions": [], "error": _("查询太频繁,请稍后再试。")}, status=429)
    options = selectors.public_form_options(street=channel.street)
    communities = {str(c.pk): c for c in options["communities"]}
    categories = {str(c.pk): c for c in options["categories"]}
    community = communities.get(request.POST.get("community", ""))
    category = categories.get(request.POST.get("category", ""))
    text = (request.POST.get("text") or "")[: Feedback.TEXT_MAX]
    if community is None:
        return _json({"suggestions": []})
    found = selectors.same_question_suggestions(community=community, category=category, text=text)
    return _json({"suggestions": [s.as_json() for s in found]})


def _json(data: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    add_never_cache_headers(response)
    return response


@secret_page
def feedback_lookup(request: HttpRequest) -> HttpResponse:
    """Enter a lookup code (查询码) to see the progress."""
    form = forms.LookupForm(request.GET or None)
    status = 200
    if request.GET and form.is_valid():
        code = selectors.normalize_lookup_code(form.cleaned_data["code"])
        if code:
            return redirect(_url(request, "status", code=code))
        form.add_error("code", _("查询码是 8 位数字和字母,请对照截图再输入一次。"))
        status = 400
    return render(request, "cases/public/lookup.html", {"form": form, "hotlines": _hotlines()}, status=status)


def _status_page(
    request: HttpRequest,
    feedback: Feedback,
    answer_form=None,
    status: int = 200,
    just_sent: bool = False,
    street: Street | None = None,
) -> HttpResponse:
    street = street or feedback.street
    can_answer = services.feedback_can_answer(feedback)
    answer_errors = list(answer_form.non_field_errors()) if answer_form is not None else []
    if not can_answer:
        answer_form = None
    return render(
        request,
        "cases/public/status.html",
        {
            "feedback": feedback,
            "status": selectors.feedback_status(feedback),
            "street": street,
            "hotline": street.hotline,
            "just_sent": just_sent,
            "status_url": _url(request, "status", code=feedback.lookup_code),
            "just_answered": request.GET.get("answered") == "1",
            "answer_form": answer_form or (forms.AnswerForm() if can_answer else None),
            "answer_errors": answer_errors,
            "answer_url": _url(request, "answer", code=feedback.lookup_code),
            "lookup_url": _url(request, "lookup"),
        },
        status=status,
    )


@secret_page
def feedback_status(request: HttpRequest, code: str) -> HttpResponse:
    """The sender's status page: received → being handled → resolved, the public reply, the answer form."""
    if limit_exceeded(request, "lookup", count=False):
        return _limited(request)
    feedback = selectors.feedback_by_code(code)
    if feedback is None:
        limit_exceeded(request, "lookup")  # only misses count: guessing codes is what is held back
        form = forms.LookupForm(initial={"code": code})
        return render(
            request,
            "cases/public/lookup.html",
            {"form": form, "not_found": True, "hotlines": _hotlines()},
            status=404,
        )
    return _status_page(request, feedback)


@csrf_exempt
@secret_page
@require_POST
def feedback_answer(request: HttpRequest, code: str) -> HttpResponse:
    """Take the sender's answer once: solved? satisfied?"""
    feedback = selectors.feedback_by_code(code)
    if feedback is None:
        return redirect(_url(request, "lookup"))
    if limit_exceeded(request, "answer"):
        return _limited(request, feedback.street)
    form = forms.AnswerForm(request.POST)
    if form.is_valid():
        with page_errors(request, form) as call:
            services.feedback_answer(
                feedback=feedback, solved=form.cleaned_data["solved"], satisfaction=form.cleaned_data["satisfaction"]
            )
        if call.ok:
            return redirect(_url(request, "status", code=feedback.lookup_code) + "?answered=1")
    feedback.refresh_from_db()
    return _status_page(request, feedback, answer_form=form, status=400)
