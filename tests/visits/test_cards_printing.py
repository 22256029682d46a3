"""The printed cards and posters: the QR codes decode to the channel's address; the Chinese font is embedded;
a print job runs in the task, records its progress and leaves the file under MEDIA_ROOT."""

import io
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from pypdf import PdfReader

from cases.selectors import feedback_channel_public_url
from lucun.models import OutboxMessage
from tests.visits.factories import card_batch, feedback_point
from tests.visits.qr import PDFFONTS, decode_pdf_page, needs_poppler, pdf_fonts, pdf_pages
from visits import printing, services, tasks
from visits.models import DeactivationReason, PrintJob

pytestmark = pytest.mark.django_db

BASE = "https://lucun.example.gov.cn"


@pytest.fixture(autouse=True)
def public_base(settings):
    settings.LUCUN_PUBLIC_BASE_URL = BASE


@pytest.fixture
def batch(community, cadre):
    return card_batch(community=community, actor=cadre, quantity=23)


def address_of(channel) -> str:
    return feedback_channel_public_url(channel=channel)


def run_print(batch, actor, django_capture_on_commit_callbacks, **kwargs) -> PrintJob:
    with django_capture_on_commit_callbacks(execute=True):
        job = services.print_job_create(actor=actor, batch=batch, address=address_of(batch.channel), **kwargs)
    job.refresh_from_db()
    return job


def test_the_address_is_the_short_public_form_of_the_token(batch):
    assert address_of(batch.channel) == f"{BASE}/f/{batch.channel.token}/"


@needs_poppler
def test_every_card_on_a_sheet_decodes_to_the_batch_address(batch):
    out = io.BytesIO()
    pages = printing.card_sheets_pdf(out, text=_text(batch), address=address_of(batch.channel), cards=batch.quantity)
    pdf = out.getvalue()
    assert pages == 3 == pdf_pages(pdf)
    assert decode_pdf_page(pdf, 1) == [address_of(batch.channel)] * printing.PER_PAGE
    assert decode_pdf_page(pdf, 3) == [address_of(batch.channel)] * 3  # 23 cards: the last sheet holds three


@pytest.mark.skipif(PDFFONTS is None, reason="pdffonts not found: apt-get install poppler-utils")
def test_the_chinese_font_is_embedded_and_no_other_font_is_needed(batch):
    out = io.BytesIO()
    printing.card_sheets_pdf(out, text=_text(batch), address=address_of(batch.channel), cards=10)
    rows = [line.split() for line in pdf_fonts(out.getvalue()).splitlines()[2:]]
    assert rows and all("WenQuanYi" in row[0] and row[-5] == "yes" for row in rows)  # the "emb" column


@needs_poppler
def test_the_poster_carries_one_large_code_of_its_own_channel(community, cadre):
    point = feedback_point(community=community, actor=cadre)
    out = io.BytesIO()
    text = printing.PosterText(community=community.name, place=point.name, street="芦湖街道", hotline="0533-6961234")
    printing.poster_pdf(out, text=text, address=address_of(point.channel))
    assert decode_pdf_page(out.getvalue(), 1, dpi=72) == [address_of(point.channel)]  # even at screen resolution


def test_a_print_job_is_queued_through_the_outbox_and_made_by_the_task(
    batch, cadre, django_capture_on_commit_callbacks
):
    job = run_print(batch, cadre, django_capture_on_commit_callbacks)
    message = OutboxMessage.objects.get(task_name="visits.tasks.print_job_run")
    assert message.kwargs == {"job_id": job.pk} and message.sent_at is not None
    assert job.state == PrintJob.State.DONE and job.done == job.total == 3
    path = Path(job.file.path)
    assert path.is_relative_to(Path(settings.MEDIA_ROOT)) and path.read_bytes().startswith(b"%PDF")
    assert job.started_at <= job.finished_at


def test_the_task_records_progress_page_by_page(batch, cadre, monkeypatch):
    seen: list[int] = []
    real = printing.card_sheets_pdf

    def spy(out, *, on_page, **kwargs):
        def recorded(done, total):
            on_page(done, total)
            job = PrintJob.objects.get()
            seen.append((job.state, job.done))

        return real(out, on_page=recorded, **kwargs)

    monkeypatch.setattr(printing, "card_sheets_pdf", spy)
    job = services.print_job_create(actor=cadre, batch=batch, address=address_of(batch.channel))
    tasks.print_job_run(job.pk)
    assert seen == [("running", 1), ("running", 2), ("running", 3)]


def _job_text(job: PrintJob) -> str:
    job.refresh_from_db()
    return PdfReader(job.file.path).pages[0].extract_text()


def _print_in(language: str, worker_language: str, batch, actor, django_capture_on_commit_callbacks) -> PrintJob:
    """Ask for the cards from a page read in ``language``; a worker reading ``worker_language`` prints them."""
    with translation.override(language), django_capture_on_commit_callbacks() as queued:
        job = services.print_job_create(actor=actor, batch=batch, address=address_of(batch.channel))
    with translation.override(worker_language):
        for send in queued:
            send()
    return job


def test_cards_asked_for_in_english_are_printed_in_english_though_the_worker_reads_chinese(
    batch, cadre, django_capture_on_commit_callbacks
):
    job = _print_in("en", "zh-hans", batch, cadre, django_capture_on_commit_callbacks)
    assert job.language == "en"
    text = _job_text(job)
    assert "Contact card" in text and "Scan with WeChat" in text
    assert "党群联系卡" not in text and "微信扫码" not in text


def test_cards_asked_for_in_chinese_are_printed_in_chinese_whatever_the_worker_reads(
    batch, cadre, django_capture_on_commit_callbacks
):
    job = _print_in("zh-hans", "en", batch, cadre, django_capture_on_commit_callbacks)
    text = _job_text(job)
    assert "党群联系卡" in text and "微信扫码" in text and "Contact card" not in text


def test_a_redelivered_task_does_not_print_twice(batch, cadre, django_capture_on_commit_callbacks):
    job = run_print(batch, cadre, django_capture_on_commit_callbacks)
    assert services.print_job_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.state == PrintJob.State.DONE and len(list(Path(settings.MEDIA_ROOT, "print").glob("*.pdf"))) >= 1


def test_a_failing_render_marks_the_job_failed_in_chinese_and_logs_the_error(batch, cadre, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(printing, "card_sheets_pdf", broken)
    job = services.print_job_create(actor=cadre, batch=batch, address=address_of(batch.channel))
    services.print_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == PrintJob.State.FAILED and not job.file
    assert job.error == "生成失败,请重试;仍不成功请联系系统管理员。"
    assert "disk full" in caplog.text


def test_a_stopped_batch_is_not_printed_again(batch, cadre):
    services.card_batch_deactivate(actor=cadre, batch=batch, reason=DeactivationReason.LOST)
    batch.refresh_from_db()
    with pytest.raises(ValidationError, match="已停用"):
        services.print_job_create(actor=cadre, batch=batch, address=address_of(batch.channel))
    assert not PrintJob.objects.exists()


def test_a_code_without_a_full_address_is_refused(batch, cadre, settings):
    settings.LUCUN_PUBLIC_BASE_URL = ""
    with pytest.raises(ValidationError, match="完整网址"):
        services.print_job_create(actor=cadre, batch=batch, address=address_of(batch.channel))


@needs_poppler
def test_twelve_thousand_cards_are_printed_by_the_task_in_seconds(community, cadre, django_capture_on_commit_callbacks):
    batch = card_batch(community=community, actor=cadre, quantity=12_000)
    started = time.monotonic()
    job = run_print(batch, cadre, django_capture_on_commit_callbacks)
    elapsed = time.monotonic() - started
    assert job.state == PrintJob.State.DONE and job.done == job.total == 1200
    pdf = Path(job.file.path).read_bytes()
    assert pdf_pages(pdf) == 1200
    assert decode_pdf_page(pdf, 1200) == [address_of(batch.channel)] * printing.PER_PAGE
    assert elapsed < 20  # about one second on a laptop; the bound only catches a pathological slowdown


def _text(batch) -> printing.CardText:
    return printing.CardText(
        community=batch.community.name,
        street=batch.community.street.name,
        contact_name=batch.contact_name,
        contact_phone=batch.contact_phone,
        contact_wechat=batch.contact_wechat,
        hotline=batch.hotline,
        label=str(batch),
    )
