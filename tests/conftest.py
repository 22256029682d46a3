import pytest
from django.db import connection

from lucun.models import Role
from tests.factories import ROLE_LEVELS, CommunityFactory, GridFactory, StreetFactory, official


def _skip_postgres_only_on_sqlite(items):
    """Skip PostgreSQL-only tests (row locks, concurrency) on SQLite, saying why."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: SQLite has no row locks or concurrent writers")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


# The longest tests, started first among the tests that commit (pytest-django runs those after the tests in a
# transaction, in each process): scripts/test shares the tests out between processes as they ask for more, so a
# long test taken last would keep one process busy while the others have nothing left. The two crawls are kept
# apart, so that one process does not queue the second behind the first.
LONGEST_FIRST = (
    "tests/e2e/test_crawl.py::test_every_page_of_every_role_is_usable_on_a_desktop_and_a_phone",
    "tests/e2e/test_crawl.py::test_every_page_of_every_role_reads_in_english_for_an_english_browser",
)


def _commits(item) -> bool:
    marker = item.get_closest_marker("django_db")
    transaction = bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
    return transaction or bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Skip PostgreSQL-only tests on SQLite; start the longest committing tests first (after pytest-django's order)."""
    _skip_postgres_only_on_sqlite(items)
    longest = [item for name in LONGEST_FIRST for item in items if item.nodeid == name]
    if not longest:
        return
    rest = [item for item in items if item not in longest]
    first = next((index for index, item in enumerate(rest) if _commits(item)), 0)
    # The longest at the start of the committing tests, the next halfway from there to the end (the tests without a
    # database come last): further apart than the batches of tests a process is handed at a time.
    spread = [first + (len(rest) - first) * n // len(longest) for n in range(len(longest))]
    for offset, (index, item) in enumerate(zip(spread, longest, strict=True)):
        rest.insert(index + offset, item)
    items[:] = rest


@pytest.fixture(autouse=True, scope="session")
def _sqlite_flush_lifts_the_append_only_guards():
    """Let the test runner empty SQLite tables between transactional tests, history tables included.

    Django flushes SQLite with DELETE, which the append-only guards refuse (PostgreSQL flushes with TRUNCATE,
    which row triggers do not see). Only this flush drops the DELETE guards, empties the tables and puts the
    guards back, in one transaction; the product itself has no switch that lets a DELETE through.
    """
    if connection.vendor != "sqlite":
        yield
        return
    from unittest import mock

    from django.db import transaction
    from django.db.backends.sqlite3.base import DatabaseWrapper

    from lucun.db import sqlite_triggers_expected

    flush = DatabaseWrapper.ops_class.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        guards = [t for t in sqlite_triggers_expected() if t.name.endswith("_no_delete")]
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            for guard in guards:
                cursor.execute(f'DROP TRIGGER "{guard.name}"')
            flush(self, sql_list)
            for guard in guards:
                cursor.execute(guard.sql)

    with mock.patch.object(DatabaseWrapper.ops_class, "execute_sql_flush", execute_sql_flush):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Keep the test database's serialized contents where every connection object of this process finds them.

    Django keeps them on the connection object that created the test database, and a test with serialized rollback
    refills the database only if its connection has them. A browser test (Playwright runs its work in a greenlet)
    can leave this thread with a new connection object; without them, the next test with serialized rollback would
    silently start from an emptied database (no tiers, no categories).
    """
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        contents = getattr(conn, "_test_serialized_contents", None)
        if contents is not None:
            type(conn)._test_serialized_contents = contents
    yield


@pytest.fixture(autouse=True)
def _content_types_as_stored(request):
    """Forget the content types this process remembers when a test runs against committed data.

    Such a test starts from a database the runner emptied and refilled (serialized rollback, or a restore by another
    process), where a content type may have another id than the one cached by an earlier test in this process; an
    audit row written with the cached id would break its foreign key.
    """
    marker = request.node.get_closest_marker("django_db")
    committed = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if committed:
        from django.contrib.contenttypes.models import ContentType

        request.getfixturevalue("transactional_db")  # the database as this test will see it, set up first
        ContentType.objects.clear_cache()
    yield


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language, Chinese.

    A request in English through the test client leaves English active in this thread (the locale middleware
    activates a request's language and does not restore the one before), so whatever a later test writes outside a
    request (a report's notice, a job's file) would otherwise be made in English.
    """
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


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
def user_of(street, community, grid):
    """``user_of(role)``: a new official holding ``role`` where it is held (``ROLE_LEVELS``): the street, 芦湖村 or
    its grid."""
    nodes = {"street": {"street": street}, "community": {"community": community}, "grid": {"grid": grid}}
    return lambda role: official(role, **nodes[ROLE_LEVELS[role]])


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
def leaver(community):
    """A community cadre of 芦湖村 whose work a hand-over moves."""
    return official(Role.COMMUNITY_CADRE, community=community)


@pytest.fixture
def successor(community):
    """Another community cadre of 芦湖村, who takes the work over."""
    return official(Role.COMMUNITY_CADRE, community=community)


@pytest.fixture
def other_cadre(other_community):
    return official(Role.COMMUNITY_CADRE, community=other_community)
