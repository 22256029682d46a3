"""Backups: one dated archive holds a consistent copy of the database and every uploaded file; a restore fills an
empty stack from it and proves it did.

An archive ``lucun-<UTC date and time>.tar`` holds:

- ``database.pgdump`` (PostgreSQL: ``pg_dump --format=custom``) or ``database.sqlite3`` (SQLite: an online copy
  made with SQLite's backup API, consistent while the site keeps writing);
- ``media/<path>``, each uploaded file with its modification time;
- ``manifest.json``: the engine, the row count of every table, read in the very snapshot the dump was taken from,
  and the size and SHA-256 of the database copy and of every file.

The database is copied first, the files after it: a file uploaded in between is in the archive without a row that
points to it, which is harmless. Archives hold personal data: they are written readable by their owner only, and
the directory keeps the newest ``LUCUN_BACKUP_KEEP``.

A restore checks every checksum before it changes anything, refuses a database that holds accounts or a media
folder that holds files unless told to replace them, loads the database in one transaction, and afterwards counts
the rows of every table and re-reads every file against the manifest.
"""

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connections
from django.utils import timezone

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


# ---------------------------------------------------------------------------------------------------------- backup


def backup_create(
    *, directory: Path | None = None, keep: int | None = None, using: str = "default", now: datetime | None = None
) -> BackupSummary:
    """Write a dated archive of the database and the uploaded files into ``directory``; keep the newest ``keep``."""
    directory = Path(directory or settings.LUCUN_BACKUP_DIR)
    keep = settings.LUCUN_BACKUP_KEEP if keep is None else keep
    if keep < 1:
        raise BackupError("至少要保留 1 份备份。")
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    connection = connections[using]
    engine = _engine(connection)
    if connection.in_atomic_block:
        # SQLite would wait for the open transaction forever; PostgreSQL would leave its uncommitted rows out.
        raise BackupError("备份不能在数据库事务中进行。")
    target = _free_name(directory, (now or timezone.now()).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"))
    partial = target.with_name(target.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="lucun-backup-") as work:
        dump = Path(work) / DUMP_NAMES[engine]
        tables = _dump_postgresql(connection, dump) if engine == "postgresql" else _dump_sqlite(connection, dump)
        try:
            with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as raw:
                with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
                    database = _add_file(archive, dump, dump.name)
                    files = _add_media(archive, Path(settings.MEDIA_ROOT))
                    manifest = {
                        "format": FORMAT,
                        "created_at": timezone.now().astimezone(UTC).isoformat(),
                        "engine": engine,
                        "database": {"name": dump.name, **database},
                        "tables": tables,
                        "files": files,
                    }
                    _add_bytes(archive, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    backup_prune(directory=directory, keep=keep)
    return BackupSummary(path=target, tables=len(tables), rows=sum(tables.values()), files=len(files))


def backup_prune(*, directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` archives in ``directory``; return the deleted ones."""
    archives = backup_list(directory=directory)
    doomed = archives[:-keep] if keep > 0 else archives
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def backup_list(*, directory: Path) -> list[Path]:
    """Return the archives in ``directory``, oldest first."""
    found = []
    for path in Path(directory).glob("lucun-*.tar"):
        match = ARCHIVE_NAME.match(path.name)
        if match:
            found.append(((match["stamp"], int(match["n"] or 1)), path))
    return [path for _, path in sorted(found)]


def _free_name(directory: Path, stamp: str) -> Path:
    path, n = directory / f"lucun-{stamp}.tar", 1
    while path.exists() or path.with_name(path.name + ".partial").exists():
        n += 1
        path = directory / f"lucun-{stamp}-{n}.tar"
    return path


def _dump_sqlite(connection, dump: Path) -> dict[str, int]:
    """Copy the database with SQLite's online backup API (one consistent state); count the copy's rows."""
    connection.ensure_connection()
    copy = sqlite3.connect(dump)
    try:
        connection.connection.backup(copy)
        return _count_rows(copy.cursor(), "sqlite")
    finally:
        copy.close()


def _dump_postgresql(connection, dump: Path) -> dict[str, int]:
    """Dump with pg_dump from a snapshot exported by a read-only transaction that counts the rows of the same state."""
    snapshot_holder = connections.create_connection(connection.alias)
    try:
        snapshot_holder.ensure_connection()
        with snapshot_holder.connection.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = _count_rows(cursor, "postgresql")
            conninfo, env = _libpq(connection.settings_dict)
            _run(
                ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={dump}", f"--dbname={conninfo}"],
                env=env,
            )
            cursor.execute("ROLLBACK")
    finally:
        snapshot_holder.close()
    return tables


def _add_file(archive: tarfile.TarFile, path: Path, name: str) -> dict:
    """Add one file under ``name``, hashing the bytes as they go in; return its size and checksum."""
    with path.open("rb") as handle:
        status = os.fstat(handle.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = status.st_size, int(status.st_mtime), 0o600
        reader = _HashingReader(handle)
        archive.addfile(info, reader)
    return {"size": status.st_size, "sha256": reader.sha256.hexdigest()}


def _add_media(archive: tarfile.TarFile, root: Path) -> dict[str, dict]:
    files: dict[str, dict] = {}
    if not root.is_dir():
        return files
    for path in sorted(root.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        relative = path.relative_to(root).as_posix()
        if relative.startswith(".restore-"):  # what an interrupted restore left behind
            continue
        with contextlib.suppress(FileNotFoundError):  # deleted since the listing: nothing to keep
            files[relative] = _add_file(archive, path, MEDIA_PREFIX + relative)
    return files


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
    archive.addfile(info, io.BytesIO(data))


class _HashingReader:
    def __init__(self, raw):
        self.raw = raw
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha256.update(data)
        return data


# --------------------------------------------------------------------------------------------------------- restore


def backup_restore(
    *, archive: Path, force: bool = False, using: str = "default", media_root: Path | None = None
) -> BackupSummary:
    """Restore ``archive`` into the database ``using`` and the media folder, then check both against its manifest.

    Refuses a database that holds user accounts and a media folder that holds files unless ``force`` is given,
    in which case the database's tables are replaced and files of the same name overwritten.
    """
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"找不到备份文件 {archive}。")
    connection = connections[using]
    engine = _engine(connection)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    if not tarfile.is_tarfile(archive):
        raise BackupError(f"{archive.name} 不是 lucun 的备份文件。")
    with tarfile.open(archive, "r:") as tar:
        manifest = _read_manifest(tar)
        if manifest["engine"] != engine:
            raise BackupError(
                f"这份备份来自 {manifest['engine']} 数据库,当前配置的是 {engine}:只能恢复到同一种数据库。"
            )
        if not force:
            _refuse_if_not_empty(connection, media_root)
        media_root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=media_root))
        try:
            # Everything is unpacked and checked before the database or a file in use is touched.
            dump = staging / "database"
            _extract(tar, manifest["database"]["name"], dump, manifest["database"])
            for relative, expected in manifest["files"].items():
                _extract(tar, MEDIA_PREFIX + relative, staging / "media" / relative, expected)
            if engine == "postgresql":
                _restore_postgresql(connection, dump)
            else:
                _restore_sqlite(connection, dump)
            for relative in manifest["files"]:
                destination = media_root / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staging / "media" / relative, destination)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    _verify(connection, media_root, manifest)
    tables = manifest["tables"]
    return BackupSummary(path=archive, tables=len(tables), rows=sum(tables.values()), files=len(manifest["files"]))


def _read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.getmember(MANIFEST)
        manifest = json.loads(tar.extractfile(member).read())
    except (KeyError, AttributeError, ValueError) as exc:
        raise BackupError("备份文件里没有可读的清单(manifest.json),不是 lucun 的备份或已损坏。") from exc
    if manifest.get("format") != FORMAT or manifest.get("engine") not in DUMP_NAMES:
        raise BackupError(f"不认识这份备份的格式({manifest.get('format')}),请用制作它的 lucun 版本恢复。")
    if manifest["database"]["name"] != DUMP_NAMES[manifest["engine"]]:
        raise BackupError("备份清单里的数据库文件名不对,备份已损坏。")
    for relative in manifest["files"]:
        path = PurePosixPath(relative)
        if path.is_absolute() or ".." in path.parts or not path.parts or path.parts[0].startswith(".restore-"):
            raise BackupError(f"备份清单里有不安全的文件路径:{relative}")
    return manifest


def _extract(tar: tarfile.TarFile, name: str, destination: Path, expected: dict) -> None:
    """Copy one member out, checking its size and SHA-256 against the manifest."""
    try:
        member = tar.getmember(name)
    except KeyError as exc:
        raise BackupError(f"备份文件缺少 {name},备份不完整。") from exc
    source = tar.extractfile(member) if member.isfile() else None
    if source is None:
        raise BackupError(f"备份里的 {name} 不是普通文件,备份已损坏。")
    destination.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with source, destination.open("wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    if size != expected["size"] or digest.hexdigest() != expected["sha256"]:
        raise BackupError(f"备份里的 {name} 与清单的校验值不符,备份已损坏,什么也没有恢复。")
    os.utime(destination, (member.mtime, member.mtime))


def _refuse_if_not_empty(connection, media_root: Path) -> None:
    accounts = _account_count(connection)
    if accounts:
        raise BackupError(
            f"数据库里已有数据({accounts} 个用户账号):恢复会替换其全部内容。只应恢复到空的系统;确认要替换请加 --force。"
        )
    if media_root.is_dir():
        present = sum(
            1
            for path in media_root.rglob("*")
            if path.is_file() and not path.relative_to(media_root).as_posix().startswith(".restore-")
        )
        if present:
            raise BackupError(
                f"上传文件目录 {media_root} 里已有 {present} 个文件:恢复会覆盖同名文件。确认无误请加 --force。"
            )


def _account_count(connection) -> int:
    """Count user accounts; a database without the table (never migrated) has none."""
    from django.contrib.auth import get_user_model

    table = get_user_model()._meta.db_table
    with connection.cursor() as cursor:
        if table not in connection.introspection.table_names(cursor):
            return 0
        cursor.execute(f"SELECT count(*) FROM {_quote(table)}")  # noqa: S608 - a model's table name
        return cursor.fetchone()[0]


def _restore_sqlite(connection, dump: Path) -> None:
    """Copy the archived database over the configured one with SQLite's backup API (one write transaction)."""
    connection.close()
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    target = sqlite3.connect(connection.settings_dict["NAME"], timeout=20)
    try:
        source.backup(target)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite 恢复失败:{exc}") from exc
    finally:
        target.close()
        source.close()


def _restore_postgresql(connection, dump: Path) -> None:
    """Replace the schema with the dump's content in one transaction: the old state stays if anything fails."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
    connection.close()
    conninfo, env = _libpq(connection.settings_dict)
    script = dump.with_suffix(".sql")
    _run(["pg_restore", "--no-owner", "--no-privileges", f"--file={script}", str(dump)], env=env)
    _run(
        [
            "psql",
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            f"--dbname={conninfo}",
            f"--command=DROP SCHEMA IF EXISTS {_quote(schema)} CASCADE",
            f"--command=CREATE SCHEMA {_quote(schema)}",
            f"--file={script}",
        ],
        env=env,
    )


def _verify(connection, media_root: Path, manifest: dict) -> None:
    problems = []
    with connection.cursor() as cursor:
        restored = _count_rows(cursor, connection.vendor)
    for table in sorted(set(manifest["tables"]) | set(restored)):
        expected, found = manifest["tables"].get(table), restored.get(table)
        if expected != found:
            problems.append(f"表 {table}:备份 {_or_none(expected)} 行,恢复后 {_or_none(found)} 行")
    for relative, expected in manifest["files"].items():
        if _file_digest(media_root / relative) != expected["sha256"]:
            problems.append(f"文件 {relative} 与备份不一致")
    if problems:
        raise BackupError("恢复后的检查没有通过:" + ";".join(problems[:20]))


def _or_none(count: int | None) -> str:
    return "(无此表)" if count is None else str(count)


def _file_digest(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except FileNotFoundError:
        return None


# ----------------------------------------------------------------------------------------------------------- shared


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
