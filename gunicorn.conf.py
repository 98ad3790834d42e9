"""gunicorn's settings for the portal and the API; gunicorn reads this file from the working
directory. Each can be set in the environment."""

import os

bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
# Threads share their process's interpreter lock: one process per core with two threads each
# served the most authorization checks per second (docs/performance.md). Raise WEB_THREADS when
# many slow requests (large exports) are expected at once.
worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", os.cpu_count() or 2))
threads = int(os.environ.get("WEB_THREADS", "2"))
keepalive = 30
# "-" logs every request to stdout; off when a proxy in front logs them.
accesslog = os.environ.get("WEB_ACCESS_LOG") or None
