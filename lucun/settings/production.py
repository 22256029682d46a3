"""Production settings: PostgreSQL, Redis, HTTPS. Refuses to start without a secret key."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import STORAGES, env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY or SECRET_KEY.startswith("insecure-"):
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment for production.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
LUCUN_TRUSTED_PROXY_COUNT = env.int("LUCUN_TRUSTED_PROXY_COUNT", default=1)  # behind the TLS proxy
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
# nginx sends uploaded files from its internal location (SENDFILE_URL, aliased to MEDIA_ROOT) after the scope check.
SENDFILE_BACKEND = env.str("LUCUN_SENDFILE_BACKEND", default="django_sendfile.backends.nginx")
# Static files under names that carry their content's hash (css/lucun.0123456789ab.css, from the manifest that
# collectstatic writes, with compressed copies), so nginx caches them for a year (deploy/nginx); a page naming a file
# that was not collected fails loudly instead of linking to nothing.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
