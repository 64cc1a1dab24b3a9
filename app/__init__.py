"""Sapat: the school's education-quality monitoring system.

create_app() builds the Flask application; see config.py for the settings.
"""
import logging
import os
import re
import sqlite3
import sys
import uuid

from flask import Flask, g, has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from app.extensions import babel, compress, csrf, db, limiter, login_manager, migrate
from app.features import achievement, api, core, diagnostics, district, exports, monitoring, observations, surveys
from app.i18n import init_i18n
from app.models import User
from app.security import set_security_headers
from app.services.core import clock, data_stamps
from app.services.core.files import private_dir
from app.web import public_url, rate_limits
from app.web.prg import init_prg
from app.web.request import BoundedIntegerConverter, SapatRequest
from app.web.static import init_static
from config import BASE_DIR, CONFIGS, INSTANCE_DIR, Config


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """WAL for concurrent readers, enforced foreign keys, and waiting instead of failing on locks."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        try:
            record.request_id = g.get("request_id", "-")
        except RuntimeError:  # outside a request
            record.request_id = "-"
        return True


def _configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    handler.addFilter(RequestIdFilter())
    app.logger.handlers[:] = [handler]
    app.logger.setLevel(logging.INFO)


def select_locale():
    """A ?lang= in the address (the cookie-free switch of the survey pages), else the user's
    saved language, else the lang cookie, else the browser's preference.

    Outside a request (the CLI) SAPAT_LANG or the shell's LANG decides, English otherwise.
    """
    languages = Config.LANGUAGES
    if not has_request_context():
        wanted = (os.environ.get("SAPAT_LANG") or os.environ.get("LANG") or "en")[:2].lower()
        return wanted if wanted in languages else "en"
    if request.args.get("lang") in languages:
        return request.args["lang"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    cookie = request.cookies.get("lang")
    if cookie in languages:
        return cookie
    return request.accept_languages.best_match(languages) or Config.BABEL_DEFAULT_LOCALE


def select_timezone():
    """The time zone every shown time is read in: the signed-in user's school's (School.timezone)."""
    if has_request_context() and current_user and current_user.is_authenticated:
        return clock.zone(current_user.school).key
    return None  # BABEL_DEFAULT_TIMEZONE


def create_app(config="development"):
    """Application factory. `config` is a name from config.CONFIGS or a config class."""
    config_class = CONFIGS[config] if isinstance(config, str) else config
    config_class.check()

    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder=str(BASE_DIR / "templates"),
    )
    app.request_class = SapatRequest
    app.url_map.converters["int"] = BoundedIntegerConverter  # before any route is added
    app.config.from_object(config_class)
    app.config["SECRET_KEY"] = config_class.secret_key()
    private_dir(INSTANCE_DIR)  # the SQLite database, the development key and export files live here
    if app.config.get("TRUSTED_PROXIES"):
        # Behind n reverse proxies: the client's address and scheme come from their X-Forwarded-*
        # headers (the last n hops only; anything further left is the client's own claim).
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)
    # Each area of the app keeps its own catalogue; Flask-Babel merges them.
    translation_dirs = sorted(str(p) for p in (BASE_DIR / "app" / "translations").iterdir() if p.is_dir())
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_dirs)

    _configure_logging(app)
    db.init_app(app)
    data_stamps.install(app)  # figures kept until their school's data changes
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    rate_limits.install(app)  # memory:// counts safely from several threads
    limiter.init_app(app)
    compress.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    # Flask-Login's own English sentence on every language's login page, unless it is ours,
    # translated when it is flashed (a lazy string cannot go into the session).
    login_manager.login_message = _l("Please log in to access this page.")
    login_manager.localize_callback = str

    init_i18n(app)
    init_static(app)
    init_prg(app)
    # The features this app installs, in the order of their navigation entries.
    for feature in (core.feature, surveys.feature, observations.feature, diagnostics.feature,
                    achievement.feature, monitoring.feature, exports.feature, district.feature, api.feature):
        feature.init_app(app)

    @login_manager.user_loader
    def load_user(user_key: str):
        try:
            user_id, version = (int(part) for part in user_key.split(":"))
        except ValueError:
            return None
        user = db.session.get(User, user_id)
        if user is None or user.session_version != version:
            return None
        return user

    @app.before_request
    def _request_id():
        # A proxy's id is kept when it is plain (no log injection), else a new one is made.
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex[:12]

    app.jinja_env.globals["public_url"] = public_url
    app.after_request(set_security_headers)
    return app
