"""The crawl: every demo role signs in once and opens every page its navigation shows on a phone (360×740) and a
desktop (1366×900), and on the phone one page of each kind linked from there; an anonymous villager opens the public
pages a QR code leads to. Each page is checked for what a person would trip over (see ``crawl.py``) and kept as
a screenshot under test-artifacts/crawl/<role>/<viewport>/. One test reports every finding at once, in a few
minutes: one browser window per role, each page loaded once and laid out for both screens.

Every role's every page is checked on the phone, where a page is tightest (taps, width). On the desktop a page is
laid out once for what it shows: another role's visit to the same address with the same main content (header and
navigation aside, which each role's home page is checked with) has nothing new to lay out on a wide screen, and
what does not depend on the screen (labels, ids, images, forms) is checked on the phone for every role anyway.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from cases.models import Feedback, FeedbackChannel
from lucun.demo import DEMO_PASSWORD
from points.models import Volunteer
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.crawl import ChromeWords, Crawler, Screen

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 360, "height": 740}}
# The demo's logins, one per kind of position (seed_demo prints the same list), and the public pages.
ROLES = ["anonymous", "admin", "leader", "staff", "supervisor", "cadre", "grid1_1", "partyrep1", "unithead4_1"]
# While mending pages, crawl a part: LUCUN_CRAWL_ROLES=leader,anonymous LUCUN_CRAWL_VIEWPORTS=phone
ONLY_ROLES = [r for r in os.environ.get("LUCUN_CRAWL_ROLES", "").split(",") if r]
ONLY_VIEWPORTS = [v for v in os.environ.get("LUCUN_CRAWL_VIEWPORTS", "").split(",") if v]
TAP = {"desktop": 0, "phone": 44}
PUBLIC_TAP = {"desktop": 0, "phone": 60}
# Not crawled: signing out ends the crawl's session; the configuration back office is Django's own admin, whose
# pages are not this project's to lay out; the API answers JSON to programs, and its docs page is Swagger UI, a
# programmer's tool drawn by its own script and styles (as the admin is Django's), not a page of this product.
SKIP = tuple(
    re.compile(pattern)
    for pattern in (
        r"^/accounts/logout/",
        r"^/admin/",
        r"^/api/v1/",
        r"^/api/schema/",
        r"^/api/docs/",
        r"^/i18n/",
        r"^/static/",
    )
)
CRAWL_ARTIFACTS = ARTIFACTS.parent / "crawl"


@pytest.fixture
def demo_street(settings):
    settings.DEBUG = True  # seed_demo refuses a site with DEBUG off; the pages are served with DEBUG off
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False


def _screens(taps: dict[str, int]) -> list[Screen]:
    return [Screen(name, **VIEWPORTS[name], min_tap=taps[name]) for name in ONLY_VIEWPORTS or VIEWPORTS]


def _crawler(browser, live_server, role: str, screens: list[Screen], *, locale: str = "zh-CN") -> Crawler:
    folder = CRAWL_ARTIFACTS / (role if locale == "zh-CN" else f"{locale}/{role}")
    shutil.rmtree(folder, ignore_errors=True)
    for screen in screens:
        (folder / screen.name).mkdir(parents=True, exist_ok=True)
    first = {"width": screens[0].width, "height": screens[0].height}
    context = browser.new_context(viewport=first, locale=locale, timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return Crawler(page, live_server.url, role, folder, screens, skip=SKIP)


def _sign_in(crawler: Crawler, live_server, role: str) -> None:
    page = crawler.page
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", role)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def _public_pages() -> list[str]:
    channel = FeedbackChannel.objects.filter(is_active=True).order_by("pk").first()
    rated = Feedback.objects.filter(case__isnull=False, answered_at__isnull=True, case__state="resolved")
    waiting = Feedback.objects.filter(case__isnull=True)
    # A volunteer on the books: the demo keeps the cards of those who left, which open nothing (and answer 404).
    volunteer = Volunteer.objects.filter(active=True).exclude(token=None).order_by("pk").first()
    pages = ["/f/", f"/f/{channel.token}/", "/s/"]
    pages += [f"/s/{f.lookup_code}/" for f in (rated.order_by("pk").first(), waiting.order_by("pk").first()) if f]
    pages.append(f"/points/m/{volunteer.token}/")
    return pages


def test_every_page_of_every_role_is_usable_on_a_desktop_and_a_phone(browser, live_server, demo_street):
    findings = []
    laid_out = set()  # the pages' contents laid out on the desktop already, by any role
    for role in ONLY_ROLES or ROLES:
        if role == "anonymous":
            crawler = _crawler(browser, live_server, role, _screens(PUBLIC_TAP))
            for path in _public_pages():
                crawler.visit(path)
            crawler.screens = _screens(TAP)  # the officials' sign-in page
            crawler.visit("/accounts/login/")
        else:
            crawler = _crawler(browser, live_server, role, _screens(TAP))
            crawler.once_per_content, crawler.laid_out = ("desktop",), laid_out
            _sign_in(crawler, live_server, role)
            # Pages of each kind (one case, one household…) are laid out for the phone first: crawled there.
            crawler.crawl("/", "nav", deeper=[screen for screen in crawler.screens if screen.name == "phone"])
            assert len(crawler.visited) > 3, f"{role}: the navigation led nowhere"
        findings += crawler.findings
        crawler.page.context.close()
    findings.sort(key=lambda finding: (finding.viewport, ROLES.index(finding.role)))
    report = "\n".join(str(f) for f in findings)
    (CRAWL_ARTIFACTS / "findings.txt").write_text(report + "\n", encoding="utf-8")
    assert not findings, f"{len(findings)} problems a person would meet:\n{report}"


def test_every_page_of_every_role_reads_in_english_for_an_english_browser(browser, live_server, demo_street):
    """The same crawl with a browser asking for English (Accept-Language: en), on the desktop: no page shows the
    application's own words (navigation, headings, labels, buttons, messages: its message catalogue) in Chinese,
    nor English put together with Chinese punctuation ("Your rating:Problem solved。", ``crawl.english_slips``).
    Names, places and what people wrote stay as they were written; the layout is the crawl above's to judge, so
    pages are only read here. Whether a word is translated depends on the page, not on who reads it: each page
    (and one page of each kind) is read once, by the first role that reaches it, and each role's own home page
    with its navigation."""
    chrome = ChromeWords(Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po")
    desktop = [Screen("desktop", **VIEWPORTS["desktop"])]
    findings = []
    visited, kinds_seen = set(), set()  # shared by the roles: a page one role read is not read again
    for role in ONLY_ROLES or ROLES:
        crawler = _crawler(browser, live_server, role, desktop, locale="en-US")
        crawler.chrome, crawler.checks = chrome, False
        crawler.visited, crawler.kinds_seen = visited, kinds_seen
        if role == "anonymous":
            for path in [*_public_pages(), "/accounts/login/"]:
                crawler.visit(path)
        else:
            _sign_in(crawler, live_server, role)
            crawler.crawl("/", "nav", deeper=desktop)
        findings += [f for f in crawler.findings if f.problem.startswith("untranslated")]
        crawler.page.context.close()
    report = "\n".join(str(f) for f in findings)
    (CRAWL_ARTIFACTS / "en-US").mkdir(parents=True, exist_ok=True)
    (CRAWL_ARTIFACTS / "en-US" / "findings.txt").write_text(report + "\n", encoding="utf-8")
    assert not findings, f"{len(findings)} texts an English reader meets in Chinese:\n{report}"
