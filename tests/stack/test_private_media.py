"""Uploaded photos on the production stack: the application checks who may see a file and nginx sends the bytes.
The villager's photo shows to the official of that community, on the feedback and on the case made from it, and
the same addresses answer 404 to a browser that is not signed in and to an official of another community."""

import io
import re

from PIL import Image
from playwright.sync_api import expect

from tests.browser import DESKTOP, PHONE
from tests.stack.conftest import OFFICIAL_AGENT, VILLAGER_AGENT, public_limits_reset

STRANGER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 LucunStranger/1.0"
# Ask for every image now (lazy ones too), wait until each has loaded or failed, and name those that failed:
# an <img> that the browser could not load has no natural size.
UNLOADED_IMAGES = """async () => {
  const images = [...document.images];
  for (const img of images) img.loading = "eager";
  await Promise.all(images.map((img) => img.complete ? null : new Promise((done) => {
    img.addEventListener("load", done, {once: true});
    img.addEventListener("error", done, {once: true});
  })));
  return images.filter((img) => img.naturalWidth === 0).map((img) => img.src);
}"""


def _photo(tmp_path):
    path = tmp_path / "street-light.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 120, 40)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def _images(visitor) -> list[str]:
    page = visitor.page
    page.wait_for_load_state("load")
    assert page.evaluate(UNLOADED_IMAGES) == []
    return page.eval_on_selector_all("main img", "images => images.map(img => img.src)")


def test_an_officials_photos_load_through_nginx_and_nobody_else_gets_them(stack, visitor, tmp_path):
    text = f"桥头护栏断了一截,孩子上学经过很危险。({stack['run']}-photo)"
    public_limits_reset()  # the journeys before this one sent from the same address
    villager = visitor(VILLAGER_AGENT, PHONE)
    villager.goto(stack["card_url"])
    villager.page.locator("label.p-tile", has_text="基础设施").click()
    villager.page.get_by_label("说说情况").fill(text)
    villager.page.locator("input[type=file][name=photos]").set_input_files(str(_photo(tmp_path)))
    villager.page.get_by_role("button", name="提交").click()
    expect(villager.page.get_by_test_id("lookup-code")).to_be_visible()
    assert villager.failures() == []

    cadre = visitor(OFFICIAL_AGENT, DESKTOP)
    cadre.login(stack["cadre"], stack["password"])
    cadre.goto("/cases/feedback/")
    cadre.page.get_by_test_id("feedback-queue").get_by_role("link", name=re.compile(re.escape(text[:10]))).click()
    cadre.page.wait_for_url(re.compile(r".*/cases/feedback/\d+/$"))
    feedback_photos = _images(cadre)
    assert len(feedback_photos) == 1 and "/files/feedback-photo/" in feedback_photos[0]
    cadre.shot("feedback-with-photo")

    # Triage: the feedback becomes a case, which carries the photo.
    page = cadre.page
    page.locator("details#action-create-case summary").click()
    form = page.locator("details#action-create-case form")
    form.get_by_label("诉求标题").fill("桥头护栏断裂")
    form.locator("label.choice-tile", has_text="基础设施").click()
    form.locator("label.choice-tile").filter(has_text="即办").first.click()
    feedback_url = page.url
    form.get_by_role("button", name=re.compile("确认")).click()
    expect(page.locator(".message--success")).to_contain_text("已立案")
    cadre.goto(feedback_url)  # the feedback now names its case
    page.get_by_role("link", name=re.compile(r"-\d{4}-\d+")).first.click()
    page.wait_for_url(re.compile(r".*/cases/[A-Z]+-\d{4}-\d+/$"))
    case_photos = _images(cadre)
    assert len(case_photos) == 1 and "/files/case-photo/" in case_photos[0]
    cadre.shot("case-with-photo")
    assert cadre.failures() == []

    for url in feedback_photos + case_photos:
        answer = cadre.page.request.get(url)
        assert answer.status == 200 and answer.headers["content-type"] == "image/jpeg"
        assert answer.body()[:3] == b"\xff\xd8\xff"  # the bytes themselves, sent by nginx

    anonymous = visitor(STRANGER_AGENT, PHONE)  # not signed in, and not the villager's phone
    other = visitor(OFFICIAL_AGENT, DESKTOP)
    other.login(stack["other_cadre"], stack["password"])
    for stranger in (anonymous, other):
        for url in feedback_photos + case_photos:
            answer = stranger.goto(url)
            assert answer.status == 404, f"{url} answered {answer.status}"
