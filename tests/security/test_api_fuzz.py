"""Schemathesis against the OpenAPI schema the project serves, run in-process through the WSGI application.

Every operation gets a bounded number of generated requests, signed with the token of a street leader (who sees
the whole street of the security world, so reads and writes reach real objects). Two checks: no response is a
server error, and every documented response matches its schema. Hypothesis is derandomized, so CI sees the same
examples on every run.
"""

import os

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from lucun.wsgi import application

# Enough to reach each operation's error paths within CI's time; LUCUN_FUZZ_EXAMPLES=200 for a deeper local run.
EXAMPLES_PER_OPERATION = int(os.environ.get("LUCUN_FUZZ_EXAMPLES", "10"))

# The schema is served by Django itself (drf-spectacular at /api/schema/), read once at collection.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Call the WSGI application as Django's test client does: without closing the connection after each request.

    The raw handler's request_started/finished signals close a connection that is inside a transaction, which on
    PostgreSQL would end the test's own transaction (SQLite's in-memory database ignores the close).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(world) -> str:
    return Token.objects.create(user=world.users["street_leader"]).key


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_without_server_errors_and_as_documented(case, token):
    cache.clear()  # the public endpoints' rate limit would otherwise answer most examples with 429
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"},
        checks=[not_a_server_error, response_schema_conformance, status_code_conformance],
    )
