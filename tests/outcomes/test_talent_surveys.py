from datetime import date, timedelta

import pytest
from django.db.models import Count
from django.urls import reverse

from lucun.errors import DomainError, NotAllowed
from lucun.models import Role
from outcomes.models import SurveySample, TalentRecord
from outcomes.services import survey_answer, survey_start, talent_advance, talent_create
from tests.factories import official
from visits.models import Household

pytestmark = pytest.mark.django_db


def _households(community, n):
    return [Household.objects.create(community=community, head_name=f"户主{i}", door_number=str(i)) for i in range(n)]


def test_survey_round_draws_the_sample_size_in_each_community(street, community, other_community, supervisor):
    _households(community, 12)
    _households(other_community, 3)
    survey = survey_start(
        user=supervisor, street=street, title="第一季度满意度调查", sample_size=5, closes_on=date.today()
    )
    counts = dict(survey.samples.values_list("community").annotate(n=Count("pk")))
    assert counts == {community.pk: 5, other_community.pk: 3}


def test_only_the_supervisor_starts_a_survey(street, community, cadre):
    _households(community, 2)
    with pytest.raises(NotAllowed):
        survey_start(user=cadre, street=street, title="调查", sample_size=2, closes_on=date.today())


def test_visit_team_records_an_answer_once(street, community, supervisor, cadre):
    _households(community, 2)
    survey = survey_start(user=supervisor, street=street, title="调查", sample_size=2, closes_on=date.today())
    sample = survey.samples.first()
    survey_answer(user=cadre, sample=sample, contacted=True, method="visit", satisfaction="basically")
    with pytest.raises(DomainError, match="已记录"):
        survey_answer(user=cadre, sample=sample, contacted=True, method="visit", satisfaction="satisfied")
    assert SurveySample.objects.get(pk=sample.pk).satisfaction == "basically"


def test_talent_pipeline_moves_forward_only(community, cadre):
    record = talent_create(user=cadre, community=community, name="王强", kind=TalentRecord.Kind.RETURNING_YOUTH)
    talent_advance(user=cadre, record=record, stage=TalentRecord.Stage.RESERVE_SECRETARY, note="列为后备书记")
    with pytest.raises(DomainError, match="向前"):
        talent_advance(user=cadre, record=record, stage=TalentRecord.Stage.CONTACTED)
    assert list(record.steps.values_list("stage_to", flat=True)) == ["identified", "reserve_secretary"]


def test_talent_phone_is_masked_like_household_data(client, street, community, cadre):
    record = talent_create(user=cadre, community=community, name="李明", kind="veteran", phone="13812345678")
    staff = official(Role.STREET_STAFF, street=street)
    client.force_login(staff)
    assert "138****5678" in client.get(record.get_absolute_url()).content.decode()
    client.force_login(cadre)
    assert "13812345678" in client.get(record.get_absolute_url()).content.decode()


def test_talent_of_another_community_is_404(client, community, cadre, other_cadre):
    record = talent_create(user=cadre, community=community, name="李明", kind="veteran")
    client.force_login(other_cadre)
    assert client.get(record.get_absolute_url()).status_code == 404
    assert client.get(reverse("api_talent_detail", args=[record.pk])).status_code == 404


def test_talent_list_counts_and_has_a_fixed_number_of_queries(
    client, street, community, cadre, django_assert_max_num_queries
):
    leader = official(Role.STREET_LEADER, street=street)
    talent_create(user=cadre, community=community, name="人才0", kind="other")
    client.force_login(leader)
    with django_assert_max_num_queries(15) as first:
        client.get(reverse("outcomes:talent_list"))
    for i in range(1, 8):
        talent_create(user=cadre, community=community, name=f"人才{i}", kind="other", phone=f"1390000000{i}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = client.get(reverse("outcomes:talent_list")).content.decode()
    assert "<strong>8</strong>" in body


def test_talent_found_on_a_visit_links_the_visit_log(client, community, cadre):
    from django.utils import timezone

    from visits.models import VisitLog

    household = _households(community, 1)[0]
    log = VisitLog.objects.create(
        household=household, community=community, visited_at=timezone.now() - timedelta(days=1), created_by=cadre
    )
    client.force_login(cadre)
    response = client.post(
        reverse("outcomes:talent_create") + f"?visit={log.pk}",
        {"community": community.pk, "name": "赵杰", "kind": "capable_elsewhere", "visit_log": log.pk},
    )
    assert response.status_code == 302
    assert TalentRecord.objects.get(name="赵杰").visit_log == log


def test_pages_render_for_a_street_leader(client, street, community, cadre):
    leader = official(Role.SUPERVISOR, street=street)
    client.force_login(leader)
    for name in ("callback_list", "survey_list", "cadres", "talent_list", "talent_create", "rates", "external"):
        assert client.get(reverse(f"outcomes:{name}")).status_code == 200, name
    assert client.get(reverse("outcomes:cadre_record", args=[community.pk])).status_code == 200


def test_a_visit_in_the_household_timeline_links_to_the_talent_form(client, community):
    from django.urls import reverse

    from lucun.models import Role
    from tests.factories import official
    from tests.visits.factories import VisitLogFactory

    cadre = official(Role.COMMUNITY_CADRE, community=community)
    log = VisitLogFactory(household__community=community)
    client.force_login(cadre)
    html = client.get(reverse("visits:household_detail", args=[log.household_id])).content.decode()
    assert f"{reverse('outcomes:talent_create')}?visit={log.pk}" in html
    form = client.get(reverse("outcomes:talent_create"), {"visit": log.pk})
    assert form.status_code == 200


def test_a_street_official_opens_a_survey_round_of_a_street_with_several_communities(client, street, community):
    from datetime import date, timedelta

    from django.urls import reverse

    from lucun.models import Role
    from outcomes.services import survey_start
    from tests.factories import CommunityFactory, official
    from tests.visits.factories import HouseholdFactory

    CommunityFactory(street=street)
    HouseholdFactory(community=community)
    supervisor = official(Role.SUPERVISOR, street=street)
    survey = survey_start(
        user=supervisor, street=street, title="季度调查", sample_size=1, closes_on=date.today() + timedelta(days=3)
    )
    client.force_login(supervisor)
    assert client.get(reverse("outcomes:survey_detail", args=[survey.pk])).status_code == 200
    assert client.get(reverse("outcomes:survey_list")).context["page_obj"].paginator.count == 1


def test_the_registration_step_is_named_in_the_readers_language(client, community, cadre):
    """The registration is the step with no stage before it: stored without a note, the page names it in the
    reader's words, whoever wrote it; a note someone wrote is shown as written."""
    from django.utils import translation

    with translation.override("zh-hans"):
        record = talent_create(user=cadre, community=community, name="王强", kind=TalentRecord.Kind.RETURNING_YOUTH)
    talent_advance(user=cadre, record=record, stage=TalentRecord.Stage.CONTACTED, note="已电话联系")
    assert list(record.steps.values_list("note", flat=True)) == ["", "已电话联系"]
    client.force_login(cadre)
    english = client.get(record.get_absolute_url(), headers={"accept-language": "en"}).content.decode()
    assert "· Registered</li>" in english and "登记</li>" not in english and "已电话联系" in english
    chinese = client.get(record.get_absolute_url(), headers={"accept-language": "zh-hans"}).content.decode()
    assert "· 登记</li>" in chinese
