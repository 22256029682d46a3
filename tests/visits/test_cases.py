"""Turning a visit request into a case (转为诉求) through the cases app's service."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Case
from tests.factories import UserFactory
from tests.visits.factories import HouseholdFactory, VisitRequestFactory, VisitTeamFactory, VisitTeamMemberFactory
from visits import services
from visits.models import VisitLog, VisitRequest

pytestmark = pytest.mark.django_db


def _visit(household, actor, *requests):
    return services.visitlog_create(
        actor=actor,
        household=household,
        visited_at=timezone.now(),
        visitors=[actor, UserFactory()],
        idempotency_key=uuid.uuid4(),
        requests=list(requests),
    )


def test_a_request_marked_for_conversion_opens_a_case_sourced_from_the_visit(community, cadre):
    household = HouseholdFactory(community=community, head_name="张建国")
    log, _ = _visit(
        household,
        cadre,
        services.RequestInput("村口路灯坏了,晚上看不见", convert=True),
        services.RequestInput("咨询医保", answered=True),
    )
    converted, answered = log.requests.order_by("pk")
    assert converted.status == VisitRequest.Status.CONVERTED and answered.status == VisitRequest.Status.ANSWERED
    case = converted.case
    assert case.source == Case.Source.VISIT and case.source_object == log
    assert case.community == community and case.first_responder == cadre
    assert "张建国" in case.description and case.title == "村口路灯坏了,晚上看不见"


def test_converting_twice_returns_the_same_case(community, cadre):
    request = VisitRequestFactory(log__household=HouseholdFactory(community=community))
    first = services.visitrequest_convert(request=request, actor=cadre)
    again = services.visitrequest_convert(request=VisitRequest.objects.get(pk=request.pk), actor=cadre)
    assert first.pk == again.pk and Case.objects.count() == 1


def test_a_refused_conversion_leaves_no_half_written_visit(community):
    outsider = UserFactory()  # no position: the cases app refuses to open a case for them
    with pytest.raises(ValidationError):
        _visit(HouseholdFactory(community=community), outsider, services.RequestInput("修路", convert=True))
    assert not VisitLog.objects.exists() and not Case.objects.exists()


def test_visit_form_converts_a_request_and_the_timeline_shows_the_case(client, cadre, community):
    household = HouseholdFactory(community=community)
    client.force_login(cadre)
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "visitors": [cadre.pk, UserFactory().pk],
        "method": "home",
        "met": "head",
        "req-TOTAL_FORMS": "2",
        "req-INITIAL_FORMS": "0",
        "req-MIN_NUM_FORMS": "0",
        "req-MAX_NUM_FORMS": "10",
        "req-0-text": "下水道堵塞",
        "req-0-convert": "on",
        "req-1-text": "希望多组织文化活动",
    }
    team = VisitTeamFactory(street=community.street)
    VisitTeamMemberFactory(team=team, user=cadre)
    VisitTeamMemberFactory(team=team, user_id=data["visitors"][1])
    response = client.post(reverse("visits:visit_create", args=[household.pk]), data, follow=True)
    case = Case.objects.get()
    html = response.content.decode()
    assert case.number in html and "已登记" in html and "已转诉求" in html


def test_household_page_converts_an_open_request(client, cadre, community):
    request = VisitRequestFactory(log__household=HouseholdFactory(community=community), text="垃圾清运不及时")
    client.force_login(cadre)
    page = client.get(request.household.get_absolute_url()).content.decode()
    assert reverse("visits:request_convert", args=[request.pk]) in page
    page = client.post(reverse("visits:request_convert", args=[request.pk]), follow=True).content.decode()
    request.refresh_from_db()
    assert request.case is not None and request.case.title == "垃圾清运不及时"
    # The message names the new case as a link the official can follow from the household page.
    assert f'<a href="{request.case.get_absolute_url()}">{request.case.number}</a>' in page


def test_another_community_cannot_convert_a_request(client, other_cadre, community):
    request = VisitRequestFactory(log__household=HouseholdFactory(community=community))
    client.force_login(other_cadre)
    assert client.post(reverse("visits:request_convert", args=[request.pk])).status_code == 404
    api = APIClient()
    api.force_authenticate(other_cadre)
    assert api.post(f"/api/v1/visit-requests/{request.pk}/convert/").status_code == 404
    assert not Case.objects.exists()


def test_api_creates_a_visit_with_a_converted_request(community, cadre):
    household = HouseholdFactory(community=community)
    api = APIClient()
    api.force_authenticate(cadre)
    payload = {
        "idempotency_key": str(uuid.uuid4()),
        "household": household.pk,
        "visited_at": timezone.now().isoformat(),
        "visitors": [cadre.pk, UserFactory().pk],
        "requests": [{"text": "道路破损", "convert": True}, {"text": "咨询补贴"}],
    }
    body = api.post("/api/v1/visit-logs/", payload, format="json").json()
    converted = body["requests"][0]
    assert converted["status"] == "converted" and converted["case_number"] == Case.objects.get().number
    assert body["requests"][1]["case"] is None


def test_api_converts_a_request_later(community, cadre):
    request = VisitRequestFactory(log__household=HouseholdFactory(community=community))
    api = APIClient()
    api.force_authenticate(cadre)
    body = api.post(f"/api/v1/visit-requests/{request.pk}/convert/").json()
    assert body["status"] == "converted" and body["case"] == Case.objects.get().pk


def test_the_case_page_names_the_visit_it_came_from_in_the_readers_language(client, cadre, community):
    from django.utils import translation

    request = VisitRequestFactory(log__household=HouseholdFactory(community=community), text="垃圾清运不及时")
    case = services.visitrequest_convert(request=request, actor=cadre)
    client.force_login(cadre)
    for language, colon in (("zh-hans", ":"), ("en", ": ")):
        with translation.override(language):
            source = f"{case.get_source_display()}{colon}{request.log}"
        html = client.get(case.get_absolute_url(), headers={"accept-language": language}).content.decode()
        assert f"<dd>{source}</dd>" in html, language
