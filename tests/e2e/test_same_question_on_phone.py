"""我也遇到 on a phone: a villager scans the street's code in WeChat (360×740), taps the village and the category,
writes a few words, and the form offers the open case already reported; one tap on "我也遇到" gives a lookup code
instead of a second message, and the lookup shows that case."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from cases.models import Feedback
from cases.selectors import feedback_channel_public_url
from tests.cases.factories import category, channel, open_case

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TARGET = 60  # px: the smallest tap target on the villagers' pages


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_villager_says_me_too_on_a_phone_and_follows_the_case_by_its_code(
    wechat, community, cadre, live_server, settings
):
    cache.clear()  # the public pages' rate limit
    settings.LUCUN_PUBLIC_BASE_URL = live_server.url
    lamp = open_case(
        community=community,
        by=cadre,
        title="王大妈反映:文化广场8号楼前路灯不亮",
        public_title="文化广场路灯不亮",
        category=category("infrastructure"),
    )
    street_code = channel(street=community.street, label="芦湖街道总码")
    page = wechat.page
    page.goto(feedback_channel_public_url(channel=street_code))

    page.locator("label.p-tile", has_text="基础设施").tap()
    page.get_by_label("说说情况").fill("文化广场的路灯坏了,晚上很黑")
    suggestions = page.get_by_test_id("same-suggestions")
    expect(suggestions).to_be_hidden()  # no village yet: nothing is asked
    page.locator("label.p-tile", has_text=re.compile(rf"^{community.name}$")).tap()

    expect(suggestions).to_be_visible()
    expect(suggestions.locator(".p-same__title")).to_have_text(["文化广场路灯不亮"])
    expect(suggestions).to_contain_text("已受理,待办理")
    expect(suggestions).not_to_contain_text("王大妈")
    button = suggestions.get_by_role("button", name="我也遇到")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box["height"] >= TARGET and box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    no_sideways_scroll(page)
    wechat.shot("suggestion")
    button.tap()

    code_box = page.get_by_test_id("lookup-code")
    expect(code_box).to_be_visible()
    code = re.sub(r"\s", "", code_box.inner_text())
    expect(page.get_by_test_id("same-question")).to_contain_text("文化广场路灯不亮")
    no_sideways_scroll(page)
    wechat.shot("lookup-code")
    feedback = Feedback.objects.get(lookup_code=code)
    assert feedback.same_question and feedback.case == lamp and feedback.text == ""
    lamp.refresh_from_db()
    assert lamp.same_question_count == 1

    wechat.goto("/s/")
    page.get_by_role("textbox").fill(code)
    page.get_by_role("button", name="查询").tap()
    page.wait_for_url(re.compile(rf".*/s/{code}/$"))
    expect(page.get_by_test_id("same-question")).to_contain_text("您也遇到了“文化广场路灯不亮”")
    expect(page.get_by_test_id("steps")).to_have_attribute("data-stage", "handling")
    no_sideways_scroll(page)
    wechat.shot("lookup")
