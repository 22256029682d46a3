"""Journey 3: the supervisors' dashboard turns a case yellow, then red, on its own refresh; a supervisor narrows the
dashboard and the case list with their drop-downs, on a phone and on a laptop, and reads exactly the cases chosen."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from cases import tasks
from cases.models import OPEN_STATES, Case, CaseState, Colour
from cases.services import case_accept, case_colours_sweep, case_resolve
from lucun.models import Role
from tests.cases.factories import open_case, tier
from tests.factories import CommunityFactory, official

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


TARGET = 44  # px: the smallest tap target on the officials' pages (cases.css gives the filters' fields 44 px)
FITS = "document.documentElement.scrollWidth <= window.innerWidth"
# Each tier's cases opened this long ago: green, yellow (inside the warning before the deadline) and red (overdue).
AGES = {
    "immediate": (timedelta(hours=1), timedelta(hours=20), timedelta(hours=30)),
    "assigned": (timedelta(days=1), timedelta(days=6), timedelta(days=9)),
}


def cases_across_the_street(street, communities) -> None:
    """A green, a yellow and a red case of two tiers in each community, one more red 即办 case in the second, and
    there one case accepted and one resolved; the sweep then stores every colour, as it does every few minutes."""
    now = timezone.now().replace(microsecond=0)
    for index, community in enumerate(communities):
        cadre = official(Role.COMMUNITY_CADRE, community=community)
        opened = []
        for code, ages in AGES.items():
            for age in ages:
                title = f"{community.name}路灯不亮({age.total_seconds() // 3600:.0f}小时前)"
                opened.append(
                    open_case(community=community, by=cadre, tier_code=code, title=title, opened_at=now - age)
                )
        if index == 1:
            open_case(
                community=community,
                by=cadre,
                tier_code="immediate",
                title="又一件超期",
                opened_at=now - AGES["immediate"][2],
            )
            case_accept(case=opened[3], user=cadre)
            resolved = case_accept(case=opened[0], user=cadre)
            case_resolve(case=resolved, user=cadre, resolution="已修好路灯")
    case_colours_sweep()


def open_by_colour(**filters) -> dict[str, list[str]]:
    """The numbers of the open cases matching ``filters``, by their colour now, soonest due first."""
    colours = {colour: [] for colour in Colour.values}
    for case in Case.objects.filter(state__in=OPEN_STATES, **filters).order_by("due_at", "pk"):
        colours[case.colour_at()].append(case.number)
    return colours


def check_filters_fit(page) -> None:
    """Nothing scrolls sideways, and every field and the button of the filters lies on the screen, big enough to tap."""
    assert page.evaluate(FITS), page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    width = page.evaluate("window.innerWidth")
    controls = page.locator("form.filters").locator("select, input, button")
    assert controls.count() > 3
    for index in range(controls.count()):
        control = controls.nth(index)
        box = control.bounding_box()
        name = control.get_attribute("name") or control.inner_text()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (name, box, width)
        assert box["height"] >= TARGET, (name, box)


def numbers_in(page, testid: str) -> list[str]:
    return re.findall(r"[A-Z]+-\d{4}-\d{6}", page.get_by_test_id(testid).inner_text())


def check_dashboard_shows(page, expected: dict[str, list[str]], chosen_tier, community) -> None:
    for colour in Colour.values:
        expect(page.get_by_test_id(f"total-{colour}")).to_have_text(str(len(expected[colour])))
    assert numbers_in(page, "red-list") == expected[Colour.RED]
    assert numbers_in(page, "yellow-list") == expected[Colour.YELLOW]
    # The tier table: the chosen tier's column holds every case shown, the other tiers none.
    matrix = page.eval_on_selector(
        "table.matrix:not([data-testid])",
        """t => [[...t.tHead.rows[0].cells].slice(1).map(c => c.innerText.trim()),
                 ...[...t.tBodies[0].rows].map(r => [...r.cells].slice(1).map(c => c.innerText.trim()))]""",
    )
    head, *rows = matrix
    for colour, row in zip(Colour.values[::-1], rows, strict=True):  # red, yellow, green
        for name, cell in zip(head, row, strict=True):
            assert cell == str(len(expected[colour]) if name == chosen_tier.display_name else 0), (colour, name, cell)
    # The communities' table: the chosen community's row only, or others at nought.
    for row in page.get_by_test_id("community-matrix").locator("tbody tr").all():
        name, *counts = [cell.strip() for cell in row.locator("th, td").all_inner_texts()]
        wanted = [str(len(expected[c])) for c in (Colour.RED, Colour.YELLOW, Colour.GREEN)]
        assert counts == (wanted if name == community.name else ["0", "0", "0"]), (name, counts)


def test_a_supervisor_narrows_the_dashboard_to_one_community_and_tier(screen, street, community, other_community):
    communities = [community, other_community, CommunityFactory(street=street, name="荷塘社区")]
    cases_across_the_street(street, communities)
    supervisor = official(Role.SUPERVISOR, street=street)
    immediate = tier("immediate")
    page = screen.page
    page.clock.install()  # the page's own clock, moved on below to its next refresh
    screen.login(supervisor.username)
    screen.goto("/cases/dashboard/")
    everything = open_by_colour()
    expect(page.get_by_test_id("total-red")).to_have_text(str(len(everything[Colour.RED])))
    check_filters_fit(page)

    filters = page.locator("form.filters")
    filters.locator("select[name=community]").select_option(label=other_community.name)
    filters.locator("select[name=tier]").select_option(label=immediate.display_name)
    filters.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"[?&]tier="))
    query = parse_qs(urlsplit(page.url).query)
    assert query["community"] == [str(other_community.pk)] and query["tier"] == [str(immediate.pk)], query
    expected = open_by_colour(community=other_community, tier=immediate)
    assert expected != everything and expected[Colour.RED]
    check_dashboard_shows(page, expected, immediate, other_community)
    screen.shot("narrowed")

    page.reload()
    expect(filters.locator("select[name=community]")).to_have_value(str(other_community.pk))
    expect(filters.locator("select[name=tier]")).to_have_value(str(immediate.pk))
    check_dashboard_shows(page, expected, immediate, other_community)
    check_filters_fit(page)

    # A minute on, the page refreshes itself with the same choices: a new overdue 即办 case of the community counts,
    # one of another community does not.
    overdue = timezone.now() - AGES["immediate"][2]
    for where in (other_community, community):
        cadre = official(Role.COMMUNITY_CADRE, community=where)
        open_case(community=where, by=cadre, tier_code="immediate", title="路灯又坏了", opened_at=overdue)
    case_colours_sweep()
    expected = open_by_colour(community=other_community, tier=immediate)
    page.clock.fast_forward("01:01")
    expect(page.get_by_test_id("total-red")).to_have_text(str(len(expected[Colour.RED])))
    check_dashboard_shows(page, expected, immediate, other_community)


def rows_shown(page) -> list[str]:
    return page.locator(".case-list .case-item").evaluate_all("items => items.map(i => i.dataset.number)")


def test_a_supervisor_narrows_the_case_list_to_exactly_the_matching_cases(screen, street, community, other_community):
    communities = [community, other_community, CommunityFactory(street=street, name="荷塘社区")]
    cases_across_the_street(street, communities)
    supervisor = official(Role.SUPERVISOR, street=street)
    assigned = tier("assigned")
    page = screen.page
    screen.login(supervisor.username)
    screen.goto("/cases/")
    open_cases = Case.objects.filter(state__in=OPEN_STATES).order_by("due_at", "pk")
    assert rows_shown(page) == [case.number for case in open_cases]
    check_filters_fit(page)

    filters = page.locator("form.filters")
    filters.locator("select[name=community]").select_option(label=other_community.name)
    filters.locator("select[name=tier]").select_option(label=assigned.display_name)
    filters.locator("select[name=colour]").select_option(label="红色")
    filters.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"[?&]colour="))
    query = parse_qs(urlsplit(page.url).query)
    assert query["community"] == [str(other_community.pk)], query
    assert query["tier"] == [str(assigned.pk)] and query["colour"] == ["red"] and query["state"] == ["open"], query
    expected = open_by_colour(community=other_community, tier=assigned)[Colour.RED]
    assert expected and rows_shown(page) == expected
    expect(page.get_by_text(f"共 {len(expected)} 件")).to_be_visible()
    screen.shot("red-assigned")

    page.reload()
    for name, value in (("community", other_community.pk), ("tier", assigned.pk), ("colour", "red"), ("state", "open")):
        expect(filters.locator(f"select[name={name}]")).to_have_value(str(value))
    assert rows_shown(page) == expected
    check_filters_fit(page)

    # The resolved cases of the community, whatever their tier and colour.
    filters.locator("select[name=state]").select_option(label="已办结")
    filters.locator("select[name=tier]").select_option(value="")
    filters.locator("select[name=colour]").select_option(value="")
    filters.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"[?&]state=resolved"))
    resolved = Case.objects.filter(community=other_community, state=CaseState.RESOLVED).order_by("due_at", "pk")
    assert resolved.exists() and rows_shown(page) == [case.number for case in resolved]
    expect(filters.locator("select[name=state]")).to_have_value(CaseState.RESOLVED)
    expect(filters.locator("select[name=community]")).to_have_value(str(other_community.pk))
    screen.shot("resolved")
