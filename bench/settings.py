"""Settings for the processes the benchmark starts (gunicorn, the print job): the settings the benchmark
itself runs with, pointed at its database, without debug, with one extra bare view to compare against.

Never used by the site: only ``manage.py bench`` names this module, in the environment of its children.
"""

import copy
import importlib
import os

_base = importlib.import_module(os.environ.get("LUCUN_BENCH_BASE_SETTINGS", "lucun.settings"))
globals().update({name: value for name, value in vars(_base).items() if name.isupper()})

DATABASES = copy.deepcopy(_base.DATABASES)
DATABASES["default"]["NAME"] = os.environ["LUCUN_BENCH_DB_NAME"]
DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# The load generator stands in for the TLS proxy: one trusted hop, whose X-Forwarded-For names the client.
LUCUN_TRUSTED_PROXY_COUNT = 1
