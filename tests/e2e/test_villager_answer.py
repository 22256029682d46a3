"""A villager whose message became a case and was resolved opens the status page on a phone, taps "solved"
and "satisfied" on the large tiles, sends, and sees the thanks; the answer is stored on the message."""

import re

import pytest
from playwright.sync_api import expect

from cases import services
from cases.models import Case, CaseState, Feedback
from tests.cases.factories import channel, submit

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TARGET = 60  # px: the smallest tap target on the villagers' pages


@pytest.fixture(autouse=True)
def fresh_cache():
    from django.core.cache import cache

    cache.clear()  # the public pages' rate limit counts per address; start from zero
    yield
    cache.clear()


def resolved_message(community, cadre) -> Feedback:
    feedback = submit(channel=channel(community=community))
    case = services.feedback_create_case(feedback=feedback, user=cadre, title="路灯")
    services.case_resolve(case=case, user=cadre, resolution="更换灯泡", public_reply="路灯已修好。")
    return feedback


def open_answer_form(phone, feedback):
    page = phone.page
    phone.goto(f"/s/{feedback.lookup_code}/")
    expect(page.get_by_test_id("public-reply")).to_have_text("路灯已修好。")
    form = page.get_by_test_id("answer-form")
    expect(form).to_be_visible()
    tiles = form.locator("label.p-tile")
    expect(tiles).to_have_count(5)
    for index in range(5):
        box = tiles.nth(index).bounding_box()
        assert box["height"] >= TARGET and box["width"] >= TARGET, box
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    return form


def test_a_villager_taps_solved_and_satisfied_and_sees_the_thanks(phone, community, cadre):
    feedback = resolved_message(community, cadre)
    form = open_answer_form(phone, feedback)
    phone.shot("answer-form")

    form.locator("label.p-tile", has_text=re.compile(r"^解决了$")).click()
    form.locator("label.p-tile", has_text=re.compile(r"^满意$")).click()
    expect(form.get_by_role("radio", name="解决了", exact=True)).to_be_checked()
    expect(form.get_by_role("radio", name="满意", exact=True)).to_be_checked()
    phone.shot("answer-chosen")
    form.get_by_role("button", name="提交评价").click()

    page = phone.page
    expect(page.get_by_role("status")).to_have_text("谢谢您的评价!")
    expect(page.get_by_test_id("answered")).to_contain_text("问题已解决")
    expect(page.get_by_test_id("answer-form")).to_have_count(0)
    phone.shot("thanks")
    feedback.refresh_from_db()
    assert (feedback.solved, feedback.satisfaction) == (True, "satisfied")
    assert Case.objects.get().state == CaseState.RESOLVED


def test_a_villager_taps_not_solved_and_the_case_goes_back_to_work(phone, community, cadre):
    feedback = resolved_message(community, cadre)
    form = open_answer_form(phone, feedback)
    form.locator("label.p-tile", has_text="没有解决").click()
    form.locator("label.p-tile", has_text="不满意").click()
    form.get_by_role("button", name="提交评价").click()

    page = phone.page
    expect(page.get_by_role("status")).to_have_text("谢谢您的评价!")
    expect(page.get_by_test_id("steps")).to_have_attribute("data-stage", "handling")
    phone.shot("back-to-work")
    case = Case.objects.get()
    assert case.state == CaseState.IN_PROGRESS and case.reopen_count == 1
