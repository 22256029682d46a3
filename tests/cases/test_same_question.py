"""我也遇到 (同问): the form's suggestions, joining a case instead of writing a duplicate, and what officials see."""

import re

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from cases import services
from cases.models import Case, CaseState, Feedback
from lucun.models import Role
from tests.cases.factories import category, channel, open_case, submit, tier
from tests.factories import CommunityFactory, StreetFactory, official

pytestmark = pytest.mark.django_db

PHONE = {"REMOTE_ADDR": "203.0.113.7"}


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def poster(community):
    return channel(community=community)


@pytest.fixture
def lamp(community, cadre):
    """An open case of 芦湖村 about a street light, with a public title."""
    return open_case(
        community=community,
        by=cadre,
        title="张大爷反映:芦湖路东段12号门前路灯不亮",
        public_title="芦湖路东段路灯不亮",
        category=category("infrastructure"),
        description="张大爷电话13912345678,家住芦湖路12号。",
    )


def similar(client, channel, **data):
    url = reverse("cases:feedback:similar", kwargs={"token": channel.token})
    return client.post(url, data, **PHONE)


def form_url(token):
    return reverse("cases:feedback:form", kwargs={"token": token})


# --- Suggestions -------------------------------------------------------------------------------------


def test_the_form_offers_the_open_case_like_the_one_being_written_with_public_fields_only(client, poster, lamp):
    response = similar(
        client, poster, community=lamp.community_id, category=lamp.category_id, text="芦湖路东头的路灯坏了,晚上很黑"
    )
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    [suggestion] = response.json()["suggestions"]
    assert suggestion == {
        "case": lamp.number,
        "title": "芦湖路东段路灯不亮",
        "status": "已受理,待办理",
        "days_open": 0,
        "public_reply": "",
    }
    body = response.content.decode()
    assert "张大爷" not in body and "13912345678" not in body and "12号" not in body


def test_suggestions_stay_within_the_community_the_category_and_the_open_cases_with_a_public_title(
    client, poster, lamp, cadre, community, other_community, other_cadre
):
    text = "芦湖路东头的路灯坏了,晚上很黑"
    same = {"public_title": "芦湖路东段路灯不亮", "category": category("infrastructure")}
    open_case(community=other_community, by=other_cadre, title="稻香村的灯", **same)
    open_case(
        community=community,
        by=cadre,
        title="另一类",
        public_title="芦湖路东段路灯不亮",
        category=category("environment"),
    )
    open_case(community=community, by=cadre, title="不公开", category=category("infrastructure"))
    done = open_case(community=community, by=cadre, title="已办结", **same)
    services.case_resolve(case=done, user=cadre, resolution="修好", public_reply="已修好")
    found = similar(client, poster, community=community.pk, category=lamp.category_id, text=text).json()["suggestions"]
    assert [s["case"] for s in found] == [lamp.number]
    other = similar(client, poster, community=other_community.pk, category=lamp.category_id, text=text).json()
    assert [s["title"] for s in other["suggestions"]] == ["芦湖路东段路灯不亮"]  # the street's other community
    assert other["suggestions"][0]["case"] != lamp.number


def test_suggestions_never_reach_another_streets_cases(client, poster, lamp):
    far = CommunityFactory(street=StreetFactory(name="外街道", code="WJ"), name="外村")
    boss = official(Role.COMMUNITY_CADRE, community=far)
    open_case(
        community=far, by=boss, title="外村路灯", public_title="芦湖路东段路灯不亮", category=category("infrastructure")
    )
    response = similar(client, poster, community=far.pk, category=lamp.category_id, text="芦湖路东段路灯不亮")
    assert response.status_code == 200 and response.json() == {"suggestions": []}


def test_no_suggestion_without_a_category_or_words_or_for_a_different_problem(client, poster, lamp):
    base = {"community": lamp.community_id}
    assert similar(client, poster, **base, category="", text="芦湖路东段路灯不亮").json()["suggestions"] == []
    assert similar(client, poster, **base, category=lamp.category_id, text="").json()["suggestions"] == []
    other = similar(client, poster, **base, category=lamp.category_id, text="幸福路有个井盖没了,晚上很危险")
    assert other.json()["suggestions"] == []


def test_suggestions_take_a_post_only_and_an_unknown_code_answers_404(client, poster, lamp):
    url = reverse("cases:feedback:similar", kwargs={"token": poster.token})
    assert client.get(url, {"text": "路灯"}).status_code == 405  # the words typed never go into an address
    bad = reverse("cases:feedback:similar", kwargs={"token": "unknown-token-123"})
    assert client.post(bad, {"text": "路灯"}).status_code == 404


@override_settings(LUCUN_FEEDBACK_RATE_LIMITS={"similar": 3})
def test_suggestions_are_held_back_past_the_limit(client, poster, lamp):
    data = {"community": lamp.community_id, "category": lamp.category_id, "text": "芦湖路东段路灯"}
    for _ in range(3):
        assert similar(client, poster, **data).status_code == 200
    response = similar(client, poster, **data)
    assert response.status_code == 429 and response.json()["suggestions"] == []


def test_the_form_carries_the_suggestion_address_and_the_suggestions_box(client, poster):
    html = client.get(form_url(poster.token)).content.decode()
    url = reverse("cases:feedback:similar", kwargs={"token": poster.token})
    assert f'data-similar-url="{url}"' in html and 'id="same-suggestions" hidden' in html
    root = client.get(reverse("feedback:form", kwargs={"token": poster.token})).content.decode()
    assert 'data-similar-url="/f/' in root  # the short address follows the mount it came through


# --- 我也遇到 ------------------------------------------------------------------------------------------


def tap_same(client, poster, case, **extra):
    """What the form sends when "我也遇到" is tapped: the whole form, with the case as the button's value."""
    page = client.get(form_url(poster.token)).content.decode()
    key = re.search(r'name="submit_key" value="([^"]+)"', page).group(1)
    data = {
        "community": case.community_id,
        "category": case.category_id,
        "text": "芦湖路东头的路灯坏了,我家门口,电话13800001111",
        "reply_phone": "",
        "submit_key": key,
        "same_case": case.number,
    }
    data.update(extra)
    return client.post(form_url(poster.token), data, **PHONE)


def test_me_too_gives_a_lookup_code_that_follows_the_case_and_keeps_nothing_typed(client, poster, lamp):
    response = tap_same(client, poster, lamp)
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="lookup-code"' in html
    assert "您也遇到了“芦湖路东段路灯不亮”" in html and "张大爷" not in html
    feedback = Feedback.objects.get()
    assert feedback.same_question and feedback.state == Feedback.State.MERGED and feedback.case == lamp
    assert feedback.text == "" and feedback.reply_phone == "" and feedback.received_at.minute == 0
    assert feedback.display_code in html
    lamp.refresh_from_db()
    assert lamp.same_question_count == 1
    status = client.get(reverse("cases:feedback:status", kwargs={"code": feedback.lookup_code})).content.decode()
    assert 'data-stage="handling"' in status and "芦湖路东段路灯不亮" in status


def test_a_second_tap_on_me_too_counts_once(client, poster, lamp):
    page = client.get(form_url(poster.token)).content.decode()
    key = re.search(r'name="submit_key" value="([^"]+)"', page).group(1)
    data = {"community": lamp.community_id, "same_case": lamp.number, "submit_key": key, "text": ""}
    first = client.post(form_url(poster.token), data, **PHONE)
    second = client.post(form_url(poster.token), data, **PHONE)
    assert first.status_code == second.status_code == 200
    assert Feedback.objects.count() == 1
    lamp.refresh_from_db()
    assert lamp.same_question_count == 1


def test_me_too_keeps_a_phone_only_when_the_villager_leaves_one(client, poster, lamp):
    tap_same(client, poster, lamp, reply_phone="13800001111")
    assert Feedback.objects.get().reply_phone == "13800001111"


def test_me_too_on_a_resolved_case_or_another_communitys_case_is_refused_and_the_text_stays(
    client, poster, lamp, cadre, other_community, other_cadre
):
    elsewhere = open_case(
        community=other_community, by=other_cadre, title="x", public_title="稻香村路灯", category=lamp.category
    )
    response = tap_same(client, poster, elsewhere, community=lamp.community_id)
    assert response.status_code == 400 and "已经办结或不再公开" in response.content.decode()
    services.case_resolve(case=lamp, user=cadre, resolution="修好", public_reply="已修好")
    response = tap_same(client, poster, lamp)
    html = response.content.decode()
    assert response.status_code == 400 and "已经办结或不再公开" in html and "芦湖路东头的路灯坏了" in html
    assert not Feedback.objects.exists()


def test_me_too_counts_against_the_same_limit_as_sending(client, poster, lamp):
    for _ in range(5):
        assert tap_same(client, poster, lamp).status_code == 200
    response = tap_same(client, poster, lamp)
    assert response.status_code == 429
    lamp.refresh_from_db()
    assert lamp.same_question_count == 5


def test_the_me_too_senders_answer_counts_like_any_other(client, poster, lamp, cadre):
    tap_same(client, poster, lamp)
    feedback = Feedback.objects.get()
    services.case_resolve(case=lamp, user=cadre, resolution="换灯", public_reply="路灯已修好。")
    answer = reverse("cases:feedback:answer", kwargs={"code": feedback.lookup_code})
    assert client.post(answer, {"solved": "no", "satisfaction": "dissatisfied"}).status_code == 302
    lamp.refresh_from_db()
    assert lamp.state == CaseState.IN_PROGRESS and lamp.reopen_count == 1
    client.force_login(cadre)
    page = client.get(lamp.get_absolute_url()).content.decode()
    assert 'data-testid="sender-answers"' in page and "问题没有解决" in page


def test_the_database_refuses_a_same_question_row_without_its_case(poster, community):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.create(
            channel=poster, street_id=community.street_id, community=community, text="", same_question=True
        )


# --- What officials see ------------------------------------------------------------------------------


def test_the_case_page_list_and_dashboard_count_the_same_questions(client, poster, lamp, cadre, community, supervisor):
    quiet = open_case(community=community, by=cadre, title="安静的诉求")
    for _ in range(2):
        services.same_question_submit(channel=poster, case=lamp)
    client.force_login(cadre)
    page = client.get(lamp.get_absolute_url()).content.decode()
    assert re.search(r'data-testid="same-question-count">2 人也遇到<', page)
    listing = client.get(reverse("cases:case_list"), {"order": "same_question"})
    numbers = [c.number for c in listing.context["page_obj"]]
    assert numbers == [lamp.number, quiet.number]
    assert "同问 2" in listing.content.decode()
    default = [c.number for c in client.get(reverse("cases:case_list")).context["page_obj"]]
    assert set(default) == {lamp.number, quiet.number}
    client.force_login(supervisor)
    board = client.get(reverse("cases:dashboard"))
    assert [c.number for c in board.context["d"].same_question_cases] == [lamp.number]
    assert "2 人也遇到" in board.content.decode()


def test_a_dispatcher_sets_the_public_title_on_the_case_page_and_a_phone_number_is_refused(client, lamp, cadre):
    client.force_login(cadre)
    url = reverse("cases:case_public_title", kwargs={"number": lamp.number})
    response = client.post(url, {"public_title": "芦湖路东段路灯 13912345678"})
    assert response.status_code == 400 and "电话或身份证号码" in response.content.decode()
    assert client.post(url, {"public_title": "  芦湖路东段 路灯不亮 "}).status_code == 302
    lamp.refresh_from_db()
    assert lamp.public_title == "芦湖路东段 路灯不亮"
    assert client.post(url, {"public_title": ""}).status_code == 302
    lamp.refresh_from_db()
    assert lamp.public_title == ""


def test_a_grid_worker_may_not_set_the_public_title(client, lamp, grid):
    worker = official(Role.GRID_WORKER, grid=grid)
    client.force_login(worker)
    url = reverse("cases:case_public_title", kwargs={"number": lamp.number})
    assert client.post(url, {"public_title": "x"}).status_code == 403
    assert '<details class="move" id="public-title"' not in client.get(lamp.get_absolute_url()).content.decode()


def test_triage_shows_the_likely_duplicate_with_its_score_and_merges_in_one_tap(client, poster, lamp, cadre):
    feedback = submit(channel=poster, text="芦湖路东头的路灯坏了好几天了,晚上走路很黑", category=lamp.category)
    unrelated = submit(channel=poster, text="幸福路工地半夜打桩,吵得睡不着")
    client.force_login(cadre)
    page = client.get(reverse("cases:feedback_detail", kwargs={"pk": feedback.pk})).content.decode()
    assert 'data-testid="duplicates"' in page and f'data-number="{lamp.number}"' in page
    assert re.search(r'data-testid="similarity">相似度 0\.\d\d<', page)
    other = client.get(reverse("cases:feedback_detail", kwargs={"pk": unrelated.pk})).content.decode()
    assert 'data-testid="duplicates"' not in other
    merge = reverse("cases:feedback_triage", kwargs={"pk": feedback.pk, "action": "merge"})
    assert client.post(merge, {"merge-case_number": lamp.number}).status_code == 302
    feedback.refresh_from_db()
    assert feedback.state == Feedback.State.MERGED and feedback.case == lamp


def test_a_case_opened_from_triage_takes_its_public_title(client, poster, cadre):
    feedback = submit(channel=poster, category=category("infrastructure"))
    client.force_login(cadre)
    url = reverse("cases:feedback_triage", kwargs={"pk": feedback.pk, "action": "create-case"})
    response = client.post(
        url,
        {
            "create-case-title": "村口路灯坏了三盏",
            "create-case-public_title": "村口路灯不亮",
            "create-case-category": category("infrastructure").pk,
            "create-case-tier": tier("assigned").pk,
            "create-case-case_list": "community",
        },
    )
    assert response.status_code == 302
    assert Case.objects.get().public_title == "村口路灯不亮"
