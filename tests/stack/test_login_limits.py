"""Password guessing on the production stack: the back office's own sign-in page locks like the officials' one."""

from playwright.sync_api import expect

from tests.browser import DESKTOP
from tests.stack.conftest import OFFICIAL_AGENT

# The stack runs with the default limit: the fifth failure for one account locks it.
FAILURES_PER_ACCOUNT = 5


def _admin_login(office, username: str, password: str):
    office.goto("/admin/login/?next=/admin/")
    office.page.fill("input[name=username]", username)
    office.page.fill("input[name=password]", password)
    with office.page.expect_navigation() as navigation:
        office.page.click("input[type=submit], button[type=submit]")
    return navigation.value


def test_the_admin_sign_in_locks_after_the_configured_failures_even_for_the_right_password(stack, visitor):
    office = visitor(OFFICIAL_AGENT, DESKTOP)
    for attempt in range(1, FAILURES_PER_ACCOUNT):
        answer = _admin_login(office, stack["staff"], f"wrong-{attempt}")
        assert answer.status == 200
        expect(office.page.locator(".errornote")).to_be_visible()
    answer = _admin_login(office, stack["staff"], "wrong-last")
    assert answer.status == 429
    answer = _admin_login(office, stack["staff"], stack["password"])
    assert answer.status == 429  # the right password, too late
    expect(office.page.get_by_text("登录失败次数过多")).to_be_visible()
    office.shot("admin-locked")

    # The lock is on the account, whichever sign-in page is used next.
    other_page = visitor(OFFICIAL_AGENT, DESKTOP)
    other_page.goto("/accounts/login/")
    other_page.page.fill("input[name=username]", stack["staff"].upper())
    other_page.page.fill("input[name=password]", stack["password"])
    with other_page.page.expect_navigation() as navigation:
        other_page.page.click("button[type=submit]")
    assert navigation.value.status == 429
    expect(other_page.page.get_by_text("登录失败次数过多")).to_be_visible()
