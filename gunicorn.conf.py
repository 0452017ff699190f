"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every setting can be overridden from the environment (GUNICORN_CMD_ARGS or the names below).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Requests are short database round-trips; printing runs in a queue or print threads. Live
# editors' long-polls wait in a thread each, with no transaction open: a process lets at most
# LONG_POLLS_WAITING (16) of them wait, and PDF_PRINTS_WAITING (8) requests wait for a print,
# so with 32 threads a third of them always answer everything else at once.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "32"))
worker_class = "gthread"
timeout = 60
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak never becomes an outage.
max_requests = 2000
max_requests_jitter = 200
# The reverse proxy terminates TLS and sets X-Forwarded-*; trust it only from localhost.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
# Import the app before forking, so a broken configuration (say a missing SECRET_KEY)
# stops start-up once with a clear message instead of in every worker.
preload_app = True
