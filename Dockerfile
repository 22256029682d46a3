# Two images from one build: `app` (gunicorn, the Celery worker and beat, backups) and `proxy` (Debian's nginx with
# the collected static files and deploy/nginx/). docker-compose.yml builds both; a plain `docker build .` gives app.

# Bookworm: its postgresql-client (15) matches the postgres:15 service, for pg_dump and pg_restore.
FROM python:3.11-slim-bookworm AS app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=lucun.settings.production \
    STATIC_ROOT=/app/static-collected
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY lucun ./lucun
COPY visits ./visits
COPY cases ./cases
COPY deliberation ./deliberation
COPY points ./points
COPY outcomes ./outcomes
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=build-only-collectstatic ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput
# The volumes mounted on media and backups start out owned by this user.
RUN useradd --system --uid 1000 lucun \
    && mkdir -p /app/var /app/media /app/backups \
    && chown -R lucun /app/var /app/media /app/backups
USER lucun
EXPOSE 8000
CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py", "lucun.wsgi:application"]

FROM debian:bookworm-slim AS proxy
RUN apt-get update \
    && apt-get install -y --no-install-recommends nginx-light gettext-base \
    && rm -rf /var/lib/apt/lists/*
COPY deploy/nginx /etc/lucun/nginx
COPY --from=app /app/static-collected /srv/lucun/static
EXPOSE 80 443
CMD ["sh", "-c", "/etc/lucun/nginx/render.sh /etc/lucun/nginx/conf && exec nginx -c /etc/lucun/nginx/conf/nginx.conf -g 'daemon off;'"]

FROM app
