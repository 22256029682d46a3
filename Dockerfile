FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=lucun.settings.production
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
RUN SECRET_KEY=build-only-collectstatic ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput
RUN useradd --system --uid 1000 lucun && mkdir -p /app/var && chown -R lucun /app/var
USER lucun
EXPOSE 8000
CMD ["gunicorn", "lucun.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
