"""Migration 0034_api_token_expiry: a database of release 0033 with tokens in it upgrades with
each old token valid for created_at + 365 days and the column NOT NULL; the old tokens still open
the API until then; the downgrade drops only the column, and the upgrade runs again."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from app import create_app
from app.extensions import db
from app.models.base import AwareDateTime
from app.services.api import tokens
from config import TestingConfig
from tests.core.test_migrations import _drop_database, _fresh_database_url

MADE = datetime(2026, 3, 15, 10, 20, 30, 123456, tzinfo=timezone.utc)
REVOKED_MADE = datetime(2025, 10, 26, 0, 30, tzinfo=timezone.utc)  # the night clocks went back in Europe
SECRET = "sapat_" + "a" * 40
TOKEN = sa.table("api_token", sa.column("id", sa.Integer), sa.column("user_id", sa.Integer),
                 sa.column("name", sa.String), sa.column("prefix", sa.String), sa.column("token_hash", sa.String),
                 sa.column("revoked_at", AwareDateTime()), sa.column("created_at", AwareDateTime()),
                 sa.column("expires_at", AwareDateTime()))


def _expiries(conn) -> dict:
    return dict(conn.execute(sa.select(TOKEN.c.name, TOKEN.c.expires_at).order_by(TOKEN.c.id)).all())


def test_old_tokens_get_a_year_from_when_they_were_made(database_url, tmp_path, monkeypatch):
    # PostgreSQL gives timestamps in the session's zone: one with summer time shows that a year
    # is counted as 365 × 24 hours (in Berlin's wall time REVOKED_MADE + 365 days is an hour off).
    monkeypatch.setenv("PGTZ", "Europe/Berlin")
    url, pg_name = _fresh_database_url(database_url, tmp_path)
    application = create_app(type("M", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    try:
        with application.app_context():
            upgrade(revision="0033_round_codes_version")
            with db.engine.begin() as conn:
                conn.execute(text("INSERT INTO school (id, code, name, timezone, created_at) "
                                  "VALUES (1, 's', 'S', 'Asia/Bishkek', CURRENT_TIMESTAMP)"))
                conn.execute(text("INSERT INTO \"user\" (id, school_id, email, full_name, password_hash, locale, "
                                  "active, session_version, created_at) VALUES (1, 1, 'd@x.kg', 'D', 'h', 'ky', true, "
                                  "1, CURRENT_TIMESTAMP)"))
                conn.execute(text("INSERT INTO user_role (id, user_id, role) VALUES (1, 1, 'admin')"))
                conn.execute(TOKEN.insert().values(id=1, user_id=1, name="script", prefix=SECRET[:12],
                                                   token_hash=tokens.digest(SECRET), created_at=MADE))
                conn.execute(TOKEN.insert().values(id=2, user_id=1, name="revoked", prefix="sapat_bbbbbb",
                                                   token_hash="b" * 64, created_at=REVOKED_MADE,
                                                   revoked_at=REVOKED_MADE + timedelta(days=1)))
            assert "expires_at" not in {c["name"] for c in inspect(db.engine).get_columns("api_token")}

            upgrade()
            columns = {c["name"]: c for c in inspect(db.engine).get_columns("api_token")}
            assert columns["expires_at"]["nullable"] is False
            with db.engine.connect() as conn:
                assert _expiries(conn) == {"script": datetime(2027, 3, 15, 10, 20, 30, 123456, timezone.utc),
                                           "revoked": datetime(2026, 10, 26, 0, 30, tzinfo=timezone.utc)}
            with pytest.raises(IntegrityError), db.engine.begin() as conn:
                conn.execute(TOKEN.insert().values(user_id=1, name="no expiry", prefix="sapat_cccccc",
                                                   token_hash="c" * 64, created_at=MADE))

            # The old token opens the API until a second before its year is over.
            client = application.test_client()
            expiry = MADE + timedelta(days=365)
            for moment, status in ((expiry - timedelta(seconds=1), 200), (expiry + timedelta(seconds=1), 401)):
                monkeypatch.setattr("app.services.core.clock.utcnow", lambda moment=moment: moment)
                response = client.get("/api/v1/schools", headers={"Authorization": f"Bearer {SECRET}"})
                assert response.status_code == status
            db.session.remove()

            downgrade(revision="0033_round_codes_version")
            assert "expires_at" not in {c["name"] for c in inspect(db.engine).get_columns("api_token")}
            with db.engine.connect() as conn:
                assert conn.execute(text("SELECT name FROM api_token ORDER BY id")).scalars().all() == [
                    "script", "revoked"]
            upgrade()
            with db.engine.connect() as conn:
                assert _expiries(conn)["script"] == MADE + timedelta(days=365)
            db.engine.dispose()
    finally:
        _drop_database(pg_name)
