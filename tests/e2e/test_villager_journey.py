"""Journey 2: a villager scans a printed 党群联系卡. The card PDF is made by the print service, rasterised and
its QR code decoded, as a phone camera would; the browser opens that address, picks a category tile, writes a
message, attaches a photo, sends, reads the lookup code and opens the status page with it."""

import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from cases.models import Feedback, FeedbackPhoto
from cases.selectors import feedback_channel_public_url
from tests.cases.factories import jpeg_bytes
from tests.visits.factories import card_batch
from tests.visits.qr import decode_pdf_page, needs_poppler
from visits import services
from visits.models import PrintJob

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), needs_poppler]


@pytest.fixture(autouse=True)
def fresh_cache():
    from django.core.cache import cache

    cache.clear()  # the public pages' rate limit counts per address; start from zero
    yield
    cache.clear()


def printed_card_address(community, live_server, settings) -> str:
    """Print a batch through the service and read the QR code off the first sheet."""
    settings.LUCUN_PUBLIC_BASE_URL = live_server.url
    batch = card_batch(community=community, quantity=20, contact_name="李书记")
    job = services.print_job_create(actor=None, batch=batch, address=feedback_channel_public_url(channel=batch.channel))
    services.print_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == PrintJob.State.DONE
    codes = decode_pdf_page(Path(job.file.path).read_bytes(), 1)
    assert len(codes) == 10 and len(set(codes)) == 1  # ten cards on the sheet, one code for the batch
    return codes[0]


def test_a_villager_scans_a_card_sends_a_message_with_a_photo_and_follows_it(
    phone, community, live_server, settings, tmp_path
):
    address = printed_card_address(community, live_server, settings)
    assert address.startswith(live_server.url + "/f/")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg_bytes(size=(640, 480)))  # a small JPEG with a camera, a time and a GPS position
    page = phone.page

    page.goto(address)
    expect(page.get_by_test_id("privacy-promise")).to_be_visible()
    expect(page.get_by_test_id("current-community")).to_have_text(community.name)  # filled in from the code
    phone.shot("form")

    page.locator("label.p-tile", has_text="基础设施").click()
    page.get_by_label("说说情况").fill("村口路灯坏了三盏,晚上老人出门看不清路。")
    page.locator("input[type=file][name=photos]").set_input_files(str(photo))
    phone.shot("form-filled")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.get_by_role("button", name="提交").click()

    code_box = page.get_by_test_id("lookup-code")
    expect(code_box).to_be_visible()
    code = re.sub(r"\s", "", code_box.inner_text())
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{8}", code)
    page.wait_for_load_state("networkidle")
    # The receipt is the answer to the POST: no address the browser asked for holds the code (an access log
    # would tie it to the second it was sent).
    assert requested and not any(code in url for url in requested), requested
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    phone.shot("lookup-code")

    page.goto(live_server.url + "/s/")
    page.get_by_role("textbox").fill(code)
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(rf".*/s/{code}/$"))
    expect(page.get_by_test_id("steps")).to_have_attribute("data-stage", "received")
    expect(page.get_by_test_id("status-message")).to_contain_text("已收到")
    phone.shot("status")

    feedback = Feedback.objects.get(lookup_code=code)
    assert feedback.channel.contactcardbatch.contact_name == "李书记" and feedback.category.code == "infrastructure"
    stored = FeedbackPhoto.objects.get(feedback=feedback)
    with Image.open(stored.image.path) as image:
        assert not image.getexif()  # no camera, no time, no position
