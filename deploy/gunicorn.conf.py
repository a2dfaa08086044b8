"""gunicorn settings for an app server (docs/deployment.md): `gunicorn config.wsgi -c deploy/gunicorn.conf.py`."""

import multiprocessing
import os

bind = os.getenv("GUNICORN_BIND", "127.0.0.1:8000")
# Pages are short and CPU-bound (templates, scoring reads): a process per core and one spare per core.
workers = int(os.getenv("GUNICORN_WORKERS", str(2 * multiprocessing.cpu_count())))
# Long work runs in the background worker; a page taking longer than this is a bug, not a big year.
timeout = int(os.getenv("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle workers now and then (memory fragmentation)
max_requests_jitter = 200
accesslog = "-"
forwarded_allow_ips = os.getenv("FORWARDED_ALLOW_IPS", "127.0.0.1")
