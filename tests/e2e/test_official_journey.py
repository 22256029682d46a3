"""Journey 1: a visiting official on a 360×740 phone logs in, finds a household, logs a visit with a request,
turns the request into a case and sees the case on the household's timeline (and in the ledger). A reload in
the middle of the form keeps the draft, as when the connection drops in the field."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case
from lucun.models import Role
from tests.factories import official
from tests.visits.factories import HouseholdFactory, VisitTeamFactory, VisitTeamMemberFactory
from visits.models import VisitLog, VisitRequest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_official_logs_a_visit_on_a_phone_and_turns_the_request_into_a_case(phone, street, community):
    cadre = official(Role.COMMUNITY_CADRE, community=community)
    partner = official(Role.STREET_STAFF, street=street)
    partner.real_name = "王搭档"
    partner.save(update_fields=["real_name"])
    team = VisitTeamFactory(street=street, name="第一走访队")
    VisitTeamMemberFactory(team=team, user=cadre)
    VisitTeamMemberFactory(team=team, user=partner)
    household = HouseholdFactory(community=community, head_name="张建国", group="三组", door_number="12")
    page = phone.page

    phone.login(cadre.username)
    phone.goto("/visits/")
    ledger_search = page.get_by_role("searchbox", name="户主姓名、地址或拼音首字母")  # not the header's site search
    ledger_search.fill("zjg")  # pinyin initials of 张建国, as typed on a phone
    ledger_search.press("Enter")
    expect(page.get_by_test_id("results")).to_contain_text("张建国")
    phone.shot("search")

    page.get_by_role("link", name="记走访").click()
    page.wait_for_url(re.compile(rf".*/households/{household.pk}/visit/$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    page.get_by_label("家庭情况").fill("老两口身体尚可")
    page.reload()  # the connection dropped: the draft comes back
    expect(page.get_by_label("家庭情况")).to_have_value("老两口身体尚可")
    assert page.is_visible("[data-draft-note]")

    page.get_by_text("王搭档").click()
    page.fill("#id_req-0-text", "村口路灯坏了")
    page.fill("#id_req-1-text", "咨询医保报销")
    page.locator("#id_req-1-answered").check()
    phone.shot("visit-form")
    page.get_by_role("button", name="保存走访").click()
    page.wait_for_url(re.compile(r".*\?saved=1$"))
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("村口路灯坏了")
    expect(timeline).to_contain_text("当场解答")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('lucun-draft:')).length") == 0
    phone.shot("visit-saved")

    request = page.get_by_test_id("request").filter(has_text="村口路灯坏了")
    request.get_by_role("button", name="转为诉求").click()
    case = Case.objects.get()
    expect(page.get_by_role("status")).to_contain_text(case.number)
    expect(request).to_contain_text(case.number)
    expect(request).to_contain_text("已转诉求")
    phone.shot("case-in-timeline")

    assert VisitLog.objects.count() == 1 and case.community == community
    assert VisitRequest.objects.get(text="村口路灯坏了").case == case
    phone.goto(f"/visits/ledger/{community.pk}/?q=zjg")
    expect(page.get_by_test_id("ledger")).to_contain_text("张建国")
    expect(page.get_by_test_id("ledger")).not_to_contain_text("从未走访")


def test_the_batch_page_follows_a_print_job_until_the_file_is_offered(desktop, community, settings):
    from tests.visits.factories import card_batch
    from visits import printing, services
    from visits.models import PrintJob

    cadre = official(Role.COMMUNITY_CADRE, community=community)
    batch = card_batch(community=community, actor=cadre, quantity=40)
    # Queued while the worker is busy: the row exists, the task has not run yet.
    job = PrintJob.objects.create(
        batch=batch,
        address=f"{desktop.base_url}/f/{batch.channel.token}/",
        cards=40,
        per_page=printing.PER_PAGE,
        total=printing.pages_for(40),
        created_by=cadre,
    )
    page = desktop.page
    desktop.login(cadre.username)
    desktop.goto(batch.get_absolute_url())
    progress = page.get_by_test_id("print-progress")
    expect(progress).to_contain_text("排队中")
    expect(page.get_by_role("link", name="下载打印文件")).to_be_hidden()
    desktop.shot("queued")

    services.print_job_run(job_id=job.pk)  # the worker takes it
    expect(progress).to_have_attribute("data-state", "done")
    expect(progress).to_contain_text("4 / 4")
    link = page.get_by_role("link", name="下载打印文件")
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    desktop.shot("done")
