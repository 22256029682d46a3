"""A villager and officials on the production stack, through nginx over HTTPS with DEBUG off."""

import re

from playwright.sync_api import expect

from tests.browser import DESKTOP, PHONE
from tests.stack.conftest import OFFICIAL_AGENT, STACK_URL, VILLAGER_AGENT, send_feedback


def test_a_villager_scans_a_card_sends_a_message_and_follows_it_with_the_lookup_code(stack, visitor):
    villager = visitor(VILLAGER_AGENT, PHONE)
    page = villager.page
    assert stack["card_url"].startswith(STACK_URL + "/f/")  # the address the printed QR code holds

    villager.goto(stack["card_url"])
    expect(page.get_by_test_id("privacy-promise")).to_be_visible()
    expect(page.get_by_test_id("current-community")).to_have_text(stack["community"])
    villager.shot("form")
    code = send_feedback(villager, stack["card_url"], f"村口路灯坏了三盏,晚上看不清路。({stack['run']}-1)")
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{8}", code)
    villager.shot("lookup-code")

    villager.goto("/s/")
    page.get_by_role("textbox").fill(code)
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(rf".*/s/{code}/$"))
    expect(page.get_by_test_id("steps")).to_have_attribute("data-stage", "received")
    expect(page.get_by_test_id("status-message")).to_contain_text("已收到")
    villager.shot("status")
    assert villager.failures() == []


def test_an_official_signs_in_and_sees_the_feedback_an_official_of_another_community_does_not(stack, visitor):
    text = f"垃圾桶满了没人清,味道很大。({stack['run']}-2)"
    send_feedback(visitor(VILLAGER_AGENT, PHONE), stack["card_url"], text)

    cadre = visitor(OFFICIAL_AGENT, DESKTOP)
    cadre.login(stack["cadre"], stack["password"])
    cadre.goto("/cases/feedback/")
    queue = cadre.page.get_by_test_id("feedback-queue")
    expect(queue).to_contain_text(text[:20])
    cadre.shot("queue")
    queue.get_by_role("link", name=re.compile(re.escape(text[:10]))).click()
    cadre.page.wait_for_url(re.compile(r".*/cases/feedback/\d+/$"))
    expect(cadre.page.get_by_test_id("original-text")).to_have_text(text)
    cadre.shot("detail")
    detail_url = cadre.page.url
    assert cadre.failures() == []

    other = visitor(OFFICIAL_AGENT, DESKTOP)
    other.login(stack["other_cadre"], stack["password"])
    other.goto("/cases/feedback/")
    expect(other.page.get_by_test_id("feedback-queue")).not_to_contain_text(text[:20])
    assert other.goto(detail_url).status == 404
