"""Restoring a backup: every checksum checked before anything changes, the database loaded in one transaction,
then every row count and file checked against the manifest."""

import hashlib
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connections

from .base import (
    CHUNK,
    DUMP_NAMES,
    FORMAT,
    MANIFEST,
    MEDIA_PREFIX,
    BackupError,
    BackupSummary,
    _count_rows,
    _engine,
    _libpq,
    _quote,
    _run,
)


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
