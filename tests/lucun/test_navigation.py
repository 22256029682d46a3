"""The navigation, grouped by the mechanism: each role is offered exactly the pages it can use, and each opens.

EXPECTED says which entries each position sees (x) and which it does not (.): street leader, street staff and
supervisor at the street; community cadre and party representative at 芦湖村; grid worker and unit head at its
grid. An entry a position does not see is a page it cannot use there (refused, or read-only for that position).
"""

import re

import pytest
from django.urls import reverse

from lucun.models import Role
from lucun.navigation import GROUPS, registered
from tests.cases.factories import open_case
from tests.factories import ROLE_LEVELS, UserFactory, official

pytestmark = pytest.mark.django_db

EXPECTED_TABLE = """
# group     entry                                 lead stff supv cadr prty grid unit
-           home                                    x    x    x    x    x    x    x
ask         visits:search                           x    x    x    x    x    x    x
ask         visits:ledger_index                     x    x    x    x    x    x    x
ask         visits:team_list                        x    x    x    x    x    x    x
ask         visits:plan                             x    x    x    x    x    x    x
ask         visits:coverage                         x    x    x    .    .    .    .
ask         visits:card_index                       x    x    x    x    .    .    .
discuss     deliberation:calendar                   x    x    x    x    x    x    x
discuss     deliberation:meeting_list               x    x    x    x    x    x    x
discuss     deliberation:meeting_list?kind=contest  x    x    x    x    x    x    x
discuss     deliberation:venue_list                 x    x    x    x    x    x    x
discuss     deliberation:figures                    x    x    x    x    x    x    x
solve       cases:my_work                           x    x    x    x    x    x    x
solve       cases:approvals                         x    x    x    x    .    .    .
solve       cases:case_list                         x    x    x    x    x    x    x
solve       cases:feedback_queue                    x    x    x    x    .    .    .
solve       cases:dashboard                         x    x    x    x    .    .    .
solve       cases:bulletin_list                     x    x    x    x    .    x    .
points      points:volunteer_list                   x    x    x    x    x    x    x
points      points:claim_list                       x    x    .    x    .    .    .
points      points:redeem_start                     .    x    .    x    .    x    .
points      points:figures                          x    x    x    x    x    x    x
outcomes    outcomes:report                         x    x    x    x    x    x    x
outcomes    outcomes:snapshot_list                  x    x    x    .    .    .    .
outcomes    outcomes:callback_list                  x    x    x    x    .    x    .
outcomes    outcomes:rates                          x    x    x    x    x    x    x
outcomes    outcomes:my_samples                     x    x    x    x    x    x    x
outcomes    outcomes:survey_list                    x    x    x    x    x    x    x
outcomes    outcomes:cadres                         x    x    x    x    .    .    .
outcomes    outcomes:talent_list                    x    x    x    x    .    .    .
settings    org_tree                                x    x    x    x    x    x    x
settings    account_settings                        x    x    x    x    x    x    x
settings    people_list                             x    .    x    x    .    .    .
settings    api_docs                                x    x    x    .    .    .    .
settings    admin:index                             .    .    .    .    .    .    .
"""


def _table():
    rows = {}
    for line in EXPECTED_TABLE.strip().splitlines():
        if line.startswith("#"):
            continue
        group, key, *cells = line.split()
        rows[key] = (group, dict(zip(ROLE_LEVELS, cells, strict=True)))
    return rows


EXPECTED = _table()


def _nav(client):
    return client.get(reverse("home")).context["nav"]


def _entries(nav) -> dict[str, dict]:
    """The entries the page offers, keyed as EXPECTED keys them (url name, and the filter if any)."""
    items = [nav["home"], *[item for group in nav["groups"] for item in group["items"]]]
    return {
        item["url_name"] + (f"?{item['url'].split('?', 1)[1]}" if "?" in item["url"] else ""): item for item in items
    }


def test_every_registered_entry_has_a_row_in_the_table():
    assert {item.key for item in registered()} == set(EXPECTED)
    assert {item.key: item.group or "-" for item in registered()} == {k: g for k, (g, _) in EXPECTED.items()}


@pytest.mark.parametrize("role", list(ROLE_LEVELS))
def test_each_position_is_offered_exactly_its_entries_and_each_opens(client, user_of, role):
    client.force_login(user_of(role))
    offered = _entries(_nav(client))
    assert set(offered) == {key for key, (_group, cells) in EXPECTED.items() if cells[role] == "x"}
    broken = {}
    for key, item in offered.items():
        response = client.get(item["url"], follow=True)
        if response.status_code != 200:
            broken[key] = response.status_code
        elif response.redirect_chain and not response.redirect_chain[-1][0].startswith("/"):
            broken[key] = f"left the site: {response.redirect_chain}"
    assert broken == {}


def test_staff_are_offered_the_admin_under_settings_and_it_opens(client, street):
    user = official(Role.STREET_STAFF, street=street)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    nav = _nav(client)
    settings_group = next(g for g in nav["groups"] if g["key"] == "settings")
    admin = next(i for i in settings_group["items"] if i["url_name"] == "admin:index")
    assert admin["label"] == "系统配置"
    assert client.get(admin["url"]).status_code == 200


def test_groups_follow_the_mechanism_in_order(client, user_of):
    client.force_login(user_of(Role.STREET_LEADER))
    nav = _nav(client)
    assert [str(g["label"]) for g in nav["groups"]] == ["直面问", "现场议", "分类解", "积分", "工作成效", "设置"]
    assert [g["key"] for g in nav["groups"]] == [key for key, _label in GROUPS]


def test_a_group_without_any_entry_for_the_person_is_left_out(client):
    client.force_login(UserFactory())  # no position: the pages open to every signed-in user only
    nav = _nav(client)
    assert [g["key"] for g in nav["groups"]] == ["discuss", "solve", "outcomes", "settings"]
    assert all(g["items"] for g in nav["groups"])


def test_the_page_marks_the_home_link_on_the_home_page(client, user_of):
    client.force_login(user_of(Role.COMMUNITY_CADRE))
    html = client.get(reverse("home")).content.decode()
    assert re.search(r'<a class="site-nav__tab" href="/" data-nav-home aria-current="page">工作台</a>', html)
    nav = html[html.index('<nav class="site-nav"') : html.index("</nav>")]
    assert "aria-current" not in nav.replace('data-nav-home aria-current="page"', "")


def test_a_case_page_marks_its_group_and_the_list_it_belongs_to(client, user_of, community):
    user = user_of(Role.COMMUNITY_CADRE)
    case = open_case(community=community, by=user)
    client.force_login(user)
    response = client.get(case.get_absolute_url())
    nav = response.context["nav"]
    current_groups = [g["key"] for g in nav["groups"] if g["current"]]
    assert current_groups == ["solve"]
    marked = {i["url_name"]: i["current"] for g in nav["groups"] for i in g["items"] if i["current"]}
    assert marked == {"cases:case_list": "true"}
    html = response.content.decode()
    assert re.search(r'<summary class="site-nav__tab" aria-current="true">分类解</summary>', html)


def test_the_list_page_itself_is_marked_as_the_current_page(client, user_of):
    client.force_login(user_of(Role.STREET_LEADER))
    html = client.get(reverse("cases:my_work")).content.decode()
    assert f'<a href="{reverse("cases:my_work")}" aria-current="page">我的待办</a>' in html


def test_a_filtered_entry_is_current_only_with_its_filter(client, user_of):
    client.force_login(user_of(Role.STREET_LEADER))
    meetings = reverse("deliberation:meeting_list")
    contest = client.get(meetings + "?kind=contest").context["nav"]
    marked = {i["label"]: i["current"] for g in contest["groups"] for i in g["items"] if i["current"]}
    assert {str(k): v for k, v in marked.items()} == {"擂台比武": "page"}
    plain = client.get(meetings).context["nav"]
    marked = {i["label"]: i["current"] for g in plain["groups"] for i in g["items"] if i["current"]}
    assert {str(k): v for k, v in marked.items()} == {"议事会议": "page"}


def test_a_page_outside_every_entry_marks_the_group_of_its_app(client, user_of, community):
    from tests.visits.factories import HouseholdFactory

    household = HouseholdFactory(community=community)
    client.force_login(user_of(Role.COMMUNITY_CADRE))
    nav = client.get(household.get_absolute_url()).context["nav"]
    assert [g["key"] for g in nav["groups"] if g["current"]] == ["ask"]


def test_the_navigation_needs_no_script_and_loads_only_its_own_files(client, user_of):
    client.force_login(user_of(Role.STREET_LEADER))
    html = client.get(reverse("home")).content.decode()
    assert html.count('<details class="nav-group"') == 6
    assert '<script src="/static/js/nav.js" defer></script>' in html
    assert '<link rel="stylesheet" href="/static/css/nav.css">' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


def test_anonymous_visitors_get_no_navigation(client):
    html = client.get(reverse("login")).content.decode()
    assert "site-nav" not in html
