import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.templatetags.static import static
from django.test import override_settings
from django.urls import reverse

from cases import services
from cases.models import Case, CaseState, Feedback, FeedbackPhoto
from tests.cases.factories import category, channel, jpeg_bytes, submit, upload

pytestmark = pytest.mark.django_db

PHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN"
)
CSS = Path(settings.BASE_DIR) / "static" / "cases" / "public.css"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def poster(community):
    return channel(community=community)


@pytest.fixture
def street_code(street):
    return channel(street=street, label="芦湖街道 街道总码")


def form_url(token: str) -> str:
    return reverse("cases:feedback:form", kwargs={"token": token})


def status_url(code: str) -> str:
    return reverse("cases:feedback:status", kwargs={"code": code})


def post_form(client, channel, **data):
    payload = {"community": channel.community_id, "text": "村口路灯坏了三盏,晚上看不见路。", "category": ""}
    payload.update(data)
    return client.post(form_url(channel.token), payload, HTTP_USER_AGENT=PHONE_UA, REMOTE_ADDR="203.0.113.7")


# --- The form -----------------------------------------------------------------------------------------


def test_form_opens_without_login_with_the_promise_and_the_community_filled_in(client, poster, community):
    response = client.get(form_url(poster.token))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="privacy-promise"' in html and "不要姓名" in html
    assert re.search(rf'name="community" value="{community.pk}"[^>]*checked', html)
    assert 'data-testid="current-community"' in html and community.name in html
    assert "cases/public.css" in html and "css/lucun.css" not in html
    assert "site-nav" not in html and "<select" not in html  # no staff shell, no dropdowns
    assert 'type="radio" name="category"' in html and "其他" in html
    # One small script of our own ("我也遇到" suggestions), loaded from a file; the form works without it.
    assert re.findall(r"<script[^>]*>", html) == [f'<script src="{static("cases/same-question.js")}" defer>']


def test_public_css_is_elder_friendly():
    css = CSS.read_text()

    def rule(selector: str) -> str:
        match = re.search(rf"(?m)^{re.escape(selector)}\s*\{{([^}}]*)\}}", css)
        assert match, selector
        return match.group(1)

    def px(block: str, prop: str) -> int:
        return int(re.search(rf"(?<![-\w]){prop}:\s*(\d+)px", block).group(1))

    assert px(rule("body.public"), "font-size") >= 18
    for selector in (".p-tile", ".p-button"):
        block = rule(selector)
        assert px(block, "min-height") >= 60 and px(block, "min-width") >= 60, selector
        assert px(block, "font-size") >= 18, selector
    assert px(rule(".p-link"), "min-height") >= 60
    assert "@import" not in css and "url(" not in css  # nothing else to load


def test_page_weight_stays_under_300_kb(client, poster):
    html = client.get(form_url(poster.token)).content
    script = Path(settings.BASE_DIR) / "static" / "cases" / "same-question.js"
    assert len(html) + CSS.stat().st_size + script.stat().st_size < 300 * 1024
    assert not re.search(rb"<(img|iframe)\b", html)
    assert len(re.findall(rb"<script\b", html)) == 1  # the suggestions' own small file, deferred


def test_a_phone_submission_with_a_photo_gives_a_lookup_code_and_stores_nothing_identifying(client, poster):
    response = post_form(client, poster, category=str(category("infrastructure").pk), photos=[upload(jpeg_bytes())])
    feedback = Feedback.objects.get()
    page = response.content.decode()
    assert response.status_code == 200
    assert feedback.display_code in page and "请截图保存" in page and "0533-6960000" in page
    values = " ".join(str(v) for v in Feedback.objects.values().get().values())
    assert "203.0.113.7" not in values and "iPhone" not in values and "MicroMessenger" not in values
    photo = FeedbackPhoto.objects.get()
    assert b"SecretPhoneMaker" not in photo.image.read()
    assert not client.cookies.get(settings.SESSION_COOKIE_NAME)


def test_empty_or_overlong_text_gets_a_plain_message_and_saves_nothing(client, poster):
    response = post_form(client, poster, text="")
    assert response.status_code == 400 and "请说说情况" in response.content.decode()
    response = post_form(client, poster, text="长" * 1001)
    assert response.status_code == 400 and "最多 1000 个字" in response.content.decode()
    assert not Feedback.objects.exists()


def test_a_text_file_named_jpg_is_refused_in_chinese_and_nothing_is_saved(client, poster):
    response = post_form(client, poster, photos=[upload(b"not a photo at all" * 20, name="x.jpg")])
    html = response.content.decode()
    assert response.status_code == 400
    assert "不是能打开的照片" in html and "照片需要重新选择" in html
    assert "村口路灯坏了三盏" in html  # the text typed is kept
    assert not Feedback.objects.exists() and not FeedbackPhoto.objects.exists()


def test_a_huge_image_is_refused_in_chinese(client, poster):
    bomb = upload(jpeg_bytes(size=(20000, 20000), exif=False, fmt="PNG"), name="b.png", content_type="image/png")
    response = post_form(client, poster, photos=[bomb])
    assert response.status_code == 400 and "尺寸太大" in response.content.decode()
    assert not Feedback.objects.exists()


def test_the_honeypot_refuses_and_saves_nothing(client, poster):
    response = post_form(client, poster, website="http://spam.example")
    assert response.status_code == 400 and "请勿填写此项" in response.content.decode()
    assert not Feedback.objects.exists()


def test_the_sixth_message_in_ten_minutes_from_one_address_is_held_back(client, poster):
    for _ in range(5):
        assert post_form(client, poster).status_code == 200
    response = post_form(client, poster)
    assert response.status_code == 429 and "请过十分钟再试" in response.content.decode()
    assert Feedback.objects.count() == 5
    other = client.post(
        form_url(poster.token), {"community": poster.community_id, "text": "另一台手机"}, REMOTE_ADDR="198.51.100.9"
    )
    assert other.status_code == 200


def test_the_cache_keeps_only_a_salted_hash_of_the_address(client, poster):
    import time

    from django.core.cache.backends.locmem import LocMemCache

    from cases.ratelimit import WINDOW_SECONDS
    from lucun.throttle import key as throttle_key

    post_form(client, poster)
    key = throttle_key("feedback-submit", "203.0.113.7", WINDOW_SECONDS, time.time())
    assert re.fullmatch(r"throttle:feedback-submit:\d+:[0-9a-f]{32}", key) and "203.0.113" not in key
    assert cache.get(key) == 1
    backend = caches["default"]
    if isinstance(backend, LocMemCache):
        assert not any("203.0.113.7" in str(k) for k in backend._cache)


@override_settings(CACHES={"default": {"BACKEND": "tests.cases.broken_cache.BrokenCache"}})
def test_intake_accepts_the_message_when_the_cache_is_down(client, poster):
    for _ in range(7):
        assert post_form(client, poster).status_code == 200
    assert Feedback.objects.count() == 7


def test_a_double_tap_on_submit_stores_one_message(client, poster):
    first = post_form(client, poster, submit_key="same-form-key-1234")
    second = post_form(client, poster, submit_key="same-form-key-1234", text="再点一次,文字改了")
    code = Feedback.objects.get().display_code
    assert code in first.content.decode() and code in second.content.decode() and Feedback.objects.count() == 1


# --- Unknown, malformed and stopped codes ---------------------------------------------------------------


@pytest.mark.parametrize("token", ["AbCdEfGhIjKlMnOp", "x", "bad token!!", "a" * 60])
def test_an_unknown_or_malformed_code_gets_a_friendly_page_offering_the_street_form(client, street_code, token):
    response = client.get(f"/cases/f/{token}/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "这个二维码没有找到" in html and form_url(street_code.token) in html and "向芦湖街道反映" in html


def test_the_bare_f_address_under_cases_opens_the_street_form_too(client, community):
    html = client.get("/cases/f/").content.decode()
    token = services.feedback_channel_street_wide(street=community.street).token
    assert "这个二维码没有找到" not in html and f'action="/cases/f/{token}/"' in html


def test_a_stopped_card_says_so_and_sends_the_message_to_the_street(client, poster, community):
    services.feedback_channel_deactivate(channel=poster, user=None, reason="联系卡遗失")
    response = client.get(form_url(poster.token))
    html = response.content.decode()
    street_code = services.feedback_channel_street_wide(street=community.street)
    assert response.status_code == 200 and "这个二维码已停用" in html
    assert f'action="{form_url(street_code.token)}"' in html
    response = client.post(form_url(street_code.token), {"community": community.pk, "text": "路灯坏了"})
    assert response.status_code == 200
    feedback = Feedback.objects.get()
    assert feedback.channel == street_code and feedback.community == community


def test_the_street_form_asks_for_the_community(client, street_code, community, other_community):
    html = client.get(form_url(street_code.token)).content.decode()
    assert 'data-testid="current-community"' not in html and other_community.name in html
    response = client.post(form_url(street_code.token), {"text": "路灯坏了"})
    assert response.status_code == 400 and "请选择村(居)" in response.content.decode()


# --- Status page ----------------------------------------------------------------------------------------


def test_the_status_page_follows_the_case_to_resolution_and_takes_the_answer_once(client, poster, cadre):
    feedback = submit(channel=poster)
    page = client.get(status_url(feedback.lookup_code)).content.decode()
    assert 'data-stage="received"' in page and "已收到" in page
    case = services.feedback_create_case(feedback=feedback, user=cadre, title="路灯")
    services.case_record_progress(case=case, user=cadre, note="内部备注:找电工老李", contacted=True)
    page = client.get(status_url(feedback.lookup_code)).content.decode()
    assert 'data-stage="handling"' in page and "内部备注" not in page and 'data-testid="answer-form"' not in page
    services.case_resolve(case=case, user=cadre, resolution="内部:更换灯泡三只", public_reply="路灯已修好。")
    page = client.get(status_url(feedback.lookup_code)).content.decode()
    assert 'data-stage="resolved"' in page and "路灯已修好。" in page and "更换灯泡" not in page
    assert 'data-testid="answer-form"' in page
    answer = reverse("cases:feedback:answer", kwargs={"code": feedback.lookup_code})
    response = client.post(answer, {"solved": "yes", "satisfaction": "satisfied"})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "谢谢您的评价" in page and 'data-testid="answer-form"' not in page
    assert '<p data-testid="answered">您的评价:问题已解决,满意。谢谢您!</p>' in page
    english = client.get(status_url(feedback.lookup_code), headers={"accept-language": "en"}).content.decode()
    assert '<p data-testid="answered">Your rating: problem solved, satisfied. Thank you!</p>' in english
    response = client.post(answer, {"solved": "no", "satisfaction": "dissatisfied"})
    assert response.status_code == 400 and "已经评价过了" in response.content.decode()
    feedback.refresh_from_db()
    assert feedback.satisfaction == "satisfied" and Case.objects.get().state == CaseState.RESOLVED


def test_a_dissatisfied_answer_on_the_page_reopens_the_case(client, poster, cadre):
    feedback = submit(channel=poster)
    case = services.feedback_create_case(feedback=feedback, user=cadre, title="路灯")
    services.case_resolve(case=case, user=cadre, resolution="已修", public_reply="已修好")
    answer = reverse("cases:feedback:answer", kwargs={"code": feedback.lookup_code})
    client.post(answer, {"solved": "no", "satisfaction": "dissatisfied"})
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS and case.reopen_count == 1
    assert 'data-stage="handling"' in client.get(status_url(feedback.lookup_code)).content.decode()


def test_a_merged_message_follows_the_case_it_joined(client, poster, cadre, community):
    from tests.cases.factories import open_case

    case = open_case(community=community, by=cadre)
    feedback = submit(channel=poster)
    services.feedback_merge(feedback=feedback, user=cadre, case=case)
    services.case_resolve(case=case, user=cadre, resolution="x", public_reply="已统一处理")
    assert "已统一处理" in client.get(status_url(feedback.lookup_code)).content.decode()


def test_a_rejected_message_shows_neither_spam_nor_the_reason(client, poster, cadre):
    feedback = submit(channel=poster)
    services.feedback_reject(feedback=feedback, user=cadre, state="spam", reason="内部:疑似广告")
    page = client.get(status_url(feedback.lookup_code)).content.decode()
    assert "已查看" in page and "疑似广告" not in page and "无效" not in page


def test_the_lookup_form_accepts_lower_case_and_spaces(client, poster):
    feedback = submit(channel=poster)
    typed = f"{feedback.lookup_code[:4].lower()} {feedback.lookup_code[4:]}"
    response = client.get(reverse("cases:feedback:lookup"), {"code": typed})
    assert response.status_code == 302 and response.url == status_url(feedback.lookup_code)


def test_an_unknown_code_is_friendly_and_guessing_is_held_back(client):
    response = client.get(status_url("ABCD2345"))
    assert response.status_code == 404 and "没有找到这个查询码" in response.content.decode()
    for _ in range(25):
        response = client.get(status_url("ABCD2345"))
    assert response.status_code == 429
    assert "请过十分钟再试" in response.content.decode()


# --- Answering by tapping the tiles the page shows ------------------------------------------------------


def resolved_feedback(poster, cadre):
    from outcomes.services import callbacks_create

    feedback = submit(channel=poster)
    case = services.feedback_create_case(feedback=feedback, user=cadre, title="路灯")
    services.case_record_progress(case=case, user=cadre, note="已联系", contacted=True)
    services.case_resolve(case=case, user=cadre, resolution="更换灯泡", public_reply="路灯已修好。")
    callbacks_create()
    return feedback


def answer_as_shown(client, feedback, *, solved: str, satisfaction: str):
    """Open the status page, read the answer form's tiles from the HTML and send the ones labelled so."""
    from tests.htmlforms import form_in

    page = client.get(status_url(feedback.lookup_code)).content.decode()
    form = form_in(page, "answer-form")
    assert [c.label for c in form.radios["solved"]] == ["解决了", "没有解决"]
    assert [c.label for c in form.radios["satisfaction"]] == ["满意", "基本满意", "不满意"]
    assert not any(c.checked for group in form.radios.values() for c in group)
    data = {
        "solved": form.choice("solved", solved),
        "satisfaction": form.choice("satisfaction", satisfaction),
        **form.hidden,
    }
    return client.post(form.action, data)


def test_a_villager_answers_solved_and_satisfied_with_the_tiles_and_it_counts_in_the_rates(
    client, poster, cadre, community
):
    from outcomes.models import Callback
    from outcomes.periods import Period
    from outcomes.rates import rates

    feedback = resolved_feedback(poster, cadre)
    response = answer_as_shown(client, feedback, solved="解决了", satisfaction="满意")
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "谢谢您的评价" in page and 'data-testid="answer-form"' not in page
    feedback.refresh_from_db()
    assert (feedback.solved, feedback.satisfaction) == (True, "satisfied")
    case = Case.objects.get()
    assert case.state == CaseState.RESOLVED
    year = Period.year(feedback.answered_at.year)
    total = rates(communities=community.street.communities.all(), period=year).total
    assert (total.answered, total.resolution_rate, total.satisfaction_rate) == (1, 100.0, 100.0)

    client.force_login(cadre)
    detail = client.get(case.get_absolute_url()).content.decode()
    assert re.search(r'data-testid="sender-answers">\s*<li>[^<]*问题已解决 · 满意</li>', detail)
    callback = Callback.objects.get(case=case)
    assert "问题已解决 · 满意" in client.get(callback.get_absolute_url()).content.decode()


def test_a_villager_who_taps_not_solved_sends_the_case_back_to_work(client, poster, cadre, community):
    from outcomes.periods import Period
    from outcomes.rates import rates

    feedback = resolved_feedback(poster, cadre)
    response = answer_as_shown(client, feedback, solved="没有解决", satisfaction="基本满意")
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.state == CaseState.IN_PROGRESS and case.reopen_count == 1
    feedback.refresh_from_db()
    total = rates(communities=community.street.communities.all(), period=Period.year(feedback.answered_at.year)).total
    assert (total.answered, total.resolution_rate, total.satisfaction_rate) == (1, 0.0, 100.0)
    client.force_login(cadre)
    assert "问题没有解决 · 基本满意" in client.get(case.get_absolute_url()).content.decode()


def test_an_answer_with_one_tile_missing_keeps_the_other_tapped(client, poster, cadre):
    from tests.htmlforms import form_in

    feedback = resolved_feedback(poster, cadre)
    form = form_in(client.get(status_url(feedback.lookup_code)).content.decode(), "answer-form")
    response = client.post(form.action, {"solved": form.choice("solved", "解决了")})
    assert response.status_code == 400
    again = form_in(response.content.decode(), "answer-form")
    assert [c.label for c in again.radios["solved"] if c.checked] == ["解决了"]
    assert "请选择是否满意" in response.content.decode()
    feedback.refresh_from_db()
    assert feedback.answered_at is None


# --- /f/ without a code ---------------------------------------------------------------------------------


def test_f_without_a_code_opens_the_street_form_where_there_is_one_street(client, community, other_community):
    from tests.htmlforms import forms_in

    response = client.get("/f/")
    html = response.content.decode()
    assert response.status_code == 200 and "有事您说" in html and "这个二维码没有找到" not in html
    street_code = services.feedback_channel_street_wide(street=community.street)
    [form] = [f for f in forms_in(html) if f.action.startswith("/f/")]  # the footer's language switch is a form too
    assert form.action == f"/f/{street_code.token}/"
    assert {c.label for c in form.radios["community"]} == {community.name, other_community.name}
    response = client.post(
        form.action, {"community": form.choice("community", community.name), "text": "路灯坏了", **form.hidden}
    )
    feedback = Feedback.objects.get()
    assert response.status_code == 200 and feedback.lookup_code in response.content.decode()  # the receipt
    assert feedback.channel == street_code and feedback.community == community


def test_f_without_a_code_asks_which_street_where_there_are_several(client, community):
    from tests.factories import CommunityFactory, StreetFactory

    second = CommunityFactory(street=StreetFactory(name="稻香街道", code="DX"), name="稻香村")
    StreetFactory(name="空街道", code="KJ")  # no community yet: nothing to give feedback to
    html = client.get("/f/").content.decode()
    links = re.findall(r'<a class="p-button p-button--primary" href="(/f/[^"]+/)">([^<]+)</a>', html)
    assert sorted(name for _url, name in links) == sorted([community.street.name, "稻香街道"])
    chosen = {name: url for url, name in links}["稻香街道"]
    page = client.get(chosen).content.decode()
    assert second.name in page and community.name not in page


def test_f_without_a_code_before_any_street_is_set_up_says_to_call(client):
    response = client.get("/f/")
    assert response.status_code == 404 and "请拨打街道服务热线反映" in response.content.decode()


# --- No timing trail: the code is never in an address requested right after sending -------------------------


AUTO_LOADED = re.compile(
    r"""<(?:img|script|iframe|frame|embed|source|video|audio|track|object|input)\b[^>]*?\s(?:src|data|poster)="([^"]*)"
    |<link\b[^>]*?\shref="([^"]*)"
    |<meta\b[^>]*?http-equiv="refresh"[^>]*?content="[^"]*?url=([^"]*)"
    |url\(\s*['"]?([^'")]*)""",
    re.IGNORECASE | re.VERBOSE,
)


def browser_requests(client, response, seen: list[str] | None = None) -> list[str]:
    """Every address a browser asks for on its own after this answer: redirects and what the page loads."""
    seen = [] if seen is None else seen
    seen += [url for url, _status in response.redirect_chain]
    for match in AUTO_LOADED.finditer(response.content.decode()):
        url = next(group for group in match.groups() if group is not None)
        if url not in seen:
            seen.append(url)
            if url.startswith("/"):
                browser_requests(client, client.get(url, follow=True), seen)
    return seen


def fresh_form(client, channel) -> dict:
    html = client.get(form_url(channel.token)).content.decode()
    key = re.search(r'name="submit_key"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="submit_key"', html)
    return {"community": channel.community_id, "text": "村口路灯坏了三盏。", "submit_key": key.group(1) or key.group(2)}


def test_the_receipt_comes_with_the_answer_to_the_post_and_nothing_loads_the_code(client, poster):
    response = client.post(form_url(poster.token), fresh_form(client, poster), follow=True)
    feedback = Feedback.objects.get()
    html = response.content.decode()
    assert response.status_code == 200 and response.redirect_chain == []
    assert response.request["PATH_INFO"] == form_url(poster.token)
    assert feedback.display_code in html and "请截图保存" in html
    requested = browser_requests(client, response)
    assert requested and all(feedback.lookup_code not in url for url in requested)  # the stylesheet only
    assert not re.search(r'rel="[^"]*(prefetch|prerender|preload|next)', html) and "speculationrules" not in html
    # The status page is a plain link for later, opened only when tapped.
    assert f'<a class="p-link" href="{status_url(feedback.lookup_code)}" rel="nofollow"' in html
    assert "Link" not in response.headers
    assert "no-store" in response["Cache-Control"] and response["Referrer-Policy"] == "no-referrer"


def test_sending_again_after_a_reload_shows_the_same_receipt_and_stores_nothing_more(client, poster):
    form = fresh_form(client, poster)
    first = client.post(form_url(poster.token), form)
    reloaded = client.post(form_url(poster.token), form)  # the browser's "resend the form?" on reload
    code = Feedback.objects.get().display_code
    assert code in first.content.decode() and code in reloaded.content.decode()
    assert reloaded.status_code == 200 and Feedback.objects.count() == 1


def test_the_public_pages_set_no_cookie(client, poster, cadre):
    feedback = submit(channel=poster)
    case = services.feedback_create_case(feedback=feedback, user=cadre, title="路灯")
    services.case_resolve(case=case, user=cadre, resolution="已修", public_reply="已修好")
    answer = reverse("cases:feedback:answer", kwargs={"code": feedback.lookup_code})
    responses = [
        client.get(form_url(poster.token)),
        client.get(form_url(poster.token)),  # from the page cache
        client.post(form_url(poster.token), fresh_form(client, poster)),
        client.post(form_url(poster.token), {"text": ""}),
        client.get(reverse("cases:feedback:lookup")),
        client.get(reverse("cases:feedback:lookup"), {"code": feedback.lookup_code}),
        client.get(status_url(feedback.lookup_code)),
        client.post(answer, {"solved": "yes", "satisfaction": "satisfied"}),
        client.get(status_url("ABCD2345")),
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 400, 200, 302, 200, 302, 404]
    assert not any(r.cookies for r in responses) and not client.cookies


def test_pages_whose_address_holds_the_code_are_not_cached_and_send_no_referrer(client, poster):
    feedback = submit(channel=poster)
    answer = reverse("cases:feedback:answer", kwargs={"code": feedback.lookup_code})
    for response in (
        client.get(status_url(feedback.lookup_code)),
        client.get(status_url("ABCD2345")),
        client.get(reverse("cases:feedback:lookup"), {"code": feedback.lookup_code}),
        client.post(answer, {"solved": "yes"}),
        client.post(form_url(poster.token), {"text": ""}),  # a refused form shows the text typed
    ):
        assert "no-store" in response["Cache-Control"], response.request["PATH_INFO"]
        assert response["Referrer-Policy"] == "no-referrer", response.request["PATH_INFO"]
    assert client.get(form_url(poster.token))["Referrer-Policy"] == "no-referrer"
