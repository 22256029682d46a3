"""Tests of the production stack: nginx over HTTPS in front of gunicorn, the worker and beat, DEBUG off
(deploy/ci-stack.sh), driven with Debian's Chromium through the proxy, as a resident's phone or an office PC.

Skipped unless LUCUN_STACK_URL names a running stack:

    deploy/ci-stack.sh start
    deploy/ci-stack.sh run .venv/bin/python -m pytest tests/stack -q
    deploy/ci-stack.sh stop

The access-log checks run after every browser test, so they read the logs of the whole run.
"""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.browser import ARTIFACTS as ARTIFACTS_ROOT
from tests.browser import (  # noqa: F401 - pytest_runtest_makereport: this suite's hook, so failures are kept
    CHROMIUM,
    TIMEOUT_MS,
    artifacts_folder,
    chromium,
    failed,
    keep_page,
    pytest_runtest_makereport,
)

ROOT = Path(__file__).resolve().parents[2]
STACK_URL = os.environ.get("LUCUN_STACK_URL", "").rstrip("/")
STACK_HTTP_URL = os.environ.get("LUCUN_STACK_HTTP_URL", "").rstrip("/")
STACK_DIR = Path(os.environ.get("LUCUN_STACK_DIR", "/nonexistent"))
ARTIFACTS = ARTIFACTS_ROOT / "stack"
# Distinctive user agents, so the log checks can tell whose requests a line records.
VILLAGER_AGENT = "Mozilla/5.0 (Linux; Android 13; V2145A) AppleWebKit/537.36 Mobile LucunVillagerPhone/1.0"
OFFICIAL_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 LucunOfficePC/1.0"
LAST = "test_access_logs.py"


def _is_stack_test(item) -> bool:
    return "tests/stack/" in str(item.fspath).replace(os.sep, "/")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    mine = [item for item in items if _is_stack_test(item)]
    if not mine:
        return
    if not STACK_URL:
        skip = pytest.mark.skip(reason="no production stack: start one with deploy/ci-stack.sh (LUCUN_STACK_URL)")
        for item in mine:
            item.add_marker(skip)
        return
    if not Path(CHROMIUM).exists():
        raise pytest.UsageError(f"Chromium not found at {CHROMIUM}; apt-get install chromium")
    last = [item for item in mine if item.fspath.basename == LAST]
    items[:] = [item for item in items if item not in last] + last


def stack_manage(*args: str) -> str:
    """Run manage.py inside the stack (its database, media and secret); return what it printed."""
    result = subprocess.run(  # noqa: S603 - the stack's own script
        [str(ROOT / "deploy" / "ci-stack.sh"), "manage", *args],
        cwd=ROOT,
        env={**os.environ, "LUCUN_STACK_DIR": str(STACK_DIR)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def public_limits_reset() -> None:
    """Start the public pages' rate limits afresh for this machine's address, from which every browser here comes.

    Only this address's own counters go: the stack's Redis is also the Celery broker, so nothing is flushed.
    """
    stack_manage(
        "shell",
        "-c",
        "from lucun import throttle; from cases.ratelimit import LIMITS, WINDOW_SECONDS\n"
        "for scope in LIMITS: "
        "throttle.reset(purpose=f'feedback-{scope}', value='127.0.0.1', window_seconds=WINDOW_SECONDS)",
    )


@pytest.fixture(scope="session")
def stack():
    """This run's street in the stack: a card's address, two cadres (one per community), a member of the street
    staff, and their password."""
    out = stack_manage("shell", "-c", "from tests.stack.seed import create; create()")
    public_limits_reset()
    stack_manage("axes_reset_ip", "127.0.0.1")  # failed sign-ins of an earlier run on the same stack
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def browser():
    with chromium() as started:
        yield started


class Visitor:
    """One browser context (a phone or a PC with its own cookies) that records every answer it gets."""

    def __init__(self, context, folder: Path):
        self.context = context
        self.page = context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.folder = folder
        self.answers: list = []
        self.page.on("response", lambda answer: self.answers.append(answer))
        self.shots = 0

    def goto(self, path_or_url: str):
        return self.page.goto(path_or_url if path_or_url.startswith("http") else STACK_URL + path_or_url)

    def login(self, username: str, password: str) -> None:
        self.goto("/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(lambda url: "/accounts/login/" not in url)

    def shot(self, name: str) -> None:
        self.shots += 1
        self.page.screenshot(path=str(self.folder / f"{self.shots:02d}-{name}.png"), full_page=True)

    def failures(self) -> list[str]:
        return [f"{answer.status} {answer.url}" for answer in self.answers if answer.status >= 400]


@pytest.fixture
def visitor(request, browser):
    """visitor(agent, viewport) opens a new browser context; a failing test leaves screenshot and HTML behind."""
    opened: list[Visitor] = []
    folder = artifacts_folder(request, "stack")

    def open_visitor(agent: str, viewport: dict) -> Visitor:
        context = browser.new_context(
            viewport=viewport,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            user_agent=agent,
            ignore_https_errors=True,  # the stack's certificate is self-signed
        )
        opened.append(Visitor(context, folder))
        return opened[-1]

    yield open_visitor
    test_failed = failed(request)
    for n, visitor in enumerate(opened):
        if test_failed:
            keep_page(visitor.page, folder, f"failure-{n}")
        visitor.context.close()
    if test_failed:
        print(f"\nstack test failed: screenshots and HTML in {folder}")


def send_feedback(visitor: Visitor, card_url: str, text: str) -> str:
    """Scan a card (open its address), pick a category, write, send; return the lookup code shown."""
    page = visitor.page
    visitor.goto(card_url)
    page.locator("label.p-tile", has_text="基础设施").click()
    page.get_by_label("说说情况").fill(text)
    page.get_by_role("button", name="提交").click()
    from playwright.sync_api import expect

    code_box = page.get_by_test_id("lookup-code")
    expect(code_box).to_be_visible()
    return re.sub(r"\s", "", code_box.inner_text())
