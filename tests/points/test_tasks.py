from datetime import date

import pytest
import time_machine
from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from points import services, tasks
from points.models import LedgerEntry, PointsPolicy

pytestmark = pytest.mark.django_db


def test_expiry_job_is_scheduled_daily():
    config = apps.get_app_config("points")
    assert ("积分过期 points expire", "points.tasks.points_expire", 86400) in config.periodic_tasks


def test_expiry_task_calls_the_service(cadre, volunteer, policy_type):
    PointsPolicy.objects.update_or_create(pk=1, defaults={"expiry_enabled": True, "expiry_quarters": 1})
    with time_machine.travel(date(2026, 1, 10), tick=False):
        claim = services.claim_submit(
            actor=cadre, volunteer=volunteer, service_type=policy_type, service_date=timezone.localdate(), quantity=2
        )
        services.claim_approve(actor=cadre, claim=claim)
    with time_machine.travel(date(2026, 7, 1), tick=False):
        assert tasks.points_expire() == 10
    volunteer.account.refresh_from_db()
    assert volunteer.account.balance == 0


@pytest.mark.postgres
def test_postgres_refuses_to_delete_a_ledger_entry(cadre, volunteer, policy_type):
    claim = services.claim_submit(
        actor=cadre, volunteer=volunteer, service_type=policy_type, service_date=timezone.localdate(), quantity=1
    )
    services.claim_approve(actor=cadre, claim=claim)
    entry = LedgerEntry.objects.get()
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM points_ledgerentry WHERE id = %s", [entry.pk])
