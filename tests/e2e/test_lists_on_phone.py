"""The visiting official's lists on a 360×740 phone: the household ledger and the volunteers list show each row
as a card that fits the screen, nothing scrolls sideways, and every link is a target a thumb can hit."""

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

