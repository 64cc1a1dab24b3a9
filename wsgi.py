"""Entry point: `flask --app wsgi ...` and `gunicorn wsgi:app`.

SAPAT_ENV chooses the configuration (development, testing, production).
"""
import os
import sys

from app import create_app
from config import ConfigError

try:
    app = create_app(os.environ.get("SAPAT_ENV", "development"))
except ConfigError as error:
    sys.exit(f"Sapat cannot start: {error}")
