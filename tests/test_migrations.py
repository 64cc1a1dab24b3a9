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
