from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case, Feedback
from lucun.models import Community
from outcomes.periods import Period
from outcomes.rates import DEFINITIONS, rates
from tests.cases.factories import open_case

from .factories import callback_for, resolved_case, set_times

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 5, 20, 12, 0, tzinfo=SH)


@time_machine.travel(NOW, tick=False)
def test_response_rate_counts_contact_within_the_tier_limit(community, cadre):
    # The 承办 tier allows 24 hours for the first contact.
    opened = NOW - timedelta(days=3)
    on_time, late, never, fresh = (open_case(community=community, by=cadre) for _ in range(4))
    set_times(on_time, opened_at=opened, first_contact_at=opened + timedelta(hours=2))
    set_times(late, opened_at=opened, first_contact_at=opened + timedelta(hours=30))
    set_times(never, opened_at=opened)  # limit passed, never contacted: judged, not on time
    set_times(fresh, opened_at=NOW - timedelta(hours=1))  # still within its limit: not judged yet

    result = rates(communities=Community.objects.all(), period=Period.month(2026, 5))

    assert (result.total.judged, result.total.on_time) == (3, 1)
    assert result.total.response_rate == 33.3


@time_machine.travel(NOW, tick=False)
def test_resolution_and_satisfaction_count_staff_callbacks_and_anonymous_answers(community, cadre):
    cases = [resolved_case(community=community, by=cadre) for _ in range(5)]
    callback_for(cases[0], solved=True, satisfaction="satisfied")
    callback_for(cases[1], solved=True, satisfaction="dissatisfied")
    callback_for(cases[2], solved=True, satisfaction="dissatisfied")
    callback_for(cases[3], contacted=False, answered_at=None, method="phone")  # not reached: not counted
    Feedback.objects.create(
        street=community.street,
        community=community,
        text="路灯坏了",
        received_at=NOW,
        case=cases[4],
        state=Feedback.State.CASE_CREATED,
        triaged_at=NOW,
        solved=False,
        satisfaction="basically",
        answered_at=NOW,
    )

    total = rates(communities=Community.objects.all(), period=Period.month(2026, 5)).total

    # 4 answers: solved 3 → 75.0 %; 满意 1 + 基本满意 1 → 50.0 %.
    assert (total.answered, total.solved, total.satisfied, total.basically) == (4, 3, 1, 1)
    assert total.resolution_rate == 75.0
    assert total.satisfaction_rate == 50.0


@time_machine.travel(NOW, tick=False)
def test_rates_group_by_handler_and_month(community, cadre, other_cadre, street):
    from tests.factories import official

    second = official("community_cadre", community=community)
    a = resolved_case(community=community, by=cadre)
    b = resolved_case(community=community, by=second)
    callback_for(a, solved=True, satisfaction="satisfied", answered_at=datetime(2026, 4, 3, 10, tzinfo=SH))
    callback_for(b, solved=False, satisfaction="dissatisfied", answered_at=datetime(2026, 5, 3, 10, tzinfo=SH))

    result = rates(
        communities=Community.objects.all(), period=Period.quarter(2026, 2), dimension="handler", bucket="month"
    )

    by_name = {g["name"]: g for g in result.groups}
    assert by_name[cadre.real_name]["total"].satisfaction_rate == 100.0
    assert by_name[second.real_name]["total"].satisfaction_rate == 0.0
    april, may, june = result.buckets
    assert result.by_bucket[april].answered == 1 and result.by_bucket[may].answered == 1
    assert result.by_bucket[june].answered == 0
    assert "满意 + 基本满意" in str(DEFINITIONS["satisfaction"])


@time_machine.travel(NOW, tick=False)
def test_period_excludes_answers_outside_it(community, cadre):
    a = resolved_case(community=community, by=cadre)
    callback_for(a, solved=True, satisfaction="satisfied", answered_at=datetime(2026, 3, 31, 23, tzinfo=SH))

    assert rates(communities=Community.objects.all(), period=Period.quarter(2026, 2)).total.answered == 0
    assert rates(communities=Community.objects.all(), period=Period.quarter(2026, 1)).total.answered == 1


@time_machine.travel(NOW, tick=False)
def test_rates_take_a_fixed_number_of_queries(community, other_community, cadre, other_cadre):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            rates(communities=Community.objects.all(), period=Period.year(2026), dimension="community", bucket="month")
        return len(ctx.captured_queries)

    callback_for(resolved_case(community=community, by=cadre), solved=True, satisfaction="satisfied")
    few = count()
    for _ in range(5):
        callback_for(resolved_case(community=other_community, by=other_cadre), solved=True, satisfaction="basically")
    assert count() == few <= 4
    assert Case.objects.count() == 6
