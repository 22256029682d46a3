#!/usr/bin/env bash
# The production topology on this machine, from the files docker-compose.yml uses: Debian's nginx (deploy/nginx/,
# a self-signed certificate made now) in front of gunicorn (deploy/gunicorn.conf.py, lucun.settings.production,
# DEBUG off, a generated secret), a Celery worker and one beat, on a PostgreSQL database and a Redis number of
# their own, everything else in a temporary folder. CI runs the stack tests (tests/stack/) against it.
#
#   deploy/ci-stack.sh start          start it; prints LUCUN_STACK_URL
#   deploy/ci-stack.sh run CMD…       run CMD with LUCUN_STACK_URL, LUCUN_STACK_HTTP_URL and LUCUN_STACK_DIR set
#   deploy/ci-stack.sh manage ARGS…   manage.py ARGS… with the stack's settings (database, media, secret)
#   deploy/ci-stack.sh logs           the end of every log
#   deploy/ci-stack.sh stop           stop every process it started, drop its database, remove the folder
#
# Settings (environment): LUCUN_STACK_DATABASE_URL (postgres://postgres@127.0.0.1:5432/lucun_stack; dropped and
# created anew), LUCUN_STACK_REDIS_URL (redis://127.0.0.1:6379/1; emptied), LUCUN_STACK_RESTORE (a backup archive
# to restore instead of migrating an empty database and loading the demo), LUCUN_STACK_HTTPS_PORT and
# LUCUN_STACK_HTTP_PORT (free ports by default), LUCUN_STACK_KEEP=1 (stop keeps the folder and the database).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
PY="${LUCUN_PYTHON:-$ROOT/.venv/bin/python}"
POINTER="$ROOT/var/ci-stack/current"
PROCESSES=(gunicorn worker beat nginx)

say() { echo "[stack] $*"; }
die() { echo "[stack] $*" >&2; exit 1; }

stack_dir() {
  local dir="${LUCUN_STACK_DIR:-}"
  [ -n "$dir" ] || { [ -f "$POINTER" ] && dir="$(cat "$POINTER")"; } || true
  [ -n "$dir" ] && [ -d "$dir" ] || die "no stack is running (start one with deploy/ci-stack.sh start)"
  echo "$dir"
}

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# The stack's application environment and nothing else of the caller's: APP_ENV=(env -i … NAME=value …).
APP_ENV=()
load_app_env() {
  local -a vars
  mapfile -t vars < "$1/app.env"
  APP_ENV=(env -i PATH="$PATH" HOME="${HOME:-/root}" LANG=C.UTF-8 TMPDIR="${TMPDIR:-/tmp}" "${vars[@]}")
}

# Start a process in a session of its own (so stop can end it with all its children), logging to files.
launch() {
  local dir="$1" name="$2"; shift 2
  setsid bash -c 'echo $$ > "$0"; exec "$@"' "$dir/run/$name.pid" "$@" \
    > "$dir/logs/$name.out" 2> "$dir/logs/$name.err" < /dev/null &
  for _ in $(seq 1 50); do [ -s "$dir/run/$name.pid" ] && return 0; sleep 0.1; done
  die "$name did not start"
}

alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_for() {  # wait_for URL SECONDS: until the URL answers 200 (the certificate is self-signed)
  "$PY" - "$1" "$2" <<'EOF'
import ssl, sys, time, urllib.request
url, deadline, last = sys.argv[1], time.monotonic() + float(sys.argv[2]), None
context = ssl.create_default_context()
context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
while True:
    try:
        with urllib.request.urlopen(url, context=context, timeout=5) as answer:
            if answer.status == 200:
                sys.exit(0)
            last = f"status {answer.status}"
    except Exception as exc:
        last = exc
    if time.monotonic() > deadline:
        sys.exit(f"{url} did not answer 200: {last}")
    time.sleep(0.5)
EOF
}

ensure_nginx() {
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] && return 0
  say "installing Debian's nginx"
  # Keep the package from starting a system-wide nginx on port 80: only the stack's own runs.
  local policy=/usr/sbin/policy-rc.d added=""
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && added=1; fi
  export DEBIAN_FRONTEND=noninteractive
  local rc=0
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends nginx-light >/dev/null; }; then rc=1; fi
  [ -z "$added" ] || rm -f "$policy"
  [ "$rc" -eq 0 ] || die "could not install nginx-light"
}

cmd_start() {
  if [ -f "$POINTER" ] && [ -d "$(cat "$POINTER")" ]; then
    for name in "${PROCESSES[@]}"; do
      alive "$(cat "$POINTER")/run/$name.pid" && die "a stack is already running in $(cat "$POINTER"); stop it first"
    done
  fi
  ensure_nginx
  local nginx; nginx="$(command -v nginx || echo /usr/sbin/nginx)"
  local dir; dir="$(mktemp -d "${TMPDIR:-/tmp}/lucun-stack.XXXXXX")"
  chmod 755 "$dir"  # nginx's workers (nobody) read the static files and, by X-Accel-Redirect, the uploads
  mkdir -p "$(dirname "$POINTER")" "$dir"/{run,logs,static,media,var,tls,nginx}
  echo "$dir" > "$POINTER"
  say "folder $dir"

  local https_port="${LUCUN_STACK_HTTPS_PORT:-$(free_port)}" http_port="${LUCUN_STACK_HTTP_PORT:-$(free_port)}"
  local app_port; app_port="$(free_port)"
  local origin="https://127.0.0.1:$https_port"
  local database_url="${LUCUN_STACK_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/lucun_stack}"
  local redis_url="${LUCUN_STACK_REDIS_URL:-redis://127.0.0.1:6379/1}"
  local database="${database_url##*/}"; database="${database%%\?*}"
  echo "$database_url" > "$dir/database_url"

  say "certificate for 127.0.0.1 and localhost (self-signed, two days)"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$dir/tls/privkey.pem" -out "$dir/tls/fullchain.pem" 2> "$dir/logs/openssl.err" \
    || die "openssl failed: $(cat "$dir/logs/openssl.err")"

  (umask 077 && cat > "$dir/app.env" <<EOF
DJANGO_SETTINGS_MODULE=lucun.settings.production
SECRET_KEY=stack-$(head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n')
ALLOWED_HOSTS=127.0.0.1,localhost
CSRF_TRUSTED_ORIGINS=$origin,https://localhost:$https_port
LUCUN_PUBLIC_BASE_URL=$origin
LUCUN_TRUSTED_PROXY_COUNT=1
DATABASE_URL=$database_url
REDIS_URL=$redis_url
CELERY_BROKER_URL=$redis_url
MEDIA_ROOT=$dir/media
STATIC_ROOT=$dir/static
LUCUN_VAR_DIR=$dir/var
LUCUN_BACKUP_DIR=$dir/backups
LUCUN_GUNICORN_BIND=127.0.0.1:$app_port
PYTHONUNBUFFERED=1
EOF
  )
  cat > "$dir/stack.env" <<EOF
LUCUN_STACK_URL=$origin
LUCUN_STACK_HTTP_URL=http://127.0.0.1:$http_port
LUCUN_STACK_DIR=$dir
EOF

  load_app_env "$dir"
  say "database $database (new) and Redis $redis_url (emptied)"
  psql "${database_url%/*}/postgres" -q -v ON_ERROR_STOP=1 \
    -c "DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)" -c "CREATE DATABASE \"$database\"" \
    || die "could not create the database $database"
  "$PY" -c 'import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()' "$redis_url" \
    || die "Redis is not reachable at $redis_url"

  if [ -n "${LUCUN_STACK_RESTORE:-}" ]; then
    say "restoring $LUCUN_STACK_RESTORE into the empty stack"
    "${APP_ENV[@]}" "$PY" manage.py restore "$LUCUN_STACK_RESTORE" || die "restore failed"
    "${APP_ENV[@]}" "$PY" manage.py migrate --noinput -v0 || die "migrate failed"
  else
    say "migrate and demo data"
    "${APP_ENV[@]}" "$PY" manage.py migrate --noinput -v0 || die "migrate failed"
    "${APP_ENV[@]}" "$PY" manage.py seed_demo --allow-production > "$dir/logs/seed_demo.out" || die "seed_demo failed"
  fi
  "${APP_ENV[@]}" "$PY" manage.py collectstatic --noinput -v0 || die "collectstatic failed"

  say "nginx configuration (deploy/nginx/render.sh)"
  LUCUN_UPSTREAM="127.0.0.1:$app_port" LUCUN_HTTP_LISTEN="127.0.0.1:$http_port" \
    LUCUN_HTTPS_LISTEN="127.0.0.1:$https_port" LUCUN_HTTPS_PORT="$https_port" \
    LUCUN_STATIC_ROOT="$dir/static" LUCUN_MEDIA_ROOT="$dir/media" \
    LUCUN_TLS_CERT="$dir/tls/fullchain.pem" LUCUN_TLS_KEY="$dir/tls/privkey.pem" \
    LUCUN_ACCESS_LOG="$dir/logs/nginx-access.log" LUCUN_ERROR_LOG="$dir/logs/nginx-error.log" \
    LUCUN_NGINX_RUN_DIR="$dir/run/nginx" LUCUN_NGINX_WORKERS=2 \
    sh deploy/nginx/render.sh "$dir/nginx"
  "$nginx" -t -q -c "$dir/nginx/nginx.conf" || die "nginx -t failed"

  say "gunicorn (3 workers), Celery worker and beat, nginx"
  # gunicorn's access log is its standard output (gunicorn.out), as in the container.
  launch "$dir" gunicorn "${APP_ENV[@]}" "$PY" -m gunicorn --config deploy/gunicorn.conf.py lucun.wsgi:application
  launch "$dir" worker "${APP_ENV[@]}" "$PY" -m celery -A lucun worker --loglevel=INFO --concurrency=2 -n "stack@%h"
  launch "$dir" beat "${APP_ENV[@]}" "$PY" -m celery -A lucun beat --loglevel=INFO --pidfile= \
    --schedule "$dir/run/celerybeat-schedule"
  launch "$dir" nginx "$nginx" -c "$dir/nginx/nginx.conf" -g "daemon off;"

  if ! wait_for "$origin/healthz" 90; then cmd_logs; die "the stack did not answer through nginx"; fi
  for _ in $(seq 1 120); do grep -q "ready\." "$dir/logs/worker.err" 2>/dev/null && break; sleep 0.5; done
  grep -q "ready\." "$dir/logs/worker.err" || { cmd_logs; die "the Celery worker did not become ready"; }
  for name in "${PROCESSES[@]}"; do alive "$dir/run/$name.pid" || { cmd_logs; die "$name stopped"; }; done
  say "up: $origin (http://127.0.0.1:$http_port redirects to it)"
  cat "$dir/stack.env"
}

cmd_run() {
  local dir; dir="$(stack_dir)"
  local -a vars
  mapfile -t vars < "$dir/stack.env"
  env "${vars[@]}" "$@"
}

cmd_manage() {
  local dir; dir="$(stack_dir)"
  load_app_env "$dir"
  "${APP_ENV[@]}" "$PY" manage.py "$@"
}

cmd_logs() {
  local dir; dir="$(stack_dir)"
  for log in "$dir"/logs/*; do
    [ -s "$log" ] || continue
    echo "----- $(basename "$log") (last 40 lines)"
    tail -n 40 "$log"
  done
}

cmd_stop() {
  local dir
  dir="$(stack_dir 2>/dev/null)" || { say "nothing to stop"; return 0; }
  local -a groups=()
  for name in "${PROCESSES[@]}"; do
    if alive "$dir/run/$name.pid"; then
      local pid; pid="$(cat "$dir/run/$name.pid")"
      groups+=("$pid")
      kill -TERM -- "-$pid" 2>/dev/null || true  # the session's process group: the process and its children
    fi
  done
  for _ in $(seq 1 60); do
    local left=0
    for pid in "${groups[@]}"; do kill -0 -- "-$pid" 2>/dev/null && left=1; done
    [ "$left" -eq 0 ] && break
    sleep 0.5
  done
  for pid in "${groups[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  say "stopped ${#groups[@]} process groups"
  if [ "${LUCUN_STACK_KEEP:-}" = 1 ]; then
    say "kept $dir and its database"
  else
    local database_url; database_url="$(cat "$dir/database_url" 2>/dev/null || true)"
    if [ -n "$database_url" ]; then
      local database="${database_url##*/}"; database="${database%%\?*}"
      psql "${database_url%/*}/postgres" -q -c "DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)" || true
    fi
    rm -rf "$dir"
  fi
  [ "$(cat "$POINTER" 2>/dev/null)" != "$dir" ] || rm -f "$POINTER"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  run) shift; cmd_run "$@" ;;
  manage) shift; cmd_manage "$@" ;;
  logs) cmd_logs ;;
  *) die "usage: deploy/ci-stack.sh start|stop|run CMD…|manage ARGS…|logs" ;;
esac
