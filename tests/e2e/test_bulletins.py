"""Journey: on a phone, a supervisor records a conduct violation, drafts the 通报 that lists it and publishes it;
an official of the street is told, opens it from the navigation, reads it and fetches its PDF."""

import pytest
from django.utils import timezone

from cases.models import Bulletin
from lucun.models import Role
from tests.cases.factories import open_case
from tests.factories import official

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_violation_goes_into_a_published_bulletin_that_the_street_reads_on_a_phone(
    phone, browser, live_server, street, community
):
    supervisor = official(Role.SUPERVISOR, street=street)
    worker = official(Role.GRID_WORKER, community=community)
    worker.real_name = "张推诿"
    worker.save(update_fields=["real_name"])
    case = open_case(community=community, by=worker, title="村口道路破损")
    page = phone.page

    phone.login(supervisor.username)
    phone.navigate("分类解", "通报")
    page.get_by_role("link", name="待通报事项").click()
    page.get_by_role("link", name="记录作风问题").click()
    page.select_option("select[name=official]", label="张推诿")
    page.get_by_label("推诿扯皮").check()
    page.fill("input[name=case_number]", case.number)
    page.fill("input[name=occurred_on]", timezone.localdate().isoformat())
    page.fill("textarea[name=note]", "群众三次来电,一直推给村里。")
    page.get_by_role("button", name="记录并通报").click()
    assert "已通知本人" in page.inner_text("body")
    phone.shot("violation-recorded")

    page.get_by_role("link", name="起草通报").first.click()
    page.fill("input[name=title]", "本月作风问题通报")
    page.get_by_label("列入本期", exact=False).check()
    page.get_by_label("处理情况").fill("诫勉谈话")
    _no_sideways_scroll(page)
    phone.shot("draft-form")
    page.get_by_role("button", name="保存草稿").click()
    assert "通报草稿已保存" in page.inner_text("body")
    page.get_by_role("button", name="发布通报").click()
    bulletin = Bulletin.objects.get()
    assert bulletin.is_published and bulletin.number in page.inner_text("[data-testid=bulletin]")
    phone.shot("published")

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    reader = context.new_page()
    try:
        reader.goto(live_server.url + "/accounts/login/")
        reader.fill("input[name=username]", worker.username)
        reader.fill("input[name=password]", "secret-pass-123")
        reader.click("button[type=submit]")
        reader.goto(live_server.url + "/notifications/")
        assert "新通报" in reader.inner_text("body")
        nav = reader.locator("#site-nav")
        nav.locator("summary", has_text="分类解").click()
        nav.locator("details[open] a", has_text="通报").click()
        reader.get_by_role("link", name=f"{bulletin.number} 本月作风问题通报").click()
        text = reader.inner_text("[data-testid=bulletin]")
        for expected in ("张推诿", "推诿扯皮", case.number, "诫勉谈话"):
            assert expected in text
        _no_sideways_scroll(reader)
        reader.screenshot(path=str(phone.folder / "reader.png"), full_page=True)
        pdf = reader.request.get(live_server.url + f"/cases/bulletins/{bulletin.pk}/bulletin.pdf")
        assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    finally:
        context.close()
