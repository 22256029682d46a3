"""Background jobs (exports, printed cards, case sheets) share one base: the files of old jobs are deleted by an
hourly beat job, and the download of an expired job answers 410 with a Chinese message, on the page and in the
API."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from lucun import exports, tasks
from lucun.exports import services as export_services
from lucun.models import AuditEvent, ExportJob, Role
from tests.cases.factories import open_case
from tests.factories import official
from tests.visits.factories import card_batch
from visits import services as visit_services
from visits.models import PrintJob

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
GONE = "文件已超过保存期限(7 天)被清理,请重新生成。"


@pytest.fixture
def cases(community, cadre):
    return [open_case(community=community, by=cadre, title=f"本村诉求{n}") for n in range(3)]


def _export(cadre, kind: str = "cases.case_list") -> ExportJob:
    job = export_services.export_job_create(actor=cadre, exporter=exports.get(kind), rows_total=0, query="")
    return export_services.export_job_run(job_id=job.pk)


def _print(cadre, batch) -> PrintJob:
    job = visit_services.print_job_create(actor=cadre, batch=batch, address="https://lucun.example.gov.cn/f/x/")
    return visit_services.print_job_run(job_id=job.pk)


def test_the_files_of_jobs_older_than_the_setting_are_deleted_and_the_jobs_marked_expired(
    cadre, community, cases, settings
):
    batch = card_batch(community=community, actor=cadre, quantity=12)
    with time_machine.travel(T0 - timedelta(days=7, minutes=1), tick=False) as traveller:
        old_export, old_print = _export(cadre), _print(cadre, batch)
        failed = ExportJob.objects.create(kind="gone.away", created_by=cadre)
        failed = export_services.export_job_run(job_id=failed.pk)
        traveller.move_to(T0 - timedelta(days=6, hours=23))
        recent = _export(cadre)
        traveller.move_to(T0)
        old_files = [Path(old_export.file.path), Path(old_print.file.path)]
        assert all(path.exists() for path in old_files)

        assert tasks.job_files_expire() == 2

    for job in (old_export, old_print):
        job.refresh_from_db()
        assert (job.state, job.file.name, job.expired_at) == ("expired", "", T0)
    assert not any(path.exists() for path in old_files)
    recent.refresh_from_db()
    assert recent.state == "done" and Path(recent.file.path).exists()
    failed.refresh_from_db()
    assert failed.state == "failed" and failed.expired_at is None
    event = AuditEvent.objects.get(action="lucun.job_files_expire")
    assert event.actor is None and event.changes["after"] == {
        "jobs": {"lucun.exportjob": 1, "visits.printjob": 1},
        "days": 7,
    }
    with time_machine.travel(T0, tick=False):
        assert tasks.job_files_expire() == 0
    assert AuditEvent.objects.filter(action="lucun.job_files_expire").count() == 1


def test_the_files_are_kept_the_days_set_in_the_settings(cadre, cases, settings):
    settings.LUCUN_JOB_FILES_DAYS = 1
    with time_machine.travel(T0 - timedelta(days=1, minutes=1), tick=False) as traveller:
        job = _export(cadre)
        traveller.move_to(T0)
        assert tasks.job_files_expire() == 1
    job.refresh_from_db()
    assert job.state == "expired"


def test_the_expiry_runs_hourly_from_the_beat_schedule():
    config = apps.get_app_config("lucun")
    assert ("导出与打印文件清理 job files expire", "lucun.tasks.job_files_expire", 3600) in config.periodic_tasks


def _expire(job) -> None:
    """Let eight days pass and the beat job run."""
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        tasks.job_files_expire()
    job.refresh_from_db()
    assert job.state == "expired"


def test_an_expired_export_answers_410_with_a_chinese_message_on_its_page_and_in_the_api(
    client, cadre, community, cases
):
    job = _export(cadre)
    _expire(job)
    client.force_login(cadre)
    download = client.get(reverse("export_job_download", args=[job.pk]))
    assert download.status_code == 410 and GONE in download.content.decode()
    page = client.get(reverse("export_job", args=[job.pk])).content.decode()
    assert GONE in page and reverse("export_job_download", args=[job.pk]) not in page
    progress = client.get(reverse("export_job_progress", args=[job.pk])).json()
    assert (progress["state"], progress["error"], progress["download_url"]) == ("expired", GONE, "")

    api = APIClient()
    api.force_authenticate(cadre)
    response = api.get(f"/api/v1/exports/{job.pk}/download/")
    assert response.status_code == 410 and response.json() == {"detail": GONE, "code": "expired"}
    assert api.get(f"/api/v1/exports/{job.pk}/").json()["state"] == "expired"

    # Someone else learns nothing, not even that it expired.
    colleague = official(Role.COMMUNITY_CADRE, community=community)
    client.force_login(colleague)
    api.force_authenticate(colleague)
    assert client.get(reverse("export_job_download", args=[job.pk])).status_code == 404
    assert api.get(f"/api/v1/exports/{job.pk}/download/").status_code == 404


def test_an_expired_print_job_answers_410_and_its_batch_page_says_so(client, cadre, community, other_cadre):
    batch = card_batch(community=community, actor=cadre, quantity=12)
    job = _print(cadre, batch)
    _expire(job)
    client.force_login(cadre)
    html = client.get(batch.get_absolute_url()).content.decode()
    download = reverse("visits:print_job_download", args=[job.pk])
    assert "已过期 · 文件已清理,请重新生成" in html and f'href="{download}"' not in html
    response = client.get(download)
    assert response.status_code == 410 and GONE in response.content.decode()
    client.force_login(other_cadre)
    assert client.get(download).status_code == 404
