import io
import re
import uuid
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from lucun.models import AuditEvent, Role
from tests.factories import UserFactory, official
from tests.visits.factories import (
    AttentionTagFactory,
    HouseholdFactory,
    VisitLogFactory,
    VisitRequestFactory,
    VisitTeamFactory,
    VisitTeamMemberFactory,
)
from visits import services
from visits.models import Household, VisitLog, VisitTeamMember

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(community):
    tag = AttentionTagFactory(name="低保户测试", sensitive=True)
    return HouseholdFactory(community=community, head_name="张建国", phone="13812341234", tags=[tag])


@pytest.fixture
def staff(street):
    return official(Role.STREET_STAFF, street=street)


def _sensitive_audits():
    return AuditEvent.objects.filter(action="visits.household_sensitive_view")


# ------------------------------------------------------------------------------------------ search


def test_pages_need_a_login(client, household):
    for url in [reverse("visits:search"), household.get_absolute_url(), reverse("visits:ledger_index")]:
        assert client.get(url).status_code == 302


def test_search_page_finds_a_household_by_pinyin_initials(client, cadre, household):
    client.force_login(cadre)
    html = client.get(reverse("visits:search"), {"q": "zjg"}).content.decode()
    assert "张建国" in html and "138****1234" in html and "13812341234" not in html


# ------------------------------------------------------------------------- scoping, masking, audit


def test_another_communitys_household_is_404_everywhere(client, other_cadre, household):
    client.force_login(other_cadre)
    for name in ["visits:household_detail", "visits:visit_create"]:
        assert client.get(reverse(name, args=[household.pk])).status_code == 404
    assert client.get(reverse("visits:ledger", args=[household.community_id])).status_code == 404
    assert client.get(reverse("visits:ledger_export", args=[household.community_id])).status_code == 404


def test_cadre_of_the_community_sees_phone_and_tags_and_it_is_audited(client, cadre, household):
    client.force_login(cadre)
    html = client.get(household.get_absolute_url()).content.decode()
    assert "13812341234" in html and "低保户测试" in html
    event = _sensitive_audits().get()
    assert event.actor == cadre and event.object_id == str(household.pk)


def test_street_staff_sees_masked_phone_no_sensitive_tag_and_no_audit(client, staff, household):
    household.tags.add(AttentionTagFactory(name="退役军人测试", sensitive=False))
    client.force_login(staff)
    html = client.get(household.get_absolute_url()).content.decode()
    assert "138****1234" in html and "13812341234" not in html
    assert "低保户测试" not in html and "退役军人测试" in html
    assert not _sensitive_audits().exists()


def test_grid_worker_sees_the_household_masked(client, grid, household):
    client.force_login(official(Role.GRID_WORKER, grid=grid))
    response = client.get(household.get_absolute_url())
    assert response.status_code == 200
    assert "13812341234" not in response.content.decode()


def test_ledger_page_audits_the_sensitive_rows_shown(client, cadre, household):
    client.force_login(cadre)
    html = client.get(reverse("visits:ledger", args=[household.community_id])).content.decode()
    assert "低保户测试" in html
    assert _sensitive_audits().count() == 1


# ------------------------------------------------------------------------------------- visit form


def _form_data(visitors, key=None, **extra):
    data = {
        "idempotency_key": str(key or uuid.uuid4()),
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "visitors": [v.pk for v in visitors],
        "method": "home",
        "met": "head",
        "family_note": "老两口身体尚可",
        "req-TOTAL_FORMS": "2",
        "req-INITIAL_FORMS": "0",
        "req-MIN_NUM_FORMS": "0",
        "req-MAX_NUM_FORMS": "10",
        "req-0-text": "门前路灯坏了",
        "req-1-text": "咨询医保报销",
        "req-1-answered": "on",
    }
    data.update(extra)
    return data


@pytest.fixture
def team_pair(street, cadre):
    team = VisitTeamFactory(street=street)
    VisitTeamMemberFactory(team=team, user=cadre, kind=VisitTeamMember.Kind.COMMUNITY_CADRE)
    partner = VisitTeamMemberFactory(team=team, kind=VisitTeamMember.Kind.STREET_STAFF).user
    return team, partner


def test_visit_form_logs_a_visit_with_two_requests(client, cadre, household, team_pair):
    team, partner = team_pair
    client.force_login(cadre)
    form_page = client.get(reverse("visits:visit_create", args=[household.pk]))
    assert form_page.status_code == 200
    assert 'data-draft-key="visit-' in form_page.content.decode()
    data = _form_data([cadre, partner], team=team.pk)
    response = client.post(reverse("visits:visit_create", args=[household.pk]), data)
    assert response.status_code == 302 and response.url.endswith("?saved=1")
    log = VisitLog.objects.get()
    assert log.team == team
    assert list(log.requests.values_list("text", "status")) == [("门前路灯坏了", "open"), ("咨询医保报销", "answered")]
    page = client.get(response.url).content.decode()
    assert 'data-draft-clear="visit-' in page and "门前路灯坏了" in page


def test_resubmitted_form_creates_one_log(client, cadre, household, team_pair):
    _team, partner = team_pair
    client.force_login(cadre)
    data = _form_data([cadre, partner])
    url = reverse("visits:visit_create", args=[household.pk])
    client.post(url, data)
    second = client.post(url, data, follow=True)
    assert VisitLog.objects.count() == 1
    assert "重复提交未再保存" in second.content.decode()


def test_visit_form_with_one_visitor_is_refused_with_a_message(client, cadre, household, team_pair):
    client.force_login(cadre)
    response = client.post(reverse("visits:visit_create", args=[household.pk]), _form_data([cadre]))
    assert response.status_code == 400
    assert "至少勾选两名走访人" in response.content.decode()
    assert not VisitLog.objects.exists()


def test_photo_is_served_only_within_scope(client, cadre, other_cadre, household, team_pair):
    from PIL import Image

    _team, partner = team_pair
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, format="JPEG")
    from django.core.files.uploadedfile import SimpleUploadedFile

    log, _ = services.visitlog_create(
        actor=cadre,
        household=household,
        visited_at=timezone.now(),
        visitors=[cadre, partner],
        idempotency_key=uuid.uuid4(),
        photos=[SimpleUploadedFile("p.jpg", buffer.getvalue())],
    )
    photo = log.photos.get()
    url = reverse("visits:photo", args=[photo.pk])
    client.force_login(cadre)
    html = client.get(household.get_absolute_url()).content.decode()
    assert f'<a href="{url}"><img src="/files/visit-photo/{photo.pk}/thumbnail/"' in html
    for address in (url, f"/files/visit-photo/{photo.pk}/"):  # the visit address and the one for every file
        response = client.get(address)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"].startswith("private")
    client.force_login(other_cadre)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404  # not a sign-in redirect: the address gives nothing away


def test_visit_form_lists_the_visiting_team_first_then_everyone_else_by_pinyin(client, street, community, household):
    from tests.htmlforms import form_in
    from visits.models import VisitAssignment, VisitCycle

    def member(team, name):
        user = UserFactory(real_name=name)
        VisitTeamMemberFactory(team=team, user=user)
        return user

    visiting, other = (
        VisitTeamFactory(street=street, name="第一走访队"),
        VisitTeamFactory(street=street, name="第二走访队"),
    )
    for name in ["周大海", "安小平"]:
        member(visiting, name)
    for name in ["王五", "白云", "张三"]:
        member(other, name)
    cadre = official(Role.COMMUNITY_CADRE, community=community)
    cadre.real_name = "钱书记"
    cadre.save(update_fields=["real_name"])
    VisitTeamMemberFactory(team=other, user=cadre)
    today = timezone.localdate()
    cycle = VisitCycle.objects.create(street=street, number=1, starts_on=today, ends_on=today)
    VisitAssignment.objects.create(cycle=cycle, team=visiting, community=community, starts_on=today, ends_on=today)

    client.force_login(cadre)
    html = client.get(reverse("visits:visit_create", args=[household.pk])).content.decode()
    form = html[html.index('data-testid="visit-form"') :]
    assert [c.label for c in form_in(html, "visit-form").checkboxes["visitors"]] == [
        "安小平",
        "周大海",
        "钱书记",
        "白云",
        "王五",
        "张三",
    ]
    assert (
        form.index("第一走访队(本村本期走访队伍)")
        < form.index("安小平")
        < form.index("其他人员")
        < form.index("钱书记")
    )
    assert re.search(r'data-search="张三 zhangsan zs"', html)
    assert 'id="visitor-filter"' in html and "visits/visitor-filter.js" in html


# ------------------------------------------------------------------------------------------- ledger


def _make_households(community, n):
    for _ in range(n):
        h = HouseholdFactory(community=community, tags=[AttentionTagFactory()])
        VisitRequestFactory(log=VisitLogFactory(household=h))


def test_ledger_list_has_a_fixed_number_of_queries(client, cadre, community, django_assert_num_queries):
    client.force_login(cadre)
    url = reverse("visits:ledger", args=[community.pk])
    _make_households(community, 3)
    # the session, the user, the positions, the community, the attention tags, the grids, the count, the page of
    # households, their tags' links, the audit record of the sensitive view, the shell's counts
    with django_assert_num_queries(11) as small:
        client.get(url)
    _make_households(community, 12)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(response.context["rows"]) == 15


def test_ledger_rows_show_their_grid_and_the_tags_the_reader_may_see_in_order(client, staff, cadre, community, grid):
    late = AttentionTagFactory(name="独居老人测试", sensitive=False, sort_order=2)
    early = AttentionTagFactory(name="退役军人测试", sensitive=False, sort_order=1)
    hidden = AttentionTagFactory(name="低保户测试", sensitive=True, sort_order=0)
    HouseholdFactory(community=community, grid=grid, head_name="张建国", tags=[late, hidden, early])
    HouseholdFactory(community=community, head_name="李秀英")
    url = reverse("visits:ledger", args=[community.pk])
    client.force_login(staff)
    rows = {r["h"].head_name: r for r in client.get(url).context["rows"]}
    assert rows["张建国"]["tags"] == [early, late] and rows["李秀英"]["tags"] == []
    assert rows["张建国"]["grid"] == grid and rows["李秀英"]["grid"] is None
    client.force_login(cadre)
    html = client.get(url).content.decode()
    assert "低保户测试" in html and "第一网格" in html


def test_ledger_of_another_streets_community_is_404_for_street_staff(client, staff):
    foreign = HouseholdFactory(head_name="外街道住户")  # a community of another street
    client.force_login(staff)
    for name in ("visits:ledger", "visits:ledger_export", "visits:ledger_print"):
        assert client.get(reverse(name, args=[foreign.community_id])).status_code == 404


def test_ledger_filters_by_search_and_state(client, cadre, community):
    visited = HouseholdFactory(community=community, head_name="李秀英")
    VisitLogFactory(household=visited)
    HouseholdFactory(community=community, head_name="赵德明")
    client.force_login(cadre)
    url = reverse("visits:ledger", args=[community.pk])
    assert [r["h"].head_name for r in client.get(url, {"q": "lxy"}).context["rows"]] == ["李秀英"]
    assert [r["h"].head_name for r in client.get(url, {"state": "never"}).context["rows"]] == ["赵德明"]


def test_ledger_export_has_one_row_per_household(client, cadre, community, household):
    other = HouseholdFactory(community=community, head_name="李四")
    VisitRequestFactory(log=VisitLogFactory(household=other))
    client.force_login(cadre)
    response = client.get(reverse("visits:ledger_export", args=[community.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r and r[2]]
    by_head = {r[2]: r for r in rows}
    assert set(by_head) == {"张建国", "李四"}
    assert by_head["张建国"][3] == "13812341234" and by_head["张建国"][6] == "低保户测试"
    assert by_head["张建国"][7] == "从未走访"
    assert by_head["李四"][8] == 1
    assert _sensitive_audits().count() == 1


def test_ledger_export_for_staff_is_masked(client, staff, community, household):
    client.force_login(staff)
    response = client.get(reverse("visits:ledger_export", args=[community.pk]))
    row = next(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True))
    assert row[3] == "138****1234" and not row[6]


def test_print_view_lists_the_households(client, cadre, community, household):
    client.force_login(cadre)
    html = client.get(reverse("visits:ledger_print", args=[community.pk])).content.decode()
    assert "张建国" in html and 'data-testid="ledger-print"' in html


def _sheet(rows):
    from visits.ledger_io import IMPORT_COLUMNS

    workbook = Workbook()
    sheet = workbook.active
    sheet.append([h for _, h in IMPORT_COLUMNS])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    out.name = "households.xlsx"
    return out


def test_import_template_downloads(client, cadre):
    client.force_login(cadre)
    response = client.get(reverse("visits:import_template"))
    header = next(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert header[0] == "户主姓名*"


def test_import_page_shows_the_rejected_rows_and_imports_nothing(client, cadre, community):
    client.force_login(cadre)
    upload = _sheet(
        [["张三", "", 3, "", "一组", "1"], ["", "", 1, "", "一组", "2"], ["李四", "123", 1, "", "一组", "3"]]
    )
    response = client.post(reverse("visits:household_import", args=[community.pk]), {"file": upload})
    html = response.content.decode()
    assert 'data-testid="import-report"' in html
    assert "缺少户主姓名" in html and "电话号码格式不对" in html
    assert not Household.objects.exists()


def test_import_page_imports_a_clean_sheet(client, cadre, community):
    client.force_login(cadre)
    upload = _sheet([["张三", "13800001111", 3, "", "一组", "1"], ["李四", "", 1, "", "", "", "雍翠园", 3, 2, 501]])
    response = client.post(reverse("visits:household_import", args=[community.pk]), {"file": upload})
    assert response.status_code == 302
    assert set(Household.objects.values_list("address", flat=True)) == {"一组 1号", "雍翠园 3号楼 2单元 501室"}


def test_import_refuses_a_file_that_is_not_a_workbook(client, cadre, community):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(cadre)
    response = client.post(
        reverse("visits:household_import", args=[community.pk]), {"file": SimpleUploadedFile("a.xlsx", b"nope")}
    )
    assert "无法读取该文件" in response.content.decode()


# -------------------------------------------------------------------------------- teams, plan, coverage


def test_team_page_shows_warnings(client, cadre, street):
    team = VisitTeamFactory(street=street, name="第一走访队")
    VisitTeamMemberFactory(team=team, kind=VisitTeamMember.Kind.STREET_LEADER)
    client.force_login(cadre)
    html = client.get(reverse("visits:team_list")).content.decode()
    assert "第一走访队" in html and "缺少机关干部" in html and "未实行新老搭配" in html


@pytest.fixture
def plan(street, community, other_community, supervisor):
    VisitTeamFactory(street=street, name="一队")
    VisitTeamFactory(street=street, name="二队")
    (cycle,) = services.cycle_plan_build(actor=supervisor, street=street, starts_on=date(2026, 1, 5))
    return cycle


def test_plan_page_lists_team_community_dates_and_state(client, supervisor, plan):
    client.force_login(supervisor)
    response = client.get(reverse("visits:plan"), {"cycle": plan.pk})
    rows = response.context["assignments"]
    assert len(rows) == 2 and {r.state for r in rows} == {"missed"}  # the cycle is over, nothing was logged
    assert "未走访" in response.content.decode()


def test_supervisor_edits_the_plan_and_a_cadre_may_not(client, supervisor, cadre, plan, other_community):
    line = plan.assignments.exclude(community=other_community).get()
    url = reverse("visits:assignment_edit", args=[line.pk])
    client.force_login(cadre)
    assert client.get(url).status_code == 403
    client.force_login(supervisor)
    data = {"team": line.team_id, "community": other_community.pk, "starts_on": line.starts_on, "ends_on": line.ends_on}
    assert client.post(url, data).status_code == 302
    line.refresh_from_db()
    assert line.community == other_community


def test_coverage_page_is_for_street_positions(client, supervisor, cadre, plan, household):
    client.force_login(cadre)
    assert client.get(reverse("visits:coverage")).status_code == 403
    client.force_login(supervisor)
    response = client.get(reverse("visits:coverage"))
    assert response.status_code == 200
    assert response.context["year_figures"].total.households == 1


def test_navigation_offers_coverage_to_the_supervisor_only(client, supervisor, cadre):
    client.force_login(supervisor)
    assert "走访覆盖" in [i["label"] for i in client.get(reverse("home")).context["nav_items"]]
    client.force_login(cadre)
    labels = [i["label"] for i in client.get(reverse("home")).context["nav_items"]]
    assert "入户走访" in labels and "走访覆盖" not in labels


def test_user_without_position_finds_nothing(client, household):
    client.force_login(UserFactory())
    assert client.get(household.get_absolute_url()).status_code == 404


def test_the_dashboard_filters_cases_by_the_visit_team_that_raised_them(client, street, community, supervisor):
    from cases.models import Case
    from cases.services import case_open
    from tests.cases.factories import tier
    from tests.visits.factories import VisitLogFactory, VisitTeamFactory

    log = VisitLogFactory(household__community=community, team=VisitTeamFactory(street=street))
    other = VisitLogFactory(household__community=community, team=VisitTeamFactory(street=street))
    raised = case_open(
        community=community,
        title="路灯",
        created_by=supervisor,
        source=Case.Source.VISIT,
        source_object=log,
        tier=tier(),
    )
    case_open(
        community=community,
        title="别的队",
        created_by=supervisor,
        source=Case.Source.VISIT,
        source_object=other,
        tier=tier(),
    )
    client.force_login(supervisor)
    listed = client.get(reverse("cases:case_list"), {"team": log.team.pk}).context["page_obj"]
    assert [c.number for c in listed] == [raised.number]
    assert client.get(reverse("cases:dashboard"), {"team": log.team.pk}).context["d"].totals["green"] == 1


def test_the_household_timeline_says_whom_the_visit_met_in_the_readers_language(client, cadre, household):
    VisitLogFactory(household=household, method=VisitLog.Method.HOME, met=VisitLog.Met.FAMILY)
    client.force_login(cadre)
    url = household.get_absolute_url()
    chinese = client.get(url, headers={"accept-language": "zh-hans"}).content.decode()
    english = client.get(url, headers={"accept-language": "en"}).content.decode()
    assert "</strong> · 见到家庭成员" in chinese
    assert "</strong> · Met: Household member" in english
