"""Backup and restore: one archive of the database and the uploaded files, restored into an empty stack.

The round trips back up a street's worth of data made with the factories plus uploaded photos, restore the archive
with ``manage.py restore`` in a process of its own into a fresh database and media folder (as an operator would),
and compare every table's row count and every file's checksum, read independently of the code under test.
"""

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from lucun.backup import MANIFEST, BackupError, backup_create, backup_list, backup_restore
from lucun.images import image_clean
from lucun.models import Role
from tests.cases.factories import channel, jpeg_bytes, open_case, submit, upload
from tests.factories import official
from tests.points.factories import VolunteerFactory
from tests.seeding import configuration_seed
from tests.visits.factories import HouseholdFactory, HouseholdMemberFactory, VisitLogFactory

BASE_DIR = Path(settings.BASE_DIR)
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the copy reads committed rows


@pytest.fixture
def media(settings, tmp_path):
    """Uploads of this test only, so the restored folder can be compared with the whole source folder."""
    settings.MEDIA_ROOT = tmp_path / "media-source"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def street_data(street, community, other_community, media):
    """A small street as the demo has it: officials, households, visits, cases, feedback with photos, a volunteer."""
    configuration_seed()  # a journey before this test may have emptied the database
    cadre = official(Role.COMMUNITY_CADRE, community=community)
    official(Role.SUPERVISOR, street=street)
    other_cadre = official(Role.COMMUNITY_CADRE, community=other_community)
    for _ in range(3):
        household = HouseholdFactory(community=community)
        HouseholdMemberFactory(household=household)
        VisitLogFactory(household=household)
    open_case(community=community, by=cadre, title="村口路灯坏了")
    open_case(community=other_community, by=other_cadre, title="河道清淤", tier_code="escalated")
    poster = channel(community=community)
    with_photos = submit(
        channel=poster,
        photos=[image_clean(upload(jpeg_bytes(size=(320, 240)))), image_clean(upload(jpeg_bytes(size=(200, 100))))],
    )
    submit(channel=poster, text="垃圾桶满了没人清。")
    VolunteerFactory(community=community, balance=40)
    # A file of another kind in a deeper folder, with a name that needs care.
    extra = media / "visits" / "print" / "2026" / "联系卡 第1批.pdf"
    extra.parent.mkdir(parents=True)
    extra.write_bytes(b"%PDF-1.4 demo\n" * 500)
    return with_photos


def file_checksums(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


def sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        query = 'SELECT count(*) FROM "{}"'
        return {t: db.execute(query.format(t)).fetchone()[0] for t in tables if not t.startswith("sqlite_")}


def counts_here() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from the catalogue
            counts[table] = cursor.fetchone()[0]
        return counts


def restore_command(archive: Path, *, database_url: str, media_root: Path, tmp_path: Path, force: bool = False):
    """Run ``manage.py restore`` as an operator does, in a process of its own."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lucun.settings",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
        "LUCUN_VAR_DIR": str(tmp_path / "var"),
    }
    command = [sys.executable, "manage.py", "restore", str(archive), *(["--force"] if force else [])]
    return subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300, check=False)  # noqa: S603


def assert_round_trip(
    archive: Path, source_counts: dict[str, int], restored_counts: dict[str, int], media: Path, restored_media: Path
):
    assert restored_counts == source_counts
    assert source_counts["cases_feedbackphoto"] == 2 and source_counts["visits_household"] == 3
    assert sum(source_counts.values()) > 100
    source_files = file_checksums(media)
    assert len(source_files) == 5  # two photos, their thumbnails, the print file
    assert file_checksums(restored_media) == source_files
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile(MANIFEST).read())
    assert manifest["tables"] == source_counts
    assert {name: entry["sha256"] for name, entry in manifest["files"].items()} == source_files


@pytest.fixture
def on_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite round trip runs when the suite runs on SQLite")


@committed
def test_a_sqlite_backup_restores_into_a_fresh_database_file_and_media_folder(on_sqlite, street_data, media, tmp_path):
    summary = backup_create(directory=tmp_path / "backups")
    source_counts = counts_here()
    assert summary.path.name.startswith("lucun-") and summary.files == 5
    assert summary.path.stat().st_mode & 0o777 == 0o600  # personal data: the owner only

    target, restored_media = tmp_path / "restored.sqlite3", tmp_path / "media-restored"
    result = restore_command(
        summary.path, database_url=f"sqlite:///{target}", media_root=restored_media, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "恢复完成并已核对" in result.stdout
    assert_round_trip(summary.path, source_counts, sqlite_counts(target), media, restored_media)
    with sqlite3.connect(target) as db:
        (code,) = db.execute("SELECT lookup_code FROM cases_feedback WHERE id = ?", [street_data.pk]).fetchone()
    assert code == street_data.lookup_code

    again = restore_command(
        summary.path, database_url=f"sqlite:///{target}", media_root=restored_media, tmp_path=tmp_path
    )
    assert again.returncode != 0
    assert "数据库里已有数据" in again.stderr and "--force" in again.stderr

    forced = restore_command(
        summary.path, database_url=f"sqlite:///{target}", media_root=restored_media, tmp_path=tmp_path, force=True
    )
    assert forced.returncode == 0, forced.stderr
    assert sqlite_counts(target) == source_counts


@pytest.fixture
def fresh_postgres_database():
    """Create an empty PostgreSQL database beside the test database; drop it afterwards."""
    import psycopg

    params = connection.settings_dict
    name = f"{params['NAME']}_restore"[:63]
    admin = {
        "dbname": "postgres",
        "host": params["HOST"] or None,
        "port": params["PORT"] or None,
        "user": params["USER"] or None,
        "password": params["PASSWORD"] or None,
    }
    with psycopg.connect(**{k: v for k, v in admin.items() if v}, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')
    credentials = quote(params["USER"] or "", safe="")
    if params["PASSWORD"]:
        credentials += ":" + quote(params["PASSWORD"], safe="")
    url = f"postgres://{credentials}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{name}"
    yield {**admin, "dbname": name}, url
    with psycopg.connect(**{k: v for k, v in admin.items() if v}, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_counts(params: dict) -> dict[str, int]:
    import psycopg
    from psycopg import sql

    with psycopg.connect(**{k: v for k, v in params.items() if v}) as db:
        tables = [r[0] for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        query = sql.SQL("SELECT count(*) FROM {}")
        return {t: db.execute(query.format(sql.Identifier(t))).fetchone()[0] for t in tables}


@pytest.mark.postgres
@committed
def test_a_postgresql_backup_restores_into_a_freshly_created_database(
    street_data, media, tmp_path, fresh_postgres_database
):
    params, url = fresh_postgres_database
    summary = backup_create(directory=tmp_path / "backups")
    source_counts = counts_here()
    with tarfile.open(summary.path) as tar:
        assert tar.extractfile("database.pgdump").read(5) == b"PGDMP"  # pg_dump's custom format

    restored_media = tmp_path / "media-restored"
    result = restore_command(summary.path, database_url=url, media_root=restored_media, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert_round_trip(summary.path, source_counts, postgres_counts(params), media, restored_media)

    again = restore_command(summary.path, database_url=url, media_root=restored_media, tmp_path=tmp_path)
    assert again.returncode != 0 and "数据库里已有数据" in again.stderr
    forced = restore_command(summary.path, database_url=url, media_root=restored_media, tmp_path=tmp_path, force=True)
    assert forced.returncode == 0, forced.stderr
    assert postgres_counts(params) == source_counts


def rewrite_archive(source: Path, target: Path, change) -> None:
    """Copy an archive member by member, letting ``change(name, data)`` return different bytes."""
    with tarfile.open(source) as old, tarfile.open(target, "w") as new:
        for member in old.getmembers():
            data = change(member.name, old.extractfile(member).read())
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))


@committed
def test_a_restore_checks_the_rows_against_the_manifest_and_says_what_differs(on_sqlite, street_data, media, tmp_path):
    summary = backup_create(directory=tmp_path / "backups")
    lying = tmp_path / "lying.tar"

    def one_more_household(name, data):
        if name != MANIFEST:
            return data
        manifest = json.loads(data)
        manifest["tables"]["visits_household"] += 1
        return json.dumps(manifest).encode()

    rewrite_archive(summary.path, lying, one_more_household)
    result = restore_command(
        lying,
        database_url=f"sqlite:///{tmp_path / 'restored.sqlite3'}",
        media_root=tmp_path / "media-restored",
        tmp_path=tmp_path,
    )
    assert result.returncode != 0
    assert "恢复后的检查没有通过" in result.stderr and "visits_household:备份 4 行,恢复后 3 行" in result.stderr


@committed
def test_a_damaged_archive_changes_nothing_even_when_forced(street_data, media, tmp_path):
    summary = backup_create(directory=tmp_path / "backups")
    before, files_before = counts_here(), file_checksums(media)
    damaged = tmp_path / "damaged.tar"
    rewrite_archive(summary.path, damaged, lambda name, data: data[:-1] + b"!" if name.endswith(".jpg") else data)

    with pytest.raises(BackupError, match="校验值不符"):
        backup_restore(archive=damaged, force=True)
    assert counts_here() == before
    assert file_checksums(media) == files_before


@committed
def test_a_restore_refuses_a_database_that_holds_accounts(street_data, media, tmp_path):
    summary = backup_create(directory=tmp_path / "backups")
    before = counts_here()

    with pytest.raises(BackupError, match=r"已有数据(.*用户账号).*--force"):
        backup_restore(archive=summary.path, media_root=tmp_path / "empty-media")
    assert counts_here() == before


@committed
def test_a_restore_refuses_a_media_folder_that_holds_files(media, tmp_path):
    summary = backup_create(directory=tmp_path / "backups")  # no accounts in this database
    (media / "left-over.jpg").write_bytes(b"x")

    with pytest.raises(BackupError, match="已有 1 个文件"):
        backup_restore(archive=summary.path)


@committed
def test_a_file_that_is_not_a_backup_is_refused_with_a_message(tmp_path):
    stranger = tmp_path / "photos.tar"
    with tarfile.open(stranger, "w") as tar:
        tar.addfile(tarfile.TarInfo("photo.jpg"), io.BytesIO(b""))

    with pytest.raises(BackupError, match="没有可读的清单"):
        backup_restore(archive=stranger, force=True)
    with pytest.raises(BackupError, match="找不到备份文件"):
        backup_restore(archive=tmp_path / "missing.tar", force=True)


@committed
def test_backups_are_dated_and_only_the_newest_are_kept(media, tmp_path):
    folder = tmp_path / "backups"
    for day in (1, 2, 3):
        backup_create(directory=folder, keep=2, now=datetime(2026, 12, day, 19, 0, tzinfo=UTC))
    backup_create(directory=folder, keep=2, now=datetime(2026, 12, 3, 19, 0, tzinfo=UTC))  # same second

    assert [p.name for p in backup_list(directory=folder)] == [
        "lucun-20261203T190000Z.tar",
        "lucun-20261203T190000Z-2.tar",
    ]
    assert sorted(p.name for p in folder.iterdir()) == ["lucun-20261203T190000Z-2.tar", "lucun-20261203T190000Z.tar"]


@committed
def test_the_backup_command_writes_into_the_configured_folder(settings, media, tmp_path):
    from django.core.management import call_command

    settings.LUCUN_BACKUP_DIR = tmp_path / "configured"
    out = io.StringIO()
    call_command("backup", stdout=out)

    (archive,) = backup_list(directory=settings.LUCUN_BACKUP_DIR)
    assert "备份完成" in out.getvalue() and str(archive) in out.getvalue()


@pytest.mark.django_db
def test_a_backup_inside_a_transaction_is_refused_rather_than_missing_rows(tmp_path):
    with pytest.raises(BackupError, match="事务"):
        backup_create(directory=tmp_path / "backups")
    assert not (tmp_path / "backups").exists() or not any((tmp_path / "backups").iterdir())
