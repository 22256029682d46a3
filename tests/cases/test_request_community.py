"""A request's own community (cases/models/approvals.py): the case's when it is made, and the case's after every move,
so the counts of requests waiting (the navigation's badge, the inbox, the dashboard) read the requests alone."""

import time
from datetime import timedelta

import pytest
from django.db import connection

from cases import selectors, services
from cases.models import ApprovalKind, Case, ExtensionRequest, ReturnRequest
from cases.models.approvals import COMMUNITY_TRIGGERS, sqlite_request_community_triggers
from lucun.db import _kept
from lucun.models import Role
from tests.factories import CommunityFactory, official
from tests.race import race

from .factories import open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler(community):
    return official(Role.GRID_WORKER, community=community)


@pytest.fixture
def requests(community, cadre, handler):
    """An extension a community cadre decides (three days on the week tier) and a return the street leaders do."""
    asked = open_case(community=community, by=cadre, handler=handler, tier_code="assigned", title="村口道路破损")
    extension = services.case_request_extension(
        case=asked, user=handler, extra_time=timedelta(days=2), reason="等待施工队"
    )
    given_back = open_case(community=community, by=cadre, handler=handler, tier_code="assigned", title="不属本村")
    giving_back = services.case_request_return(case=given_back, user=handler, reason="不属于本村事务")
    return extension, giving_back


def test_a_request_is_made_in_its_cases_community(requests, community):
    assert [r.community_id for r in requests] == [community.pk, community.pk]


def test_requests_follow_their_case_to_another_community(requests, community, cadre, supervisor):
    extension, giving_back = requests
    other = CommunityFactory(street=community.street, name="稻香村")
    their_cadre = official(Role.COMMUNITY_CADRE, community=other)
    assert selectors.requests_waiting(user=cadre, kind=ApprovalKind.EXTENSION).get() == extension

    services.case_move(case=extension.case, user=supervisor, community=other, reason="地址在稻香村")

    extension.refresh_from_db()
    assert extension.community == other
    assert not selectors.requests_waiting(user=cadre, kind=ApprovalKind.EXTENSION).exists()
    assert selectors.requests_waiting(user=their_cadre, kind=ApprovalKind.EXTENSION).get() == extension
    # A move written past the services (a bulk update) moves them too; the other case's request stays.
    Case.objects.filter(pk=giving_back.case_id).update(community=other)
    assert set(ReturnRequest.objects.values_list("community_id", flat=True)) == {other.pk}
    Case.objects.filter(pk=extension.case_id).update(community=community)
    assert ExtensionRequest.objects.get().community == community


def test_the_dashboard_counts_the_requests_of_its_communities(requests, community, supervisor, cadre):
    other = CommunityFactory(street=community.street, name="稻香村")
    assert selectors.dashboard(user=supervisor).approvals == {"waiting": 2, "escalated": 0}
    ExtensionRequest.objects.update(escalated_at=requests[0].created_at)
    by_community = selectors.dashboard(user=supervisor, filters={"community": other}).approvals
    # With a filter the requests do not keep (the category), through the cases: the same figures.
    by_category = selectors.dashboard(user=supervisor, filters={"category": requests[0].case.category}).approvals
    assert by_community == {"waiting": 0, "escalated": 0}
    assert selectors.dashboard(user=supervisor).approvals == {"waiting": 2, "escalated": 1}
    assert by_category == {"waiting": 1 + (requests[1].case.category == requests[0].case.category), "escalated": 1}
    services.case_move(case=requests[1].case, user=supervisor, community=other, reason="地址在稻香村")
    assert selectors.dashboard(user=cadre).approvals == {"waiting": 1, "escalated": 1}


def test_the_database_keeps_the_trigger_the_code_writes():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT proname, prosrc FROM pg_proc WHERE proname LIKE 'cases_request_community_on_%%'")
            installed = {name.removeprefix("cases_request_community_on_"): body for name, body in cursor.fetchall()}
            assert installed == COMMUNITY_TRIGGERS.postgres_functions()
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'cases_request_community_%'"
            )
            expected = {t.name: t.sql.removesuffix(";") for t in sqlite_request_community_triggers()}
            assert dict(cursor.fetchall()) == expected


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite's triggers are re-created after migrate")
def test_a_trigger_that_keeps_a_column_is_re_created_only_where_the_column_is():
    with connection.cursor() as cursor:
        tables = {"cases_extensionrequest"}
        assert _kept(cursor, "cases_extensionrequest.community_id", tables)
        assert _kept(cursor, "cases_extensionrequest", tables)
        assert not _kept(cursor, "cases_extensionrequest.no_such_column", tables)  # migrated back before it
        assert not _kept(cursor, "cases_returnrequest.community_id", tables)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_deciding_a_request_while_its_case_moves_waits_and_never_deadlocks(
    requests, community, street_leader, supervisor, monkeypatch
):
    """A move locks the case, then rewrites its requests' community; deciding locks them in the same order.

    The decision is held up before it takes its locks, and the move starts meanwhile: had the decision locked the
    request first, the two would each wait for the other (PostgreSQL would abort one as a deadlock).
    """
    from cases.services import approvals

    giving_back = requests[1]  # the street leaders decide it, wherever in the street the case goes
    other = CommunityFactory(street=community.street, name="稻香村")
    take_locks = approvals.locked

    def held_up(case):
        time.sleep(0.6)
        return take_locks(case)

    monkeypatch.setattr(approvals, "locked", held_up)

    def decide():
        return services.case_decide_return(request=giving_back, user=street_leader, approve=False, note="请继续办理")

    def move():
        time.sleep(0.2)  # while the decision is held up
        return services.case_move(case=giving_back.case, user=supervisor, community=other, reason="地址在稻香村")

    decided, moved = race(decide, move)
    assert isinstance(decided, ReturnRequest), decided
    assert isinstance(moved, Case), moved
    giving_back.refresh_from_db()
    assert (giving_back.decision, giving_back.community) == (ExtensionRequest.Decision.REFUSED, other)
