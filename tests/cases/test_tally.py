from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from cases import services
from cases.models import OPEN_STATES, Case, CaseState, CaseTally
from cases.models.tally import postgres_tally_functions, sqlite_tally_triggers
from tests.cases.factories import case_copies, open_case, tier

pytestmark = pytest.mark.django_db

T0 = timezone.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(480))


def tallied():
    return {
        (t.community_id, t.tier_id, t.category_id, t.first_responder_id, t.colour): t.open_count
        for t in CaseTally.objects.all()
        if t.open_count
    }


def counted():
    return dict(
        Counter(
            Case.objects.filter(state__in=OPEN_STATES).values_list(
                "community_id", "tier_id", "category_id", "first_responder_id", "colour"
            )
        )
    )


def test_the_tally_follows_every_kind_of_change(community, other_community, cadre, supervisor):
    with time_machine.travel(T0, tick=False):
        a = open_case(community=community, by=cadre, tier_code="immediate")
        b = open_case(community=community, by=cadre, tier_code="assigned")
        c = open_case(community=other_community, by=supervisor, tier_code="escalated")
    assert tallied() == counted()
    with time_machine.travel(T0 + timedelta(hours=30), tick=False):
        services.case_colours_sweep()  # a set-based UPDATE of many rows
        assert tallied() == counted()
        services.case_escalate(case=b, user=cadre, tier=tier("escalated"), reason="超出权限")
        services.case_resolve(case=a, user=cadre, resolution="已解决")
        services.case_cancel(case=c, user=supervisor, reason="重复登记")
        assert tallied() == counted()
        services.case_reopen(case=a, user=cadre, reason="群众反映未解决")
    assert tallied() == counted()


def test_bulk_inserted_cases_are_counted(community, cadre):
    case_copies(open_case(community=community, by=cadre), 5)
    assert sum(tallied().values()) == 6 == sum(counted().values())


def test_a_case_is_counted_in_exactly_the_states_the_code_calls_open(community, cadre):
    case = open_case(community=community, by=cadre)
    for state in CaseState.values:
        Case.objects.filter(pk=case.pk).update(
            state=state,
            resolved_at=timezone.now() if state in (CaseState.RESOLVED, CaseState.CLOSED) else None,
            paused_at=timezone.now() if state == CaseState.PAUSED else None,
            cancel_reason="重复登记" if state == CaseState.CANCELLED else "",
        )
        assert sum(tallied().values()) == (1 if state in OPEN_STATES else 0), state


def test_the_database_keeps_the_triggers_the_code_writes():
    """When the open states change, a migration must install the triggers again (tally_triggers_install)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT proname, prosrc FROM pg_proc WHERE proname LIKE 'cases_tally_on_%%'")
            installed = {name.removeprefix("cases_tally_on_"): body for name, body in cursor.fetchall()}
            assert installed == postgres_tally_functions()
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'cases_tally_%'")
            # SQLite keeps the statement without its final semicolon.
            assert dict(cursor.fetchall()) == {t.name: t.sql.removesuffix(";") for t in sqlite_tally_triggers()}
