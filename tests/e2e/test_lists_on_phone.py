"""The visiting official's lists on a 360×740 phone: the household ledger and the volunteers list show each row
as a card that fits the screen, nothing scrolls sideways, and every link is a target a thumb can hit."""

import re

import pytest
from playwright.sync_api import expect

from lucun.models import Role
from tests.factories import official
from tests.points.factories import ServiceCorpsFactory, VolunteerFactory
from tests.visits.factories import AttentionTagFactory, HouseholdFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TARGET = 44  # px: the smallest tap target on the officials' pages

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def link_heights(page, selector: str) -> list[tuple[str, float, float]]:
    return page.eval_on_selector_all(
        selector,
        """links => links.map(a => { const r = a.getBoundingClientRect();
             return [a.textContent.trim(), r.height, r.right]; })""",
    )


def check_list(phone, path: str, testid: str, name: str) -> None:
    page = phone.page
    phone.goto(path)
    table = page.get_by_test_id(testid)
    expect(table).to_contain_text(name)
    assert page.evaluate(FITS), page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    links = link_heights(page, f"[data-testid={testid}] a, .pagination a")
    assert links, "the list has links"
    small = [(text, height) for text, height, _right in links if height < TARGET]
    assert not small, small
    assert all(right <= 360 for _text, _height, right in links), links
    # The name is one readable line, not one character per line.
    row = table.locator("tbody tr").first
    first = row.locator("a").first
    assert first.bounding_box()["width"] >= 3 * 14, first.bounding_box()
    assert row.bounding_box()["width"] >= 300  # a card as wide as the screen allows


def test_the_ledger_and_the_volunteers_list_fit_a_phone(phone, community):
    cadre = official(Role.COMMUNITY_CADRE, community=community)
    tag = AttentionTagFactory(code="alone", name="独居老人")
    for n in range(12):
        household = HouseholdFactory(
            community=community,
            head_name=f"欧阳建国{n}",
            group="第十三村民小组",
            door_number=f"{100 + n}",
            address=f"芦湖村第十三村民小组幸福路东段{100 + n}号院内北侧二单元",
        )
        household.tags.add(tag)
    corps = ServiceCorpsFactory(name="红马甲文明实践志愿服务团")
    for n in range(25):
        volunteer = VolunteerFactory(community=community, name=f"司马志愿{n}", balance=120)
        volunteer.corps.add(corps)

    phone.login(cadre.username)
    check_list(phone, f"/visits/ledger/{community.pk}/", "ledger", "欧阳建国0")
    phone.shot("ledger")
    check_list(phone, "/points/", "volunteers", "司马志愿")
    phone.shot("volunteers")


def test_an_official_finds_a_partner_among_fifty_visitors_by_typing_pinyin_initials(phone, street, community):
    from tests.factories import UserFactory
    from tests.visits.factories import VisitTeamFactory, VisitTeamMemberFactory

    cadre = official(Role.COMMUNITY_CADRE, community=community)
    household = HouseholdFactory(community=community, head_name="张建国")
    teams = [VisitTeamFactory(street=street, name=f"第{n}走访队") for n in range(1, 6)]
    surnames = "赵钱孙李周吴郑王冯陈"
    for index in range(50):
        user = UserFactory(real_name=f"{surnames[index % 10]}{'一二三四五'[index // 10]}号")
        VisitTeamMemberFactory(team=teams[index % 5], user=user)
    partner = UserFactory(real_name="欧阳搭档")
    VisitTeamMemberFactory(team=teams[2], user=partner)
    page = phone.page

    phone.login(cadre.username)
    phone.goto(f"/visits/households/{household.pk}/visit/")
    boxes = page.locator("label.check[data-search]")
    expect(boxes).to_have_count(52)  # the cadre and everyone in the street's teams
    search = page.get_by_label("找人")
    search.fill("oydd")  # 欧阳搭档's pinyin initials
    expect(boxes.filter(visible=True)).to_have_count(2)  # the partner, and the cadre already ticked
    page.get_by_text("欧阳搭档").click()
    phone.shot("visitor-found")
    search.fill("")
    expect(boxes.filter(visible=True)).to_have_count(52)
    checked = page.locator("input[name=visitors]:checked")
    expect(checked).to_have_count(2)
    assert page.evaluate(FITS)


def test_an_official_searches_from_the_header_on_a_phone_and_opens_the_household(phone, community, other_community):
    grid_worker = official(Role.GRID_WORKER, community=community)
    household = HouseholdFactory(community=community, head_name="欧阳秀英", phone="13912345678")
    HouseholdFactory(community=other_community, head_name="欧阳秀兰")

    phone.login(grid_worker.username)
    page = phone.page
    page.get_by_role("searchbox").fill("欧阳秀")
    page.get_by_role("button", name="搜索").click()
    results = page.get_by_test_id("search-results")
    expect(results).to_contain_text("欧阳秀英")
    expect(results).not_to_contain_text("欧阳秀兰")  # another community's
    expect(results).to_contain_text("139****5678")  # a grid worker reads masked numbers
    assert page.evaluate(FITS), page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    small = [(t, h) for t, h, _r in link_heights(page, "[data-testid=search-results] a") if h < TARGET]
    assert not small, small
    phone.shot("search")
    results.get_by_role("link", name="欧阳秀英").click()
    expect(page).to_have_url(re.compile(household.get_absolute_url() + "$"))
