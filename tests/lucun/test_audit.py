"""Audit actions are a fixed vocabulary: codes stored, Chinese labels shown, old free texts restated."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client

from lucun.audit import AuditAction, UnknownAuditAction, action_choices
from lucun.models import AuditEvent
from lucun.services import audit_record
from tests.factories import UserFactory

migration = importlib.import_module("lucun.migrations.0004_audit_action_vocabulary")

APPS = ["cases", "visits", "deliberation", "points", "outcomes"]


def _declared() -> dict[str, str]:
    return {code: str(label) for code, label in action_choices()}


@pytest.mark.django_db
def test_an_action_no_app_declared_is_refused_and_nothing_is_written():
    with pytest.raises(UnknownAuditAction):
        audit_record(actor=None, action="驳回积分申报")
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_an_audit_row_stores_the_code_and_shows_the_label(cadre, community):
    from points.audit import AuditAction as PointsAction

    event = audit_record(actor=cadre, action=PointsAction.CLAIM_REJECT, community=community)
    event.refresh_from_db()
    assert event.action == "points.claim_reject"
    assert event.get_action_display() == "驳回积分申报"


@pytest.mark.parametrize("app", APPS)
def test_every_app_declares_its_actions_under_its_own_name(app):
    actions = importlib.import_module(f"{app}.audit").AuditAction
    declared = _declared()
    for action in actions:
        assert action.value.startswith(f"{app}.")
        assert declared[action.value] == str(action.label)


def test_the_vocabulary_is_whole_at_start_and_each_label_names_one_action():
    declared = _declared()
    assert {AuditAction.LEGACY, AuditAction.LOGIN_LOCK_CLEAR} <= set(declared)
    assert len(set(declared.values())) == len(declared)


def test_each_old_text_maps_to_the_code_whose_label_it_was():
    declared = _declared()
    for text, code in migration.TEXT_CODES.items():
        assert migration.action_code(text) == code
        assert declared[code] == text
    assert not migration.CODES - set(declared)


def test_codes_stay_and_unknown_texts_become_legacy():
    assert migration.action_code("visits.household_sensitive_view") == "visits.household_sensitive_view"
    assert migration.action_code("points.claim_reject") == "points.claim_reject"
    assert migration.action_code("修改村居名称") == migration.LEGACY


def test_a_legacy_row_keeps_its_text_in_the_summary_and_loses_nothing():
    summary, changes = migration.legacy_restated("修改村居名称", "更名", {"before": {"name": "旧名"}})
    assert summary == "修改村居名称:更名"
    assert changes == {"before": {"name": "旧名"}, "legacy": {"action": "修改村居名称", "summary": "更名"}}
    long_summary, long_changes = migration.legacy_restated("某项操作", "长" * 300, {})
    assert len(long_summary) == 300 and long_changes["legacy"]["summary"] == "长" * 300


class _SchemaEditor:
    """What the migration uses of a schema editor, on the test's own connection and transaction."""

    connection = connection

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)

    def quote_name(self, name: str) -> str:
        return connection.ops.quote_name(name)


@pytest.mark.django_db
def test_the_migration_restates_old_rows_and_puts_the_guard_back(cadre):
    # Rows as the services wrote them before the vocabulary (the model does not check choices on save).
    rejected = AuditEvent.objects.create(actor=cadre, action="驳回积分申报", summary="照片不清楚")
    viewed = AuditEvent.objects.create(actor=cadre, action="visits.household_sensitive_view")
    renamed = AuditEvent.objects.create(actor=cadre, action="修改村居名称", summary="更名")

    migration.forwards(apps, _SchemaEditor())

    for event in (rejected, viewed, renamed):
        event.refresh_from_db()
    assert (rejected.action, rejected.summary) == ("points.claim_reject", "照片不清楚")
    assert viewed.action == "visits.household_sensitive_view"
    assert (renamed.action, renamed.summary) == ("legacy", "修改村居名称:更名")
    assert renamed.changes["legacy"] == {"action": "修改村居名称", "summary": "更名"}
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        AuditEvent.objects.update(summary="rewritten")

    migration.backwards(apps, _SchemaEditor())
    for event in (rejected, renamed):
        event.refresh_from_db()
    assert (renamed.action, renamed.summary, renamed.changes) == ("修改村居名称", "更名", {})
    assert rejected.action == "驳回积分申报"
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        AuditEvent.objects.update(summary="rewritten")


def test_the_guard_is_lifted_only_inside_a_transaction():
    from lucun.db import append_only_updates_allowed

    editor = _SchemaEditor()
    editor.connection = SimpleNamespace(in_atomic_block=False, vendor=connection.vendor)
    with pytest.raises(RuntimeError), append_only_updates_allowed(editor, "lucun_auditevent"):
        pass


@pytest.mark.django_db
def test_the_admin_lists_audit_rows_by_their_chinese_label(community):
    from points.audit import AuditAction as PointsAction

    audit_record(actor=None, action=PointsAction.VOLUNTEER_TOKEN_ISSUE, community=community)
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = admin.get("/admin/lucun/auditevent/").content.decode()
    assert "签发一码通" in html
    assert "points.volunteer_token_issue</td>" not in html
    # The filter offers the labels too.
    filtered = admin.get("/admin/lucun/auditevent/", {"action": "points.volunteer_token_issue"})
    assert filtered.status_code == 200 and "签发一码通" in filtered.content.decode()
