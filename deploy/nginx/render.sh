#!/bin/sh
# Render lucun's nginx configuration into a folder: render.sh OUT_DIR, then nginx -c OUT_DIR/nginx.conf.
# The proxy container (docker-compose.yml) and CI's stack (deploy/ci-stack.sh) both call this with their own
# values; the defaults are the container's. Only the LUCUN_… names are replaced, so nginx's own $variables stay.
set -eu
out="${1:?usage: render.sh OUT_DIR}"
here="$(cd "$(dirname "$0")" && pwd)"

: "${LUCUN_UPSTREAM:=web:8000}"                 # gunicorn, on the internal network only
: "${LUCUN_HTTP_LISTEN:=80}"
: "${LUCUN_HTTPS_LISTEN:=443}"
: "${LUCUN_HTTPS_PORT:=443}"                    # the port browsers use for HTTPS (for redirects and Host)
: "${LUCUN_STATIC_ROOT:=/srv/lucun/static}"
: "${LUCUN_MEDIA_ROOT:=/app/media}"
: "${LUCUN_TLS_CERT:=/etc/lucun/tls/fullchain.pem}"
: "${LUCUN_TLS_KEY:=/etc/lucun/tls/privkey.pem}"
: "${LUCUN_ACCESS_LOG:=/dev/stdout}"
: "${LUCUN_ERROR_LOG:=stderr}"
: "${LUCUN_NGINX_RUN_DIR:=/run/lucun-nginx}"
: "${LUCUN_NGINX_WORKERS:=auto}"
if [ "$LUCUN_HTTPS_PORT" = 443 ]; then LUCUN_HTTPS_PORT_SUFFIX=""; else LUCUN_HTTPS_PORT_SUFFIX=":$LUCUN_HTTPS_PORT"; fi
LUCUN_NGINX_CONF_DIR="$out"
export LUCUN_UPSTREAM LUCUN_HTTP_LISTEN LUCUN_HTTPS_LISTEN LUCUN_HTTPS_PORT LUCUN_HTTPS_PORT_SUFFIX \
  LUCUN_STATIC_ROOT LUCUN_MEDIA_ROOT LUCUN_TLS_CERT LUCUN_TLS_KEY LUCUN_ACCESS_LOG LUCUN_ERROR_LOG \
  LUCUN_NGINX_RUN_DIR LUCUN_NGINX_WORKERS LUCUN_NGINX_CONF_DIR

names='${LUCUN_UPSTREAM} ${LUCUN_HTTP_LISTEN} ${LUCUN_HTTPS_LISTEN} ${LUCUN_HTTPS_PORT_SUFFIX}
${LUCUN_STATIC_ROOT} ${LUCUN_MEDIA_ROOT} ${LUCUN_TLS_CERT} ${LUCUN_TLS_KEY} ${LUCUN_ACCESS_LOG} ${LUCUN_ERROR_LOG}
${LUCUN_NGINX_RUN_DIR} ${LUCUN_NGINX_WORKERS} ${LUCUN_NGINX_CONF_DIR}'
mkdir -p "$out" "$LUCUN_NGINX_RUN_DIR"
envsubst "$names" < "$here/nginx.conf.template" > "$out/nginx.conf"
envsubst "$names" < "$here/lucun.conf.template" > "$out/lucun.conf"
if grep -n '\${LUCUN_' "$out/nginx.conf" "$out/lucun.conf"; then
  echo "render.sh: a \${LUCUN_…} value above was not replaced" >&2
  exit 1
fi
