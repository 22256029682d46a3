"""The export machinery every app uses: the xlsx writer, the background job (progress, one run, failure, a lost
worker) and the private file only its owner may download."""

import io
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from lucun import audit, exports
from lucun.exports import services, xlsx
from lucun.models import AuditEvent, Community, ExportJob, OutboxMessage
from tests.factories import CommunityFactory
from tests.lucun.exports import xlsx_rows

pytestmark = pytest.mark.django_db


@audit.register
class ExporterAuditAction(models.TextChoices):
    """The test exporter's audit action: audit records take declared actions only."""

    EXPORT = "tests.export", "导出村居(测试)"


@pytest.fixture
def seen():
    """What the job's progress was when each row was written."""
    return []


@pytest.fixture
def exporter(seen):
    """A test exporter over the communities, which notes the job's recorded progress as it writes each row."""

    def table(*, user, query: QueryDict) -> exports.Table:
        if query.get("refuse"):
            raise PermissionDenied

        def cells(community):
            seen.append(ExportJob.objects.values_list("done", flat=True).first())
            return [community.name, timezone.now()]

        return exports.Table(title="村居", columns=["名称", "时间"], rows=Community.objects.order_by("pk"), cells=cells)

    entry = exports.Exporter(
        kind="tests.communities",
        label="村居",
        table=table,
        page="org_tree",
        action="tests.export",
        filename="c",
        format=replace(exports.XLSX, progress_step=3),  # progress every three rows, so a few rows show it
    )
    exports.register(entry)
    yield entry
    exports._exporters.pop(entry.kind)


def _job(exporter, user, query: str = "") -> ExportJob:
    return services.export_job_create(actor=user, exporter=exporter, rows_total=0, query=query)


def test_text_that_looks_like_a_formula_stays_text_and_times_are_local():
    moment = timezone.make_aware(datetime(2026, 3, 1, 1, 30), timezone.get_fixed_timezone(0))
    table = exports.Table(title="t", columns=["a", "b"], rows=[1], cells=lambda r: ['=cmd|" /C calc"!A0', moment])
    out = io.BytesIO()
    assert xlsx.write(out, table) == 1
    cell, when = next(load_workbook(io.BytesIO(out.getvalue())).worksheets[0].iter_rows(min_row=2))
    assert cell.data_type == "s" and cell.value == '=cmd|" /C calc"!A0'
    assert when.value == datetime(2026, 3, 1, 9, 30)  # Asia/Shanghai, as the pages show it


def test_a_job_records_its_progress_as_it_writes(exporter, seen, cadre, street):
    for n in range(9):
        CommunityFactory(street=street, name=f"村{n}")
    job = _job(exporter, cadre)
    assert OutboxMessage.objects.filter(task_name="lucun.tasks.export_job_run", kwargs={"job_id": job.pk}).exists()
    job = services.export_job_run(job_id=job.pk)
    total = Community.objects.count()
    assert job.state == ExportJob.State.DONE and job.done == job.total == total
    assert seen[0] == 0 and seen[3] == 3 and seen[6] == 6 and seen == sorted(seen)
    assert [row[0] for row in xlsx_rows(job.file.read())[1]] == list(
        Community.objects.order_by("pk").values_list("name", flat=True)
    )


def test_a_job_runs_once_when_its_task_is_delivered_twice(exporter, cadre):
    job = _job(exporter, cadre)
    assert services.export_job_run(job_id=job.pk).state == ExportJob.State.DONE
    assert services.export_job_run(job_id=job.pk) is None
    assert AuditEvent.objects.filter(action="tests.export").count() == 1


def test_a_job_lost_with_its_worker_is_taken_over(exporter, cadre):
    job = _job(exporter, cadre)
    ExportJob.objects.filter(pk=job.pk).update(state="running", started_at=timezone.now() - timedelta(hours=1))
    assert services.export_job_run(job_id=job.pk).state == ExportJob.State.DONE


def test_a_job_still_running_elsewhere_is_left_alone(exporter, cadre):
    job = _job(exporter, cadre)
    ExportJob.objects.filter(pk=job.pk).update(state="running", started_at=timezone.now())
    assert services.export_job_run(job_id=job.pk) is None


def test_a_job_the_owner_may_no_longer_run_fails_with_a_message_and_exports_nothing(client, exporter, cadre):
    job = services.export_job_run(job_id=_job(exporter, cadre, query="refuse=1").pk)
    assert job.state == ExportJob.State.FAILED and job.error and not job.file
    assert not AuditEvent.objects.filter(action="tests.export").exists()
    client.force_login(cadre)
    progress = client.get(reverse("export_job_progress", args=[job.pk])).json()
    assert progress["state"] == "failed" and "生成失败" in progress["error"] and progress["download_url"] == ""


def test_a_job_of_a_kind_no_longer_registered_fails(cadre):
    job = ExportJob.objects.create(kind="gone.away", created_by=cadre)
    assert services.export_job_run(job_id=job.pk).state == ExportJob.State.FAILED


def test_the_file_keeps_a_random_name_and_downloads_under_a_readable_one(client, exporter, cadre):
    job = services.export_job_run(job_id=_job(exporter, cadre).pk)
    assert job.file.name.startswith("exports/") and len(job.file.name) == len("exports/") + 32 + len(".xlsx")
    client.force_login(cadre)
    response = client.get(reverse("export_job_download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="c-{timezone.localtime(job.created_at):%Y%m%d-%H%M}.xlsx"'
    )
    assert response["Cache-Control"] == "private, max-age=3600"
