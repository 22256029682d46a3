"""Journey 3: the supervisors' dashboard turns a case yellow, then red, on its own refresh."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from cases import tasks
from lucun.models import Role
from tests.cases.factories import open_case
from tests.factories import official

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_dashboard_follows_a_case_from_green_to_red_with_a_supervision_notice(desktop, street, community, settings):
    settings.SESSION_COOKIE_AGE = 3 * 24 * 3600  # the clock jumps a day; the session must outlive it
    supervisor = official(Role.SUPERVISOR, street=street)
    cadre = official(Role.COMMUNITY_CADRE, community=community)
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=True) as clock:
        case = open_case(community=community, by=cadre, tier_code="immediate", title="村口路灯不亮")
        page = desktop.page
        desktop.login(supervisor.username)
        desktop.goto("/cases/dashboard/?refresh=2")
        assert page.inner_text("[data-testid=total-green]") == "1"
        assert page.inner_text("[data-testid=total-yellow]") == "0"
        desktop.shot("green")

        clock.shift(timedelta(hours=17))  # past the 8-hours-left threshold of a 24-hour case
        tasks.case_colours_sweep.delay()
        expect(page.get_by_test_id("total-yellow")).to_have_text("1")
        assert case.number in page.inner_text("[data-testid=yellow-list]")
        desktop.shot("yellow")

        clock.shift(timedelta(hours=8))  # past the deadline
        tasks.case_colours_sweep.delay()
        expect(page.get_by_test_id("total-red")).to_have_text("1")
        assert case.number in page.inner_text("[data-testid=red-list]")
        desktop.shot("red")

        desktop.goto("/notifications/")
        notices = page.inner_text("[data-testid=notifications]")
        assert "督办单" in notices and case.number in notices
        assert page.inner_text("[data-testid=unread-count]") == "1"
        desktop.shot("notification-centre")
