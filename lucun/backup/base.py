"""Shared by backup and restore: the archive's names and format, the error and the summary, row counts, the
PostgreSQL client programs."""

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.db import connections

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
DUMP_NAMES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
ARCHIVE_NAME = re.compile(r"^lucun-(?P<stamp>\d{8}T\d{6}Z)(?:-(?P<n>\d+))?\.tar$")
CHUNK = 1 << 20
# Keys of a PostgreSQL database's OPTIONS that are connection parameters pg_dump and psql understand too.
LIBPQ_OPTIONS = ("sslmode", "sslrootcert", "sslcert", "sslkey", "options", "connect_timeout", "target_session_attrs")


class BackupError(Exception):
    """A backup or a restore was refused or failed; the message says why."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    tables: int
    rows: int
    files: int


def table_row_counts(*, using: str = "default") -> dict[str, int]:
    """Return the number of rows of every table of the database ``using``."""
    connection = connections[using]
    with connection.cursor() as cursor:
        return _count_rows(cursor, connection.vendor)


def _count_rows(cursor, vendor: str) -> dict[str, int]:
    if vendor == "postgresql":
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY c.relname"
        )
    else:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
            "ORDER BY name"
        )
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {_quote(table)}")  # noqa: S608 - names read from the catalogue
        counts[table] = cursor.fetchone()[0]
    return counts


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _engine(connection) -> str:
    if connection.vendor not in DUMP_NAMES:
        raise BackupError(f"不支持备份 {connection.vendor} 数据库:只支持 PostgreSQL 和 SQLite。")
    return connection.vendor


def _libpq(settings_dict: dict) -> tuple[str, dict[str, str]]:
    """Return a connection string for the PostgreSQL client programs, and their environment (the password)."""
    from psycopg.conninfo import make_conninfo

    options = settings_dict.get("OPTIONS") or {}
    params = {
        "dbname": settings_dict["NAME"],
        "host": settings_dict.get("HOST"),
        "port": settings_dict.get("PORT"),
        "user": settings_dict.get("USER"),
        **{key: options[key] for key in LIBPQ_OPTIONS if options.get(key)},
    }
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])  # not on the command line, where ps would show it
    return make_conninfo(**{key: str(value) for key, value in params.items() if value}), env


def _run(command: list[str], *, env: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as exc:
        raise BackupError(
            f"找不到 {command[0]}:请安装 PostgreSQL 客户端(apt-get install postgresql-client),版本不低于数据库服务器。"
        ) from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise BackupError(f"{command[0]} 失败(退出码 {result.returncode}):" + " / ".join(detail))
