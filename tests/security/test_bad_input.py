"""Bad input from villagers, officials and other systems: a clear answer each time, no 500, nothing half-stored."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cases.models import Case, Feedback, FeedbackPhoto
from cases.services import feedback_channel_deactivate
from deliberation.models import Meeting
from points.models import Volunteer
from tests.cases.factories import jpeg_bytes

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SQL = "'; DROP TABLE cases_case; -- \" OR 1=1"


def _form(world, **overrides):
    data = {"community": world.community.pk, "text": "村口路灯坏了三盏,晚上看不见路。"}
    data.update(overrides)
    return data


def _post_feedback(client, world, **overrides):
    return client.post(f"/f/{world.o['channel'].token}/", _form(world, **overrides))


def _photo(content: bytes, name: str = "photo.jpg"):
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


# ----------------------------------------------------------------------------------- QR tokens


@pytest.mark.parametrize(
    "token",
    ["unknown-token-123", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "x" * 2000, "'%20OR%201=1--", "%00", "..%2F..%2Fetc"],
)
def test_an_unknown_or_malformed_qr_token_answers_a_chinese_404_page(world, client, token):
    response = client.get(f"/f/{token}/")
    assert response.status_code == 404
    assert "二维码" in response.content.decode()


def test_an_unknown_token_on_the_api_answers_404_with_the_street_code(world, client):
    response = client.get("/api/v1/feedback/form/nope/")
    assert response.status_code == 404
    assert world.o["street_channel"].token in response.json()["street_tokens"]


def test_a_deactivated_card_still_takes_the_message_for_the_street(world, client):
    feedback_channel_deactivate(channel=world.o["channel"], user=world.users["community_cadre"], reason="卡片遗失")
    page = client.get(f"/f/{world.o['channel'].token}/")
    assert page.status_code == 200 and "已停用" in page.content.decode()
    response = _post_feedback(client, world)
    assert response.status_code == 200 and 'data-testid="lookup-code"' in response.content.decode()
    newest = Feedback.objects.order_by("-pk").first()
    assert newest.channel.kind == "street" and newest.community == world.community


def test_a_deactivated_card_on_the_api_answers_400_naming_the_street_code(world, client):
    feedback_channel_deactivate(channel=world.o["channel"], user=world.users["community_cadre"], reason="卡片遗失")
    before = Feedback.objects.count()
    response = client.post(
        "/api/v1/feedback/",
        {"token": world.o["channel"].token, "text": "路灯坏了", "community": world.community.pk},
        content_type="application/json",
    )
    assert response.status_code == 400 and "token" in response.json()
    assert Feedback.objects.count() == before


# ----------------------------------------------------------------------------------- photos


def _bad_photo_is_refused(client, world, upload, message: str):
    before = (Feedback.objects.count(), FeedbackPhoto.objects.count())
    response = _post_feedback(client, world, photos=upload)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (Feedback.objects.count(), FeedbackPhoto.objects.count()) == before


def test_a_20_mb_photo_is_refused_with_a_message_and_nothing_stored(world, client, settings):
    limit = f"不能超过 {settings.LUCUN_IMAGE_MAX_BYTES // 1048576} MB"
    _bad_photo_is_refused(client, world, _photo(b"\xff\xd8" + b"0" * (20 * 1024 * 1024)), limit)


def test_a_text_file_named_jpg_is_refused_with_a_message_and_nothing_stored(world, client):
    _bad_photo_is_refused(client, world, _photo("这不是照片".encode() * 100, "notes.jpg"), "不是能打开的照片")


def test_an_image_bomb_is_refused_before_it_is_decoded(world, client):
    bomb = io.BytesIO()
    Image.new("1", (8_000, 8_000)).save(bomb, format="PNG")  # 64 megapixels in about 10 KB
    assert bomb.tell() < 500_000
    _bad_photo_is_refused(client, world, _photo(bomb.getvalue(), "bomb.png"), "尺寸太大")


def test_an_image_bomb_is_refused_by_the_api_with_a_field_error(world, client):
    bomb = io.BytesIO()
    Image.new("1", (8_000, 8_000)).save(bomb, format="PNG")
    before = Feedback.objects.count()
    response = client.post(
        "/api/v1/feedback/",
        {"token": world.o["channel"].token, "text": "路灯坏了", "photos": _photo(bomb.getvalue(), "bomb.png")},
    )
    assert response.status_code == 400 and "photos" in response.json()
    assert Feedback.objects.count() == before


def test_a_meeting_photo_that_is_not_an_image_is_refused(world, client):
    client.force_login(world.users["community_cadre"])
    meeting = world.o["meeting"]
    response = client.post(
        f"/deliberation/meetings/{meeting.pk}/photo/", {"image": _photo(b"not an image at all", "x.jpg")}
    )
    assert response.status_code == 400
    assert meeting.photos.count() == 0


# ----------------------------------------------------------------------------------- long text


def test_a_100000_character_message_is_refused_with_the_limit_and_nothing_stored(world, client):
    before = Feedback.objects.count()
    response = _post_feedback(client, world, text="长" * 100_000)
    assert response.status_code == 400
    assert str(Feedback.TEXT_MAX) in response.content.decode()
    assert Feedback.objects.count() == before


def test_a_100000_character_message_on_the_api_is_a_field_error(world, client):
    before = Feedback.objects.count()
    response = client.post(
        "/api/v1/feedback/",
        {"token": world.o["channel"].token, "text": "长" * 100_000},
        content_type="application/json",
    )
    assert response.status_code == 400 and "text" in response.json()
    assert Feedback.objects.count() == before


def test_a_100000_character_case_title_is_refused_by_the_form(world, client):
    client.force_login(world.users["community_cadre"])
    before = Case.objects.count()
    response = client.post("/cases/new/", {"community": world.community.pk, "title": "长" * 100_000})
    assert response.status_code in (200, 400)
    assert Case.objects.count() == before


# ----------------------------------------------------------------------------------- markup and SQL


def test_script_in_feedback_is_stored_as_text_and_shown_escaped_to_staff_and_sender(world, client):
    response = _post_feedback(client, world, text=f"路灯坏了 {SCRIPT}", reply_phone="")
    assert response.status_code == 200 and 'data-testid="lookup-code"' in response.content.decode()
    feedback = Feedback.objects.order_by("-pk").first()
    assert SCRIPT in feedback.text
    client.force_login(world.users["community_cadre"])
    staff_page = client.get(f"/cases/feedback/{feedback.pk}/").content.decode()
    assert "<script>alert" not in staff_page and "&lt;script&gt;alert" in staff_page
    api = client.get(f"/api/v1/feedback/intake/{feedback.pk}/")
    assert api.json()["text"].endswith(SCRIPT)  # JSON carries the text as it was; the client escapes


def test_script_in_every_case_field_is_shown_escaped_on_the_case_page(world, client):
    client.force_login(world.users["community_cadre"])
    response = client.post(
        "/cases/new/",
        {
            "community": world.community.pk,
            "title": f"标题{SCRIPT}"[:100],
            "description": f"描述{SCRIPT}",
            "contact_name": f"张{SCRIPT}"[:50],
            "source": Case.Source.WALK_IN,
            "tier": world.o["case"].tier_id,
            "category": world.o["case"].category_id,
            "case_list": world.o["case"].case_list,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.order_by("-pk").first()
    progress = client.post(f"/cases/{case.number}/progress/", {"progress-note": f"进展{SCRIPT}"})
    assert progress.status_code == 302
    for url in (f"/cases/{case.number}/", "/cases/", "/cases/mine/"):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "onerror=alert" not in html.replace("onerror=alert(1)&gt;", ""), url


def test_script_in_meeting_minutes_and_volunteer_names_is_shown_escaped(world, client):
    client.force_login(world.users["community_cadre"])
    meeting = world.o["meeting"]
    saved = client.post(f"/deliberation/meetings/{meeting.pk}/minutes/", {"minutes": f"# 纪要\n{SCRIPT}"})
    assert saved.status_code == 302
    assert SCRIPT in Meeting.objects.get(pk=meeting.pk).minutes
    for url in (f"/deliberation/meetings/{meeting.pk}/", f"/deliberation/meetings/{meeting.pk}/notice/"):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, url
    Volunteer.objects.filter(pk=world.o["volunteer"].pk).update(name=SCRIPT[:50])
    for url in (
        "/points/",
        f"/points/volunteers/{world.o['volunteer'].pk}/",
        f"/points/m/{world.o['volunteer'].token}/",
    ):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url


def test_sql_like_strings_are_plain_text_in_search_and_storage(world, client):
    client.force_login(world.users["community_cadre"])
    for url in ("/visits/", "/points/", "/cases/"):
        response = client.get(url, {"q": SQL, "search": SQL})
        assert response.status_code == 200, url
    for url in ("/api/v1/households/", "/api/v1/cases/"):  # the API takes only the parameters it documents
        assert client.get(url, {"q": SQL}).status_code == 200, url
    assert _post_feedback(client, world, text=f"路灯 {SQL}").status_code == 200
    assert Feedback.objects.filter(text__contains=SQL).count() == 1
    assert Case.objects.filter(pk=world.o["case"].pk).exists()


# ----------------------------------------------------------------------------------- API shapes


@pytest.mark.parametrize(
    ("url", "body", "fields"),
    [
        ("/api/v1/cases/", {}, {"community", "title"}),
        ("/api/v1/cases/", {"community": "芦湖村", "title": ["a"], "tier": "fast"}, {"community", "title"}),
        ("/api/v1/feedback/", {}, {"token", "text"}),
        ("/api/v1/feedback/", {"token": 5, "text": None, "community": "x"}, {"text", "community"}),
        ("/api/v1/points/claims/submit/", {"volunteer": "one", "quantity": -3}, {"volunteer", "quantity"}),
        ("/api/v1/points/redemptions/redeem/", {"volunteer": 1, "items": "all"}, {"items", "idempotency_key"}),
        ("/api/v1/notifications/mark-read/", {"ids": ["x", -1]}, {"ids"}),
        # Ids past what a row can have (SQLite's driver refused them with a server error).
        ("/api/v1/notifications/mark-read/", {"ids": [2**63]}, {"ids"}),
        ("/api/v1/points/claims/submit/", {"volunteer": 2**63, "quantity": 1}, {"volunteer"}),
        ("/api/v1/points/redemptions/redeem/", {"volunteer": 2**64, "items": [{"reward": 2**63}]}, {"volunteer"}),
        ("/api/v1/deliberation/meetings/", {"kind": "party", "starts_at": "yesterday"}, {"kind", "starts_at"}),
    ],
)
def test_wrong_types_and_missing_fields_answer_400_with_field_errors(world, client, url, body, fields):
    client.force_login(world.users["street_leader"])
    before = (Case.objects.count(), Feedback.objects.count(), Meeting.objects.count())
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert fields <= set(response.json()), response.json()
    assert (Case.objects.count(), Feedback.objects.count(), Meeting.objects.count()) == before


def test_a_body_that_is_not_json_answers_400(world, client):
    client.force_login(world.users["street_leader"])
    response = client.post("/api/v1/cases/", "{not json", content_type="application/json")
    assert response.status_code == 400 and "detail" in response.json()


def test_a_photo_over_the_limit_on_a_visit_log_leaves_no_log(world, client, settings):
    from visits.models import VisitLog

    client.force_login(world.users["community_cadre"])
    before = VisitLog.objects.count()
    response = client.post(
        f"/visits/households/{world.o['household'].pk}/visit/",
        {"photos": _photo(b"plain text, not a photo", "p.jpg"), "req-TOTAL_FORMS": "0", "req-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 400
    assert VisitLog.objects.count() == before


def test_an_ordinary_photo_still_goes_through(world, client):
    response = _post_feedback(client, world, photos=_photo(jpeg_bytes()))
    assert response.status_code == 200 and 'data-testid="lookup-code"' in response.content.decode()
    assert FeedbackPhoto.objects.count() == 1


def test_a_refused_page_answers_a_chinese_403_page(world, client):
    client.force_login(world.users["party_rep"])
    response = client.get("/cases/notices/")
    assert response.status_code == 403 and "没有权限" in response.content.decode()


def test_a_missing_page_answers_a_chinese_404_page(world, client):
    client.force_login(world.users["community_cadre"])
    response = client.get(f"/cases/{world.f['case'].number}/")
    assert response.status_code == 404 and "页面没有找到" in response.content.decode()
