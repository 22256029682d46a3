"""A refused request is logged as one line; a server error keeps its traceback."""

import logging

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def request_records(caplog):
    return [r for r in caplog.records if r.name == "django.request"]


def test_a_403_is_logged_as_one_line_without_a_traceback(client, cadre, caplog):
    client.force_login(cadre)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(reverse("visits:coverage"))  # a street page: a community cadre is refused
    assert response.status_code == 403
    [record] = request_records(caplog)
    assert record.getMessage() == "Forbidden (Permission denied): /visits/coverage/"
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


def test_a_server_error_keeps_its_traceback():
    from lucun.logfilters import RefusalsOnOneLine

    try:
        raise RuntimeError("broken")
    except RuntimeError:
        import sys

        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    record.status_code = 500
    assert RefusalsOnOneLine().filter(record) and record.exc_info is not None
