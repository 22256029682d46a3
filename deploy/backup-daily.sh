#!/bin/sh
# The compose backup service: manage.py backup once a day at LUCUN_BACKUP_AT (HH:MM, the container's clock, UTC).
# manage.py backup keeps the newest LUCUN_BACKUP_KEEP archives in LUCUN_BACKUP_DIR.
set -u
at="${LUCUN_BACKUP_AT:-19:00}"
while :; do
  now=$(date +%s)
  next=$(date -d "today $at" +%s) || { echo "LUCUN_BACKUP_AT must be HH:MM, not $at" >&2; exit 1; }
  [ "$next" -gt "$now" ] || next=$(date -d "tomorrow $at" +%s)
  echo "next backup at $(date -u -d "@$next" '+%Y-%m-%d %H:%M') UTC"
  sleep $((next - now))
  python manage.py backup || echo "backup failed; the next one runs tomorrow at $at" >&2
done
