#!/usr/bin/env bash
# CI: a backup of the demo, restored into a fresh database and media folder, holds exactly what the original holds.
#
#   deploy/ci-backup-roundtrip.sh WORK_DIR
#
# Loads the demo (seed_demo) and a few uploaded photos into a PostgreSQL database of its own, runs
# manage.py backup, restores the archive with manage.py restore into another new database and an empty media
# folder, then compares every table's row count (read with psql) and every file's SHA-256 (sha256sum) on both
# sides, independently of the backup code. The archive stays in WORK_DIR/backups; both databases are dropped.
# LUCUN_ROUNDTRIP_SERVER names the PostgreSQL server (postgres://postgres@127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${LUCUN_PYTHON:-$PWD/.venv/bin/python}"
work="${1:?usage: deploy/ci-backup-roundtrip.sh WORK_DIR}"
server="${LUCUN_ROUNDTRIP_SERVER:-postgres://postgres@127.0.0.1:5432}"
source_db=lucun_ci_backup_source
restored_db=lucun_ci_backup_restored

rm -rf "$work"
mkdir -p "$work"/{source-media,restored-media,backups,var}

database() {  # database create|drop NAME
  local sql="DROP DATABASE IF EXISTS \"$2\" WITH (FORCE)"
  if [ "$1" = create ]; then
    psql "$server/postgres" -q -v ON_ERROR_STOP=1 -c "$sql" -c "CREATE DATABASE \"$2\""
  else
    psql "$server/postgres" -q -c "$sql"
  fi
}
trap 'database drop "$source_db"; database drop "$restored_db"' EXIT

manage() {  # manage DATABASE MEDIA_ROOT ARGS…: the embedded settings on PostgreSQL (file broker, no Redis)
  local db="$1" media="$2"; shift 2
  env -u REDIS_URL -u CELERY_BROKER_URL DJANGO_SETTINGS_MODULE=lucun.settings DEBUG=true \
    DATABASE_URL="$server/$db" MEDIA_ROOT="$media" LUCUN_VAR_DIR="$work/var" "$PY" manage.py "$@"
}

counts() {  # every table's row count, one "table count" a line
  psql "$server/$1" -tA -v ON_ERROR_STOP=1 -c "
    SELECT table_name || ' ' || (xpath('/row/c/text()', query_to_xml(
      format('SELECT count(*) AS c FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text
    FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
}

checksums() {  # every file's SHA-256 and path, relative to the folder
  (cd "$1" && find . -type f ! -path './.restore-*' -print0 | sort -z | xargs -0 -r sha256sum)
}

echo "==> demo data and uploaded photos in $source_db"
database create "$source_db"
database create "$restored_db"
manage "$source_db" "$work/source-media" migrate --noinput -v0
manage "$source_db" "$work/source-media" seed_demo > "$work/seed_demo.log"
manage "$source_db" "$work/source-media" shell -c "
from cases.models import FeedbackChannel
from lucun.images import image_clean
from cases.services import feedback_submit
from tests.cases.factories import jpeg_bytes, upload
channel = FeedbackChannel.objects.filter(kind='card_batch', is_active=True).order_by('pk').first()
for n, size in enumerate([(640, 480), (480, 640), (800, 600)]):
    feedback_submit(channel=channel, community=channel.community, text=f'路灯坏了第{n + 1}盏,晚上看不清路。',
                    photos=[image_clean(upload(jpeg_bytes(size=size)))])
"

echo "==> manage.py backup"
manage "$source_db" "$work/source-media" backup --dir "$work/backups"
archive="$(ls "$work"/backups/lucun-*.tar | tail -n 1)"

echo "==> manage.py restore into $restored_db and an empty media folder"
manage "$restored_db" "$work/restored-media" restore "$archive"

echo "==> compare row counts and checksums"
counts "$source_db" > "$work/source-counts.txt"
counts "$restored_db" > "$work/restored-counts.txt"
checksums "$work/source-media" > "$work/source-files.txt"
checksums "$work/restored-media" > "$work/restored-files.txt"
diff -u "$work/source-counts.txt" "$work/restored-counts.txt" || { echo "row counts differ"; exit 1; }
diff -u "$work/source-files.txt" "$work/restored-files.txt" || { echo "files differ"; exit 1; }
tables=$(wc -l < "$work/source-counts.txt")
rows=$(awk '{ n += $2 } END { print n }' "$work/source-counts.txt")
files=$(wc -l < "$work/source-files.txt")
[ "$rows" -gt 1000 ] && [ "$files" -ge 3 ] || { echo "too little to compare: $rows rows, $files files"; exit 1; }
echo "backup round trip: $tables tables, $rows rows and $files files identical after restore ($archive)"
