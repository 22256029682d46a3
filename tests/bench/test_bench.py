"""The benchmark's own pieces on small data: the bulk-loaded households, the ledger measurement, the feedback
client against the real public form and the bench-only URLs. Times are never asserted here."""

from datetime import timedelta

import pytest
from django.db.models import Count, Max
from django.test import Client, override_settings
from django.urls import Resolver404, resolve, reverse

from bench import Result, feedback, format_table, sweep, visits
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
    [result, empty] = visits.measure(org=org, runs=1, quick=True)
    assert result.met is True
    assert result.statements > 0
    assert "40 households" in result.name
    # Beside it, the cadre's signed-in page with nothing on it, shown and not judged: fewer statements, no floor.
    assert (empty.name, empty.met, empty.floor) == ("signed-in page with nothing on it, as the cadre", None, None)
    assert 0 < empty.statements < result.statements


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


def test_the_empty_page_exists_only_under_the_bench_urls_and_shows_a_signed_in_persons_shell(client, org):
    supervisor = org["users"]["supervisors"][0]
    with pytest.raises(Resolver404):
        resolve("/bench/empty/")
    with override_settings(ROOT_URLCONF="bench.urls"):
        assert client.get("/bench/empty/").status_code == 302  # to sign in
        client.force_login(supervisor)
        response = client.get("/bench/empty/")
        assert response.status_code == 200
        assert f'href="{reverse("cases:dashboard")}"' in response.content.decode()  # the supervisor's navigation


# ------------------------------------------------------------------------------------------------ floors


@pytest.fixture
def cases_built(org):
    """A thousand cases built around an instant, swept at it (as the benchmark builds them)."""
    from bench.data import case_columns, case_rows, insert_rows, pending_requests
    from cases.models import Case

    now = now_for_bench()
    insert_rows(Case, case_columns(), case_rows(org=org, count=1000, now=now, changing_share=0.05))
    pending_requests(now=now)
    return now


def test_instant_for_a_number_of_changes_makes_the_sweep_change_exactly_that_many(cases_built):
    from cases import services

    at = sweep.instant_for(40, after=cases_built)
    assert at > cases_built
    assert sweep.plan_sweep(at, notices=False).changed == 40
    result = services.case_colours_sweep(now=at)
    assert result.yellow + result.red + result.noticed == 40


def test_sweep_floor_writes_the_rows_events_and_notices_the_sweep_writes(cases_built):
    from cases.models import Case, CaseEvent
    from lucun.models import Notification

    at = cases_built + timedelta(days=2)  # yellow and red changes both
    plan = sweep.plan_sweep(at, notices=True)
    kinds = {kind for kind, rows in plan.moves.items() if rows}
    assert {CaseEvent.Kind.TURNED_RED, CaseEvent.Kind.TURNED_YELLOW} <= kinds
    assert sweep.differences(plan, notices=True) == []
    written = sweep.floor_run(plan)
    assert written == 2 * plan.changed + len(plan.notices)
    assert set(CaseEvent.objects.filter(at=at).values_list("case_id", "kind")) == plan.events()
    red = {pk for pk, _ in plan.moves[CaseEvent.Kind.TURNED_RED]}
    assert set(Case.objects.filter(colour="red", colour_changed_at=at).values_list("pk", flat=True)) == red
    assert Notification.objects.count() == len(plan.notices) > 0


def test_a_floor_that_misses_rows_is_reported(cases_built):
    from cases.models import CaseEvent

    plan = sweep.plan_sweep(cases_built + timedelta(days=2), notices=True)
    plan.moves[CaseEvent.Kind.TURNED_YELLOW] = plan.moves[CaseEvent.Kind.TURNED_YELLOW][1:]
    assert any("events" in problem for problem in sweep.differences(plan, notices=True))


def test_dashboard_floor_reads_the_figures_the_dashboard_shows(org, cases_built):
    from bench import cases as pages
    from cases import services

    services.case_colours_sweep(now=cases_built + timedelta(hours=1))
    now = cases_built + timedelta(hours=2)  # some cases crossed a threshold since the sweep
    supervisor = org["users"]["supervisors"][0]
    page = pages.dashboard_page_figures(user=supervisor, now=now)
    floor = pages.dashboard_floor_figures(pages.dashboard_floor(street_id=org["streets"][0].pk, now=now))
    assert pages.figures_differ(floor, page) == []
    assert page["red"] and page["yellow"] and sum(page["totals"].values()) > 500
    # The data has hotline cases, received, open and resolved, and requests waiting, some gone on.
    assert all(page["hotline"][:3]) and all(page["approvals"])


def test_list_floors_read_the_pages_rows(org, cases_built):
    from bench import cases as pages
    from cases.selectors import case_list, my_work

    handler = org["handlers"][org["communities"][0].pk][0]
    expected = list(my_work(user=handler).values_list("pk", flat=True)[:25])
    assert len(expected) == 25
    assert pages.my_work_floor(user_id=handler.pk) == expected
    supervisor = org["users"]["supervisors"][0]
    first_page = list(case_list(user=supervisor).values_list("pk", flat=True)[:51])
    assert pages.case_list_floor(street_id=org["streets"][0].pk) == first_page


def test_ledger_floor_reads_the_ledgers_first_page(org):
    from visits.selectors import LedgerFilters, ledger

    visits.build_households(org=org, count=120, now=now_for_bench())
    community = org["communities"][0]
    cadre = org["handlers"][community.pk][-1]
    page = [h.pk for h in ledger(user=cadre, community=community, filters=LedgerFilters())[:30]]
    assert visits.ledger_floor(community_id=community.pk) == page


def test_changed_rows_scale_with_the_table():
    assert sweep.change_counts(1_000_000) == [1_000, 10_000, 100_000]
    assert sweep.change_counts(3_000) == [3, 30, 300]


# ------------------------------------------------------------------------------------------------ output


def test_table_shows_each_lines_floor_and_ratio():
    table = format_table([Result("sweep", "≤ 2 × floor", [10.0, 30.0, 20.0], 6, met=True, floor_ms=[8.0, 12.0, 10.0])])
    header, _, row = table.splitlines()
    assert [c.strip() for c in header.strip("|").split("|")][3:5] == ["floor ms", "× floor"]
    assert [c.strip() for c in row.strip("|").split("|")] == [
        "sweep",
        "20.0",
        "30.0",
        "10.0",
        "2.00",
        "6",
        "≤ 2 × floor",
        "yes",
    ]


def test_chart_is_svg_with_a_labelled_point_per_measurement():
    from xml.etree import ElementTree

    from bench.chart import sweep_chart
    from bench.sweep import Point

    by_changes = [Point(800_000, 1_000, 120.0, 60.0), Point(800_000, 10_000, 900.0, 500.0)]
    by_size = [Point(80_000, 1_000, 100.0, 55.0), Point(800_000, 1_000, 120.0, 60.0)]
    text = sweep_chart(by_changes=by_changes, by_size=by_size, subtitle="test run")
    root = ElementTree.fromstring(text)  # noqa: S314 - the chart just written here
    ns = {"svg": "http://www.w3.org/2000/svg"}
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    panels = root.findall("svg:g[@class='panel']", ns)
    assert [p.get("data-title") for p in panels] == ["against changed rows", "against table size, about 1,000 changed"]
    points = [
        [(c.get("data-series"), c.get("data-x"), c.get("data-ms")) for c in p.findall("svg:circle", ns)] for p in panels
    ]
    assert points[0] == [
        ("sweep", "1000", "120.0"),
        ("sweep", "10000", "900.0"),
        ("floor", "1000", "60.0"),
        ("floor", "10000", "500.0"),
    ]
    assert points[1] == [
        ("sweep", "80000", "100.0"),
        ("sweep", "800000", "120.0"),
        ("floor", "80000", "55.0"),
        ("floor", "800000", "60.0"),
    ]
    labels = "".join(root.itertext())
    assert "900.0 ms" in labels and "cases changed (log)" in labels and "floor: bare UPDATE" in labels
    # Higher times sit higher in the panel (smaller y): the scale is not upside down.
    first = {c.get("data-ms"): float(c.get("cy")) for c in panels[0].findall("svg:circle", ns)}
    assert first["900.0"] < first["120.0"] < first["60.0"]


def test_with_debug_on_the_benchmark_starts_again_with_it_off(monkeypatch):
    from django.core.management import CommandError, call_command

    started = []
    monkeypatch.setattr("os.execve", lambda path, argv, env: started.append((path, argv, env)) or 1 / 0)
    monkeypatch.delenv("LUCUN_BENCH_RESTARTED", raising=False)
    with override_settings(DEBUG=True), pytest.raises(ZeroDivisionError):
        call_command("bench", "--quick", "--only", "cards")
    ((path, argv, env),) = started
    assert env["DEBUG"] == "0" and env["LUCUN_BENCH_RESTARTED"] == "1" and argv[0] == path
    # Settings that keep DEBUG on whatever the environment says are refused rather than timed.
    monkeypatch.setenv("LUCUN_BENCH_RESTARTED", "1")
    with override_settings(DEBUG=True), pytest.raises(CommandError, match="DEBUG"):
        call_command("bench", "--quick", "--only", "cards")
