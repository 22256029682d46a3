"""The navigation in a real browser, for a street leader (the position with the most entries), on a 1280 px desktop
and a 360 px phone: it fits without sideways scrolling, every group opens by a tap or a click and shows all its
entries on screen, an entry leads to its page, and that page's group is marked."""

import itertools
import re

import pytest
from playwright.sync_api import expect

from lucun.models import Role
from tests.cases.factories import open_case
from tests.e2e.conftest import DESKTOP, PHONE, Journey
from tests.factories import official

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

GROUPS = ["直面问", "现场议", "分类解", "积分", "工作成效", "设置"]


@pytest.fixture
def leader(street, community):
    user = official(Role.STREET_LEADER, street=street)
    open_case(community=community, by=user, title="村口路灯不亮")
    return user


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )


def _boxes(page, selector: str) -> list[dict]:
    return page.eval_on_selector_all(
        selector,
        """els => els.map(e => { const r = e.getBoundingClientRect();
            return {text: e.textContent.trim(), left: r.left, top: r.top, right: r.right, bottom: r.bottom,
                    width: r.width, height: r.height}; })""",
    )


def _inside_viewport(page, boxes: list[dict]) -> list[str]:
    width, height = page.evaluate("[window.innerWidth, window.innerHeight]")
    return [
        f"{b['text']}: {b}"
        for b in boxes
        if b["left"] < 0 or b["top"] < 0 or b["right"] > width or b["bottom"] > height or not b["width"]
    ]


def _shot(journey: Journey, name: str) -> None:
    """What the person sees: the viewport (a full-page picture would draw the phone's fixed bar mid-page)."""
    journey.shots += 1
    journey.page.screenshot(path=str(journey.folder / f"{journey.shots:02d}-{name}.png"))


def _check_every_group(journey: Journey, *, tap: bool, min_target: int) -> None:
    page = journey.page
    nav = page.locator("#site-nav")
    tabs = nav.locator(".site-nav__tab")
    assert [t.strip() for t in tabs.all_inner_texts()] == ["工作台", *GROUPS]
    small = [b for b in _boxes(page, "#site-nav .site-nav__tab") if b["height"] < min_target or b["width"] < min_target]
    assert small == [], "navigation tabs smaller than the tap target"
    assert _inside_viewport(page, _boxes(page, "#site-nav .site-nav__tab")) == []
    for label in GROUPS:
        summary = nav.locator("summary", has_text=label)
        if tap:
            summary.tap()
        else:
            summary.click()
        group = summary.locator("xpath=..")
        expect(group).to_have_attribute("open", "")
        assert nav.locator("details.nav-group[open]").count() == 1, "opening a group closes the others"
        links = "#site-nav details[open] .nav-group__panel a"
        assert page.locator(links).count() > 0
        assert _inside_viewport(page, _boxes(page, links)) == [], f"{label}: an entry lies off screen"
        small = [b for b in _boxes(page, links) if b["height"] < min_target or b["width"] < min_target]
        assert small == [], f"{label}: entries smaller than the tap target"
        _no_sideways_scroll(page)
        _shot(journey, f"group-{label}")
    # A click elsewhere closes the open group.
    page.locator("main h1").click(position={"x": 4, "y": 4})
    expect(nav.locator("details.nav-group[open]")).to_have_count(0)


def _follow_an_entry(journey: Journey, *, tap: bool) -> None:
    page = journey.page
    nav = page.locator("#site-nav")
    summary = nav.locator("summary", has_text="分类解")
    summary.tap() if tap else summary.click()
    link = nav.locator("details[open] a", has_text="诉求")
    link.tap() if tap else link.click()
    page.wait_for_url(re.compile(r".*/cases/$"))
    expect(page.locator("h1")).to_have_text("诉求")
    expect(nav.locator("summary", has_text="分类解")).to_have_attribute("aria-current", "true")
    expect(nav.locator("a", has_text=re.compile("^诉求$"))).to_have_attribute("aria-current", "page")
    expect(nav.locator("[aria-current]")).to_have_count(2)  # the group and its entry, nothing else
    _no_sideways_scroll(page)
    _shot(journey, "cases-marked")
    # From the list into a case: the group stays marked.
    page.locator(".case-item__title").first.click()
    page.wait_for_url(re.compile(r".*/cases/[A-Z]+-\d{4}-\d+/$"))
    expect(nav.locator("summary", has_text="分类解")).to_have_attribute("aria-current", "true")


def test_the_navigation_fits_a_desktop_and_every_group_opens(desktop, leader):
    page = desktop.page
    assert page.viewport_size == DESKTOP
    desktop.login(leader.username)
    _no_sideways_scroll(page)
    bar = _boxes(page, "#site-nav .site-nav__bar > li")
    assert max(b["right"] for b in bar) <= 1280 and len({round(b["top"]) for b in bar}) == 1, "one row, on screen"
    desktop.shot("home")
    _check_every_group(desktop, tap=False, min_target=44)
    _follow_an_entry(desktop, tap=False)


def test_the_navigation_is_usable_by_keyboard(desktop, leader):
    page = desktop.page
    desktop.login(leader.username)
    summary = page.locator("#site-nav summary", has_text="直面问")
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#site-nav details[open] summary")).to_have_text("直面问")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#site-nav details[open] a").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#site-nav details[open]")).to_have_count(0)
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")  # on to the next group, which opens with Space
    page.keyboard.press("Space")
    expect(page.locator("#site-nav details[open] summary")).to_have_text("现场议")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/deliberation/$"))


def test_the_navigation_sits_at_the_bottom_of_a_phone_within_reach_of_a_thumb(touch_phone, leader):
    page = touch_phone.page
    touch_phone.login(leader.username)
    _no_sideways_scroll(page)
    height = page.evaluate("window.innerHeight")
    bar = page.locator("#site-nav").bounding_box()
    assert bar["y"] + bar["height"] == pytest.approx(height, abs=1), "the bar sits on the bottom edge"
    assert bar["width"] == pytest.approx(PHONE["width"], abs=1)
    # The page's end is not hidden under the bar.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    footer = page.locator(".site-footer").bounding_box()
    assert footer["y"] + footer["height"] <= bar["y"] + 1
    _shot(touch_phone, "home-end")
    page.evaluate("window.scrollTo(0, 0)")
    _shot(touch_phone, "home")
    _check_every_group(touch_phone, tap=True, min_target=44)
    _follow_an_entry(touch_phone, tap=True)


def test_in_english_every_tab_of_the_phone_bar_shows_its_whole_name(touch_phone, leader):
    page = touch_phone.page
    touch_phone.login(leader.username)
    with page.expect_navigation():
        page.locator("footer button", has_text="English").tap()  # the language switch, as a person uses it
    tabs = page.locator("#site-nav .site-nav__tab")
    assert [t.strip() for t in tabs.all_inner_texts()] == [
        "Home",
        "Ask",
        "Discuss",
        "Resolve",
        "Points",
        "Results",
        "Settings",
    ]
    # Each name whole on one line within its own tab (no word broken or running out of it), the tabs side by side.
    spilled = page.eval_on_selector_all(
        "#site-nav .site-nav__tab", "els => els.filter(e => e.scrollWidth > e.clientWidth).map(e => e.textContent)"
    )
    assert spilled == []
    broken = page.eval_on_selector_all(
        "#site-nav .site-nav__tab",
        """els => els.filter(e => { const r = document.createRange(); r.selectNodeContents(e);
            return r.getClientRects().length > 1; }).map(e => e.textContent.trim())""",
    )
    assert broken == []
    boxes = _boxes(page, "#site-nav .site-nav__tab")
    assert _inside_viewport(page, boxes) == []
    assert all(a["right"] <= b["left"] + 0.5 for a, b in itertools.pairwise(boxes)), boxes
    _no_sideways_scroll(page)
    _shot(touch_phone, "english-bar")


def test_the_visit_forms_submit_button_stays_above_the_phone_bar(touch_phone, community):
    from tests.visits.factories import HouseholdFactory

    cadre = official(Role.COMMUNITY_CADRE, community=community)
    household = HouseholdFactory(community=community)
    touch_phone.login(cadre.username)
    touch_phone.goto(f"/visits/households/{household.pk}/visit/")
    submit = touch_phone.page.locator(".submit-bar button[type=submit]")
    expect(submit).to_be_visible()
    button, bar = submit.bounding_box(), touch_phone.page.locator("#site-nav").bounding_box()
    assert button["y"] + button["height"] <= bar["y"], "the submit button is hidden under the navigation bar"
    _shot(touch_phone, "visit-form")
