import io
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.files.storage import default_storage
from PIL import Image

from cases import services
from cases.models import (
    LOOKUP_ALPHABET,
    Case,
    CaseEvent,
    CaseState,
    Feedback,
    FeedbackChannel,
    FeedbackPhoto,
    new_lookup_code,
)
from lucun.errors import DomainError, NotAllowed
from lucun.images import ImageRefused, image_clean
from lucun.models import AuditEvent, Notification, Role
from tests.cases.factories import category, channel, jpeg_bytes, open_case, submit, upload
from tests.factories import official

pytestmark = pytest.mark.django_db


@pytest.fixture
def poster(community):
    return channel(community=community)


def _resolve(case, user):
    return services.case_resolve(case=case, user=user, resolution="已修复", public_reply="路灯已修好,谢谢您的反映。")


# --- Channels ---------------------------------------------------------------------------------------


def test_channel_tokens_are_random_opaque_and_unique(community):
    tokens = [channel(community=community, label=f"联系卡第{i}批").token for i in range(5)]
    assert len(set(tokens)) == 5
    assert all(len(t) >= 16 and not t.isdigit() for t in tokens)


def test_street_code_has_no_community_and_other_channels_need_one(street, community):
    street_code = channel(street=street, label="芦湖街道 街道总码")
    assert street_code.kind == FeedbackChannel.Kind.STREET and street_code.community is None
    with pytest.raises(DomainError, match="请选择村"):
        services.feedback_channel_create(kind=FeedbackChannel.Kind.POSTER, label="广场")
    with pytest.raises(DomainError, match="已有启用的街道总码"):
        channel(street=street, label="第二个总码")


def test_channel_deactivation_needs_a_reason_and_is_audited(poster, cadre):
    with pytest.raises(DomainError, match="停用原因"):
        services.feedback_channel_deactivate(channel=poster, user=cadre, reason=" ")
    stopped = services.feedback_channel_deactivate(channel=poster, user=cadre, reason="联系卡遗失")
    assert not stopped.is_active and stopped.deactivated_at and stopped.deactivated_reason == "联系卡遗失"
    assert AuditEvent.objects.filter(
        action="cases.feedback_channel_deactivate", actor=cadre, object_id=str(poster.pk)
    ).exists()


def test_a_cadre_of_another_community_cannot_manage_its_channels(poster, community, other_cadre):
    with pytest.raises(NotAllowed):
        services.feedback_channel_create(kind="card_batch", label="联系卡", community=community, created_by=other_cadre)
    with pytest.raises(NotAllowed):
        services.feedback_channel_deactivate(channel=poster, user=other_cadre, reason="x")


def test_street_wide_code_is_created_once_when_first_needed(street):
    first = services.feedback_channel_street_wide(street=street)
    assert services.feedback_channel_street_wide(street=street) == first
    assert FeedbackChannel.objects.filter(kind="street").count() == 1


# --- Submission ---------------------------------------------------------------------------------------


@time_machine.travel(datetime(2026, 5, 4, 2, 37, 12, 123456, tzinfo=UTC))
def test_stored_message_keeps_the_hour_only_and_nothing_identifying(poster):
    feedback = submit(channel=poster, reply_phone="")
    feedback.refresh_from_db()
    assert feedback.received_at == datetime(2026, 5, 4, 2, 0, tzinfo=UTC)
    columns = {f.column for f in Feedback._meta.concrete_fields}
    assert not any(re.search(r"ip|addr|agent|wechat|openid|location|lat|lng", c) for c in columns), columns
    # No audit row or notification carries the exact time of an anonymous submission.
    assert not AuditEvent.objects.filter(object_id=str(feedback.pk), content_type__model="feedback").exists()
    assert not Notification.objects.exists()


def test_lookup_codes_have_no_look_alike_characters():
    codes = {new_lookup_code() for _ in range(3000)}
    assert len(codes) == 3000
    joined = "".join(codes)
    assert not set(joined) & set("0O1IL")
    assert set(joined) <= set(LOOKUP_ALPHABET)
    assert all(len(c) == 8 for c in codes)


def test_a_double_tap_with_the_same_submit_key_stores_one_message(poster):
    first = submit(channel=poster, submit_key="tap-key-123456")
    second = submit(channel=poster, submit_key="tap-key-123456")
    assert first.pk == second.pk and Feedback.objects.count() == 1


def test_empty_and_overlong_text_are_refused_and_nothing_is_saved(poster):
    with pytest.raises(DomainError, match="至少"):
        submit(channel=poster, text=" ")
    with pytest.raises(DomainError, match="最多 1000 个字"):
        submit(channel=poster, text="长" * 1001)
    with pytest.raises(DomainError, match="电话号码不对"):
        submit(channel=poster, reply_phone="12345")
    assert not Feedback.objects.exists()


def test_a_stopped_channel_takes_no_message(poster):
    services.feedback_channel_deactivate(channel=poster, user=None, reason="已换新批次")
    poster.refresh_from_db()
    with pytest.raises(DomainError, match="已停用"):
        submit(channel=poster)


def test_community_may_be_changed_but_only_within_the_street(poster, other_community):
    from tests.factories import CommunityFactory

    assert submit(channel=poster, community=other_community).community == other_community
    with pytest.raises(DomainError, match="不属于本街道"):
        submit(channel=poster, community=CommunityFactory())


def test_photo_is_reencoded_without_exif_under_a_random_name(poster):
    original = jpeg_bytes()
    assert b"SecretPhoneMaker" in original
    feedback = submit(channel=poster, photos=[image_clean(upload(original, name="张三家门口.jpg"))])
    photo = feedback.photos.get()
    assert "张三" not in photo.image.name and re.fullmatch(r"feedback/[0-9a-f]{32}\.jpg", photo.image.name)
    stored = default_storage.open(photo.image.name).read()
    assert b"SecretPhoneMaker" not in stored and b"Exif" not in stored
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and not image.getexif()


def test_png_with_transparency_becomes_a_jpeg():
    clean = image_clean(upload(jpeg_bytes(fmt="PNG", exif=False), name="a.png", content_type="image/png"))
    assert Image.open(io.BytesIO(clean.content)).format == "JPEG"


def test_heic_photo_is_accepted_and_reencoded():
    pillow_heif = pytest.importorskip("pillow_heif")
    out = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (40, 30), (0, 120, 0))).save(out, quality=80)
    clean = image_clean(upload(out.getvalue(), name="IMG_0001.HEIC", content_type="image/heic"))
    assert Image.open(io.BytesIO(clean.content)).format == "JPEG"


def test_a_text_file_named_jpg_is_refused_in_chinese():
    with pytest.raises(ImageRefused, match="不是能打开的照片"):
        image_clean(upload(b"hello, I am not a photo" * 10, name="photo.jpg"))


def test_an_oversized_upload_is_refused_in_chinese(settings):
    big = upload(b"\xff\xd8" + b"0" * settings.LUCUN_IMAGE_MAX_BYTES, name="big.jpg")
    with pytest.raises(ImageRefused, match=f"不能超过 {settings.LUCUN_IMAGE_MAX_BYTES // 1048576} MB"):
        image_clean(big)


def test_a_pixel_bomb_is_refused_before_decoding():
    # A tiny PNG whose header claims 20000 × 20000 pixels.
    bomb = jpeg_bytes(size=(20000, 20000), exif=False, fmt="PNG")
    assert len(bomb) < 2_000_000
    with pytest.raises(ImageRefused, match="尺寸太大"):
        image_clean(upload(bomb, name="bomb.png", content_type="image/png"))


def test_more_than_three_photos_are_refused(poster):
    photo = image_clean(upload(jpeg_bytes()))
    with pytest.raises(DomainError, match="最多上传 3 张"):
        submit(channel=poster, photos=[photo] * 4)
    assert not Feedback.objects.exists() and not FeedbackPhoto.objects.exists()


# --- Triage -------------------------------------------------------------------------------------------


def test_create_case_links_both_ways_copies_photos_and_is_audited(poster, cadre):
    feedback = submit(channel=poster, category=category("infrastructure"), photos=[image_clean(upload(jpeg_bytes()))])
    case = services.feedback_create_case(feedback=feedback, user=cadre, title="村口路灯不亮")
    feedback.refresh_from_db()
    assert feedback.state == Feedback.State.CASE_CREATED and feedback.case == case
    assert feedback.triaged_by == cadre and feedback.triaged_at
    assert case.source == Case.Source.FEEDBACK and case.source_object == feedback
    assert case.description == feedback.text and case.category.code == "infrastructure"
    assert case.photos.get().image.name == feedback.photos.get().image.name
    audit = AuditEvent.objects.get(action="cases.feedback_create_case")
    assert audit.actor == cadre and audit.summary == case.number
    assert audit.changes == {
        "before": {"state": "new", "case": ""},
        "after": {"state": "case_created", "case": case.number},
    }


def test_a_message_becomes_a_case_only_once(poster, cadre):
    feedback = submit(channel=poster)
    services.feedback_create_case(feedback=feedback, user=cadre, title="路灯")
    with pytest.raises(DomainError, match="已立案"):
        services.feedback_create_case(feedback=feedback, user=cadre, title="路灯")
    assert Case.objects.count() == 1


def test_merge_records_the_duplicate_on_the_case_and_audits(poster, cadre, community):
    case = open_case(community=community, by=cadre)
    feedback = submit(channel=poster)
    services.feedback_merge(feedback=feedback, user=cadre, case=case, note="同一盏路灯")
    feedback.refresh_from_db()
    assert feedback.state == Feedback.State.MERGED and feedback.case == case
    event = case.events.get(kind=CaseEvent.Kind.MERGED)
    assert event.actor == cadre and event.after == {"feedback": feedback.pk} and "同一盏路灯" in event.note
    assert feedback.lookup_code not in event.note  # the code belongs to the sender alone
    assert AuditEvent.objects.filter(action="cases.feedback_merge", object_id=str(feedback.pk)).exists()


def test_merge_into_a_cancelled_case_is_refused(poster, cadre, community):
    case = services.case_cancel(case=open_case(community=community, by=cadre), user=cadre, reason="重复登记")
    with pytest.raises(DomainError, match="已撤销"):
        services.feedback_merge(feedback=submit(channel=poster), user=cadre, case=case)


def test_spam_needs_a_reason_keeps_the_row_and_is_audited(poster, cadre):
    feedback = submit(channel=poster, text="低价办证")
    with pytest.raises(DomainError, match="原因"):
        services.feedback_reject(feedback=feedback, user=cadre, state="spam", reason="")
    services.feedback_reject(feedback=feedback, user=cadre, state="spam", reason="广告")
    feedback.refresh_from_db()
    assert feedback.state == "spam" and feedback.state_reason == "广告" and feedback.text == "低价办证"
    audit = AuditEvent.objects.get(action="cases.feedback_reject_spam")
    assert audit.changes["after"] == {"state": "spam"}


def test_a_wrongly_rejected_message_can_still_become_a_case(poster, cadre):
    feedback = submit(channel=poster)
    services.feedback_reject(feedback=feedback, user=cadre, state="not_actionable", reason="看错了")
    case = services.feedback_create_case(feedback=feedback, user=cadre, title="路灯")
    assert Feedback.objects.get().case == case
    assert AuditEvent.objects.filter(object_id=str(feedback.pk), content_type__model="feedback").count() == 2


def test_triage_by_another_community_or_a_grid_worker_is_refused(poster, other_cadre, community):
    feedback = submit(channel=poster)
    for user in (other_cadre, official(Role.GRID_WORKER, community=community)):
        with pytest.raises(NotAllowed, match="不能分拣"):
            services.feedback_reject(feedback=feedback, user=user, state="spam", reason="x")
    assert Feedback.objects.get().state == "new"


def test_redaction_suggestion_masks_phone_and_id_numbers():
    text = "我叫张三,电话13812345678,身份证370322199001011234,座机0533-6961234。"
    masked = services.redaction_suggest(text)
    assert "13812345678" not in masked and "138****5678" in masked
    assert "370322199001011234" not in masked and "3703**********1234" in masked
    assert "6961234" not in masked


def test_redaction_keeps_the_original_updates_the_case_and_audits_no_text(poster, cadre):
    feedback = submit(channel=poster, text="张三家门口13812345678的路灯坏了")
    services.feedback_create_case(feedback=feedback, user=cadre, title="路灯")
    services.feedback_redact(feedback=feedback, user=cadre, redacted_text="***家门口***的路灯坏了")
    feedback.refresh_from_db()
    assert feedback.text == "张三家门口13812345678的路灯坏了"
    assert feedback.redacted_text == "***家门口***的路灯坏了" and feedback.redacted_by == cadre
    assert feedback.case.description == "***家门口***的路灯坏了"
    audit = AuditEvent.objects.get(action="cases.feedback_redact")
    assert "张三" not in audit.summary and "138" not in str(audit.changes)


# --- The sender's answer --------------------------------------------------------------------------------


def test_answer_is_taken_once_after_resolution(poster, cadre):
    feedback = submit(channel=poster)
    case = services.feedback_create_case(feedback=feedback, user=cadre, title="路灯")
    with pytest.raises(DomainError, match="办结之后"):
        services.feedback_answer(feedback=feedback, solved=True, satisfaction="satisfied")
    _resolve(case, cadre)
    services.feedback_answer(feedback=feedback, solved=True, satisfaction="satisfied")
    feedback.refresh_from_db()
    assert feedback.solved is True and feedback.satisfaction == "satisfied"
    assert feedback.answered_at.minute == 0 and feedback.answered_at.second == 0
    with pytest.raises(DomainError, match="已经评价过"):
        services.feedback_answer(feedback=feedback, solved=False, satisfaction="dissatisfied")
    assert Case.objects.get().state == CaseState.RESOLVED


@pytest.mark.parametrize(("solved", "satisfaction"), [(False, "basically"), (True, "dissatisfied")])
def test_not_solved_or_dissatisfied_reopens_the_case(poster, cadre, solved, satisfaction):
    feedback = submit(channel=poster)
    case = _resolve(services.feedback_create_case(feedback=feedback, user=cadre, title="路灯"), cadre)
    services.feedback_answer(feedback=feedback, solved=solved, satisfaction=satisfaction)
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS and case.reopen_count == 1
    event = case.events.get(kind=CaseEvent.Kind.REOPENED)
    assert event.actor is None and "群众通过查询码评价" in event.note


def test_two_unhappy_senders_of_one_case_both_count(poster, cadre, community):
    case = open_case(community=community, by=cadre)
    first, second = submit(channel=poster), submit(channel=poster)
    services.feedback_merge(feedback=first, user=cadre, case=case)
    services.feedback_merge(feedback=second, user=cadre, case=case)
    _resolve(case, cadre)
    services.feedback_answer(feedback=first, solved=False, satisfaction="dissatisfied")
    with pytest.raises(DomainError, match="办结之后"):  # reopened meanwhile: the second waits for the next result
        services.feedback_answer(feedback=second, solved=False, satisfaction="dissatisfied")
    assert Case.objects.get().reopen_count == 1


def test_hourly_digest_tells_the_communitys_cadres_once(poster, cadre, other_cadre):
    with time_machine.travel(datetime(2026, 5, 4, 2, 10, tzinfo=UTC)):
        submit(channel=poster)
        submit(channel=poster)
    with time_machine.travel(datetime(2026, 5, 4, 3, 5, tzinfo=UTC)):
        assert services.feedback_digest_notify() == 1
        assert services.feedback_digest_notify() == 0
    note = Notification.objects.get()
    assert note.recipient == cadre and "2 条新的群众反馈" in note.title
