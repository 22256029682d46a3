"""The site search (lucun.search): from every page, within one's scope, phones as the person may read them."""

import re

import pytest
from django.urls import reverse

from cases.services import feedback_create_case
from lucun import search
from lucun.models import Role
from tests.cases.factories import channel, open_case, submit
from tests.factories import UserFactory, official
from tests.htmlforms import forms_in
from tests.visits.factories import HouseholdFactory

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


def _hits(response) -> list[tuple[str, str]]:
    """The results a person sees: (link, text of the line), read from the page."""
    html = response.content.decode()
    return re.findall(r'<a class="search-result__link" href="([^"]+)">([^<]*)</a>', html)


def _kinds(response) -> dict[str, str]:
    html = response.content.decode()
    return dict(re.findall(r'<a class="chip" href="\?q=[^"]*&amp;kind=(\w+)"[^>]*>([^<]*)</a>', html))


def _search(client, q: str, **params):
    return client.get(reverse("search"), {"q": q, **params})


@pytest.fixture
def places(community, other_community, cadre):
    """The same things in 芦湖村 (ours) and 稻香村 (another community)."""
    ours = HouseholdFactory(community=community, head_name="张秀英", group="三组", door_number="18", phone=PHONE)
    theirs = HouseholdFactory(community=other_community, head_name="张秀兰", door_number="18", phone="13900001111")
    case = open_case(community=community, by=cadre, title="村口路灯不亮", contact_phone="138-0000-2222")
    other = open_case(community=other_community, by=official(community=other_community), title="外村路灯不亮")
    feedback = submit(channel=channel(community=community), text="三组路灯坏了", reply_phone="13700003333")
    foreign = submit(channel=channel(community=other_community, label="稻香村广场"), text="外村反馈内容")
    return {"ours": ours, "theirs": theirs, "case": case, "other": other, "feedback": feedback, "foreign": foreign}


def test_a_case_number_finds_the_case_and_nothing_of_another_community(client, cadre, places):
    client.force_login(cadre)
    number = places["case"].number
    response = _search(client, number[-6:])

    assert _hits(response) == [(places["case"].get_absolute_url(), f"{number} 村口路灯不亮")]
    assert places["other"].number not in response.content.decode()


def test_a_lookup_code_finds_the_message_and_the_case_it_became_but_is_never_shown(client, cadre, places):
    feedback = places["feedback"]
    case = feedback_create_case(feedback=feedback, user=cadre, title="三组路灯维修")
    client.force_login(cadre)
    code = feedback.lookup_code

    cases = _search(client, f"{code[:4]} {code[4:].lower()}")
    messages = _search(client, code, kind="feedback")

    assert _hits(cases) == [(case.get_absolute_url(), f"{case.number} 三组路灯维修")]
    assert _hits(messages) == [(feedback.get_absolute_url(), "三组路灯坏了")]
    listed = re.search(r'<ul class="search-results".*?</ul>', messages.content.decode(), re.S).group(0)
    assert code not in listed
    assert _search(client, places["foreign"].lookup_code, kind="feedback").context["results"].total == 0


def test_a_name_or_an_address_finds_the_household_within_scope(client, cadre, places):
    client.force_login(cadre)
    by_name = _search(client, "张秀")
    by_address = _search(client, "三组18")

    assert _hits(by_name) == [(places["ours"].get_absolute_url(), "张秀英")]
    assert _hits(by_address) == [(places["ours"].get_absolute_url(), "张秀英")]
    assert "张秀兰" not in by_name.content.decode()
    assert _kinds(by_name) == {"case": "诉求 0", "feedback": "群众反馈 0", "household": "住户 1"}


def test_a_cadre_sees_the_full_phone_and_finds_it_by_a_part(client, cadre, places):
    client.force_login(cadre)
    response = _search(client, "1234 5678")
    assert _hits(response) == [(places["ours"].get_absolute_url(), "张秀英")]
    assert f'<span data-testid="phone">{PHONE}</span>' in response.content.decode()


def test_a_grid_worker_sees_masked_phones_and_finds_only_by_the_whole_number(client, community, grid, places):
    worker = official(Role.GRID_WORKER, grid=grid)
    client.force_login(worker)

    part = _search(client, "12345678")
    whole = _search(client, "139-1234-5678")

    assert part.context["results"].total == 0  # the hidden middle digits cannot be probed
    assert _hits(whole) == [(places["ours"].get_absolute_url(), "张秀英")]
    html = whole.content.decode()
    assert '<span data-testid="phone">139****5678</span>' in html and PHONE not in html.replace("139-1234-5678", "")
    # Messages are for those who triage them: a grid worker is offered no such kind.
    assert "feedback" not in _kinds(whole)


def test_a_cases_phone_is_masked_for_everyone_and_found_by_the_whole_number_only(client, cadre, places):
    client.force_login(cadre)
    assert _search(client, "00002222").context["results"].total == 0
    response = _search(client, "13800002222")
    assert _hits(response) == [(places["case"].get_absolute_url(), f"{places['case'].number} 村口路灯不亮")]
    assert "138****2222" in response.content.decode()


def test_a_street_leader_finds_in_every_community_of_the_street(client, street, places):
    client.force_login(official(Role.STREET_LEADER, street=street))
    assert sorted(title for _url, title in _hits(_search(client, "张秀"))) == ["张秀兰", "张秀英"]


def test_one_character_is_too_short_and_the_page_says_so(client, cadre):
    client.force_login(cadre)
    response = _search(client, "张")
    assert response.status_code == 200 and "请输入至少 2 个字" in response.content.decode()
    assert _hits(response) == []


def test_results_are_paginated_in_a_fixed_number_of_queries(client, community, cadre, django_assert_num_queries):
    client.force_login(cadre)
    HouseholdFactory(community=community, head_name="李春华", group="五组")
    client.get(reverse("home"))  # the session is settled before counting
    with django_assert_num_queries(8):  # session, user, positions, unread, three counts, one page of rows
        one = _search(client, "李春")
    for n in range(30):
        HouseholdFactory(community=community, head_name=f"李春{n}", group="五组")
    with django_assert_num_queries(8):
        first = _search(client, "李春")
    assert (len(_hits(one)), len(_hits(first))) == (1, 20)
    second = _search(client, "李春", kind="household", page=2)
    assert len(_hits(second)) == 11
    assert "第 2 / 2 页" in second.content.decode()


def test_the_api_searches_within_scope_with_masked_phones(client, community, grid, cadre, places):
    worker = official(Role.GRID_WORKER, grid=grid)
    client.force_login(worker)
    url = reverse("api_search")

    data = client.get(url, {"q": PHONE}).json()
    assert data["kind"] == "household"
    assert [(k["key"], k["count"]) for k in data["kinds"]] == [("case", 0), ("household", 1)]
    assert [(h["title"], h["phone"], h["community"]) for h in data["results"]] == [("张秀英", "139****5678", "芦湖村")]
    assert client.get(url, {"q": "张秀"}).json()["count"] == 1  # not 张秀兰 of 稻香村
    short = client.get(url, {"q": "张"}).json()
    assert (short["results"], short["hint"]) == ([], "请输入至少 2 个字。")

    client.force_login(cadre)
    data = client.get(url, {"q": "路灯", "kind": "feedback"}).json()
    assert [h["url"] for h in data["results"]] == [places["feedback"].get_absolute_url()]
    assert data["results"][0]["phone"] == "13700003333"


def test_every_page_of_an_official_carries_the_search_box(client, cadre):
    client.force_login(cadre)
    for url in (reverse("home"), reverse("cases:case_list"), reverse("outcomes:callback_list")):
        (box,) = [f for f in forms_in(client.get(url).content.decode()) if f.action == reverse("search")]
        assert box.method == "get"
    nobody = UserFactory()  # signed in, but without a position: nothing to search
    client.force_login(nobody)
    assert 'role="search"' not in client.get(reverse("home")).content.decode()


def test_the_apps_register_their_kinds():
    assert [p.key for p in search.registered()] == ["case", "feedback", "household"]
