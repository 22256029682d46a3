import pytest
from django.db import connection

from lucun.models import Role
from tests.factories import CommunityFactory, GridFactory, StreetFactory, official


def pytest_collection_modifyitems(config, items):
    """Skip PostgreSQL-only tests (row locks, concurrency) on SQLite, saying why."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: SQLite has no row locks or concurrent writers")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (rate limits, cached dashboards)."""
    import contextlib

    from django.core.cache import cache

    with contextlib.suppress(Exception):  # a test may replace the cache with one that fails
        cache.clear()
    yield


@pytest.fixture
def street():
    return StreetFactory(name="芦湖街道", code="LH")


@pytest.fixture
def community(street):
    return CommunityFactory(street=street, name="芦湖村")


@pytest.fixture
def other_community(street):
    return CommunityFactory(street=street, name="稻香村")


@pytest.fixture
def grid(community):
    return GridFactory(community=community, name="第一网格")


@pytest.fixture
def street_leader(street):
    return official(Role.STREET_LEADER, street=street)


@pytest.fixture
def supervisor(street):
    return official(Role.SUPERVISOR, street=street)


@pytest.fixture
def cadre(community):
    return official(Role.COMMUNITY_CADRE, community=community)


@pytest.fixture
def other_cadre(other_community):
    return official(Role.COMMUNITY_CADRE, community=other_community)
