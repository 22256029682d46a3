import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction

from lucun.audit import AuditAction
from lucun.models import AuditEvent, Position, Role
from lucun.services import audit_record
from tests.factories import GridFactory, PositionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_position_must_sit_on_exactly_one_org_node(street, community):
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Position.objects.create(user=user, role=Role.STREET_STAFF, street=street, community=community)
    with pytest.raises(IntegrityError), transaction.atomic():
        Position.objects.create(user=user, role=Role.STREET_STAFF)


def test_position_cannot_end_before_it_starts(community):
    import datetime

    with pytest.raises(IntegrityError), transaction.atomic():
        PositionFactory(community=community, started_on=datetime.date(2025, 5, 1), ended_on=datetime.date(2025, 4, 1))


def test_position_clean_explains_the_node_rule_in_chinese(street, community):
    position = Position(user=UserFactory(), role=Role.STREET_STAFF, street=street, community=community)
    with pytest.raises(ValidationError, match="只能挂在一个组织节点"):
        position.clean()


def test_audit_event_cannot_be_changed_through_the_model(cadre, community):
    event = audit_record(actor=cadre, action=AuditAction.LEGACY, obj=community, community=community)
    event.summary = "rewritten"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()


def test_audit_event_cannot_be_updated_in_the_database(cadre, community):
    audit_record(actor=cadre, action=AuditAction.LEGACY, obj=community, community=community)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        AuditEvent.objects.update(summary="rewritten")
    assert AuditEvent.objects.get().summary == ""


def test_audit_event_cannot_be_deleted_in_the_database(cadre, community):
    audit_record(actor=cadre, action=AuditAction.LEGACY, obj=community, community=community)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        AuditEvent.objects.all()._raw_delete(AuditEvent.objects.db)
    assert AuditEvent.objects.count() == 1


def test_grid_str_names_its_community(community):
    assert str(GridFactory(community=community, name="第二网格")) == "芦湖村 · 第二网格"
