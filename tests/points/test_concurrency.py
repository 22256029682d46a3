"""Many counter clerks redeeming the same points at once: only what is affordable goes through."""

import pytest

from points import services
from points.models import LedgerEntry, Redemption
from points.selectors import ledger_sum
from tests.points.factories import RewardFactory, VolunteerFactory
from tests.race import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WORKERS = 12


def _assert_consistent(volunteer, reward):
    volunteer.account.refresh_from_db()
    reward.refresh_from_db()
    assert volunteer.account.balance >= 0
    assert reward.stock is None or reward.stock >= 0
    assert ledger_sum(account=volunteer.account) == volunteer.account.balance


def test_concurrent_redemptions_succeed_only_as_far_as_the_balance_goes(counter_staff, community, open_window):
    volunteer = VolunteerFactory(community=community, balance=100)
    reward = RewardFactory(community=community, price_points=30, stock=50)

    def attempt(key):
        return lambda: services.redemption_create(
            actor=counter_staff, volunteer=volunteer, items={reward.pk: 1}, idempotency_key=key
        )

    outcomes = race(*(attempt(f"k{i}") for i in range(WORKERS)))
    succeeded = [o for o in outcomes if isinstance(o, Redemption)]
    refused = [o for o in outcomes if isinstance(o, services.InsufficientPoints)]
    assert len(succeeded) == 3
    assert len(refused) == WORKERS - 3
    _assert_consistent(volunteer, reward)
    assert volunteer.account.balance == 10
    assert reward.stock == 47


def test_concurrent_redemptions_succeed_only_as_far_as_the_stock_goes(counter_staff, community, open_window):
    volunteer = VolunteerFactory(community=community, balance=1000)
    reward = RewardFactory(community=community, price_points=10, stock=5)

    def attempt(key):
        return lambda: services.redemption_create(
            actor=counter_staff, volunteer=volunteer, items={reward.pk: 1}, idempotency_key=key
        )

    outcomes = race(*(attempt(f"s{i}") for i in range(WORKERS)))
    assert sum(isinstance(o, Redemption) for o in outcomes) == 5
    assert sum(isinstance(o, services.OutOfStock) for o in outcomes) == WORKERS - 5
    _assert_consistent(volunteer, reward)
    assert (reward.stock, volunteer.account.balance) == (0, 950)


def test_concurrent_redemptions_of_many_volunteers_against_one_stock(counter_staff, community, open_window):
    reward = RewardFactory(community=community, price_points=20, stock=4)
    volunteers = [VolunteerFactory(community=community, balance=50) for _ in range(WORKERS)]

    def attempt(volunteer):
        return lambda: services.redemption_create(
            actor=counter_staff, volunteer=volunteer, items={reward.pk: 2}, idempotency_key="same-key-per-person"
        )

    outcomes = race(*(attempt(v) for v in volunteers))
    assert sum(isinstance(o, Redemption) for o in outcomes) == 2
    reward.refresh_from_db()
    assert reward.stock == 0
    for volunteer in volunteers:
        _assert_consistent(volunteer, reward)


def test_concurrent_retries_with_one_key_redeem_once(counter_staff, community, open_window):
    volunteer = VolunteerFactory(community=community, balance=100)
    reward = RewardFactory(community=community, price_points=10, stock=50)

    def attempt():
        return services.redemption_create(
            actor=counter_staff, volunteer=volunteer, items={reward.pk: 1}, idempotency_key="double-click"
        )

    outcomes = race(*[attempt] * WORKERS)
    assert all(isinstance(o, Redemption) for o in outcomes), outcomes
    assert len({o.pk for o in outcomes}) == 1
    assert LedgerEntry.objects.filter(kind="redeem").count() == 1
    _assert_consistent(volunteer, reward)
    assert (volunteer.account.balance, reward.stock) == (90, 49)


def test_concurrent_approvals_respect_the_monthly_cap(cadre, community, cleanup_type):
    from django.utils import timezone

    volunteer = VolunteerFactory(community=community)
    claims = [
        services.claim_submit(
            actor=cadre, volunteer=volunteer, service_type=cleanup_type, service_date=timezone.localdate(), quantity=4
        )
        for _ in range(6)
    ]  # 6 × 12 points against a cap of 30

    outcomes = race(*(lambda c=c: services.claim_approve(actor=cadre, claim=c) for c in claims))
    volunteer.account.refresh_from_db()
    assert volunteer.account.balance == 30 == ledger_sum(account=volunteer.account)
    assert sum(isinstance(o, services.CapReached) for o in outcomes) == 3
