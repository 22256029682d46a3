"""Faults: the broker down, the sweep twice at once, the database refusing a write mid-request."""

import importlib
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from celery.app.task import Task
from django.apps import apps as django_apps
from django.db import IntegrityError, OperationalError, connection
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from cases.models import Case, CaseEvent, Feedback
from cases.services import case_colours_sweep
from lucun.models import Notification, OutboxMessage
from lucun.services import outbox_flush
from points.models import PointsAccount, Volunteer
from tests.cases.factories import open_case
from tests.race import race

from .conftest import build_world

# ----------------------------------------------------------------------------------- broker down


def _broker_down(*args, **kwargs):
    raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.mark.django_db
def test_with_the_broker_down_intake_and_cases_work_and_the_queued_work_is_delivered_later(
    world, client, django_capture_on_commit_callbacks
):
    cadre, other = world.users["community_cadre"], world.users["grid_worker"]
    OutboxMessage.objects.update(sent_at=timezone.now())  # the world's own messages are not this test's
    delivered = []
    with (
        mock.patch.object(Task, "apply_async", _broker_down),
        mock.patch("lucun.celery.app.send_task", _broker_down),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sent = client.post(
            f"/f/{world.o['channel'].token}/", {"community": world.community.pk, "text": "桥边护栏松动了"}
        )
        client.force_login(cadre)
        opened = client.post(
            "/cases/new/",
            {
                "community": world.community.pk,
                "title": "桥边护栏松动",
                "source": Case.Source.WALK_IN,
                "tier": world.o["case"].tier_id,
                "category": world.o["case"].category_id,
                "case_list": world.o["case"].case_list,
            },
        )
        case = Case.objects.get(title="桥边护栏松动")
        moved = client.post(f"/cases/{case.number}/assign/", {"assign-handler": other.pk})
    assert sent.status_code == 200 and Feedback.objects.filter(text="桥边护栏松动了").exists()
    assert opened.status_code == 302 and moved.status_code == 302, moved.content.decode()[:500]
    case.refresh_from_db()
    assert case.handler == other
    pending = list(OutboxMessage.objects.filter(sent_at__isnull=True))
    assert pending and all(m.attempts == 1 and "Connection refused" in m.last_error for m in pending)

    with mock.patch(
        "lucun.services.notification_deliver", side_effect=lambda **kw: delivered.extend(kw["notification_ids"])
    ):
        assert outbox_flush() == len(pending)
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    assignment_notice = Notification.objects.get(recipient=other, url=case.get_absolute_url())
    assert assignment_notice.pk in delivered
    assert outbox_flush() == 0  # nothing is sent twice


@pytest.mark.django_db
def test_a_failed_send_keeps_the_message_until_a_flush_succeeds(world):
    OutboxMessage.objects.update(sent_at=timezone.now())  # the world's own messages are not this test's
    message = OutboxMessage.objects.create(
        task_name="lucun.tasks.notification_deliver", kwargs={"notification_ids": []}
    )
    with mock.patch.object(Task, "apply_async", _broker_down):
        assert outbox_flush() == 0
        assert outbox_flush() == 0
    message.refresh_from_db()
    assert message.sent_at is None and message.attempts == 2
    assert outbox_flush() == 1
    message.refresh_from_db()
    assert message.sent_at is not None


# ----------------------------------------------------------------------------------- the sweep twice

SEEDS = [
    ("cases.migrations.0002_default_configuration", "seed"),
    ("deliberation.migrations.0002_default_configuration", "seed"),
    ("points.migrations.0002_ledger_append_only_and_defaults", "seed_configuration"),
    ("visits.migrations.0002_default_tags", "add_tags"),
]


def _seed_configuration() -> None:
    """Run the data migrations' idempotent seeds again (categories, tiers, procedure steps, …)."""
    for module, function in SEEDS:
        getattr(importlib.import_module(module), function)(django_apps, None)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # like every transactional test
def test_two_sweeps_at_once_record_each_colour_change_and_notice_once():
    _seed_configuration()  # where the serialized data is not restored (after the browser journeys)
    world = build_world()
    cadre = world.users["community_cadre"]
    cases = [open_case(community=world.community, by=cadre, tier_code="immediate", title=f"积水{i}") for i in range(5)]
    later = timezone.now() + timedelta(days=40)

    def sweep():
        with time_machine.travel(later, tick=False):
            case_colours_sweep()
            case_colours_sweep()  # beat sending it again changes nothing either

    assert race(sweep, sweep) == [None, None]
    events = CaseEvent.objects.filter(case__in=cases, kind=CaseEvent.Kind.TURNED_RED)
    assert events.count() == len(cases)
    assert CaseEvent.objects.filter(case__in=cases, kind=CaseEvent.Kind.TURNED_YELLOW).count() == 0
    for case in cases:
        urls = Notification.objects.filter(url=case.get_absolute_url(), recipient=cadre, level="urgent")
        assert urls.count() == len({e.pk for e in events.filter(case=case)})
    connection.close()


@pytest.mark.django_db
def test_the_sweep_sent_twice_by_beat_records_each_change_once(world):
    cases = [world.o["case"], world.o["pending_case"]]
    with time_machine.travel(timezone.now() + timedelta(days=40), tick=False):
        first, second = case_colours_sweep(), case_colours_sweep()
    assert first.red >= len(cases) and second.red == 0 and second.yellow == 0
    assert CaseEvent.objects.filter(case__in=cases, kind=CaseEvent.Kind.TURNED_RED).count() == len(cases)


# ----------------------------------------------------------------------------------- database refuses a write

FAILURES = [
    IntegrityError('duplicate key value violates unique constraint "case_unique_number"'),
    OperationalError("server closed the connection unexpectedly"),
]


def _case_form(world, title):
    return {
        "community": world.community.pk,
        "title": title,
        "source": Case.Source.WALK_IN,
        "tier": world.o["case"].tier_id,
        "category": world.o["case"].category_id,
        "case_list": world.o["case"].case_list,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("failure", FAILURES, ids=["constraint", "lost-connection"])
def test_a_failed_write_when_opening_a_case_shows_a_message_and_leaves_nothing(world, client, failure):
    client.force_login(world.users["community_cadre"])
    before = (Case.objects.count(), CaseEvent.objects.count())
    with mock.patch("cases.services.opening.add_event", side_effect=failure):  # after the case row is written
        response = client.post("/cases/new/", _case_form(world, "路面塌陷"))
    assert response.status_code == 400
    assert "保存失败" in response.content.decode()
    assert "路面塌陷" in response.content.decode()  # what was typed is still in the form
    assert (Case.objects.count(), CaseEvent.objects.count()) == before


@pytest.mark.django_db
@pytest.mark.parametrize("failure", FAILURES, ids=["constraint", "lost-connection"])
def test_a_failed_write_when_moving_a_case_shows_a_message_and_changes_nothing(world, client, failure):
    client.force_login(world.users["community_cadre"])
    case = world.o["case"]
    events = case.events.count()
    with mock.patch("cases.services.moving.add_event", side_effect=failure):
        response = client.post(f"/cases/{case.number}/progress/", {"progress-note": "已联系施工队"})
    assert response.status_code == 400 and "保存失败" in response.content.decode()
    assert case.events.count() == events


@pytest.mark.django_db
@pytest.mark.parametrize("failure", FAILURES, ids=["constraint", "lost-connection"])
def test_a_failed_write_when_sending_feedback_shows_a_message_and_stores_nothing(world, client, failure):
    before = Feedback.objects.count()
    with mock.patch("cases.services.feedback._save_photos", side_effect=failure):  # after the row is written
        response = client.post(f"/f/{world.o['channel'].token}/", {"community": world.community.pk, "text": "井盖丢了"})
    assert response.status_code == 400
    assert "提交没有成功" in response.content.decode()
    assert Feedback.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("failure", FAILURES, ids=["constraint", "lost-connection"])
def test_a_failed_write_when_registering_a_volunteer_shows_a_message_and_leaves_nothing(world, client, failure):
    client.force_login(world.users["community_cadre"])
    before = (Volunteer.objects.count(), PointsAccount.objects.count())
    with mock.patch("points.services.volunteers.audit_record", side_effect=failure):
        response = client.post(
            "/points/volunteers/new/",
            {
                "community": world.community.pk,
                "name": "赵大爷",
                "joined_on": timezone.localdate().isoformat(),
                "active": "on",
            },
        )
    assert response.status_code == 400 and "保存失败" in response.content.decode()
    assert "赵大爷" in response.content.decode()
    assert (Volunteer.objects.count(), PointsAccount.objects.count()) == before


@pytest.mark.django_db
@pytest.mark.parametrize("failure", FAILURES, ids=["constraint", "lost-connection"])
def test_a_failed_write_when_submitting_a_points_claim_shows_a_message_and_leaves_nothing(world, client, failure):
    client.force_login(world.users["community_cadre"])
    volunteer = world.o["volunteer"]
    before = volunteer.claims.count()
    with mock.patch("points.services.claims.audit_record", side_effect=failure):
        response = client.post(
            f"/points/volunteers/{volunteer.pk}/claim/",
            {
                "service_type": world.o["service_type"].pk,
                "service_date": timezone.localdate().isoformat(),
                "quantity": 1,
            },
        )
    assert response.status_code == 400 and "保存失败" in response.content.decode()
    assert volunteer.claims.count() == before


@pytest.mark.django_db
def test_an_unexpected_failure_shows_the_chinese_error_page(world, client):
    client.raise_request_exception = False
    client.force_login(world.users["community_cadre"])
    with mock.patch("cases.views.case.selectors.case_list", side_effect=OperationalError("connection lost")):
        response = client.get("/cases/")
    assert response.status_code == 500 and "系统暂时出错" in response.content.decode()
