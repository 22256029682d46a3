"""Journey: a team member on a 360 px phone finds a household, logs a visit with two requests, one turned
into a case, and sees it on the household timeline and in the community ledger. A reload keeps the draft.

The browser runs in its own thread with its own Playwright, so this journey does not depend on (or clash
with) the session-wide browser of tests/e2e.
"""

import re
import shutil
import threading
from pathlib import Path

import pytest

from lucun.models import Role
from tests.factories import official
from tests.visits.factories import HouseholdFactory, VisitTeamFactory, VisitTeamMemberFactory

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e" / "visits-phone-journey"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium not found: apt-get install chromium"),
]


def _in_browser(base_url: str, steps) -> dict:
    """Run ``steps(page, seen)`` in a 360 px Chromium page on a thread of its own; return what it saw."""
    seen: dict = {}
    errors: list[BaseException] = []

    def run() -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
                )
                context = browser.new_context(
                    viewport={"width": 360, "height": 740}, locale="zh-CN", timezone_id="Asia/Shanghai"
                )
                page = context.new_page()
                page.set_default_timeout(15_000)
                try:
                    steps(page, base_url, seen)
                except BaseException:
                    ARTIFACTS.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(ARTIFACTS / "failure.png"), full_page=True)
                    (ARTIFACTS / "failure.html").write_text(page.content(), encoding="utf-8")
                    raise
                finally:
                    browser.close()
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    if errors:
        raise errors[0]
    assert not thread.is_alive(), "the browser journey did not finish in time"
    return seen


def _journey(page, base: str, seen: dict, *, username: str, household_pk: int, community_pk: int) -> None:
    from playwright.sync_api import expect

    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "secret-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))

    page.goto(base + "/visits/?q=zjg")
    seen["results"] = page.inner_text("[data-testid=results]")
    page.get_by_role("link", name="记走访").click()
    page.wait_for_url(re.compile(rf".*/households/{household_pk}/visit/$"))
    seen["width"] = page.evaluate("document.documentElement.scrollWidth")

    page.get_by_label("家庭情况").fill("老两口身体尚可")
    page.reload()  # as if the connection dropped: the draft comes back
    expect(page.get_by_label("家庭情况")).to_have_value("老两口身体尚可")
    seen["draft_note"] = page.is_visible("[data-draft-note]")

    page.get_by_text("王搭档").click()
    page.fill("#id_req-0-text", "村口路灯坏了")
    page.locator("#id_req-0-convert").check()
    page.fill("#id_req-1-text", "咨询医保报销")
    page.locator("#id_req-1-answered").check()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "01-visit-form.png"), full_page=True)
    page.get_by_role("button", name="保存走访").click()
    page.wait_for_url(re.compile(r".*\?saved=1$"))
    seen["timeline"] = page.inner_text("[data-testid=timeline]")
    seen["drafts_left"] = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('lucun-draft:')).length")
    page.screenshot(path=str(ARTIFACTS / "02-household-timeline.png"), full_page=True)

    page.goto(f"{base}/visits/ledger/{community_pk}/?q=zjg")
    seen["ledger"] = page.inner_text("[data-testid=ledger]")


@pytest.fixture
def case_configuration():
    """Restore the cases app's seeded tiers and categories, which an earlier transactional test may have flushed."""
    import importlib

    from django.apps import apps

    importlib.import_module("cases.migrations.0002_default_configuration").seed(apps, None)


def test_phone_visit_with_two_requests_one_turned_into_a_case(live_server, case_configuration, street, community):
    from cases.models import Case
    from visits.models import VisitLog

    cadre = official(Role.COMMUNITY_CADRE, community=community)
    partner = official(Role.STREET_STAFF, street=street)
    partner.real_name = "王搭档"
    partner.save(update_fields=["real_name"])
    team = VisitTeamFactory(street=street, name="第一走访队")
    VisitTeamMemberFactory(team=team, user=cadre)
    VisitTeamMemberFactory(team=team, user=partner)
    household = HouseholdFactory(community=community, head_name="张建国", group="三组", door_number="12")

    seen = _in_browser(
        live_server.url,
        lambda page, base, seen: _journey(
            page, base, seen, username=cadre.username, household_pk=household.pk, community_pk=community.pk
        ),
    )

    assert "张建国" in seen["results"]
    assert seen["width"] <= 360  # no sideways scrolling on a phone
    assert seen["draft_note"]
    case = Case.objects.get()
    assert VisitLog.objects.count() == 1
    assert case.number in seen["timeline"] and "已转诉求" in seen["timeline"] and "当场解答" in seen["timeline"]
    assert seen["drafts_left"] == 0
    assert "张建国" in seen["ledger"] and "从未走访" not in seen["ledger"]
