"""Making a backup: a dated archive of the database (copied from one consistent state) and every uploaded file,
with its manifest; the oldest archives beyond the number to keep are deleted."""

import contextlib
import hashlib
import io
import json
import os
import sqlite3
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

from .base import (
    ARCHIVE_NAME,
    DUMP_NAMES,
    FORMAT,
    MANIFEST,
    MEDIA_PREFIX,
    BackupError,
    BackupSummary,
    _count_rows,
    _engine,
    _libpq,
    _run,
)


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
