"""Private files: every upload is served by one scoped view, in production by nginx, never at a public address."""

import importlib
import os
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.contrib.admin.widgets import AdminFileWidget
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import clear_url_caches, reverse
from django.utils import timezone
from django_sendfile.utils import _get_sendfile

from cases.models import CasePhoto
from deliberation.models import MeetingPhoto
from deliberation.services import meeting_photo_add
from lucun import files
from lucun.files import thumbnail_name
from lucun.images import image_clean
from lucun.models import Role
from points.services import claim_submit
from tests.cases.factories import channel, jpeg_bytes, open_case, submit, upload
from tests.deliberation.factories import family_forum
from tests.factories import UserFactory, official
from tests.points.factories import ServiceTypeFactory, VolunteerFactory
from tests.visits.factories import HouseholdFactory, VisitLogFactory, card_batch
from visits import services as visit_services
from visits.models import VisitPhoto

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
JPEG = "image/jpeg"
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ------------------------------------------------------------------------------- one file of each kind


def _visit_photo(community, cadre):
    photo = VisitPhoto(log=VisitLogFactory(household=HouseholdFactory(community=community)))
    photo.image.save("张三家门口.jpg", ContentFile(jpeg_bytes(exif=False)), save=False)
    photo.width, photo.height = 64, 48
    photo.save()
    return photo.image


def _print_job(community, cadre):
    batch = card_batch(community=community, actor=cadre)
    job = visit_services.print_job_create(
        actor=cadre, batch=batch, address="https://lucun.example.gov.cn/f/x/", cards=1
    )
    return visit_services.print_job_run(job_id=job.pk).file


def _export(community, cadre):
    from lucun import exports
    from lucun.exports import services as export_services

    exporter = exports.get("cases.case_list")
    job = export_services.export_job_create(actor=cadre, exporter=exporter, rows_total=0, query="")
    return export_services.export_job_run(job_id=job.pk).file


def _case_photo(community, cadre):
    case = open_case(community=community, by=cadre, photos=[image_clean(upload(jpeg_bytes()))])
    return case.photos.get().image


def _feedback_photo(community, cadre):
    feedback = submit(channel=channel(community=community), photos=[image_clean(upload(jpeg_bytes()))])
    return feedback.photos.get().image


def _meeting_photo(community, cadre):
    meeting = family_forum(community=community, by=cadre)
    return meeting_photo_add(meeting=meeting, user=cadre, upload=upload(jpeg_bytes())).image


def _claim_photo(community, cadre):
    claim = claim_submit(
        actor=cadre,
        volunteer=VolunteerFactory(community=community),
        service_type=ServiceTypeFactory(),
        service_date=timezone.localdate(),
        quantity=1,
        photo=upload(jpeg_bytes()),
    )
    return claim.photo


KINDS = {
    # kind: (builder, content type, folder and extension of a new upload)
    "visit-photo": (_visit_photo, JPEG, r"visits/[0-9a-f]{32}\.jpg"),
    "print-job": (_print_job, PDF, r"print/[0-9a-f]{32}\.pdf"),
    "case-photo": (_case_photo, JPEG, r"cases/[0-9a-f]{32}\.jpg"),
    "feedback-photo": (_feedback_photo, JPEG, r"feedback/[0-9a-f]{32}\.jpg"),
    "meeting-photo": (_meeting_photo, JPEG, r"deliberation/[0-9a-f]{32}\.jpg"),
    "claim-photo": (_claim_photo, JPEG, r"points/claims/[0-9a-f]{32}\.jpg"),
    "export": (_export, XLSX, r"exports/[0-9a-f]{32}\.xlsx"),
}


@pytest.fixture(params=list(KINDS))
def stored(request, community, cadre):
    """One stored file of each kind, owned by 芦湖村 (whose community cadre is ``cadre``)."""
    build, content_type, _pattern = KINDS[request.param]
    file = build(community, cadre)
    return request.param, file, content_type


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    """Run with DEBUG off and on, the URLs built as they would be at start-up with that setting."""
    settings.DEBUG = request.param
    _reload_urls()
    yield request.param
    settings.DEBUG = False
    _reload_urls()


def _reload_urls():
    import lucun.urls

    importlib.reload(lucun.urls)
    clear_url_caches()


@pytest.fixture
def nginx(settings):
    """The production backend: the proxy sends the bytes from its internal location."""
    settings.SENDFILE_BACKEND = "django_sendfile.backends.nginx"
    settings.SENDFILE_URL = "/protected-media"
    _get_sendfile.cache_clear()
    yield
    _get_sendfile.cache_clear()


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# ------------------------------------------------------------------------------------------ who gets it


def test_the_owners_official_gets_the_bytes_with_private_headers(client, cadre, stored, debug):
    kind, file, content_type = stored
    client.force_login(cadre)
    url = files.url_for(file)
    assert url == f"/files/{kind}/{file.instance.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Cache-Control"] == "private, max-age=3600"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert _body(response) == default_storage.open(file.name).read()


def test_anonymous_and_foreign_requests_get_404(client, other_cadre, stored, debug):
    _kind, file, _content_type = stored
    url = files.url_for(file)
    assert client.get(url).status_code == 404
    client.force_login(other_cadre)
    assert client.get(url).status_code == 404


def test_a_thumbnail_address_sends_the_small_copy_under_the_same_scope(client, cadre, other_cadre, stored):
    kind, file, content_type = stored
    url = files.url_for(file, thumbnail=True)
    assert url == f"/files/{kind}/{file.instance.pk}/thumbnail/"
    small = thumbnail_name(file.name)
    # The pipeline stores one beside every photo; a file stored otherwise (the visit photo here, a print file)
    # or an export has none, and its thumbnail address sends the file itself.
    assert default_storage.exists(small) == (kind not in {"visit-photo", "print-job", "export"})
    client.force_login(cadre)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == content_type
    expected = small if default_storage.exists(small) else file.name
    assert _body(response) == default_storage.open(expected).read()
    client.force_login(other_cadre)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404


def test_the_uploaded_file_has_no_public_address(client, cadre, stored, debug):
    _kind, file, _content_type = stored
    client.force_login(cadre)
    assert client.get(f"/media/{file.name}").status_code == 404
    assert client.get(default_storage.url(file.name)).status_code == 404  # the storage's own address: nothing


def test_a_stored_file_links_to_its_scoped_address(stored):
    kind, file, _content_type = stored
    assert file.url == files.url_for(file) == reverse("private_file", kwargs={"kind": kind, "pk": file.instance.pk})
    reloaded = type(file.instance).objects.get(pk=file.instance.pk)
    assert getattr(reloaded, file.field.name).url == file.url


def test_a_feedback_photo_is_not_shown_to_an_official_who_may_not_open_the_message(client, community, cadre):
    file = _feedback_photo(community, cadre)
    client.force_login(official(Role.GRID_WORKER, community=community))
    assert client.get(files.url_for(file)).status_code == 404
    client.force_login(official(Role.STREET_LEADER, street=community.street))
    assert client.get(files.url_for(file)).status_code == 200


def test_a_print_file_is_an_attachment_named_after_its_batch(client, community, cadre):
    file = _print_job(community, cadre)
    client.force_login(cadre)
    response = client.get(files.url_for(file))
    job = file.instance
    expected = f'attachment; filename="contact-cards-{community.pk}-{job.batch.number}-1.pdf"'
    assert response["Content-Disposition"] == expected
    assert response["Content-Type"] == PDF and _body(response).startswith(b"%PDF")


def test_an_unfinished_print_job_has_nothing_to_download(client, community, cadre):
    batch = card_batch(community=community, actor=cadre)
    job = visit_services.print_job_create(actor=cadre, batch=batch, address="https://lucun.example.gov.cn/f/x/")
    client.force_login(cadre)
    assert client.get(reverse("private_file", kwargs={"kind": "print-job", "pk": job.pk})).status_code == 404


def test_a_photo_is_shown_inline_and_its_name_is_not_announced(client, community, cadre):
    file = _case_photo(community, cadre)
    client.force_login(cadre)
    assert client.get(files.url_for(file))["Content-Disposition"] == "inline"


def test_an_unknown_kind_a_missing_row_and_a_write_are_refused(client, community, cadre):
    file = _case_photo(community, cadre)
    client.force_login(cadre)
    assert client.get(f"/files/household/{file.instance.pk}/").status_code == 404
    assert client.get(f"/files/case-photo/{file.instance.pk + 1000}/").status_code == 404
    assert client.post(files.url_for(file)).status_code == 405


def test_a_row_whose_file_is_gone_answers_404(client, community, cadre):
    file = _case_photo(community, cadre)
    default_storage.delete(file.name)
    client.force_login(cadre)
    assert client.get(files.url_for(file)).status_code == 404


def test_an_older_upload_under_a_dated_guessable_name_is_still_served_to_its_officials(client, community, cadre):
    meeting = family_forum(community=community, by=cadre)
    name = default_storage.save(f"deliberation/2025/03/meeting-{meeting.pk}.jpg", ContentFile(jpeg_bytes()))
    photo = MeetingPhoto.objects.create(meeting=meeting, image=name, uploaded_by=cadre)
    client.force_login(cadre)
    response = client.get(files.url_for(photo.image))
    assert response.status_code == 200 and response["Content-Type"] == JPEG


# ------------------------------------------------------------------------------------------ production


def test_behind_nginx_the_answer_is_an_internal_redirect_without_a_body(client, cadre, stored, nginx):
    _kind, file, content_type = stored
    client.force_login(cadre)
    response = client.get(files.url_for(file))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{file.name}"
    assert response.content == b""
    assert response["Content-Type"] == content_type
    assert response["Cache-Control"] == "private, max-age=3600"


def test_behind_nginx_a_foreign_request_gets_404_and_no_redirect(client, other_cadre, stored, nginx):
    _kind, file, _content_type = stored
    client.force_login(other_cadre)
    response = client.get(files.url_for(file))
    assert response.status_code == 404 and "X-Accel-Redirect" not in response


def test_the_production_settings_hand_files_to_nginx_unless_told_otherwise(tmp_path):
    import subprocess
    import sys

    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SENDFILE_BACKEND, settings.SENDFILE_URL, settings.SENDFILE_ROOT == str(settings.MEDIA_ROOT))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lucun.settings.production",
        "SECRET_KEY": "a-production-secret-for-the-test-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "lucun.example.gov.cn",
        "LUCUN_VAR_DIR": str(tmp_path),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    env.pop("LUCUN_SENDFILE_BACKEND", None)

    def run(**extra):
        command = [sys.executable, "-c", script]
        out = subprocess.run(command, cwd=ROOT, env=env | extra, capture_output=True, text=True, check=True)  # noqa: S603
        return out.stdout.split()

    assert run() == ["django_sendfile.backends.nginx", "/protected-media", "True"]
    assert run(LUCUN_SENDFILE_BACKEND="django_sendfile.backends.simple", LUCUN_SENDFILE_URL="/internal")[:2] == [
        "django_sendfile.backends.simple",
        "/internal",
    ]


# ------------------------------------------------------------------------------------------ names, times


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_new_upload_gets_a_random_name_without_date_id_or_original_name(community, cadre, kind):
    build, _content_type, pattern = KINDS[kind]
    file = build(community, cadre)
    assert re.fullmatch(pattern, file.name), file.name
    assert uuid.UUID(hex=re.search(r"[0-9a-f]{32}", file.name).group()).version == 4


def test_a_feedback_photos_file_times_are_the_stored_hour_not_the_moment_of_sending(community):
    with time_machine.travel(datetime(2026, 11, 27, 2, 37, 12, tzinfo=UTC), tick=False):
        feedback = submit(channel=channel(community=community), photos=[image_clean(upload(jpeg_bytes()))])
    feedback.refresh_from_db()
    assert feedback.received_at == datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    path = default_storage.path(feedback.photos.get().image.name)
    stored = feedback.received_at.timestamp()
    assert os.stat(path).st_mtime == stored and os.stat(path).st_atime == stored
    assert os.stat(os.path.dirname(path)).st_mtime == stored  # the folder does not tell the latest upload either


# ------------------------------------------------------------------------------------------ queries


QUERIES = {
    # session, user, then the row within the owner's scope in one statement (subqueries for the scope)
    "visit-photo": 3,
    "print-job": 3,
    "case-photo": 4,  # + the official's positions: the cases in sight name the communities' ids (cases_visible)
    "feedback-photo": 4,  # + the official's positions: only triage roles open a message
    "meeting-photo": 3,
    "claim-photo": 3,
    "export": 3,
}


def test_the_file_view_runs_a_fixed_number_of_queries(client, cadre, stored, django_assert_num_queries):
    kind, file, _content_type = stored
    client.force_login(cadre)
    url = files.url_for(file)
    with django_assert_num_queries(QUERIES[kind]):
        assert client.get(url).status_code == 200


def test_an_anonymous_request_is_refused_without_a_query(client, stored, django_assert_num_queries):
    _kind, file, _content_type = stored
    with django_assert_num_queries(0):
        assert client.get(files.url_for(file)).status_code == 404


def test_every_kind_is_registered_once_with_a_field_that_holds_files():
    kinds = {entry.kind: entry for entry in files.registered()}
    assert set(kinds) == set(KINDS)
    for entry in kinds.values():
        assert entry.model._meta.get_field(entry.field).get_internal_type() in {"FileField", "ImageField"}


# ------------------------------------------------------------------------------------------- the admin

# The admin page that shows each kind of file (a case photo is shown on the case pages only).
ADMIN_PAGES = {
    "visit-photo": lambda photo: f"/admin/visits/visitlog/{photo.log_id}/change/",
    "print-job": lambda job: f"/admin/visits/printjob/{job.pk}/change/",
    "feedback-photo": lambda photo: f"/admin/cases/feedback/{photo.feedback_id}/change/",
    "meeting-photo": lambda photo: f"/admin/deliberation/meetingphoto/{photo.pk}/change/",
    "claim-photo": lambda claim: f"/admin/points/serviceclaim/{claim.pk}/change/",
}


@pytest.mark.parametrize("kind", list(ADMIN_PAGES))
def test_the_admin_links_a_file_to_its_scoped_address_which_serves_it(client, community, cadre, kind):
    build, content_type, _pattern = KINDS[kind]
    file = build(community, cadre)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    page = client.get(ADMIN_PAGES[kind](file.instance))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="{files.url_for(file)}"' in html
    assert "/media/" not in html and file.name not in re.findall(r'href="([^"]*)"', html)

    response = client.get(files.url_for(file))
    assert response.status_code == 200 and response["Content-Type"] == content_type


def test_the_admins_file_widget_shows_the_current_file_at_its_scoped_address(community, cadre):
    file = _meeting_photo(community, cadre)
    html = AdminFileWidget().render("image", file)
    assert f'<a href="{files.url_for(file)}">' in html and "/media/" not in html


def test_a_file_of_an_unsaved_row_has_no_address_yet():
    photo = MeetingPhoto(image="deliberation/0123456789abcdef0123456789abcdef.jpg")
    assert photo.image.url == "" and files.url_for(photo.image) == ""


# ------------------------------------------------------------------------------- files no row names


class _RolledBack(Exception):
    pass


def _aged(name: str, days: int) -> None:
    """Give a stored file (and its thumbnail, if any) the times of ``days`` ago."""
    stamp = timezone.now().timestamp() - days * 86400
    for path in (default_storage.path(name), default_storage.path(thumbnail_name(name))):
        if os.path.exists(path):
            os.utime(path, (stamp, stamp))


def test_files_left_by_a_rolled_back_transaction_are_deleted_a_day_later(settings, tmp_path, community, cadre):
    settings.MEDIA_ROOT = tmp_path  # a folder of this test's own: other tests' rolled-back rows leave files too
    from lucun.models import AuditEvent
    from lucun.services import files_unowned_delete
    from lucun.tasks import UNOWNED_FILES_AGE

    kept = _case_photo(community, cadre)
    kept_feedback = _feedback_photo(community, cadre)
    with pytest.raises(_RolledBack), transaction.atomic():  # the photo is stored, then the case is rolled back
        left = _case_photo(community, cadre)
        raise _RolledBack
    assert not CasePhoto.objects.filter(image=left.name).exists()
    assert default_storage.exists(left.name) and default_storage.exists(thumbnail_name(left.name))
    with pytest.raises(_RolledBack), transaction.atomic():  # and one that has not had its day yet
        recent = _case_photo(community, cadre)
        raise _RolledBack
    for name in (kept.name, kept_feedback.name, left.name):
        _aged(name, days=2)

    assert files_unowned_delete(older_than=UNOWNED_FILES_AGE) == 2  # the photo and its thumbnail

    assert not default_storage.exists(left.name) and not default_storage.exists(thumbnail_name(left.name))
    for name in (kept.name, thumbnail_name(kept.name), kept_feedback.name, recent.name):
        assert default_storage.exists(name)
    event = AuditEvent.objects.get(action="lucun.files_unowned_delete")
    assert event.changes["after"] == {"files": {"case-photo": 2}, "hours": 24}
    assert files_unowned_delete(older_than=UNOWNED_FILES_AGE) == 0  # nothing more, and no second audit row
    assert AuditEvent.objects.filter(action="lucun.files_unowned_delete").count() == 1


def test_the_sweep_runs_daily_from_beat():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="lucun.tasks.files_unowned_delete")
    assert task.interval.every == 24 * 60 * 60 and task.enabled
