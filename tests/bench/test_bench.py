"""The benchmark's own pieces on small data: the bulk-loaded households, the ledger measurement, the feedback
client against the real public form and the bench-only URLs. Times are never asserted here."""

import pytest
from django.db.models import Count, Max
from django.test import Client, override_settings
from django.urls import Resolver404, resolve

from bench import feedback, visits
from bench.data import build_org
from bench.timing import now_for_bench
from visits.models import Household, HouseholdMember, VisitLog, VisitRequest
from visits.selectors import household_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return build_org(communities_per_street=2, streets=1)


def test_bench_households_come_with_members_tags_and_visits(org):
    made = visits.build_households(org=org, count=120, now=now_for_bench())
    assert made["households"] == Household.objects.count() == 120
    assert made["visits"] == VisitLog.objects.count() > 0
    assert HouseholdMember.objects.exists()
    assert Household.objects.filter(tags__isnull=False).exists()
    assert VisitRequest.objects.filter(status="open").exists()
    assert not VisitLog.objects.annotate(n=Count("visitors")).filter(n=0).exists()
    latest = dict(VisitLog.objects.values("household").annotate(at=Max("visited_at")).values_list("household", "at"))
    for household in Household.objects.all():
        assert household.last_visited_at == latest.get(household.pk)


def test_bench_households_are_found_by_name_and_address(org):
    visits.build_households(org=org, count=40, now=now_for_bench())
    one = Household.objects.order_by("pk").first()
    cadre = org["handlers"][one.community_id][-1]
    query = f"{one.head_name} {one.address.replace(' ', '')}"
    assert one in household_search(user=cadre, query=query)


def test_ledger_measurement_finds_the_same_statements_for_one_household_as_for_a_page(org):
    visits.build_households(org=org, count=80, now=now_for_bench())
    [result] = visits.measure(org=org, runs=1, quick=True)
    assert result.met is True
    assert result.statements > 0
    assert "40 households" in result.name


def test_feedback_client_reads_the_public_form_and_sends_it(org):
    from cases.models import Feedback
    from visits.services import feedback_point_create

    community = org["communities"][0]
    point = feedback_point_create(actor=None, community=community, name="村口公告栏", place="notice_board")
    page = Client().get(f"/f/{point.channel.token}/").content.decode()
    fields = feedback._form_fields(page)
    assert fields["community"] == str(community.pk)
    assert fields["submit_key"]
    body, content_type = feedback._multipart({**fields, "text": feedback.TEXT, "reply_phone": "", "website": ""})
    response = Client(REMOTE_ADDR="192.0.2.7").generic(
        "POST", f"/f/{point.channel.token}/", body, content_type=content_type
    )
    assert response.status_code == 200
    assert 'data-testid="lookup-code"' in response.content.decode()
    sent = Feedback.objects.get()
    assert (sent.community, sent.text, sent.channel) == (community, feedback.TEXT, point.channel)


def test_feedback_statements_cover_the_form_and_the_submission(org):
    from visits.services import feedback_point_create

    point = feedback_point_create(actor=None, community=org["communities"][0], name="广场", place="square")
    assert feedback._submission_statements(point.channel.token) > 2


def test_the_bare_view_exists_only_under_the_bench_urls(client):
    with pytest.raises(Resolver404):
        resolve("/bench/bare/")
    with override_settings(ROOT_URLCONF="bench.urls"):
        response = client.get("/bench/bare/")
        assert (response.status_code, response.content) == (200, b"ok")
        assert client.get("/healthz").status_code == 200
