from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cases.models import ConductKind
from cases.services import conduct_violation_record
from lucun.errors import DomainError, NotAllowed
from lucun.models import AuditEvent, Community, Notification, Role
from outcomes.models import CadreAdjustment, GoalProgress, QuarterlyWarning, RedLine, RedLineRun
from outcomes.periods import Period
from outcomes.report.figures import replacement_figures, report
from outcomes.services import (
    adjustment_record,
    goal_create,
    goal_progress_record,
    goal_review_record,
    redlines_evaluate,
    redlines_evaluate_due,
    warning_record,
)
from tests.factories import official

from .factories import callback_for, resolved_case, secretary

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
IN_Q1 = datetime(2026, 2, 10, 10, tzinfo=SH)


def _answers(community, by, satisfied: int, dissatisfied: int) -> None:
    for i in range(satisfied + dissatisfied):
        case = resolved_case(community=community, by=by)
        callback_for(
            case, solved=True, satisfaction="satisfied" if i < satisfied else "dissatisfied", answered_at=IN_Q1
        )


@time_machine.travel(datetime(2026, 4, 2, 9, tzinfo=SH), tick=False)
def test_quarter_computation_flags_the_secretary_of_the_dissatisfied_community(
    community, other_community, cadre, other_cadre, supervisor
):
    head = secretary(community, started_on=date(2023, 1, 1))
    other_head = secretary(other_community, title="社区党委书记")
    _answers(community, cadre, satisfied=5, dissatisfied=5)  # 50 % < 60 %
    _answers(other_community, other_cadre, satisfied=9, dissatisfied=1)  # 90 %

    run = redlines_evaluate(street=community.street, year=2026, quarter=1)

    warnings = QuarterlyWarning.objects.filter(red_line__code="satisfaction")
    assert [(w.cadre, w.community) for w in warnings] == [(head, community)]
    assert warnings[0].value == 50
    assert "50.0%" in warnings[0].evidence and "阈值 60)" in warnings[0].evidence
    assert not QuarterlyWarning.objects.filter(cadre=other_head).exists()
    assert run.warnings >= 1
    assert head.notifications.filter(title__startswith="季度预警").exists()
    assert supervisor.notifications.filter(title__startswith="季度预警").exists()


@time_machine.travel(datetime(2026, 4, 2, 9, tzinfo=SH), tick=False)
def test_conduct_violations_in_the_quarter_breach_their_red_line(community, cadre, supervisor):
    head = secretary(community)
    conduct_violation_record(
        user=supervisor,
        official=cadre,
        kind=ConductKind.objects.first(),
        community=community,
        occurred_on=date(2026, 3, 5),
        note="推诿群众诉求",
    )
    redlines_evaluate(street=community.street, year=2026, quarter=1)
    assert QuarterlyWarning.objects.filter(red_line__code="conduct", cadre=head).count() == 1
    # Too few answers for the satisfaction line to judge (最少样本).
    assert not QuarterlyWarning.objects.filter(red_line__code="satisfaction").exists()


@time_machine.travel(datetime(2026, 4, 2, 9, tzinfo=SH), tick=False)
def test_computation_runs_again_without_duplicating_warnings(community, cadre):
    secretary(community)
    _answers(community, cadre, satisfied=2, dissatisfied=8)
    redlines_evaluate(street=community.street, year=2026, quarter=1)
    redlines_evaluate(street=community.street, year=2026, quarter=1)
    assert QuarterlyWarning.objects.filter(red_line__code="satisfaction").count() == 1


@time_machine.travel(datetime(2026, 4, 2, 9, tzinfo=SH), tick=False)
def test_periodic_job_computes_the_quarter_just_ended_once_per_street(community):
    secretary(community)
    assert redlines_evaluate_due() == 1
    assert redlines_evaluate_due() == 0
    assert RedLineRun.objects.get().quarter == 1


@time_machine.travel(datetime(2026, 4, 2, 9, tzinfo=SH), tick=False)
def test_recorded_red_line_needs_the_supervisor_and_evidence(community, cadre, supervisor):
    head = secretary(community)
    line = RedLine.objects.get(code="collective_economy")
    year = 2026
    with pytest.raises(NotAllowed):
        warning_record(user=cadre, red_line=line, community=community, year=year, quarter=1, evidence="末位")
    warning = warning_record(
        user=supervisor,
        red_line=line,
        community=community,
        year=year,
        quarter=1,
        evidence="2024、2025 年经管站排名末位",
    )
    assert (warning.cadre, warning.source) == (head, QuarterlyWarning.Source.RECORDED)


def test_seven_red_lines_are_seeded():
    assert RedLine.objects.count() == 7
    assert RedLine.objects.filter(metric="recorded").count() == 3


@time_machine.travel(datetime(2027, 1, 5, 9, tzinfo=SH), tick=False)
def test_term_goal_quarterly_progress_and_annual_reconciliation(community, cadre, supervisor):
    year = 2026
    goal = goal_create(user=supervisor, community=community, title="村集体经济增收", term_start=year, term_end=year + 4)
    progress = goal_progress_record(
        user=cadre, goal=goal, year=year, quarter=1, percent=20, status=GoalProgress.Status.BEHIND, note="项目未落地"
    )
    assert progress.status == "behind"
    with pytest.raises(DomainError, match="已填报"):
        goal_progress_record(user=cadre, goal=goal, year=year, quarter=1, percent=30, status="on_track", note="重复")
    with pytest.raises(NotAllowed):
        goal_review_record(user=cadre, goal=goal, year=year, result="met", evidence="自评")
    review = goal_review_record(user=supervisor, goal=goal, year=year, result="partly", evidence="完成 70%")
    assert review.get_result_display() == "部分完成"


def test_replacement_ratio_is_computed_from_adjustments(street, community, other_community, supervisor):
    today = date.today()
    adjustment_record(
        user=supervisor,
        community=community,
        kind=CadreAdjustment.Kind.REPLACED,
        person_name="张三",
        position_title="村党组织书记",
        effective_on=today - timedelta(days=30),
        reason="群众满意度连续两季度低于60%",
    )
    adjustment_record(
        user=supervisor,
        community=community,
        kind=CadreAdjustment.Kind.WITHDREW,
        person_name="李四",
        position_title="村委会委员",
        effective_on=today - timedelta(days=20),
        reason="个人原因",
    )
    figures = replacement_figures(
        Community.objects.filter(street=street), since=date(today.year - 3, 1, 1), until=today + timedelta(days=1)
    )
    assert (figures["secretaries_replaced"], figures["communities"], figures["replacement_ratio"]) == (1, 2, 50.0)
    assert figures["withdrew"] == 1


def test_cadre_record_page_of_another_community_is_404(client, community, other_cadre):
    client.force_login(other_cadre)
    assert client.get(reverse("outcomes:cadre_record", args=[community.pk])).status_code == 404


def test_cadres_page_lists_warnings_for_the_street(client, community, cadre, supervisor):
    secretary(community)
    line = RedLine.objects.get(code="discipline")
    warning_record(user=supervisor, red_line=line, community=community, year=2025, quarter=4, evidence="受到警告处分")
    client.force_login(official(Role.STREET_LEADER, street=community.street))
    response = client.get(reverse("outcomes:cadres") + "?year=2025&quarter=4")
    assert "受到警告处分" in response.content.decode()


# ------------------------------------------------------------------------- complete quarters only

LAST_HOUR_OF_Q1 = datetime(2026, 3, 31, 23, 30, tzinfo=SH)
FIRST_HOUR_OF_Q2 = datetime(2026, 4, 1, 0, 30, tzinfo=SH)


def test_a_running_quarter_is_not_judged_and_warns_nobody_until_it_ends(community, cadre, supervisor):
    head = secretary(community)
    with time_machine.travel(LAST_HOUR_OF_Q1, tick=False):
        _answers(community, cadre, satisfied=2, dissatisfied=8)  # 20 % < 60 %
        with pytest.raises(DomainError, match="2026年第1季度尚未结束:红线按完整季度判定") as refused:
            redlines_evaluate(street=community.street, year=2026, quarter=1)
        assert refused.value.code == "quarter_running"
        with pytest.raises(DomainError, match="尚未结束"):
            redlines_evaluate(street=community.street, year=2026, quarter=2)
        assert redlines_evaluate_due() == 1  # the job judges the quarter before: 2025 Q4, nothing to warn
        assert not QuarterlyWarning.objects.exists()
        assert not Notification.objects.filter(title__startswith="季度预警").exists()

    with time_machine.travel(FIRST_HOUR_OF_Q2, tick=False):
        assert redlines_evaluate_due() == 1
        run = RedLineRun.objects.get(year=2026, quarter=1)

    assert run.warnings == 1
    assert QuarterlyWarning.objects.get().cadre == head
    assert head.notifications.filter(title__startswith="季度预警").count() == 1


def test_a_red_line_is_recorded_only_for_a_complete_quarter(community, supervisor):
    secretary(community)
    line = RedLine.objects.get(code="stability")
    with time_machine.travel(LAST_HOUR_OF_Q1, tick=False), pytest.raises(DomainError, match="2026年第1季度尚未结束"):
        warning_record(user=supervisor, red_line=line, community=community, year=2026, quarter=1, evidence="上访")
    assert not QuarterlyWarning.objects.exists()
    with time_machine.travel(FIRST_HOUR_OF_Q2, tick=False):
        warning_record(user=supervisor, red_line=line, community=community, year=2026, quarter=1, evidence="上访")
    assert QuarterlyWarning.objects.count() == 1


def test_cadres_page_shows_the_running_quarter_as_provisional(client, community, cadre, supervisor):
    secretary(community)
    with time_machine.travel(datetime(2026, 5, 10, 10, tzinfo=SH), tick=False):
        for i in range(10):
            case = resolved_case(community=community, by=cadre)
            callback_for(case, solved=True, satisfaction="satisfied" if i < 3 else "dissatisfied")
        client.force_login(supervisor)

        running = client.get(reverse("outcomes:cadres") + "?year=2026&quarter=2").content.decode()
        judged = client.get(reverse("outcomes:cadres")).content.decode()  # by default the quarter last ended

    assert "进行中 · 暂定" in running and "满意率 30.0%" in running and "暂定超线" in running
    assert "测算本季度红线" not in running
    assert "2026 年第 1 季度预警" in judged and "测算本季度红线" in judged and "进行中" not in judged
    assert not QuarterlyWarning.objects.exists()
    assert not Notification.objects.filter(title__startswith="季度预警").exists()


def test_measures_api_flags_the_running_quarter_as_provisional(client, community, supervisor):
    client.force_login(supervisor)
    url = reverse("api_red_line_measures")
    with time_machine.travel(LAST_HOUR_OF_Q1, tick=False):
        running = client.get(url).json()
    with time_machine.travel(FIRST_HOUR_OF_Q2, tick=False):
        ended = client.get(url + "?year=2026&quarter=1").json()
        future = client.get(url + "?year=2026&quarter=3")
    assert (running["period"], running["provisional"]) == ("2026-Q1", True)
    assert (ended["period"], ended["provisional"]) == ("2026-Q1", False)
    assert [c["community_name"] for c in ended["communities"]] == ["芦湖村"]
    assert {line["code"] for line in ended["communities"][0]["lines"]} == {
        "satisfaction",
        "red_cases",
        "conduct",
        "coverage",
    }
    assert future.status_code == 400


def test_goal_progress_of_the_running_quarter_is_provisional_until_it_ends(client, community, cadre, supervisor):
    goal = goal_create(user=supervisor, community=community, title="道路硬化", term_start=2026, term_end=2028)
    behind = {"status": GoalProgress.Status.BEHIND, "note": "项目审批未完成"}
    with time_machine.travel(LAST_HOUR_OF_Q1, tick=False):
        goal_progress_record(user=cadre, goal=goal, year=2026, quarter=1, percent=10, **behind)
        goal_progress_record(user=cadre, goal=goal, year=2026, quarter=1, percent=15, **behind)  # corrected
        with pytest.raises(DomainError, match="2026年第2季度尚未开始"):
            goal_progress_record(user=cadre, goal=goal, year=2026, quarter=2, percent=0, **behind)
        client.force_login(cadre)
        page = client.get(reverse("outcomes:cadre_record", args=[community.pk])).content.decode()
        api = client.get(reverse("api_goal_list")).json()["results"][0]["progress"]
        figures = report(user=supervisor, period=Period.quarter(2026, 1), street=community.street)

    assert "进行中 · 暂定" in page and "进度滞后(暂定,季度结束后判定)" in page
    assert "badge--yellow" not in page
    assert [(p["percent"], p["provisional"]) for p in api] == [(15, True)]
    assert figures.warnings["goals_behind"] == 0
    assert AuditEvent.objects.filter(action="outcomes.goal_progress_record").count() == 2

    with time_machine.travel(FIRST_HOUR_OF_Q2, tick=False):
        with pytest.raises(DomainError, match="该季度的进展已填报"):
            goal_progress_record(user=cadre, goal=goal, year=2026, quarter=1, percent=50, **behind)
        api = client.get(reverse("api_goal_list")).json()["results"][0]["progress"]
        figures = report(user=supervisor, period=Period.quarter(2026, 1), street=community.street)
    assert [(p["percent"], p["provisional"]) for p in api] == [(15, False)]
    assert figures.warnings["goals_behind"] == 1


def test_annual_reconciliation_waits_for_the_year_to_end(community, supervisor):
    goal = goal_create(user=supervisor, community=community, title="村集体经济增收", term_start=2026, term_end=2028)
    with (
        time_machine.travel(datetime(2026, 12, 31, 20, tzinfo=SH), tick=False),
        pytest.raises(DomainError, match="2026年尚未结束"),
    ):
        goal_review_record(user=supervisor, goal=goal, year=2026, result="met", evidence="完成")
    with time_machine.travel(datetime(2027, 1, 2, 9, tzinfo=SH), tick=False):
        assert goal_review_record(user=supervisor, goal=goal, year=2026, result="met", evidence="完成").year == 2026
