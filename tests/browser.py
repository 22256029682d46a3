"""Debian's Chromium driven by Playwright's sync API, for the browser journeys (tests/e2e) and the production stack's
tests (tests/stack): where Chromium is, the screens a test stands for, how the browser starts, and what a failed
test leaves behind (a screenshot and the page's HTML under test-artifacts/).

No browser is downloaded: Playwright starts /usr/bin/chromium (``apt-get install chromium``), or LUCUN_CHROMIUM.
Playwright is imported only when a browser starts, so the suites collect without it.
"""

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("LUCUN_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_MS = 15_000  # what a page or an expectation may take before the test fails
ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)

# Playwright's sync API runs an event loop in the test's thread; the ORM calls a test makes are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@contextmanager
def chromium() -> Iterator:
    """Start headless Chromium, for a whole session; expectations wait as long as a page may take."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=list(ARGS))
        try:
            yield browser
        finally:
            browser.close()


def artifacts_folder(request, *parts: str) -> Path:
    """Return an emptied folder for this test's screenshots: test-artifacts/<parts[0]>/<test>/<parts[1:]>."""
    suite, *below = parts
    folder = ARTIFACTS / suite / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder = folder.joinpath(*below)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def failed(request) -> bool:
    """Whether the test the fixture serves failed (its report is kept by ``pytest_runtest_makereport``)."""
    report = getattr(request.node, "rep_call", None)
    return report is not None and report.failed


def keep_page(page, folder: Path, name: str) -> None:
    """Save the page as ``name``.png and ``name``.html; a page already gone leaves a note saying why instead."""
    html = folder / f"{name}.html"
    try:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        html.write_text(page.content(), encoding="utf-8")
    except Exception as exc:  # the page may be gone: say so and keep the test's own failure
        html.write_text(f"could not capture the page: {exc}", encoding="utf-8")


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test (``rep_setup``, ``rep_call``, …), so a fixture can tell it failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
