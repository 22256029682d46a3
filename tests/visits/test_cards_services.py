import pytest
from django.core.exceptions import ValidationError

from cases.models import FeedbackChannel
from lucun.models import AuditEvent, Role
from tests.factories import StreetFactory, official
from tests.visits.factories import VisitTeamFactory, card_batch, feedback_point
from visits import services
from visits.models import ContactCardBatch, DeactivationReason, FeedbackPoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(street):
    return VisitTeamFactory(street=street, name="第一走访队")


def test_a_batch_gets_its_own_card_channel_in_its_community(cadre, community, team):
    batch = card_batch(community=community, team=team, actor=cadre, quantity=1200)
    channel = batch.channel
    assert channel.kind == FeedbackChannel.Kind.CARD_BATCH and channel.is_active
    assert channel.community == community and channel.created_by == cadre
    assert channel.label == "芦湖村 联系卡第1批" and batch.number == 1
    assert batch.hotline == community.street.hotline  # the street hotline unless another is given
    assert AuditEvent.objects.filter(action="visits.card_batch_create", object_id=str(batch.pk)).exists()


def test_batches_of_a_community_are_numbered_and_never_share_a_token(cadre, community, team):
    first = card_batch(community=community, team=team, actor=cadre)
    second = card_batch(community=community, team=team, actor=cadre)
    assert (first.number, second.number) == (1, 2)
    assert first.channel.token != second.channel.token and len(first.channel.token) >= 16


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("contact_phone", "12345", "联系电话不对"),
        ("contact_wechat", "1abc", "微信号应为"),
        ("contact_name", "  ", "请填写联系干部姓名"),
        ("quantity", 0, "张数应在"),
        ("quantity", 50_001, "张数应在"),
    ],
)
def test_a_batch_with_bad_details_is_refused_and_nothing_is_written(cadre, community, team, field, value, message):
    with pytest.raises(ValidationError, match=message):
        card_batch(community=community, team=team, actor=cadre, **{field: value})
    assert not ContactCardBatch.objects.exists() and not FeedbackChannel.objects.exists()


def test_a_team_of_another_street_cannot_hand_out_the_cards(cadre, community):
    with pytest.raises(ValidationError, match="走访队伍必须属于本街道"):
        card_batch(community=community, team=VisitTeamFactory(street=StreetFactory()), actor=cadre)


def test_only_officials_who_manage_channels_register_cards(community, team, other_cadre):
    grid_worker = official(Role.GRID_WORKER, community=community)
    for actor in (grid_worker, other_cadre):
        with pytest.raises(ValidationError, match="不能管理该村"):
            card_batch(community=community, team=team, actor=actor)
    assert not FeedbackChannel.objects.exists()


def test_deactivating_a_lost_batch_stops_its_channel_with_the_reason(cadre, community, team):
    batch = card_batch(community=community, team=team, actor=cadre)
    services.card_batch_deactivate(actor=cadre, batch=batch, reason=DeactivationReason.LOST, note="走访包丢失")
    batch.refresh_from_db()
    batch.channel.refresh_from_db()
    assert not batch.is_active and batch.deactivation_reason == "lost" and batch.deactivated_at
    assert not batch.channel.is_active and batch.channel.deactivated_reason == "遗失或损毁:走访包丢失"
    assert AuditEvent.objects.filter(action="visits.card_batch_deactivate", object_id=str(batch.pk)).exists()


def test_a_batch_is_stopped_only_once_and_only_as_lost_or_superseded(cadre, community, team):
    batch = card_batch(community=community, team=team, actor=cadre)
    with pytest.raises(ValidationError, match="请选择停用原因"):
        services.card_batch_deactivate(actor=cadre, batch=batch, reason=DeactivationReason.REMOVED)
    services.card_batch_deactivate(actor=cadre, batch=batch, reason=DeactivationReason.SUPERSEDED)
    with pytest.raises(ValidationError, match="已经停用"):
        services.card_batch_deactivate(actor=cadre, batch=batch, reason=DeactivationReason.LOST)


def test_a_batch_whose_channel_was_stopped_elsewhere_can_still_be_stopped(cadre, community, team):
    from cases.services import feedback_channel_deactivate

    batch = card_batch(community=community, team=team, actor=cadre)
    feedback_channel_deactivate(channel=batch.channel, user=cadre, reason="联系卡遗失")
    services.card_batch_deactivate(actor=cadre, batch=batch, reason=DeactivationReason.LOST)
    assert not ContactCardBatch.objects.get().is_active


def test_a_poster_gets_a_poster_channel_named_after_its_place(cadre, community):
    point = feedback_point(community=community, actor=cadre, name="文化广场", place="square")
    assert point.channel.kind == FeedbackChannel.Kind.POSTER and point.channel.label == "芦湖村文化广场"
    assert AuditEvent.objects.filter(action="visits.feedback_point_create", object_id=str(point.pk)).exists()


def test_one_poster_in_use_per_place_and_a_replaced_one_keeps_its_row(cadre, community):
    old = feedback_point(community=community, actor=cadre)
    with pytest.raises(ValidationError, match="已经有在用的二维码"):
        feedback_point(community=community, actor=cadre)
    services.feedback_point_deactivate(actor=cadre, point=old, reason=DeactivationReason.SUPERSEDED)
    new = feedback_point(community=community, actor=cadre)
    assert FeedbackPoint.objects.count() == 2 and new.channel != old.channel
    old.channel.refresh_from_db()
    assert not old.channel.is_active and new.channel.is_active


def test_a_poster_with_an_unknown_place_kind_is_refused(cadre, community):
    with pytest.raises(ValidationError, match="请选择地点类型"):
        feedback_point(community=community, actor=cadre, place="moon")
    assert not FeedbackChannel.objects.exists()
