"""Browser journeys: Playwright's Python package driving Debian's Chromium against a live test server.

No browser is downloaded: Playwright starts /usr/bin/chromium (``apt-get install chromium``; .ci/run does
it; tests.browser says how). Without Chromium these tests are skipped with that reason. Each journey saves
screenshots under test-artifacts/e2e/<test>/; a failure also leaves the page's HTML there and prints the path.
"""

import os
import re
from pathlib import Path

import pytest

from tests.browser import ARTIFACTS as ARTIFACTS_ROOT
from tests.browser import (  # noqa: F401 - pytest_runtest_makereport: this suite's hook, so failures are kept
    CHROMIUM,
    DESKTOP,
    PHONE,
    TIMEOUT_MS,
    artifacts_folder,
    chromium,
    failed,
    keep_page,
    pytest_runtest_makereport,
)
from tests.seeding import configuration_seed

ARTIFACTS = ARTIFACTS_ROOT / "e2e"
# A touch screen, so that taps are real taps.
TOUCH = {"has_touch": True, "is_mobile": True, "device_scale_factor": 2}
# What WeChat's in-app browser on an Android phone says it is: the villagers scan the cards with WeChat.
WECHAT_AGENT = (
    "Mozilla/5.0 (Linux; Android 13; V2227A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2247 "
    "MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64"
)


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("LUCUN_REQUIRE_BROWSER"):
        raise pytest.UsageError(f"Chromium not found at {CHROMIUM}; CI installs it with apt-get install chromium")
    skip = pytest.mark.skip(
        reason=f"Chromium not found at {CHROMIUM}: apt-get install chromium to run browser journeys"
    )
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def seeded_configuration(transactional_db):
    """Journeys run against a live server, so each ends by emptying the database; put the seeded
    configuration back first."""
    configuration_seed()


@pytest.fixture(scope="session")
def browser():
    with chromium() as started:
        yield started


class Journey:
    """One browser page plus helpers to log in and keep screenshots."""

    def __init__(self, page, base_url: str, folder: Path):
        self.page = page
        self.base_url = base_url
        self.folder = folder
        self.shots = 0

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str):
        return self.page.goto(self.url(path))

    def login(self, username: str, password: str = "secret-pass-123") -> None:
        self.goto("/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(re.compile(r".*/$"))

    def navigate(self, group: str, entry: str) -> None:
        """Open a group of the navigation and follow one of its entries, as a person would."""
        nav = self.page.locator("#site-nav")
        nav.locator("summary", has_text=group).click()
        nav.locator("details[open] a", has_text=re.compile(rf"^{re.escape(entry)}$")).click()
        self.page.wait_for_load_state()

    def shot(self, name: str) -> Path:
        self.shots += 1
        path = self.folder / f"{self.shots:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def _journey(request, browser, live_server, viewport, label: str, **options):
    folder = artifacts_folder(request, "e2e", label)
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    journey = Journey(page, live_server.url, folder)
    yield journey
    if failed(request):
        keep_page(page, folder, "failure")
        print(f"\nbrowser journey failed: screenshot and HTML in {folder}")
    context.close()


@pytest.fixture
def phone(request, browser, live_server):
    yield from _journey(request, browser, live_server, PHONE, "phone")


@pytest.fixture
def touch_phone(request, browser, live_server):
    yield from _journey(request, browser, live_server, PHONE, "phone", **TOUCH)


@pytest.fixture
def wechat(request, browser, live_server):
    """A villager's phone: a touch screen, and WeChat's browser, which opens the code a villager scans."""
    yield from _journey(request, browser, live_server, PHONE, "wechat", user_agent=WECHAT_AGENT, **TOUCH)


@pytest.fixture
def desktop(request, browser, live_server):
    yield from _journey(request, browser, live_server, DESKTOP, "desktop")


# A phone and a laptop's usual screen, for a page that must work on both.
SCREENS = {"phone": PHONE, "laptop": {"width": 1366, "height": 768}}


@pytest.fixture(params=list(SCREENS))
def screen(request, browser, live_server):
    """The same journey on a 360×740 phone and a 1366×768 laptop."""
    yield from _journey(request, browser, live_server, SCREENS[request.param], request.param)
