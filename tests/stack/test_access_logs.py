"""The access logs of this run (nginx's and gunicorn's) keep no client address and no user agent for the residents'
anonymous pages, while the officials' pages keep both in nginx's log (so these checks can fail). Runs after every
other stack test and reads the logs of the whole run."""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser import DESKTOP, PHONE
from tests.stack.conftest import OFFICIAL_AGENT, STACK_DIR, VILLAGER_AGENT, send_feedback

ANONYMOUS = re.compile(r"^/(f|s|api/v1/feedback|points/m)(/|$)")
REQUEST = re.compile(r'"(?P<method>[A-Z]+) (?P<path>/\S*) HTTP/[\d.]+"')
ADDRESS = re.compile(r"\b127\.0\.0\.1\b|\b(?:\d{1,3}\.){3}\d{1,3}\b")
AGENT_MARKS = ("LucunVillagerPhone", "LucunOfficePC", "Mozilla", "HeadlessChrome", "Python-urllib")


def log_lines(name: str) -> list[tuple[str, str]]:
    """(path, line) for each request line of a log of this stack."""
    text = (STACK_DIR / "logs" / name).read_text(encoding="utf-8", errors="replace")
    found = []
    for line in text.splitlines():
        match = REQUEST.search(line)
        if match:
            found.append((match["path"], line))
    return found


@pytest.fixture(scope="module")
def logs(stack, visitor_for_module):
    """One more visit of each kind with marked user agents, then the logs once nginx and gunicorn wrote them."""
    villager = visitor_for_module(VILLAGER_AGENT, PHONE)
    send_feedback(villager, stack["card_url"], f"健身器材坏了一个。({stack['run']}-3)")
    villager.goto("/s/")
    expect(villager.page.get_by_role("textbox")).to_be_visible()
    office = visitor_for_module(OFFICIAL_AGENT, DESKTOP)
    office.login(stack["cadre"], stack["password"])
    office.goto("/cases/feedback/")
    time.sleep(1)  # nginx writes a line when the answer is sent; let the last ones land
    return {"nginx": log_lines("nginx-access.log"), "gunicorn": log_lines("gunicorn.out")}


@pytest.fixture(scope="module")
def visitor_for_module(request, browser):
    opened = []

    def open_visitor(agent, viewport):
        from tests.stack.conftest import ARTIFACTS, Visitor

        context = browser.new_context(viewport=viewport, locale="zh-CN", user_agent=agent, ignore_https_errors=True)
        folder = ARTIFACTS / "access-logs"
        folder.mkdir(parents=True, exist_ok=True)
        opened.append(Visitor(context, folder))
        return opened[-1]

    yield open_visitor
    for visitor in opened:
        visitor.context.close()


def test_nginx_logs_the_anonymous_pages_without_address_or_user_agent(logs):
    anonymous = [line for path, line in logs["nginx"] if ANONYMOUS.match(path)]
    assert len(anonymous) >= 5, "the villagers' requests should be in the log"
    leaks = [line for line in anonymous if ADDRESS.search(line) or any(mark in line for mark in AGENT_MARKS)]
    assert leaks == []
    assert not any("?" in line for line in anonymous)  # no query strings either


def test_nginx_logs_nothing_that_names_a_villagers_phone(logs):
    """The villager's phone also fetched static files and a favicon: none of its requests carry its user agent."""
    assert [line for _, line in logs["nginx"] if "LucunVillagerPhone" in line] == []


def test_nginx_keeps_address_and_user_agent_for_the_officials_pages(logs):
    office = [line for path, line in logs["nginx"] if path.startswith(("/accounts/login/", "/cases/feedback/"))]
    assert office, "the officials' requests should be in the log"
    assert any("127.0.0.1" in line and "LucunOfficePC" in line for line in office)


def test_gunicorn_logs_requests_without_any_address_or_user_agent(logs):
    lines = logs["gunicorn"]
    assert len([line for path, line in lines if ANONYMOUS.match(path)]) >= 5
    assert any(path.startswith("/accounts/login/") for path, _ in lines)
    leaks = [line for _, line in lines if ADDRESS.search(line) or any(mark in line for mark in AGENT_MARKS)]
    assert leaks == []
