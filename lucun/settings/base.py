"""Settings shared by every environment; each value may be overridden from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("LUCUN_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
# The embedded default is for one machine; production.py refuses to start without a real key.
SECRET_KEY = env.str("SECRET_KEY", default="insecure-embedded-default-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "lucun.apps.LucunConfig",
    "lucun.apps.AdminConfig",  # django.contrib.admin with lucun.admin_site.AdminSite
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "lucun.login_limits.apps.AxesConfig",
    # cases first: the apps after it may use its services (and their demo data builds on its demo data)
    "cases.apps.CasesConfig",
    "visits.apps.VisitsConfig",
    "deliberation.apps.DeliberationConfig",
    "points.apps.PointsConfig",
    "outcomes.apps.OutcomesConfig",
    "bench.apps.BenchConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lucun.urls"
WSGI_APPLICATION = "lucun.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lucun.context_processors.shell",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'lucun.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL and a busy timeout let the web server, the worker and beat share one SQLite file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "lucun.User"
# django-axes first: it refuses a locked account or address before any password is checked (lucun.login_limits).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "lucun.auth.UsernameOrPhoneBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Chinese first; English when the person chose it in a page's footer (this cookie) or, without a choice, when the
# browser asks for it (Accept-Language). The cookie only remembers that choice.
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it even before collectstatic
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploads are private: lucun.files checks the owner's scope, then this backend sends the bytes. The embedded default
# streams them itself; behind nginx, the nginx backend answers with X-Accel-Redirect: SENDFILE_URL/<name>.
SENDFILE_BACKEND = env.str("LUCUN_SENDFILE_BACKEND", default="django_sendfile.backends.simple")
SENDFILE_ROOT = str(MEDIA_ROOT.absolute())
SENDFILE_URL = env.str("LUCUN_SENDFILE_URL", default="/protected-media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# Redis is shared state in production; without it the embedded default keeps everything local.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lucun"}}

# Celery: Redis when configured, otherwise kombu's filesystem transport under var/ (no server needed).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery"
    for _folder in ("queue", "processed", "control"):
        (_queue_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "queue"),
        "data_folder_out": str(_queue_dir / "queue"),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Sending to the broker gives up quickly: the outbox keeps the message and a beat job retries it.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_MAX_RETRIES = 0

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "lucun.api.query.DocumentedQueryParameters",  # undocumented or malformed query parameters: 400
    ],
    # Bodies that are not text in their charset, and malformed JSON, get a 400 with a Chinese message.
    "DEFAULT_PARSER_CLASSES": [
        "lucun.api.parsers.JSONParser",
        "lucun.api.parsers.FormParser",
        "lucun.api.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "lucun.api.filters.CommunityScopeFilter",
        "lucun.api.filters.StrictFilterBackend",
    ],
    "DEFAULT_PAGINATION_CLASS": "lucun.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "lucun.api.schema.AutoSchema",
    # Services refuse with lucun.errors: a rule 400, a position 403, both as {"detail", "code"}.
    "EXCEPTION_HANDLER": "lucun.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "1200/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "lucun API",
    "DESCRIPTION": "直面问、现场议、分类解 — 街道民情与诉求办理接口。所有数据按用户职务所辖村居限定范围。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # A choice set used by several components (read, create and patch shapes) needs its one name here.
    "ENUM_NAME_OVERRIDES": {
        "RewardKindEnum": "points.models.Reward.Kind",
        "JobStateEnum": "lucun.jobs.models.JobState",
        "ApprovalKindEnum": "cases.models.ApprovalKind",
    },
}

# EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.org:587 ; the console by default.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="lucun <noreply@localhost>")

# Where notifications go besides the in-app centre; each entry is a dotted path to a backend class.
LUCUN_NOTIFICATION_BACKENDS = env.list("LUCUN_NOTIFICATION_BACKENDS", default=["lucun.notify.backends.LogBackend"])
LUCUN_WEBHOOK_URL = env.str("LUCUN_WEBHOOK_URL", default="")

# SMS (短信, README "短信"): "log" writes what would be sent to the log (development); "aliyun" sends through
# Aliyun 短信服务 SendSms. Officials get SMS when "lucun.notify.backends.SmsBackend" is among the backends above.
LUCUN_SMS_PROVIDER = env.str("LUCUN_SMS_PROVIDER", default="log")
LUCUN_SMS_ACCESS_KEY_ID = env.str("LUCUN_SMS_ACCESS_KEY_ID", default="")
LUCUN_SMS_ACCESS_KEY_SECRET = env.str("LUCUN_SMS_ACCESS_KEY_SECRET", default="")
LUCUN_SMS_SIGN_NAME = env.str("LUCUN_SMS_SIGN_NAME", default="")
# The approved template of each kind of message, e.g. "red_notice=SMS_1,approval_request=SMS_2,case_resolved=SMS_3";
# a kind without a template is not texted.
LUCUN_SMS_TEMPLATES = env.dict("LUCUN_SMS_TEMPLATES", default={})
LUCUN_SMS_ENDPOINT = env.str("LUCUN_SMS_ENDPOINT", default="https://dysmsapi.aliyuncs.com/")
LUCUN_SMS_REGION = env.str("LUCUN_SMS_REGION", default="cn-hangzhou")
LUCUN_SMS_TIMEOUT = env.float("LUCUN_SMS_TIMEOUT", default=5.0)
# No SMS in these local hours (TIME_ZONE): messages wait for the morning. Empty: no quiet hours.
LUCUN_SMS_QUIET_HOURS = env.str("LUCUN_SMS_QUIET_HOURS", default="21:00-08:00")
# At most this many SMS to one number in any hour; more wait until the hour has room.
LUCUN_SMS_PER_HOUR = env.int("LUCUN_SMS_PER_HOUR", default=5)
# A message the provider refused this many times is given up (logged, with the last error).
LUCUN_SMS_MAX_ATTEMPTS = env.int("LUCUN_SMS_MAX_ATTEMPTS", default=10)

MESSAGE_TAGS = {10: "debug", 20: "info", 25: "success", 30: "warning", 40: "error"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"refusals_on_one_line": {"()": "lucun.logfilters.RefusalsOnOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["refusals_on_one_line"]},
    },
}

# Content-Security-Policy: no inline script anywhere, every asset from this site (no CDN).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Behind N reverse proxies, the client's address for rate limits is the Nth from the right of X-Forwarded-For.
LUCUN_TRUSTED_PROXY_COUNT = env.int("LUCUN_TRUSTED_PROXY_COUNT", default=0)
# The absolute address printed in QR codes (e.g. https://lucun.example.gov.cn); the request's host otherwise.
LUCUN_PUBLIC_BASE_URL = env.str("LUCUN_PUBLIC_BASE_URL", default="")

# Password guessing (django-axes, lucun.login_limits): failures are counted in the database, per account (typed
# names normalised and resolved to the account, mobile number included) and per client address, on every path
# that checks a password. A lock lasts the cool-off after the last counted failure; the admin lists and clears it.
AXES_HANDLER = "lucun.login_limits.hooks.LoginLimitHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = env.int("LUCUN_LOGIN_FAILURES_PER_ACCOUNT", default=5)
LUCUN_LOGIN_FAILURES_PER_ADDRESS = env.int("LUCUN_LOGIN_FAILURES_PER_ADDRESS", default=30)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LUCUN_LOGIN_COOLOFF_MINUTES", default=15))
AXES_USERNAME_CALLABLE = "lucun.login_limits.hooks.login_name"
AXES_CLIENT_IP_CALLABLE = "lucun.login_limits.hooks.client_address"
AXES_LOCKOUT_CALLABLE = "lucun.login_limits.hooks.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Trying again while locked does not extend the lock: the message's "try again in N minutes" stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A password change is checked by the limiter too: its fields are masked in the failure records like the password.
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "csrfmiddlewaretoken",
    "old_password",
    "new_password1",
    "new_password2",
]
AXES_VERBOSE = False  # no start-up banner; log lines name only the path (name and address are masked)
# Successful sign-ins (name, address, browser) are kept this many days, then a daily beat job deletes them.
LUCUN_LOGIN_LOG_DAYS = env.int("LUCUN_LOGIN_LOG_DAYS", default=90)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# A resolved case with no callback is closed automatically after this many days.
LUCUN_CASE_AUTO_CLOSE_DAYS = env.int("LUCUN_CASE_AUTO_CLOSE_DAYS", default=7)

# A list exported to xlsx with up to this many rows is answered at once; a larger one is made in the background.
LUCUN_EXPORT_DIRECT_MAX = env.int("LUCUN_EXPORT_DIRECT_MAX", default=2000)
# The most case sheets (办理单) printed into one PDF at once: about a tenth of a second each, in the request.
# More are printed in the background, up to LUCUN_CASE_SHEETS_JOB_MAX in one file.
LUCUN_CASE_SHEETS_MAX = env.int("LUCUN_CASE_SHEETS_MAX", default=50)
LUCUN_CASE_SHEETS_JOB_MAX = env.int("LUCUN_CASE_SHEETS_JOB_MAX", default=2000)
# The files of exports and print jobs are deleted this many days after they were made (an hourly beat job).
LUCUN_JOB_FILES_DAYS = env.int("LUCUN_JOB_FILES_DAYS", default=7)
# A bulk action (assign, accept, mark spam … on many rows of a list) on up to this many rows runs in the request;
# more run as a background job with progress. No bulk action takes more than LUCUN_BULK_MAX rows at once.
LUCUN_BULK_SYNC_MAX = env.int("LUCUN_BULK_SYNC_MAX", default=50)
LUCUN_BULK_MAX = env.int("LUCUN_BULK_MAX", default=5000)

# manage.py backup: where the dated archives go and how many of the newest are kept.
LUCUN_BACKUP_DIR = Path(env.str("LUCUN_BACKUP_DIR", default=str(VAR_DIR / "backups")))
LUCUN_BACKUP_KEEP = env.int("LUCUN_BACKUP_KEEP", default=14)

# Photos (lucun/images.py): one set of limits for every upload, public feedback and officials' forms alike.
# 8 MB per photo: a phone photo at its default setting is 2–6 MB (HEIC less), and three of them with the form
# stay under nginx's 25 MB request body limit. 50 megapixels for the bomb check, read from the header before
# anything is decoded: it admits a 48–50 MP phone sensor's full-size shot (8160 × 6120) and no more, so one
# request decodes at most about 150 MB of pixels. 1600 px on the long edge once re-encoded: a sign, a crack or a
# meter reads on a desktop screen, and a photo stays near 250 KB, so a street's years of photos and their
# backups stay small. Thumbnails of 320 px fill the galleries' 96–140 px tiles on a phone's dense screen.
LUCUN_IMAGE_MAX_BYTES = env.int("LUCUN_IMAGE_MAX_BYTES", default=8 * 1024 * 1024)
LUCUN_IMAGE_MAX_PIXELS = env.int("LUCUN_IMAGE_MAX_PIXELS", default=50_000_000)
LUCUN_IMAGE_MAX_EDGE = env.int("LUCUN_IMAGE_MAX_EDGE", default=1600)
LUCUN_IMAGE_THUMBNAIL_EDGE = env.int("LUCUN_IMAGE_THUMBNAIL_EDGE", default=320)
