"""Processes the benchmark starts against its own database: gunicorn and the print job."""

import os

from django.conf import settings
from django.db import connection


def child_env(**extra: str) -> dict[str, str]:
    """Return the environment for a child process that uses the benchmark database (``bench.settings``)."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        LUCUN_BENCH_BASE_SETTINGS=settings.SETTINGS_MODULE,
        LUCUN_BENCH_DB_NAME=str(connection.settings_dict["NAME"]),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def shareable() -> bool:
    """Tell whether another process can open the benchmark database (not an in-memory SQLite one)."""
    name = str(connection.settings_dict["NAME"])
    return connection.vendor != "sqlite" or not (name == ":memory:" or "mode=memory" in name)
