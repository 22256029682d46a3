"""The villager's whole loop, in two browsers. A 党群联系卡 batch is printed by the print service; its QR code is
read off the rasterised PDF, as a phone camera would. On a 360×740 phone with WeChat's browser the villager opens
that address, taps a category, writes, attaches a photo, sends and keeps the lookup code. In another browser an
official of the community signs in, finds the message in the feedback queue, sees the photo, makes it a case and
resolves it with a public reply. The villager opens the status page with the code, reads the reply, taps the
tiles of the answer and sees the thanks. The official finds the answer on the case, and the satisfaction rate
on the three-rates page moves to the figure the stored answers give. Answered "not solved", the case is back in
the official's work."""

import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from cases.models import Case, CaseState, Feedback, FeedbackPhoto
from cases.selectors import feedback_channel_public_url
from outcomes.models import Callback
from tests.cases.factories import jpeg_bytes
from tests.outcomes.factories import callback_for, resolved_case
from tests.visits.factories import card_batch
from tests.visits.qr import decode_pdf_page, needs_poppler
from visits import services as visit_services
from visits.models import PrintJob

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), needs_poppler]

TARGET = 60  # px: the smallest tap target on the villagers' pages
MESSAGE = "村口路灯坏了三盏,晚上老人出门看不清路。"
POSITIVE = (Feedback.Satisfaction.SATISFIED, Feedback.Satisfaction.BASICALLY)


def printed_card_address(community, live_server, settings) -> str:
    """Print a batch through the service and read the QR code off the first sheet."""
    settings.LUCUN_PUBLIC_BASE_URL = live_server.url
    batch = card_batch(community=community, quantity=20, contact_name="李书记")
    job = visit_services.print_job_create(
        actor=None, batch=batch, address=feedback_channel_public_url(channel=batch.channel)
    )
    visit_services.print_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == PrintJob.State.DONE
    codes = decode_pdf_page(Path(job.file.path).read_bytes(), 1)
    assert len(codes) == 10 and len(set(codes)) == 1  # ten cards on the sheet, one code for the batch
    return codes[0]


def earlier_answers(community, cadre) -> None:
    """Two callbacks answered before this message, one satisfied and one not: the rate starts at a real figure."""
    callback_for(resolved_case(community=community, by=cadre), solved=True, satisfaction="satisfied")
    callback_for(resolved_case(community=community, by=cadre), solved=False, satisfaction="dissatisfied")


def satisfaction_from_the_answers(community) -> str:
    """The satisfaction rate as the stored answers give it (staff callbacks and senders' answers), as shown."""
    answers = [
        *Callback.objects.filter(community=community, contacted=True, answered_at__isnull=False).values_list(
            "satisfaction", flat=True
        ),
        *Feedback.objects.filter(case__community=community, answered_at__isnull=False).values_list(
            "satisfaction", flat=True
        ),
    ]
    positive = sum(answer in POSITIVE for answer in answers)
    return f"{round(100 * positive / len(answers), 1)}%"


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def send_from_the_card(wechat, address: str, photo: Path, community) -> str:
    """Scan, tap a category, write, attach a photo, send; return the lookup code the receipt shows."""
    page = wechat.page
    page.goto(address)
    expect(page.get_by_test_id("privacy-promise")).to_be_visible()
    expect(page.get_by_test_id("current-community")).to_have_text(community.name)  # filled in from the code
    wechat.shot("form")
    page.locator("label.p-tile", has_text="基础设施").tap()
    page.get_by_label("说说情况").fill(MESSAGE)
    page.locator("input[type=file][name=photos]").set_input_files(str(photo))
    wechat.shot("form-filled")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.get_by_role("button", name="提交").tap()

    code_box = page.get_by_test_id("lookup-code")
    expect(code_box).to_be_visible()
    code = re.sub(r"\s", "", code_box.inner_text())
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{8}", code)
    page.wait_for_load_state("networkidle")
    # The receipt is the answer to the POST: no address the browser asked for holds the code (an access log
    # would tie it to the second it was sent).
    assert requested and not any(code in url for url in requested), requested
    no_sideways_scroll(page)
    wechat.shot("lookup-code")
    return code


def follow_by_code(wechat, code: str) -> None:
    """Type the code into the lookup page, as one does days later."""
    page = wechat.page
    wechat.goto("/s/")
    page.get_by_role("textbox").fill(code)
    page.get_by_role("button", name="查询").tap()
    page.wait_for_url(re.compile(rf".*/s/{code}/$"))


def triage_into_a_case(official) -> str:
    """From the feedback queue, open the message, check its photo and make it a case; return the case number."""
    page = official.page
    official.navigate("分类解", "群众反馈")
    item = page.get_by_test_id("feedback-queue").locator("li", has_text=MESSAGE[:10])
    expect(item).to_contain_text("1 张照片")
    item.get_by_role("link").first.click()
    expect(page.get_by_test_id("original-text")).to_have_text(MESSAGE)
    photo = page.locator(".photos img")
    expect(photo).to_have_count(1)
    photo.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())
    official.shot("feedback")

    page.locator("#action-create-case summary").click()
    form = page.locator("#action-create-case form")
    expect(form.get_by_label("诉求标题")).not_to_be_empty()  # suggested from the message
    expect(form.get_by_role("radio", name="基础设施")).to_be_checked()  # the category the villager tapped
    form.get_by_label("诉求标题").fill("村口路灯不亮")
    official.shot("make-a-case")
    form.get_by_role("button", name="确认立案").click()
    done = page.locator("ul.messages")
    expect(done).to_contain_text("已立案")
    number = re.search(r"[A-Z]+-\d{4}-\d+", done.inner_text())[0]
    expect(page.get_by_test_id("feedback-queue")).not_to_contain_text(MESSAGE[:10])  # no longer waiting
    # The case is among the community's open cases, under the title the official gave it.
    official.navigate("分类解", "诉求")
    page.locator(f"li[data-number='{number}']").get_by_role("link", name="村口路灯不亮").click()
    page.wait_for_url(re.compile(rf".*/cases/{number}/$"))
    return number


def resolve(official, number: str) -> None:
    page = official.page
    page.locator("#move-resolve summary").click()
    form = page.locator("#move-resolve form")
    form.get_by_label("办理结果").fill("更换了三盏路灯的灯泡,线路已检查。")
    form.get_by_label("公开答复").fill("村口路灯已修好,谢谢您的反映。")
    form.get_by_role("button", name="确认办结").click()
    expect(page.locator("h1 + p .badge").first).to_have_text("已办结")
    official.shot("resolved")


def satisfaction_shown(official) -> str:
    page = official.page
    official.navigate("工作成效", "三率")
    figure = page.get_by_test_id("totals").locator("div", has=page.locator("dt", has_text="满意率")).locator("dd")
    return figure.inner_text().strip()


def answer(wechat, code: str, solved: str, satisfaction: str) -> None:
    """Open the status page, read the reply, tap the two tiles and send."""
    page = wechat.page
    follow_by_code(wechat, code)
    expect(page.get_by_test_id("public-reply")).to_have_text("村口路灯已修好,谢谢您的反映。")
    form = page.get_by_test_id("answer-form")
    tiles = form.locator("label.p-tile")
    expect(tiles).to_have_count(5)
    for index in range(5):
        box = tiles.nth(index).bounding_box()
        assert box["height"] >= TARGET and box["width"] >= TARGET, box
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    no_sideways_scroll(page)
    wechat.shot("answer-form")
    form.locator("label.p-tile", has_text=re.compile(rf"^{solved}$")).tap()
    form.locator("label.p-tile", has_text=re.compile(rf"^{satisfaction}$")).tap()
    expect(form.get_by_role("radio", name=solved, exact=True)).to_be_checked()
    expect(form.get_by_role("radio", name=satisfaction, exact=True)).to_be_checked()
    wechat.shot("answer-chosen")
    form.get_by_role("button", name="提交评价").tap()
    expect(page.get_by_role("status")).to_have_text("谢谢您的评价!")
    expect(page.get_by_test_id("answer-form")).to_have_count(0)


@pytest.mark.parametrize(
    ("solved", "satisfaction", "summary"),
    [("解决了", "满意", "问题已解决 · 满意"), ("没有解决", "不满意", "问题没有解决 · 不满意")],
    ids=["solved", "not-solved"],
)
def test_the_villagers_loop_from_a_printed_card_to_the_answer_on_the_case(
    wechat, desktop, community, cadre, live_server, settings, tmp_path, solved, satisfaction, summary
):
    earlier_answers(community, cadre)
    address = printed_card_address(community, live_server, settings)
    assert address.startswith(live_server.url + "/f/")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg_bytes(size=(640, 480)))  # a small JPEG with a camera, a time and a GPS position

    code = send_from_the_card(wechat, address, photo, community)
    follow_by_code(wechat, code)
    expect(wechat.page.get_by_test_id("steps")).to_have_attribute("data-stage", "received")
    expect(wechat.page.get_by_test_id("status-message")).to_contain_text("已收到")
    wechat.shot("received")
    feedback = Feedback.objects.get(lookup_code=code)
    assert feedback.channel.contactcardbatch.contact_name == "李书记" and feedback.category.code == "infrastructure"
    with Image.open(FeedbackPhoto.objects.get(feedback=feedback).image.path) as image:
        assert not image.getexif()  # no camera, no time, no position

    official = desktop
    official.login(cadre.username)
    number = triage_into_a_case(official)
    resolve(official, number)
    before = satisfaction_shown(official)
    assert before == satisfaction_from_the_answers(community)  # the two earlier callbacks: half satisfied

    answer(wechat, code, solved, satisfaction)
    page = wechat.page
    expect(page.get_by_test_id("answered")).to_contain_text(summary.replace(" · ", ","))
    wechat.shot("thanks")

    after = satisfaction_shown(official)
    assert after == satisfaction_from_the_answers(community) and after != before
    official.shot("rates")
    official.goto(f"/cases/{number}/")
    expect(official.page.get_by_test_id("sender-answers")).to_contain_text(summary)
    official.shot("answer-on-the-case")

    official.navigate("分类解", "我的待办")
    row = official.page.locator(f"main li[data-number='{number}']")
    if solved == "解决了":
        expect(page.get_by_test_id("steps")).to_have_attribute("data-stage", "resolved")
        expect(row).to_have_count(0)
        assert Case.objects.get(number=number).state == CaseState.RESOLVED
    else:
        expect(page.get_by_test_id("steps")).to_have_attribute("data-stage", "handling")
        expect(row).to_be_visible()  # back in the official's work
        official.shot("back-in-my-work")
        row.get_by_role("link", name="村口路灯不亮").click()
        expect(official.page.locator("h1 + p")).to_contain_text("发回重办 1 次")
        expect(official.page.locator("#move-resolve summary")).to_be_visible()  # to be resolved again
