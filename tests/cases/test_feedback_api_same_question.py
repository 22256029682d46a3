"""我也遇到 (同问) through the public feedback API: the same suggestions, limits and scope as the QR form's page."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APIClient

from cases import services
from cases.models import Feedback
from lucun.models import Role
from tests.cases.factories import category, channel, open_case
from tests.factories import CommunityFactory, StreetFactory, official

pytestmark = pytest.mark.django_db

MESSAGE = "芦湖路东头的路灯坏了,晚上很黑"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def poster(community):
    return channel(community=community)


@pytest.fixture
def lamp(community, cadre):
    return open_case(
        community=community,
        by=cadre,
        title="张大爷反映:芦湖路东段12号门前路灯不亮",
        public_title="芦湖路东段路灯不亮",
        category=category("infrastructure"),
        description="张大爷电话13912345678,家住芦湖路12号。",
    )


def similar(api, poster, **data):
    return api.post(f"/api/v1/feedback/form/{poster.token}/similar/", data, format="json")


def me_too(api, poster, **data):
    return api.post("/api/v1/feedback/same-question/", {"token": poster.token, **data}, format="json")


def test_a_mini_program_gets_the_open_case_like_the_text_with_public_fields_only(api, poster, lamp):
    response = similar(api, poster, category=lamp.category_id, text=MESSAGE)  # the code's community by default
    assert response.status_code == 200
    assert response.json() == {
        "suggestions": [
            {
                "case": lamp.number,
                "title": "芦湖路东段路灯不亮",
                "status": "已受理,待办理",
                "days_open": 0,
                "public_reply": "",
            }
        ]
    }
    assert "张大爷" not in response.content.decode() and "13912345678" not in response.content.decode()


def test_no_suggestion_without_a_category_or_in_another_community(api, poster, lamp, other_community):
    assert similar(api, poster, text=MESSAGE).json() == {"suggestions": []}
    other = similar(api, poster, community=other_community.pk, category=lamp.category_id, text=MESSAGE)
    assert other.status_code == 200 and other.json() == {"suggestions": []}


def test_another_streets_community_or_an_unknown_category_is_refused_and_reveals_nothing(api, poster, lamp):
    far = CommunityFactory(street=StreetFactory(name="外街道", code="WJ"), name="外村")
    boss = official(Role.COMMUNITY_CADRE, community=far)
    open_case(community=far, by=boss, title="外村路灯", public_title=MESSAGE, category=category("infrastructure"))
    response = similar(api, poster, community=far.pk, category=lamp.category_id, text=MESSAGE)
    assert response.status_code == 400 and "community" in response.json() and "外村路灯" not in response.text
    assert similar(api, poster, category=999999, text=MESSAGE).json()["category"] == ["所选类别不存在或已停用。"]


def test_an_unknown_code_answers_404(api):
    response = api.post("/api/v1/feedback/form/unknown-token-123/similar/", {"text": MESSAGE}, format="json")
    assert response.status_code == 404


@override_settings(LUCUN_FEEDBACK_RATE_LIMITS={"similar": 2})
def test_suggestions_share_the_forms_limit(api, poster, lamp):
    assert similar(api, poster, category=lamp.category_id, text=MESSAGE).status_code == 200
    assert similar(api, poster, category=lamp.category_id, text=MESSAGE).status_code == 200
    assert similar(api, poster, category=lamp.category_id, text=MESSAGE).status_code == 429


def test_me_too_gives_a_lookup_code_that_follows_the_case_and_counts_once(api, poster, lamp):
    response = me_too(api, poster, case=lamp.number, submit_key="again-key-123")
    assert response.status_code == 201
    code = response.json()["lookup_code"]
    feedback = Feedback.objects.get(lookup_code=code)
    assert feedback.same_question and feedback.case == lamp and feedback.text == "" and feedback.reply_phone == ""
    again = me_too(api, poster, case=lamp.number, submit_key="again-key-123")
    assert again.status_code == 200 and again.json()["lookup_code"] == code
    lamp.refresh_from_db()
    assert lamp.same_question_count == 1
    status = api.get(f"/api/v1/feedback/status/{code}/").json()
    assert status["stage"] == "handling" and status["can_answer"] is False


def test_me_too_on_a_resolved_case_or_another_communitys_case_is_refused(
    api, poster, lamp, cadre, other_community, other_cadre
):
    theirs = open_case(community=other_community, by=other_cadre, title="稻香村路灯", public_title="稻香村路灯不亮")
    assert me_too(api, poster, case=theirs.number).status_code == 400  # the code's community is 芦湖村
    services.case_resolve(case=lamp, user=cadre, resolution="修好", public_reply="已修好")
    refused = me_too(api, poster, case=lamp.number)
    assert refused.status_code == 400 and "case" in refused.json()
    assert not Feedback.objects.exists()
    assert me_too(api, poster, community=other_community.pk, case=theirs.number).status_code == 201


def test_me_too_by_a_retired_code_or_an_unknown_one_or_a_robot_is_refused(api, poster, lamp):
    assert (
        api.post("/api/v1/feedback/same-question/", {"token": "unknown-token-123", "case": lamp.number}).status_code
        == 404
    )
    assert me_too(api, poster, case=lamp.number, website="http://spam").status_code == 400
    services.feedback_channel_deactivate(channel=poster, user=None, reason="联系卡遗失")
    retired = me_too(api, poster, case=lamp.number)
    assert retired.status_code == 400 and "token" in retired.json()
    assert not Feedback.objects.exists()


@override_settings(LUCUN_FEEDBACK_RATE_LIMITS={"submit": 2})
def test_me_too_counts_against_the_same_limit_as_sending(api, poster, lamp):
    assert me_too(api, poster, case=lamp.number).status_code == 201
    assert (
        api.post(
            "/api/v1/feedback/", {"token": poster.token, "text": "村口路灯坏了三盏,晚上看不见路。"}, format="json"
        ).status_code
        == 201
    )
    assert me_too(api, poster, case=lamp.number).status_code == 429
    lamp.refresh_from_db()
    assert lamp.same_question_count == 1
