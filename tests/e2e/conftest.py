"""Browser journeys: Playwright's Python package driving Debian's Chromium against a live test server.

No browser is downloaded: Playwright starts /usr/bin/chromium (``apt-get install chromium``; .ci/run does
it). Without Chromium these tests are skipped with that reason. Each journey saves screenshots under
test-artifacts/e2e/<test>/; a failure also leaves the page's HTML there and prints the path.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.seeding import configuration_seed

CHROMIUM = os.environ.get("LUCUN_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
# A touch screen, so that taps are real taps.
TOUCH = {"has_touch": True, "is_mobile": True, "device_scale_factor": 2}
# What WeChat's in-app browser on an Android phone says it is: the villagers scan the cards with WeChat.
WECHAT_AGENT = (
    "Mozilla/5.0 (Linux; Android 13; V2227A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2247 "
    "MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64"
)

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)


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
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


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
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name) / label
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    journey = Journey(page, live_server.url, folder)
    yield journey
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        html = folder / "failure.html"
        try:
            page.screenshot(path=str(folder / "failure.png"), full_page=True)
            html.write_text(page.content(), encoding="utf-8")
        except Exception as exc:  # the page may be gone: say so and keep the test's own failure
            html.write_text(f"could not capture the page: {exc}", encoding="utf-8")
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


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
