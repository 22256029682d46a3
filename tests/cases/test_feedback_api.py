import io

import pytest
from django.core.cache import cache
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases import services
from cases.models import Case, CaseState, Feedback
from lucun.images import image_clean
from lucun.models import Role
from tests.cases.factories import category, channel, jpeg_bytes, open_case, submit, upload
from tests.factories import official

pytestmark = pytest.mark.django_db


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


# --- Anonymous ----------------------------------------------------------------------------------------


def test_form_options_for_a_token(api, poster, community, other_community):
    body = api.get(f"/api/v1/feedback/form/{poster.token}/").json()
    assert body["active"] is True and body["submit_token"] == poster.token
    assert body["community"] == community.pk and body["street"]["hotline"] == "0533-6960000"
    assert {c["name"] for c in body["communities"]} == {community.name, other_community.name}
    assert len(body["categories"]) == 6 and body["limits"]["photos_max"] == 3


def test_form_options_of_a_stopped_code_point_to_the_street_code(api, poster):
    services.feedback_channel_deactivate(channel=poster, user=None, reason="遗失")
    body = api.get(f"/api/v1/feedback/form/{poster.token}/").json()
    assert body["active"] is False and body["submit_token"] != poster.token and "已停用" in body["notice"]


def test_an_unknown_token_is_404_with_the_street_codes(api, street):
    street_code = channel(street=street, label="总码")
    response = api.get("/api/v1/feedback/form/NoSuchToken123/")
    assert response.status_code == 404 and response.json()["street_tokens"] == [street_code.token]


def test_submit_multipart_with_a_photo_returns_a_lookup_code(api, poster):
    response = api.post(
        "/api/v1/feedback/",
        {
            "token": poster.token,
            "text": "路灯坏了",
            "category": category("infrastructure").pk,
            "photos": [upload(jpeg_bytes())],
        },
        format="multipart",
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT="MiniProgram",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    feedback = Feedback.objects.get()
    assert body["lookup_code"] == feedback.lookup_code
    assert body["status_url"].endswith(f"/s/{feedback.lookup_code}/")
    stored = feedback.photos.get().image.read()
    assert not Image.open(io.BytesIO(stored)).getexif()


def test_submit_refuses_a_text_file_as_photo_in_chinese(api, poster):
    response = api.post(
        "/api/v1/feedback/",
        {"token": poster.token, "text": "路灯坏了", "photos": [upload(b"plain text" * 30, name="a.jpg")]},
        format="multipart",
    )
    assert response.status_code == 400 and "不是能打开的照片" in response.json()["photos"][0]
    assert not Feedback.objects.exists()


def test_submit_to_a_stopped_or_unknown_code_and_the_honeypot_are_refused(api, poster):
    assert api.post("/api/v1/feedback/", {"token": "Unknown12345", "text": "x x"}, format="json").status_code == 404
    response = api.post("/api/v1/feedback/", {"token": poster.token, "text": "路灯", "website": "x"}, format="json")
    assert response.status_code == 400
    services.feedback_channel_deactivate(channel=poster, user=None, reason="遗失")
    response = api.post("/api/v1/feedback/", {"token": poster.token, "text": "路灯坏了"}, format="json")
    assert response.status_code == 400 and "已停用" in response.json()["token"][0]
    assert not Feedback.objects.exists()


def test_submit_is_rate_limited_in_chinese(api, poster):
    for _ in range(5):
        assert (
            api.post("/api/v1/feedback/", {"token": poster.token, "text": "路灯坏了"}, format="json").status_code == 201
        )
    response = api.post("/api/v1/feedback/", {"token": poster.token, "text": "路灯坏了"}, format="json")
    assert response.status_code == 429 and "十分钟" in response.json()["detail"]


def test_status_and_answer_by_lookup_code(api, poster, cadre):
    feedback = submit(channel=poster)
    assert api.get(f"/api/v1/feedback/status/{feedback.lookup_code}/").json()["stage"] == "received"
    case = services.feedback_create_case(feedback=feedback, user=cadre, title="路灯")
    services.case_resolve(case=case, user=cadre, resolution="内部", public_reply="已修好")
    body = api.get(f"/api/v1/feedback/status/{feedback.lookup_code.lower()}/").json()
    assert body["stage"] == "resolved" and body["public_reply"] == "已修好" and body["can_answer"] is True
    response = api.post(
        f"/api/v1/feedback/status/{feedback.lookup_code}/answer/",
        {"solved": False, "satisfaction": "dissatisfied"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["stage"] == "handling"
    assert response.json()["answer"] == {"solved": False, "satisfaction": "dissatisfied"}
    assert Case.objects.get().state == CaseState.IN_PROGRESS
    again = api.post(
        f"/api/v1/feedback/status/{feedback.lookup_code}/answer/", {"solved": True, "satisfaction": "satisfied"}
    )
    assert again.status_code == 400
    assert api.get("/api/v1/feedback/status/ZZZZ2222/").status_code == 404


# --- Staff --------------------------------------------------------------------------------------------


def test_intake_list_is_scoped_and_hides_lookup_codes(api, cadre, poster, other_community):
    mine = submit(channel=poster)
    submit(channel=channel(community=other_community, label="稻香村广场"))
    api.force_authenticate(cadre)
    body = api.get("/api/v1/feedback/intake/").json()
    assert [row["id"] for row in body["results"]] == [mine.pk]
    assert "lookup_code" not in body["results"][0] and mine.lookup_code not in str(body)


def test_another_communitys_message_is_404_in_the_api(api, other_cadre, poster):
    feedback = submit(channel=poster)
    api.force_authenticate(other_cadre)
    assert api.get(f"/api/v1/feedback/intake/{feedback.pk}/").status_code == 404
    response = api.post(f"/api/v1/feedback/intake/{feedback.pk}/reject/", {"state": "spam", "reason": "x"})
    assert response.status_code == 404
    assert Feedback.objects.get().state == "new"


def test_the_intake_gives_photo_links_that_load_for_the_caller_only(api, cadre, other_cadre, poster):
    feedback = submit(channel=poster, photos=[image_clean(upload(jpeg_bytes()))])
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=cadre).key}")
    [link] = api.get(f"/api/v1/feedback/intake/{feedback.pk}/").json()["photos"]
    assert link == f"http://testserver/files/feedback-photo/{feedback.photos.get().pk}/"
    response = api.get(link)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=other_cadre).key}")
    assert api.get(link).status_code == 404
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api.get(link).status_code == 404
    api.credentials()
    assert api.get(link).status_code == 404


def test_a_grid_worker_gets_403_on_the_intake_api(api, community):
    api.force_authenticate(official(Role.GRID_WORKER, community=community))
    assert api.get("/api/v1/feedback/intake/").status_code == 403


def test_anonymous_callers_cannot_read_the_intake(api, poster):
    assert api.get("/api/v1/feedback/intake/").status_code in (401, 403)


def test_triage_through_the_api(api, cadre, poster, community):
    api.force_authenticate(cadre)
    first, second, third = submit(channel=poster), submit(channel=poster), submit(channel=poster)
    response = api.post(
        f"/api/v1/feedback/intake/{first.pk}/create-case/", {"title": "路灯", "tier": "immediate"}, format="json"
    )
    assert response.status_code == 201, response.json()
    number = response.json()["case_number"]
    assert response.json()["feedback"]["state"] == "case_created"
    response = api.post(f"/api/v1/feedback/intake/{second.pk}/merge/", {"case_number": number}, format="json")
    assert response.status_code == 200 and response.json()["case_number"] == number
    response = api.post(f"/api/v1/feedback/intake/{third.pk}/reject/", {"state": "not_actionable", "reason": "外省"})
    assert response.json()["state"] == "not_actionable"
    response = api.post(f"/api/v1/feedback/intake/{third.pk}/redact/", {"redacted_text": "***"}, format="json")
    assert response.json()["redacted_text"] == "***"
    response = api.post(f"/api/v1/feedback/intake/{third.pk}/merge/", {"case_number": "LH-0-1"}, format="json")
    assert response.status_code == 400
    assert {f.state for f in Feedback.objects.all()} == {"case_created", "merged", "not_actionable"}


def test_merge_into_a_foreign_case_is_refused_in_the_api(api, cadre, poster, other_community, other_cadre):
    foreign = open_case(community=other_community, by=other_cadre)
    feedback = submit(channel=poster)
    api.force_authenticate(cadre)
    response = api.post(f"/api/v1/feedback/intake/{feedback.pk}/merge/", {"case_number": foreign.number})
    assert response.status_code == 400 and "case_number" in response.json()


def test_channel_list_gives_the_public_address(api, cadre, poster, street, settings):
    channel(street=street, label="总码")
    settings.LUCUN_PUBLIC_BASE_URL = "https://lucun.example.gov.cn/"
    api.force_authenticate(cadre)
    rows = api.get("/api/v1/feedback/channels/").json()["results"]
    addresses = {r["label"]: r["public_url"] for r in rows}
    assert addresses["芦湖村文化广场"] == f"https://lucun.example.gov.cn/f/{poster.token}/"
    assert "总码" in addresses  # a community cadre sees the street code of their street


# --- 合并立案 ---------------------------------------------------------------------------------------------------

MERGED = "/api/v1/feedback/intake/create-case-merged/"


def test_several_messages_become_one_case_through_the_api(api, cadre, poster):
    first, second, third = submit(channel=poster), submit(channel=poster), submit(channel=poster)
    api.force_authenticate(cadre)
    body = {"feedback": [second.pk, first.pk, third.pk], "title": "村口路灯", "tier": "immediate", "note": "同一处"}
    response = api.post(MERGED, body, format="json")
    assert response.status_code == 201, response.json()
    case = Case.objects.get(number=response.json()["case_number"])
    assert case.source_object == second
    assert [item["state"] for item in response.json()["feedback"]] == ["case_created", "merged", "merged"]
    assert set(Feedback.objects.values_list("case", flat=True)) == {case.pk}


def test_the_merged_case_api_refuses_as_a_whole(api, cadre, street, poster, other_community, other_cadre):
    ours, spare = submit(channel=poster), submit(channel=poster)
    theirs = submit(channel=channel(community=other_community, label="外村"), community=other_community)
    body = {"title": "路灯", "tier": "immediate"}
    api.force_authenticate(official(Role.STREET_STAFF, street=street))
    response = api.post(MERGED, {**body, "feedback": [ours.pk, theirs.pk]}, format="json")
    assert response.status_code == 400 and "不同的村(居)" in str(response.json())
    api.force_authenticate(cadre)
    response = api.post(MERGED, {**body, "feedback": [ours.pk, theirs.pk]}, format="json")
    assert response.status_code == 404  # a message of another community is not in the caller's sight
    services.feedback_reject(feedback=spare, user=cadre, state=Feedback.State.SPAM, reason="广告")
    services.feedback_create_case(feedback=spare, user=cadre, title="已立案")
    response = api.post(MERGED, {**body, "feedback": [ours.pk, spare.pk]}, format="json")
    assert response.status_code == 400 and "第 2 条反馈" in str(response.json())
    api.force_authenticate(official(Role.GRID_WORKER, community=ours.community))
    assert api.post(MERGED, {**body, "feedback": [ours.pk, spare.pk]}, format="json").status_code == 403
    assert Case.objects.count() == 1 and Feedback.objects.get(pk=ours.pk).state == Feedback.State.NEW
