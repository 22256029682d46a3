"""Residents' ballots for 擂台比武: issued by staff, used once by a resident, voided in bulk with a reason."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from deliberation import figures, selectors, services
from deliberation.models import BallotScore, ContestBallot, ContestCriterion, Meeting
from lucun.errors import DomainError, NotAllowed
from lucun.models import AuditEvent
from tests.deliberation.factories import contest
from tests.race import race

pytestmark = pytest.mark.django_db


@pytest.fixture
def criteria():
    ContestCriterion.objects.all().delete()
    return [
        ContestCriterion.objects.create(name="为民办事", max_score=30, sort_order=1),
        ContestCriterion.objects.create(name="议事规范", max_score=20, sort_order=2),
    ]


@pytest.fixture
def round_(street, street_leader):
    return contest(street=street, by=street_leader)


def _full(community, criteria, values):
    return {(community, c): v for c, v in zip(criteria, values, strict=True)}


def test_issued_ballots_have_distinct_unguessable_tokens_and_are_audited(round_, street_leader):
    ballots = services.contest_ballots_issue(meeting=round_, user=street_leader, count=5)
    tokens = {b.token for b in ballots}
    assert len(tokens) == 5 and all(len(t) >= 20 for t in tokens)
    assert selectors.contest_ballot_counts(meeting=round_) == {"issued": 5, "used": 0, "voided": 0, "unused": 5}
    event = AuditEvent.objects.get(action="deliberation.contest_ballots_issue")
    assert event.changes["after"]["count"] == 5


def test_only_the_contests_organisers_issue_ballots(round_, cadre):
    with pytest.raises(NotAllowed):
        services.contest_ballots_issue(meeting=round_, user=cadre, count=5)
    with pytest.raises(DomainError, match="1到2000"):
        services.contest_ballots_issue(meeting=round_, user=round_.organiser, count=0)


def test_a_ballot_counts_once_and_a_second_submission_is_refused(round_, street_leader, community, criteria):
    [ballot] = services.contest_ballots_issue(meeting=round_, user=street_leader, count=1)
    services.contest_ballot_submit(token=ballot.token, scores=_full(community, criteria, [24, 16]))
    ballot.refresh_from_db()
    assert ballot.used_at is not None
    assert sorted(BallotScore.objects.filter(ballot=ballot).values_list("score", flat=True)) == [16, 24]
    with pytest.raises(DomainError, match="只能提交一次"):
        services.contest_ballot_submit(token=ballot.token, scores=_full(community, criteria, [10, 10]))
    assert BallotScore.objects.filter(ballot=ballot).count() == 2


def test_a_ballot_scores_every_criterion_of_a_community_within_its_maximum(round_, street_leader, community, criteria):
    [ballot] = services.contest_ballots_issue(meeting=round_, user=street_leader, count=1)
    with pytest.raises(DomainError, match="须在0到30之间"):
        services.contest_ballot_submit(token=ballot.token, scores=_full(community, criteria, [31, 10]))
    with pytest.raises(DomainError, match="还差:议事规范"):
        services.contest_ballot_submit(token=ballot.token, scores={(community, criteria[0]): 20})
    with pytest.raises(DomainError, match="至少"):
        services.contest_ballot_submit(token=ballot.token, scores={})
    ballot.refresh_from_db()
    assert ballot.used_at is None and not BallotScore.objects.exists()


def test_a_community_of_another_street_cannot_be_scored(round_, street_leader, criteria):
    from tests.factories import CommunityFactory, StreetFactory

    stranger = CommunityFactory(street=StreetFactory(name="唐坊镇", code="TF"), name="外村")
    [ballot] = services.contest_ballots_issue(meeting=round_, user=street_leader, count=1)
    with pytest.raises(DomainError, match="不在本期"):
        services.contest_ballot_submit(token=ballot.token, scores=_full(stranger, criteria, [1, 1]))


def test_unknown_tokens_and_contests_not_begun_refuse_the_ballot(street, street_leader, community, criteria):
    later = contest(street=street, by=street_leader, starts_at=timezone.now() + timedelta(days=2))
    [ballot] = services.contest_ballots_issue(meeting=later, user=street_leader, count=1)
    with pytest.raises(DomainError, match="尚未开始"):
        services.contest_ballot_submit(token=ballot.token, scores=_full(community, criteria, [1, 1]))
    with pytest.raises(DomainError, match="找不到"):
        services.contest_ballot_submit(token="not-a-ballot", scores=_full(community, criteria, [1, 1]))


def test_voiding_takes_the_unused_ballots_only_with_a_reason(round_, street_leader, community, criteria):
    ballots = services.contest_ballots_issue(meeting=round_, user=street_leader, count=4)
    services.contest_ballot_submit(token=ballots[0].token, scores=_full(community, criteria, [20, 10]))
    with pytest.raises(DomainError, match="作废原因"):
        services.contest_ballots_void(meeting=round_, user=street_leader, reason=" ")
    assert services.contest_ballots_void(meeting=round_, user=street_leader, reason="现场遗失一沓") == 3
    assert selectors.contest_ballot_counts(meeting=round_) == {"issued": 4, "used": 1, "voided": 3, "unused": 0}
    with pytest.raises(DomainError, match="已作废"):
        services.contest_ballot_submit(token=ballots[1].token, scores=_full(community, criteria, [20, 10]))
    with pytest.raises(DomainError, match="没有可以作废"):
        services.contest_ballots_void(meeting=round_, user=street_leader, reason="再来一次")
    event = AuditEvent.objects.get(action="deliberation.contest_ballots_void")
    assert event.changes["after"]["count"] == 3 and event.changes["after"]["reason"] == "现场遗失一沓"


def test_voiding_chosen_ballots_leaves_the_others(round_, street_leader):
    ballots = services.contest_ballots_issue(meeting=round_, user=street_leader, count=3)
    services.contest_ballots_void(
        meeting=round_, user=street_leader, reason="印坏了", ballot_ids=[ballots[0].pk, ballots[2].pk]
    )
    assert [b.state for b in selectors.contest_ballots(meeting=round_)] == ["voided", "unused", "voided"]


def test_the_database_refuses_a_ballot_both_used_and_voided(round_, street_leader):
    [ballot] = services.contest_ballots_issue(meeting=round_, user=street_leader, count=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContestBallot.objects.filter(pk=ballot.pk).update(
            used_at=timezone.now(), voided_at=timezone.now(), voided_by=street_leader, void_reason="x"
        )


def test_the_database_refuses_a_weight_over_a_hundred(round_):
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.filter(pk=round_.pk).update(resident_weight=101)


def test_weight_is_set_by_the_organisers_and_audited(round_, street_leader, cadre):
    with pytest.raises(DomainError, match="0到100"):
        services.contest_weight_set(meeting=round_, user=street_leader, resident_weight=120)
    with pytest.raises(NotAllowed):
        services.contest_weight_set(meeting=round_, user=cadre, resident_weight=30)
    services.contest_weight_set(meeting=round_, user=street_leader, resident_weight=30)
    round_.refresh_from_db()
    assert round_.resident_weight == 30
    assert AuditEvent.objects.get(action="deliberation.contest_weight_set").changes["after"] == {"resident_weight": 30}


def test_ranking_weighs_judges_and_residents_out_of_a_hundred(
    round_, street_leader, community, other_community, criteria
):
    # Judges: 芦湖村 33/50, 稻香村 39/50. Residents: 芦湖村 (50 + 40) / 2 = 45/50, 稻香村 25/50 from one ballot.
    for place, (a, b) in {community: (21, 12), other_community: (25, 14)}.items():
        services.contest_score_record(
            meeting=round_, user=street_leader, community=place, judge=1, scores={criteria[0]: a, criteria[1]: b}
        )
    ballots = services.contest_ballots_issue(meeting=round_, user=street_leader, count=3)
    services.contest_ballot_submit(token=ballots[0].token, scores=_full(community, criteria, [30, 20]))
    services.contest_ballot_submit(
        token=ballots[1].token,
        scores={**_full(community, criteria, [24, 16]), **_full(other_community, criteria, [15, 10])},
    )
    services.contest_weight_set(meeting=round_, user=street_leader, resident_weight=40)
    [ranking] = figures.contest_rankings(user=street_leader)
    assert ranking["ballots"] == 2 and ranking["full_marks"] == 50 and ranking["resident_weight"] == 40
    # 芦湖村: 0.6 × 66 + 0.4 × 90 = 75.6; 稻香村: 0.6 × 78 + 0.4 × 50 = 66.8.
    assert [(e["community"], e["combined"], e["ballots"], e["rank"]) for e in ranking["entries"]] == [
        (community.name, 75.6, 2, 1),
        (other_community.name, 66.8, 1, 2),
    ]
    services.contest_weight_set(meeting=round_, user=street_leader, resident_weight=0)
    [ranking] = figures.contest_rankings(user=street_leader)
    assert [(e["community"], e["combined"]) for e in ranking["entries"]] == [
        (other_community.name, 78.0),
        (community.name, 66.0),
    ]


def test_a_community_only_residents_scored_is_ranked_on_their_scores(round_, street_leader, community, criteria):
    [ballot] = services.contest_ballots_issue(meeting=round_, user=street_leader, count=1)
    services.contest_ballot_submit(token=ballot.token, scores=_full(community, criteria, [15, 10]))
    [ranking] = figures.contest_rankings(user=street_leader)
    [entry] = ranking["entries"]
    assert (entry["judges_total"], entry["residents_total"], entry["combined"]) == (None, 25.0, 50.0)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite locks the whole database, not the ballot row")
def test_a_ballot_submitted_twice_at_once_counts_once(street, street_leader, community):
    from tests.seeding import configuration_seed

    configuration_seed()
    criteria = list(ContestCriterion.objects.active())
    [ballot] = services.contest_ballots_issue(
        meeting=contest(street=street, by=street_leader), user=street_leader, count=1
    )
    scores = {(community, c): c.max_score for c in criteria}
    results = race(*[lambda: services.contest_ballot_submit(token=ballot.token, scores=scores)] * 2)
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1 and "只能提交一次" in str(refused[0])
    assert BallotScore.objects.filter(ballot=ballot).count() == len(criteria)
