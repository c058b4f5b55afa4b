"""gunicorn settings for `make serve` (scripts/serve), every one from the environment.

Start it with ``gunicorn -c config/gunicorn.conf.py``; docs/operations.md lists the variables.
"""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"

# Loopback by default: a reverse proxy on the same machine terminates HTTPS.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
# gunicorn's rule of thumb: two workers per core, plus one.
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
# A request running longer than this is killed and its worker replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Replace a worker after this many requests (0: never), with jitter so that they do not all
# restart at once: bounds the memory a slow leak can take.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 10
# Addresses allowed to set X-Forwarded-* headers (the reverse proxy).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Access log and errors on standard output / standard error (systemd or the terminal keeps
# them); Django's own log goes to standard error too.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "icahub"
# gunicorn's control socket (gunicornc) sits in $HOME by default, one path for every instance
# of the user: off, so that two instances (production and a test, say) never share it.
control_socket_disable = True
