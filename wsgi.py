"""Entry point: `flask --app wsgi ...` and `gunicorn wsgi:app`.

SAPAT_ENV chooses the configuration (development, testing, production). When it is not set,
the `flask` command (make run, the command line) runs in development and anything else
(gunicorn) in production, which refuses to start without its settings: a server started with
nothing set fails closed instead of running on development settings (config.default_env).
"""
import os
import sys

from app import create_app
from config import ConfigError, default_env

BOOT_ERROR = 3  # gunicorn's WORKER_BOOT_ERROR: the master stops instead of starting workers forever

try:
    app = create_app(os.environ.get("SAPAT_ENV") or default_env(sys.argv[0] if sys.argv else ""))
except ConfigError as error:
    print(f"Sapat cannot start: {error}", file=sys.stderr)
    sys.exit(BOOT_ERROR)
