"""Survey samples go to the visit team that covers the household's community; its members ask and record."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from lucun.errors import NotAllowed
from lucun.models import Role
from outcomes.models import SurveySample
from outcomes.services import survey_answer, survey_close, survey_start
from tests.factories import official
from visits.models import Household, VisitAssignment, VisitCycle, VisitTeam, VisitTeamMember

pytestmark = pytest.mark.django_db
TODAY = date(2026, 4, 10)


def _households(community, n):
    return [
        Household.objects.create(community=community, head_name=f"{community.name}户主{i}", door_number=str(i))
        for i in range(n)
    ]


def _team(street, name, *members, leader=None):
    team = VisitTeam.objects.create(street=street, name=name, leader=leader)
    for user in members:
        VisitTeamMember.objects.create(team=team, user=user, kind=VisitTeamMember.Kind.COMMUNITY_CADRE)
    return team


@pytest.fixture
def rota(street, community, other_community, cadre, other_cadre):
    """Team A covers 芦湖村 now; team B visited 稻香村 last month and team C comes there next week."""
    staff = official(Role.STREET_STAFF, street=street)
    grid_worker = official(Role.GRID_WORKER, community=community)
    a = _team(street, "第一走访队", cadre, leader=staff)
    b = _team(street, "第二走访队", other_cadre)
    c = _team(street, "第三走访队", grid_worker)
    last = VisitCycle.objects.create(
        street=street, number=1, starts_on=TODAY - timedelta(days=40), ends_on=TODAY - timedelta(days=13)
    )
    this = VisitCycle.objects.create(
        street=street, number=2, starts_on=TODAY - timedelta(days=12), ends_on=TODAY + timedelta(days=20)
    )
    VisitAssignment.objects.create(
        cycle=last, team=b, community=other_community, starts_on=TODAY - timedelta(40), ends_on=TODAY - timedelta(27)
    )
    VisitAssignment.objects.create(
        cycle=this, team=a, community=community, starts_on=TODAY - timedelta(days=3), ends_on=TODAY + timedelta(10)
    )
    VisitAssignment.objects.create(
        cycle=this, team=c, community=other_community, starts_on=TODAY + timedelta(7), ends_on=TODAY + timedelta(20)
    )
    _households(community, 4)
    _households(other_community, 4)
    return {"a": a, "b": b, "c": c, "staff": staff, "grid_worker": grid_worker}


def _start(supervisor, street, closes_on):
    return survey_start(user=supervisor, street=street, title="二季度满意度调查", sample_size=3, closes_on=closes_on)


@time_machine.travel(TODAY, tick=False)
def test_each_sample_goes_to_the_team_covering_its_community_while_the_round_runs(
    rota, street, community, other_community, supervisor
):
    survey = _start(supervisor, street, TODAY + timedelta(days=14))
    teams = dict(survey.samples.values_list("community", "team").distinct())
    # 芦湖村: the team in its slot now; 稻香村: the team that comes during the round, not the one that left.
    assert teams == {community.pk: rota["a"].pk, other_community.pk: rota["c"].pk}
    assert survey.samples.count() == 6


@time_machine.travel(TODAY, tick=False)
def test_without_a_team_coming_before_it_closes_the_last_team_there_asks(rota, street, other_community, supervisor):
    survey = _start(supervisor, street, TODAY + timedelta(days=3))  # closes before team C arrives
    assert set(survey.samples.filter(community=other_community).values_list("team", flat=True)) == {rota["b"].pk}


@time_machine.travel(TODAY, tick=False)
def test_a_team_out_of_service_gets_no_samples_and_a_community_without_rota_none(
    rota, street, community, other_community, supervisor
):
    VisitTeam.objects.filter(pk=rota["a"].pk).update(is_active=False)
    VisitAssignment.objects.filter(community=other_community).delete()
    survey = _start(supervisor, street, TODAY + timedelta(days=14))
    assert set(survey.samples.values_list("team", flat=True)) == {None}


@time_machine.travel(TODAY, tick=False)
def test_only_the_assigned_teams_members_and_the_supervisors_record_an_answer(
    rota, street, community, supervisor, street_leader
):
    survey = _start(supervisor, street, TODAY + timedelta(days=14))
    first, second, third = survey.samples.filter(community=community).order_by("pk")
    # A grid worker of 芦湖村 may record surveys there, but this household is team A's.
    with pytest.raises(NotAllowed, match="第一走访队"):
        survey_answer(user=rota["grid_worker"], sample=first, contacted=True, method="visit", satisfaction="satisfied")
    first.refresh_from_db()
    assert first.answered_at is None
    team_member = VisitTeamMember.objects.get(team=rota["a"]).user
    survey_answer(user=team_member, sample=first, contacted=True, method="visit", satisfaction="satisfied")
    survey_answer(user=rota["staff"], sample=second, contacted=False, method="phone")  # the team's leader
    survey_answer(user=supervisor, sample=third, contacted=True, method="phone", satisfaction="basically")
    assert SurveySample.objects.filter(survey=survey, answered_at__isnull=False).count() == 3
    other = survey.samples.exclude(community=community).first()
    survey_answer(user=street_leader, sample=other, contacted=True, method="visit", satisfaction="satisfied")


@time_machine.travel(TODAY, tick=False)
def test_a_sample_without_a_team_is_recorded_by_the_communitys_officials(rota, street, community, supervisor):
    VisitAssignment.objects.all().delete()
    survey = _start(supervisor, street, TODAY + timedelta(days=14))
    sample = survey.samples.filter(community=community).first()
    survey_answer(user=rota["grid_worker"], sample=sample, contacted=True, method="visit", satisfaction="satisfied")
    sample.refresh_from_db()
    assert sample.recorded_by == rota["grid_worker"]


@time_machine.travel(TODAY, tick=False)
def test_my_samples_lists_the_teams_open_samples_with_the_form(client, rota, street, community, cadre, supervisor):
    survey = _start(supervisor, street, TODAY + timedelta(days=14))
    client.force_login(cadre)
    response = client.get(reverse("outcomes:my_samples"))
    assert response.status_code == 200
    rows = list(response.context["samples"])
    assert {r["sample"].community_id for r in rows} == {community.pk} and len(rows) == 3
    assert all(r["can_answer"] for r in rows)
    assert response.content.decode().count('action="/outcomes/samples/') == 3
    sample = rows[0]["sample"]
    back = reverse("outcomes:my_samples")
    answer = {"contacted": "yes", "method": "visit", "satisfaction": "satisfied", "next": back}
    response = client.post(reverse("outcomes:sample_answer", args=[sample.pk]), answer)
    assert response.status_code == 302 and response.url == back
    assert len(client.get(back).context["samples"]) == 2
    answered = client.get(back + "?state=answered").context["samples"]
    assert [r["sample"].pk for r in answered] == [sample.pk]
    survey.closed_at = survey.started_at
    survey.save(update_fields=["closed_at"])
    assert len(client.get(back).context["samples"]) == 0  # a closed round has nothing left to ask


@time_machine.travel(TODAY, tick=False)
def test_my_samples_says_so_when_the_user_is_on_no_team(client, rota, street, supervisor):
    _start(supervisor, street, TODAY + timedelta(days=14))
    client.force_login(supervisor)
    body = client.get(reverse("outcomes:my_samples")).content.decode()
    assert "您不在任何走访队伍中" in body


@time_machine.travel(TODAY, tick=False)
def test_survey_page_filters_by_team_and_offers_the_form_only_where_the_user_may_answer(
    client, rota, street, community, supervisor
):
    survey = _start(supervisor, street, TODAY + timedelta(days=14))
    url = reverse("outcomes:survey_detail", args=[survey.pk])
    client.force_login(rota["grid_worker"])  # sees 芦湖村's samples, which are team A's
    response = client.get(url)
    assert [r["can_answer"] for r in response.context["samples"]] == [False] * 3
    assert "待“第一走访队”入户调查" in response.content.decode()
    client.force_login(supervisor)
    response = client.get(f"{url}?team={rota['a'].pk}")
    assert {r["sample"].team_id for r in response.context["samples"]} == {rota["a"].pk}
    assert all(r["can_answer"] for r in response.context["samples"])
    client.force_login(VisitTeamMember.objects.get(team=rota["a"]).user)
    assert len(client.get(f"{url}?team=mine").context["samples"]) == 3
    assert client.get(f"{url}?team=bogus").context["team"] == ""


@time_machine.travel(TODAY, tick=False)
def test_an_answer_posted_by_someone_outside_the_team_is_refused_with_403_and_says_why(
    client, rota, street, supervisor
):
    survey = _start(supervisor, street, TODAY + timedelta(days=14))
    sample = survey.samples.filter(team=rota["a"]).first()
    client.force_login(rota["grid_worker"])
    response = client.post(
        reverse("outcomes:sample_answer", args=[sample.pk]),
        {"contacted": "yes", "method": "visit", "satisfaction": "satisfied"},
    )
    assert response.status_code == 403 and "只有该队队员" in response.content.decode()
    sample.refresh_from_db()
    assert sample.answered_at is None


@time_machine.travel(TODAY, tick=False)
def test_a_refused_answer_posted_to_the_page_records_nothing_and_says_why(client, rota, street, supervisor, cadre):
    survey = _start(supervisor, street, TODAY + timedelta(days=14))
    sample = survey.samples.filter(team=rota["a"]).first()
    survey_close(user=supervisor, survey=survey)
    client.force_login(cadre)
    response = client.post(
        reverse("outcomes:sample_answer", args=[sample.pk]),
        {"contacted": "yes", "method": "visit", "satisfaction": "satisfied", "next": "https://example.com/"},
        follow=True,
    )
    assert response.redirect_chain[0][0].startswith(survey.get_absolute_url())  # a foreign next is ignored
    assert "该调查已结束" in response.content.decode()
    sample.refresh_from_db()
    assert sample.answered_at is None
