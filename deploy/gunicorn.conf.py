"""gunicorn settings for the reviews service; every value can be overridden from the environment.

The service runs behind nginx, which buffers slow clients and keeps access logs, so the app
servers keep no access log of their own. Worker class and count were chosen by measurement (see
docs/benchmarks.md).
"""

import os
import shutil
import tempfile

from deploy import serving

# Headers and body leave in one write: an app server killed mid-response never leaves nginx with
# headers it already forwarded and a request it can no longer retry (deploy/serving.py).
serving.install()

wsgi_app = "atelier.wsgi:application"
proc_name = "atelier"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# gthread: threads overlap one request's database wait with another's Python, and keep nginx's
# upstream connections alive (no connect and accept per request). Measured on 2 cores against
# sync workers: about as much CPU per request, nginx's share halved, and more throughput.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Deep enough for nginx's bursts; nginx, not gunicorn, queues slow clients.
backlog = int(os.environ.get("GUNICORN_BACKLOG", "2048"))

# A request waits on the database for a lock 3 s at most, on a statement 5 s: then it is a JSON 503
# with Retry-After (atelier.settings), well before the cache's and nginx's timeouts.
os.environ.setdefault("ATELIER_DB_LOCK_TIMEOUT", "3s")
os.environ.setdefault("ATELIER_DB_STATEMENT_TIMEOUT", "5s")

# A request that runs longer than this is stuck: its worker is replaced. nginx's read timeout
# matches it. On SIGTERM/SIGHUP workers finish their requests for up to graceful_timeout.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Longer than nginx's upstream keepalive_timeout (60 s), so nginx, never gunicorn, closes an idle
# connection: no request is ever sent on a connection the app server is closing.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))

# Recycle workers now and then, jittered so they do not all restart at once: bounds any leak.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "2000"))

# The worker heartbeat lives in memory, never on a (possibly slow or container overlay) disk.
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", "/dev/shm")

# A reload stops the old workers once the new ones have loaded the app (deploy/serving.py).
post_worker_init = serving.worker_ready
child_exit = serving.worker_gone

# Prometheus: every worker writes its metrics into a folder of this app server's own, which
# /metrics adds up (atelier.metrics); a new app server starts from zero, and removes it at exit.
if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="atelier-metrics-")


def on_exit(server) -> None:
    shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


# Access logs off the hot path: nginx logs every request (buffered); set GUNICORN_ACCESSLOG=- to
# have gunicorn log too while debugging.
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = os.environ.get("GUNICORN_ERRORLOG", "-")
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")

# nginx talks to gunicorn over a Unix socket or a private network: trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn's control socket defaults to one path per user ($HOME/.gunicorn/gunicorn.ctl): every app
# server on a machine would share it, and one stopping would remove another's. The cluster command
# and operators use signals and pid files instead.
control_socket_disable = True
