"""The crawl's checks of a page's English, on texts as a page shows them (no browser needed)."""

import pytest

from tests.e2e.crawl import english_slips


@pytest.fixture
def seeded_configuration():
    """No database here: the journeys' autouse fixture of this name (tests/e2e/conftest.py) would make this a
    committing test, whose emptying of the database at its end the tests with serialized rollback cannot follow."""


def test_english_put_together_with_chinese_punctuation_is_caught():
    slips = [
        "Your rating:Problem solved,Not satisfied。Thank you!",
        "Community cadre(村党组织书记) · 芦湖村",
        "Visited 10 households;Collected 2 problems。",
        "Red building heads 3 people、Community committees 3 people",
        "Dispute mediation(10 points per times,Monthly cap 50 points)",
    ]
    english = [
        "Your rating: problem solved, satisfied. Thank you!",
        "Community cadre (村党组织书记) · 芦湖村",
        "Visited 10 households; Collected 2 problems.",
        "Visit(s) this round: 3",
        "https://lucun.example.org/f/abc 10:30",
        "芦湖村,第一网格。",  # Chinese between Chinese: user content reads as written
    ]
    assert english_slips(slips + english) == sorted(slips)
