"""Factory, configuration and the basic HTTP behaviour every page shares."""
import subprocess
import sys

import pytest
from sqlalchemy import text

from app import create_app
from app.extensions import db
from config import ConfigError, ProductionConfig, _database_url


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_wsgi_prints_a_clear_message_without_secret_key(tmp_path):
    env = {"SAPAT_ENV": "production", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", "import wsgi"], env=env, capture_output=True, text=True,
                            cwd=str(__import__("config").BASE_DIR))
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_database_url_switches_to_psycopg(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    assert _database_url("x.db") == "postgresql+psycopg://u@h/db"
    monkeypatch.delenv("DATABASE_URL")
    assert _database_url("x.db").startswith("sqlite:///") and _database_url("x.db").endswith("instance/x.db")


def test_sqlite_connections_enforce_foreign_keys_and_wal(tmp_path):
    from config import TestingConfig

    config = type("C", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/t.db"})
    application = create_app(config)
    with application.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10000
        db.engine.dispose()


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_healthz(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_unknown_page_is_a_translated_404(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "ru"})
    assert response.status_code == 404
    assert "Страница не найдена" in response.get_data(as_text=True)


def test_server_error_shows_no_stack_trace(app):
    application = create_app(_same_config(app))

    @application.route("/boom-test")
    def boom():
        raise RuntimeError("secret internals")

    response = application.test_client().get("/boom-test")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internals" not in body and "Traceback" not in body


def _same_config(app):
    from config import TestingConfig

    return type("C", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
