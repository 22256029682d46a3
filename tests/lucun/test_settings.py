import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _check(env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    env.update({"DJANGO_SETTINGS_MODULE": "lucun.settings.production", "ALLOWED_HOSTS": "lucun.example.org"})
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = _check({})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_start_with_a_secret_key():
    result = _check({"SECRET_KEY": "a-real-secret-" + "x" * 50})
    assert result.returncode == 0, result.stderr


def test_the_proxy_takes_the_largest_form_the_application_takes():
    """Six photos at the most a photo may weigh, and the fields around them, pass nginx: a larger limit in the
    application than in the proxy would answer an official's visit with nginx's refusal and lose what was typed."""
    import re

    from django.conf import settings

    from cases.models import FeedbackPhoto
    from cases.services.opening import MAX_CASE_PHOTOS
    from visits.forms import MAX_PHOTOS

    conf = (ROOT / "deploy/nginx/lucun.conf.template").read_text()
    (megabytes,) = re.findall(r"^client_max_body_size (\d+)m;", conf, flags=re.MULTILINE)
    most_photos = max(MAX_CASE_PHOTOS, MAX_PHOTOS, FeedbackPhoto.MAX_PER_FEEDBACK)
    largest_form = most_photos * settings.LUCUN_IMAGE_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert int(megabytes) * 1024 * 1024 >= largest_form
    # A body over the limit gets a page of ours, and that page is among the static files nginx serves.
    (page,) = re.findall(r"error_page 413 /static/(\S+);", conf)
    text = (ROOT / "static" / page).read_text()
    assert f"{megabytes} MB" in text and "返回" in text
