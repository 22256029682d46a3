"""Settings for the test suite: the same database engine as configured, fast hashing, eager tasks."""

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="lucun-test-media-"))
SENDFILE_BACKEND = "django_sendfile.backends.simple"
SENDFILE_ROOT = str(MEDIA_ROOT)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LUCUN_NOTIFICATION_BACKENDS = []

# A template variable that does not exist fails the test that renders it (lucun.testing).
from lucun.testing import STRING_IF_INVALID  # noqa: E402

TEMPLATES = [{**TEMPLATES[0], "OPTIONS": {**TEMPLATES[0]["OPTIONS"], "string_if_invalid": STRING_IF_INVALID}}]  # noqa: F405
MIDDLEWARE = ["lucun.testing.InvalidTemplateVariableMiddleware", *MIDDLEWARE]  # noqa: F405

# Parallel test processes (pytest-xdist: gw0, gw1, …) each get a Redis database of their own, as they get a test
# database of their own: every test empties the cache, and one process must not empty another's.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and REDIS_URL:  # noqa: F405
    _url = urlsplit(REDIS_URL)  # noqa: F405
    CACHES["default"]["LOCATION"] = urlunsplit(_url._replace(path=f"/{11 + int(_worker[2:])}"))  # noqa: F405
