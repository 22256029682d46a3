"""擂台比武 resident ballots end to end: an official issues ballots and downloads their PDF; a resident scans one
ballot's QR code in WeChat (360×740), scores a community with large tiles and submits once; the same code then
says it was used, and the contest page ranks the community with the ballot counted."""

from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from deliberation.models import BallotScore, ContestBallot, ContestCriterion
from lucun.models import Role
from tests.deliberation.factories import contest
from tests.factories import official
from tests.visits.qr import decode_pdf_page, needs_poppler

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TARGET = 44  # px: the smallest tap target a phone page may have


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@needs_poppler
def test_a_resident_scores_a_contest_with_a_printed_ballot_on_a_phone(
    phone, wechat, street, community, other_community, live_server, settings
):
    cache.clear()  # the public pages' rate limit
    settings.LUCUN_PUBLIC_BASE_URL = live_server.url
    staff = official(Role.STREET_STAFF, street=street)
    round_ = contest(street=street, by=staff, title="第三期社区擂台比武")

    phone.login(staff.username)
    phone.goto(round_.get_absolute_url())
    phone.page.get_by_test_id("ballots-link").click()
    phone.page.get_by_label("发放张数").fill("3")
    phone.page.get_by_role("button", name="发放", exact=True).click()
    expect(phone.page.get_by_test_id("issued")).to_have_text("3")
    no_sideways_scroll(phone.page)
    phone.shot("ballots-issued")
    with phone.page.expect_download() as download:
        phone.page.get_by_test_id("print-ballots").click()
    pdf = Path(download.value.path()).read_bytes()
    codes = decode_pdf_page(pdf, 1)
    assert len(codes) == 3 and all(code.startswith(f"{live_server.url}/b/") for code in codes)

    page = wechat.page
    page.goto(codes[0])
    expect(page.get_by_role("heading", level=1)).to_have_text("第三期社区擂台比武")
    criteria = list(ContestCriterion.objects.active())
    box = page.get_by_test_id(f"community-{community.pk}")
    for criterion in criteria:
        group = box.locator("fieldset", has_text=criterion.name)
        tile = group.locator("label.p-tile", has_text="较好")
        tile.scroll_into_view_if_needed()
        size = tile.bounding_box()
        assert size["height"] >= TARGET and size["width"] >= TARGET, size
        tile.tap()
    no_sideways_scroll(page)
    wechat.shot("ballot-filled")
    page.get_by_role("button", name="提交评分").tap()
    expect(page.get_by_test_id("ballot-sent")).to_contain_text("评分已提交")
    wechat.shot("ballot-sent")

    ballot = ContestBallot.objects.get(token=codes[0].rstrip("/").rsplit("/", 1)[1])
    assert ballot.used_at is not None
    assert sorted(BallotScore.objects.filter(ballot=ballot).values_list("score", flat=True)) == sorted(
        round(c.max_score * 4 / 5) for c in criteria
    )

    page.goto(codes[0])
    expect(page.get_by_test_id("ballot-closed")).to_contain_text("只能提交一次")

    phone.goto(round_.get_absolute_url() + "#contest")
    row = phone.page.locator(f"tr[data-community='{community.pk}']")
    expect(row.get_by_test_id("ballots")).to_have_text("1")
    expect(row.get_by_test_id("combined")).to_have_text("80.0")
    expect(phone.page.locator(f"tr[data-community='{other_community.pk}']")).to_have_count(0)
    phone.shot("ranking")
