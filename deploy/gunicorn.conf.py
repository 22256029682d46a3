"""Gunicorn for lucun: used by docker-compose.yml, the Dockerfile and CI's stack (deploy/ci-stack.sh).

Gunicorn sits behind nginx and is reached only through it: in compose it listens on the internal network
(the web service publishes no port), in CI on 127.0.0.1.
"""

import os

# Inside the container, every interface is the compose network's; nothing outside reaches it.
bind = [os.environ.get("LUCUN_GUNICORN_BIND", "0.0.0.0:8000")]
workers = int(os.environ.get("LUCUN_GUNICORN_WORKERS", "3"))
worker_class = "sync"  # nginx buffers slow clients and uploads, so sync workers are not held up by them
timeout = 60
graceful_timeout = 30
max_requests = 2000  # recycle workers now and then (memory), staggered
max_requests_jitter = 200
# Worker heartbeats in memory rather than on the container's disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# The access log never records a client address, a user agent, a referrer or a query string: the anonymous
# pages (/f/, /s/, /api/v1/feedback/, /points/m/) promise not to keep them, and gunicorn only sees nginx anyway.
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("LUCUN_GUNICORN_LOG_LEVEL", "info")
# No runtime control socket: nothing manages gunicorn but its signals (and several would share one path).
control_socket_disable = True
