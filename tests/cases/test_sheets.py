"""The printed case sheet (民情诉求办理单): one A4 page per case, its facts, its QR code to the case page, many
cases in one file from the case list within the official's scope, at once up to a limit and in the background
beyond it."""

import io
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from cases import services
from cases.models import Case
from lucun.models import AuditEvent, ExportJob
from tests.cases.factories import open_case
from tests.visits.qr import decode_pdf_page, needs_poppler

pytestmark = pytest.mark.django_db

BASE = "https://lucun.example.gov.cn"
A4 = (595.28, 841.89)


@pytest.fixture(autouse=True)
def public_base(settings):
    settings.LUCUN_PUBLIC_BASE_URL = BASE


@pytest.fixture
def case(community, cadre):
    case = open_case(
        community=community,
        by=cadre,
        title="村口道路破损",
        description="村口水泥路面塌陷约两米,雨天积水,老人出行不便。",
        handler=cadre,
        contact_name="王秀英",
        contact_phone="13812345678",
    )
    services.case_accept(case=case, user=cadre)
    services.case_record_progress(case=case, user=cadre, note="已联系施工队,约定周五修补。", contacted=True)
    return services.case_resolve(
        case=case,
        user=cadre,
        resolution="路面已修补完毕。",
        public_reply="村口路面已修好,感谢您的反映。",
        case_list="community",
    )


def _pdf(response) -> PdfReader:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def _text(reader: PdfReader, page: int = 0) -> str:
    return reader.pages[page].extract_text()


def test_the_case_page_links_to_its_sheet(client, cadre, case):
    client.force_login(cadre)
    html = client.get(case.get_absolute_url()).content.decode()
    assert f'href="{reverse("cases:case_sheet", args=[case.number])}"' in html


def test_a_case_sheet_is_one_a4_page_with_the_cases_facts(client, cadre, case):
    client.force_login(cadre)
    reader = _pdf(client.get(reverse("cases:case_sheet", args=[case.number])))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 1), round(float(box.height), 1)) == (round(A4[0], 1), round(A4[1], 1))
    text = _text(reader)
    for expected in (
        "民情诉求办理单",
        case.number,
        case.tier.name,
        "芦湖村",
        "村口道路破损",
        "村口水泥路面塌陷",
        "已联系施工队",  # an event of the timeline
        "路面已修补完毕",  # the result
        "村口路面已修好",  # the reply
        str(cadre),  # first responder and handler
        "承办人(签字)",
        "审核人(签字)",
        "日期",
    ):
        assert expected in text, expected
    assert "138****5678" in text and "13812345678" not in text  # the phone masked as on the case page


def test_the_deadline_and_colour_of_an_open_case_are_on_its_sheet(client, cadre, community):
    case = open_case(community=community, by=cadre, title="路灯不亮")
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(due_at=now - timedelta(minutes=1), warn_at=now - timedelta(hours=2))
    client.force_login(cadre)
    text = _text(_pdf(client.get(reverse("cases:case_sheet", args=[case.number]))))
    assert "办理期限" in text and "督办颜色" in text
    assert "红色" in text  # past its deadline: red, whatever the sweep has stored yet


@needs_poppler
def test_the_qr_code_opens_the_case_page_at_its_absolute_address(client, cadre, case):
    client.force_login(cadre)
    response = client.get(reverse("cases:case_sheet", args=[case.number]))
    assert decode_pdf_page(response.content, 1) == [f"{BASE}/cases/{case.number}/"]


@needs_poppler
def test_without_a_public_base_the_qr_code_holds_the_address_the_page_was_asked_on(client, cadre, case, settings):
    settings.LUCUN_PUBLIC_BASE_URL = ""
    client.force_login(cadre)
    response = client.get(reverse("cases:case_sheet", args=[case.number]))
    assert decode_pdf_page(response.content, 1) == [f"http://testserver/cases/{case.number}/"]


def test_a_case_with_a_long_history_still_fits_its_one_page(client, cadre, community):
    case = open_case(community=community, by=cadre, handler=cadre, description="情况说明。" * 400)
    for n in range(60):
        services.case_record_progress(
            case=case, user=cadre, note=f"第{n}次进展:" + "联系群众并核实情况。" * 12, contacted=True
        )
    client.force_login(cadre)
    reader = _pdf(client.get(reverse("cases:case_sheet", args=[case.number])))
    assert len(reader.pages) == 1
    text = _text(reader)
    assert "中间另有" in text and "第59次进展" in text  # the latest entries are kept, the page says what was left out


def test_printing_a_sheet_is_audited(client, cadre, case):
    client.force_login(cadre)
    client.get(reverse("cases:case_sheet", args=[case.number]))
    event = AuditEvent.objects.get(action="cases.print")
    assert event.actor == cadre and event.object_id == str(case.pk)
    assert event.changes["after"] == {"numbers": [case.number], "count": 1}


def test_the_sheet_of_another_communitys_case_is_not_found(client, other_cadre, case):
    client.force_login(other_cadre)
    assert client.get(reverse("cases:case_sheet", args=[case.number])).status_code == 404
    assert not AuditEvent.objects.filter(action="cases.print").exists()


# ------------------------------------------------------------------------------------- many from the list


@pytest.fixture
def many(community, other_community, cadre, other_cadre):
    ours = [open_case(community=community, by=cadre, title=f"本村诉求{n}") for n in range(5)]
    theirs = [open_case(community=other_community, by=other_cadre, title="外村诉求标题") for _ in range(2)]
    return ours, theirs


def test_the_case_list_links_to_the_sheets_of_what_it_shows(client, cadre, many):
    client.force_login(cadre)
    html = client.get(reverse("cases:case_list"), {"tier": many[0][0].tier_id}).content.decode()
    assert f'href="{reverse("cases:case_sheets")}?tier={many[0][0].tier_id}"' in html


def test_the_lists_cases_print_as_one_file_a_page_each_within_the_officials_scope(client, cadre, many):
    ours, theirs = many
    client.force_login(cadre)
    reader = _pdf(client.get(reverse("cases:case_sheets")))
    assert len(reader.pages) == len(ours)
    numbers = [next(c.number for c in ours if c.number in _text(reader, i)) for i in range(len(ours))]
    assert numbers == [c.number for c in Case.objects.filter(pk__in=[c.pk for c in ours]).order_by("due_at", "pk")]
    text = "".join(_text(reader, i) for i in range(len(ours)))
    assert "外村诉求标题" not in text and "稻香村" not in text
    assert all(c.number not in text for c in theirs)


def test_the_ticked_cases_print_and_a_foreign_number_among_them_is_left_out(client, cadre, many):
    ours, theirs = many
    client.force_login(cadre)
    chosen = [ours[3].number, ours[1].number, theirs[0].number]
    reader = _pdf(client.get(reverse("cases:case_sheets"), {"number": chosen}))
    assert len(reader.pages) == 2
    text = _text(reader, 0) + _text(reader, 1)
    assert ours[3].number in text and ours[1].number in text and theirs[0].number not in text


def test_more_sheets_than_print_at_once_are_made_in_the_background_with_progress_and_a_download(
    client, cadre, many, settings, django_capture_on_commit_callbacks
):
    ours, _theirs = many
    settings.LUCUN_CASE_SHEETS_MAX = 3
    client.force_login(cadre)
    offer = client.get(reverse("cases:case_sheets"), {"state": "all", "page": "2"})
    html = offer.content.decode()
    assert offer.status_code == 200 and "text/html" in offer["Content-Type"]
    assert "共 5 份,超过 3 份,将在后台生成 PDF 文件" in html
    assert not AuditEvent.objects.filter(action="cases.print").exists()

    action = re.search(r'<form method="post" action="(\?[^"]*)">', html).group(1)  # the 开始生成 form
    assert action == "?state=all"  # every page of the list, not the page shown
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("cases:case_sheets") + action)
    job = ExportJob.objects.get()
    assert started.status_code == 302 and started.url == reverse("export_job", args=[job.pk])
    assert (job.kind, job.state, job.total, job.done, job.created_by) == ("cases.case_sheets", "done", 5, 5, cadre)

    page = client.get(started.url).content.decode()
    download = reverse("export_job_download", args=[job.pk])
    assert f'href="{download}"' in page and "下载 PDF 文件" in page and "已完成 · 5 / 5 份" in page
    response = client.get(download)
    assert response["Content-Disposition"].startswith('attachment; filename="case-sheets-')
    reader = PdfReader(io.BytesIO(response.getvalue()))
    expected = Case.objects.filter(pk__in=[c.pk for c in ours]).order_by("due_at", "pk")
    assert [next(c.number for c in ours if c.number in _text(reader, i)) for i in range(5)] == [
        c.number for c in expected
    ]
    event = AuditEvent.objects.get(action="cases.print")
    assert event.actor == cadre and event.object_id == str(job.pk) and event.changes["after"]["rows"] == 5


def _english_sheet_text(text: str, case: Case) -> None:
    for expected in ("Request handling sheet", "Handler (signature)", "Reviewer (signature)", "Tier", "Category"):
        assert expected in text, expected
    assert case.tier.name_en in text and case.category.name_en in text
    for chinese in ("民情诉求办理单", "承办人(签字)", case.tier.name, case.category.name):
        assert chinese not in text, chinese


def test_an_official_reading_english_prints_an_english_case_sheet(client, cadre, case):
    client.force_login(cadre)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = _text(_pdf(client.get(reverse("cases:case_sheet", args=[case.number]))))
    _english_sheet_text(text, case)
    assert "村口道路破损" in text and "路面已修补完毕" in text  # what people wrote stays as written


def test_sheets_asked_for_in_english_are_made_in_english_though_the_worker_reads_chinese(
    client, cadre, many, settings, django_capture_on_commit_callbacks
):
    ours, _theirs = many
    settings.LUCUN_CASE_SHEETS_MAX = 3
    client.force_login(cadre)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with django_capture_on_commit_callbacks() as queued:
        client.post(reverse("cases:case_sheets"))
    job = ExportJob.objects.get()
    assert job.language == "en"
    with translation.override(settings.LANGUAGE_CODE):  # a worker runs in the site's language
        for send in queued:
            send()
    reader = PdfReader(io.BytesIO(client.get(reverse("export_job_download", args=[job.pk])).getvalue()))
    assert len(reader.pages) == len(ours)
    _english_sheet_text(_text(reader), ours[0])


@needs_poppler
def test_sheets_made_in_the_background_hold_the_address_the_list_was_asked_on(
    client, cadre, many, settings, django_capture_on_commit_callbacks
):
    settings.LUCUN_PUBLIC_BASE_URL = ""
    settings.LUCUN_CASE_SHEETS_MAX = 3
    client.force_login(cadre)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("cases:case_sheets"))
    job = ExportJob.objects.get()
    pdf = client.get(reverse("export_job_download", args=[job.pk])).getvalue()
    first = Case.objects.filter(community=cadre.positions.get().community).order_by("due_at", "pk").first()
    assert decode_pdf_page(pdf, 1) == [f"http://testserver/cases/{first.number}/"]


def test_more_sheets_than_one_file_holds_are_refused_with_a_chinese_message(client, cadre, many, settings):
    settings.LUCUN_CASE_SHEETS_MAX = 2
    settings.LUCUN_CASE_SHEETS_JOB_MAX = 3
    client.force_login(cadre)
    response = client.get(reverse("cases:case_sheets"), {"state": "all", "page": "2"}, follow=True)
    assert response.redirect_chain[-1][0] == f"{reverse('cases:case_list')}?state=all"
    assert "一次最多打印 3 份办理单,当前筛选出 5 件" in response.content.decode()
    response = client.post(f"{reverse('cases:case_sheets')}?state=all", follow=True)
    assert "一次最多打印 3 份办理单" in response.content.decode()
    assert not ExportJob.objects.exists() and not AuditEvent.objects.filter(action="cases.print").exists()


def test_nothing_to_print_says_so(client, cadre, many):
    client.force_login(cadre)
    response = client.get(reverse("cases:case_sheets"), {"q": "没有这样的诉求"}, follow=True)
    assert "没有符合条件的诉求可以打印" in response.content.decode()


def test_the_sheets_take_a_fixed_number_of_queries_whatever_the_number_of_cases(client, cadre, community, settings):
    client.force_login(cadre)
    url = reverse("cases:case_sheets")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    open_case(community=community, by=cadre, handler=cadre)
    few = queries()
    for _ in range(6):
        case = open_case(community=community, by=cadre, handler=cadre)
        services.case_record_progress(case=case, user=cadre, note="已联系", contacted=True)
    assert queries() == few
