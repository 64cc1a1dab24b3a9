"""Migrations build the schema from nothing and match the models exactly."""
import uuid

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from config import TestingConfig


def _fresh_database_url(database_url, tmp_path):
    if database_url.startswith("postgresql"):
        import psycopg

        from tests.conftest import PG_ADMIN_URL

        name = f"sapat_mig_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return database_url.rsplit("/", 1)[0] + "/" + name, name
    return f"sqlite:///{tmp_path}/migrated.db", None


def _drop_database(pg_name):
    if pg_name:
        import psycopg

        from tests.conftest import PG_ADMIN_URL

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def test_upgrade_from_empty_database_matches_models(database_url, tmp_path):
    url, pg_name = _fresh_database_url(database_url, tmp_path)
    config = type("M", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    application = create_app(config)
    try:
        with application.app_context():
            upgrade()
            with db.engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={"compare_type": True})
                diff = compare_metadata(context, db.metadata)
            assert diff == [], f"models and migrations differ: {diff}"
            db.engine.dispose()
    finally:
        if pg_name:
            import psycopg

            from tests.conftest import PG_ADMIN_URL

            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def test_upgrade_from_the_previous_release_keeps_its_responses(database_url, tmp_path):
    """A database of release 0007 (page-by-page surveys, a draft and a complete response)
    upgrades to the one-page schema; both rows stay and results still count the complete one."""
    from sqlalchemy import text

    url, pg_name = _fresh_database_url(database_url, tmp_path)
    config = type("M", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    application = create_app(config)
    try:
        with application.app_context():
            upgrade(revision="0007_exports")
            now = "2026-09-01 08:00:00"
            statements = [
                f"INSERT INTO school (id, code, name, created_at) VALUES (1, 'old', 'Old school', '{now}')",
                "INSERT INTO instrument (id, key, version, kind, title, content_hash, definition, created_at) "
                f"VALUES (1, 'k', 1, 'survey', 'T', 'h', '{{}}', '{now}')",
                "INSERT INTO campaign (id, instrument_id, title, audience, status, access_mode, min_group_size, "
                f"code_salt, school_id, created_at) VALUES (1, 1, 'C', 'parents', 'open', 'link', 5, 's', 1, '{now}')",
                "INSERT INTO campaign_class (id, campaign_id, slug, label) VALUES (1, 1, 'oldslug1', '*')",
                "INSERT INTO response (id, campaign_id, target_id, client_uuid, resume_hash, status, next_section, "
                "started_on, submitted_on) VALUES (1, 1, 1, 'u1', 'hash-of-a-token', 'draft', 1, '2026-09-01', NULL), "
                "(2, 1, 1, 'u2', NULL, 'complete', 2, '2026-09-01', '2026-09-01')",
            ]
            with db.engine.begin() as conn:
                for statement in statements:
                    conn.execute(text(statement))
            upgrade()
            with db.engine.connect() as conn:
                rows = conn.execute(text("SELECT client_uuid, status FROM response ORDER BY id")).all()
                columns = {c["name"] for c in db.inspect(conn).get_columns("response")}
            assert [tuple(r) for r in rows] == [("u1", "draft"), ("u2", "complete")]
            assert "resume_hash" not in columns and "next_section" not in columns
            db.engine.dispose()
    finally:
        if pg_name:
            import psycopg

            from tests.conftest import PG_ADMIN_URL

            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
