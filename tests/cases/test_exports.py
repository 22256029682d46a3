"""The case list and the feedback queue export to xlsx: the page's rows across all its pages, its filters and its
scope, phones masked; a large export runs in the background with progress and a private download."""

import io

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from cases import services
from cases.models import Case, Feedback
from lucun.models import AuditEvent, ExportJob, Role
from tests.cases.factories import channel, open_case, submit, tier
from tests.factories import official
from tests.lucun.exports import page_rows, xlsx_column, xlsx_rows

pytestmark = pytest.mark.django_db

CASE_ROW = r'class="case-item[^"]*" data-number="([^"]+)"'
FEEDBACK_ROW = r'class="case-item__title" href="/cases/feedback/\d+/">([^<]+)</a>'
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def cases(community, other_community, cadre, other_cadre):
    """30 cases of 芦湖村 across two tiers (two of them resolved), and three of 稻香村."""
    ours = []
    for n in range(30):
        code = "assigned" if n % 3 else "immediate"
        ours.append(
            open_case(community=community, by=cadre, tier_code=code, title=f"本村诉求{n}", contact_phone="13812345678")
        )
    for case in ours[:2]:
        services.case_resolve(case=case, user=cadre, resolution="已处理", case_list="community")
    for _ in range(3):
        open_case(community=other_community, by=other_cadre, tier_code="assigned", title="外村诉求标题")
    return ours


def _export(client, url, params) -> bytes:
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith('attachment; filename="')
    return response.content


@pytest.mark.parametrize("params", [{}, {"tier": "assigned"}, {"state": "all"}, {"state": "all", "q": "诉求1"}])
def test_the_case_export_holds_the_rows_the_list_shows_on_all_its_pages(client, cadre, cases, params):
    if "tier" in params:
        params = {**params, "tier": tier(params["tier"]).pk}
    client.force_login(cadre)
    shown = page_rows(client, reverse("cases:case_list"), params, CASE_ROW)
    assert len(shown) > 0
    exported = xlsx_column(_export(client, reverse("cases:case_export"), params))
    assert exported == shown
    assert not Case.objects.filter(number__in=exported).exclude(community__name="芦湖村").exists()


def test_a_cadre_exports_nothing_of_another_community_even_when_asking_for_it(client, cadre, cases, other_community):
    client.force_login(cadre)
    content = _export(client, reverse("cases:case_export"), {"state": "all", "community": other_community.pk})
    cells = " ".join(str(c) for row in xlsx_rows(content)[1] for c in row)
    assert "外村诉求标题" not in cells and "稻香村" not in cells


def test_a_street_leader_exports_both_communities_so_the_scope_check_can_fail(client, street_leader, cases):
    client.force_login(street_leader)
    content = _export(client, reverse("cases:case_export"), {"state": "all"})
    assert len(xlsx_column(content)) == 33


def test_the_case_export_says_what_each_column_is_and_masks_phones(client, cadre, cases):
    client.force_login(cadre)
    header, rows = xlsx_rows(_export(client, reverse("cases:case_export"), {"q": cases[5].number}))
    row = dict(zip(header, rows[0], strict=True))
    assert row["编号"] == cases[5].number and row["标题"] == "本村诉求5" and row["村(居)"] == "芦湖村"
    assert row["督办颜色"] == "绿色" and row["状态"] == "已登记" and row["首问责任人"] == str(cases[5].first_responder)
    assert row["群众电话"] == "138****5678"
    assert row["类别"] == cases[5].category.name and row["层级"] == "承办"  # Chinese, the site's language
    assert row["登记时间"].tzinfo is None  # a local time, as the page shows it


def test_the_case_list_links_to_the_export_of_what_it_shows(client, cadre, cases):
    client.force_login(cadre)
    html = client.get(reverse("cases:case_list"), {"state": "all"}).content.decode()
    assert f'href="{reverse("cases:case_export")}?state=all"' in html


def test_an_export_is_audited_with_who_what_and_how_many_rows(client, cadre, cases):
    client.force_login(cadre)
    client.get(reverse("cases:case_export"), {"state": "all", "page": "2"})
    event = AuditEvent.objects.get(action="cases.export")
    assert event.actor == cadre
    assert event.changes["after"] == {"kind": "cases.case_list", "query": "state=all", "rows": 30}
    assert "30" in event.summary


def test_the_export_takes_a_fixed_number_of_queries_whatever_the_number_of_rows(client, cadre, community):
    client.force_login(cadre)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            _export(client, reverse("cases:case_export"), {"state": "all"})
        return len(captured)

    for _ in range(2):
        open_case(community=community, by=cadre, handler=cadre)
    few = queries()
    for _ in range(12):
        open_case(community=community, by=cadre, handler=cadre)
    assert queries() == few


# ------------------------------------------------------------------------------------------ in the background


def test_a_large_export_runs_in_the_background_and_gives_the_same_rows(
    client, cadre, cases, settings, django_capture_on_commit_callbacks
):
    client.force_login(cadre)
    url, params = reverse("cases:case_export"), {"tier": tier("assigned").pk, "state": "all"}
    at_once = xlsx_rows(_export(client, url, params))
    settings.LUCUN_EXPORT_DIRECT_MAX = 5

    offer = client.get(url, params)
    html = offer.content.decode()
    assert offer.status_code == 200 and "text/html" in offer["Content-Type"]
    assert f"共 {len(at_once[1])} 行,超过 5 行" in html and "开始生成" in html
    assert AuditEvent.objects.filter(action="cases.export").count() == 1  # the export at once; nothing more yet

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"{url}?tier={params['tier']}&state=all")
    job = ExportJob.objects.get()
    assert started.status_code == 302 and started.url == reverse("export_job", args=[job.pk])
    assert job.state == ExportJob.State.DONE and job.created_by == cadre
    assert job.total == job.done == len(at_once[1])

    progress = client.get(reverse("export_job_progress", args=[job.pk])).json()
    download = reverse("export_job_download", args=[job.pk])
    assert progress["state"] == "done" and progress["percent"] == 100 and progress["download_url"] == download
    page = client.get(reverse("export_job", args=[job.pk])).content.decode()
    assert f'href="{download}"' in page
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="cases-')
    assert xlsx_rows(response.getvalue()) == at_once
    event = AuditEvent.objects.filter(action="cases.export").order_by("-pk").first()
    assert event.object_id == str(job.pk) and event.changes["after"]["rows"] == len(at_once[1])


def test_a_queued_export_shows_its_progress_and_follows_it_with_the_static_script(client, cadre, cases, settings):
    settings.LUCUN_EXPORT_DIRECT_MAX = 5
    client.force_login(cadre)
    client.post(f"{reverse('cases:case_export')}?state=all")  # the task is sent after commit: not in this test
    job = ExportJob.objects.get()
    assert job.state == ExportJob.State.QUEUED and job.total == 30 and job.query == "state=all"
    progress = client.get(reverse("export_job_progress", args=[job.pk])).json()
    assert progress["state"] == "queued" and progress["percent"] == 0 and progress["download_url"] == ""
    assert progress["text"] == "排队中 · 0 / 30 行"
    html = client.get(reverse("export_job", args=[job.pk])).content.decode()
    assert "js/job-progress.js" in html and "<script>" not in html
    assert client.get(reverse("export_job_download", args=[job.pk])).status_code == 404


def test_nobody_but_the_official_who_asked_may_follow_or_download_an_export(
    client, cadre, cases, street_leader, community, settings, django_capture_on_commit_callbacks
):
    settings.LUCUN_EXPORT_DIRECT_MAX = 5
    client.force_login(cadre)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("cases:case_export"))
    job = ExportJob.objects.get()
    urls = [reverse(name, args=[job.pk]) for name in ("export_job", "export_job_progress", "export_job_download")]
    colleague = official(Role.COMMUNITY_CADRE, community=community)
    for person in (street_leader, colleague):
        client.force_login(person)
        assert [client.get(u).status_code for u in urls] == [404, 404, 404]
    client.logout()
    assert client.get(urls[2]).status_code == 404


# ------------------------------------------------------------------------------------------------- in English


def _reads_english(client) -> None:
    """The official switched the site to English (the footer's switch keeps the choice in this cookie)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _english_row(content: bytes, number: str) -> dict:
    assert load_workbook(io.BytesIO(content)).sheetnames == ["Request list"]
    header, rows = xlsx_rows(content)
    return dict(zip(header, next(row for row in rows if row[0] == number), strict=True))


def test_an_official_reading_english_exports_english_headers_and_configuration_names(client, cadre, cases):
    case = cases[5]
    assert case.category.name_en and case.tier.name_en == "Assigned"  # the seeded English names
    client.force_login(cadre)
    _reads_english(client)
    row = _english_row(_export(client, reverse("cases:case_export"), {"q": case.number}), case.number)
    assert row["Number"] == case.number and row["Title"] == "本村诉求5" and row["Community"] == "芦湖村"
    assert row["Category"] == case.category.name_en and row["Tier"] == "Assigned"
    assert row["Status"] == "Registered" and row["Supervision colour"] == "Green"


def test_a_background_export_asked_for_in_english_is_english_though_the_worker_reads_chinese(
    client, cadre, cases, settings, django_capture_on_commit_callbacks
):
    settings.LUCUN_EXPORT_DIRECT_MAX = 5
    client.force_login(cadre)
    _reads_english(client)
    with django_capture_on_commit_callbacks() as queued:
        client.post(f"{reverse('cases:case_export')}?state=all")
    job = ExportJob.objects.get()
    assert job.language == "en" and job.state == ExportJob.State.QUEUED
    with translation.override(settings.LANGUAGE_CODE):  # a worker runs in the site's language
        for send in queued:
            send()
    job.refresh_from_db()
    assert job.state == ExportJob.State.DONE
    row = _english_row(client.get(reverse("export_job_download", args=[job.pk])).getvalue(), cases[4].number)
    assert row["Category"] == cases[4].category.name_en and row["Tier"] == "Assigned" and row["Status"] == "Registered"


def test_a_background_export_asked_for_in_chinese_stays_chinese(
    client, cadre, cases, settings, django_capture_on_commit_callbacks
):
    settings.LUCUN_EXPORT_DIRECT_MAX = 5
    client.force_login(cadre)
    with django_capture_on_commit_callbacks() as queued:
        client.post(f"{reverse('cases:case_export')}?state=all")
    job = ExportJob.objects.get()
    assert job.language == "zh-hans"
    with translation.override("en"):  # whatever the worker's own language
        for send in queued:
            send()
    content = client.get(reverse("export_job_download", args=[job.pk])).getvalue()
    assert load_workbook(io.BytesIO(content)).sheetnames == ["诉求清单"]
    header, rows = xlsx_rows(content)
    row = dict(zip(header, rows[0], strict=True))
    assert row["类别"] == cases[0].category.name and row["层级"] in ("承办", "即办")


# ------------------------------------------------------------------------------------------- the feedback queue


@pytest.fixture
def feedback_messages(community, other_community):
    ours = channel(community=community, label="芦湖村文化广场")
    theirs = channel(community=other_community, label="稻香村文化广场")
    sent = [submit(channel=ours, text=f"反映{n}:路灯坏了", reply_phone="13912345678") for n in range(28)]
    sent.append(submit(channel=ours, text='=HYPERLINK("http://example.com","点我")'))
    submit(channel=theirs, text="外村反馈内容:水塘边没有护栏。")
    return sent


def test_the_feedback_export_holds_the_rows_the_queue_shows(client, cadre, feedback_messages):
    client.force_login(cadre)
    shown = page_rows(client, reverse("cases:feedback_queue"), {}, FEEDBACK_ROW)
    assert len(shown) == 29
    header, rows = xlsx_rows(_export(client, reverse("cases:feedback_export"), {}))
    texts = [row[header.index("反映内容")] for row in rows]
    assert [t.replace('"', "&quot;") for t in texts] == shown
    assert "外村反馈内容:水塘边没有护栏。" not in texts


def test_the_feedback_export_follows_the_queues_filters(client, cadre, feedback_messages):
    Feedback.objects.filter(pk=feedback_messages[0].pk).update(state=Feedback.State.SPAM, state_reason="广告")
    client.force_login(cadre)
    header, rows = xlsx_rows(_export(client, reverse("cases:feedback_export"), {"state": "spam"}))
    assert [row[header.index("反映内容")] for row in rows] == ["反映0:路灯坏了"]


def test_the_feedback_export_masks_the_reply_phone_and_keeps_a_formula_as_text(client, cadre, feedback_messages):
    client.force_login(cadre)
    content = _export(client, reverse("cases:feedback_export"), {})
    header, rows = xlsx_rows(content)
    assert {row[header.index("回复电话")] or "" for row in rows} == {"139****5678", ""}
    column = header.index("反映内容")
    cells = [row[column] for row in load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(min_row=2)]
    formula = next(c for c in cells if "HYPERLINK" in str(c.value))
    assert formula.data_type == "s"  # shown as the text it is, never run as a formula


def test_only_the_positions_that_triage_may_export_the_feedback(client, feedback_messages, community):
    client.force_login(official(Role.GRID_WORKER, community=community))
    assert client.get(reverse("cases:feedback_export")).status_code == 403
    assert not AuditEvent.objects.filter(action="cases.feedback_export").exists()
