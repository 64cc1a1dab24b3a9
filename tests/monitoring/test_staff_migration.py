"""Migration 0029_staff_records: upgrades the previous release's database with a row of
school data kept, and downgrades to it, dropping only its own tables."""
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from app import create_app
from app.extensions import db
from config import TestingConfig
from tests.core.test_migrations import _drop_database, _fresh_database_url

TABLES = {"staff_record", "programme_document"}


def test_staff_records_migration_upgrades_and_downgrades(database_url, tmp_path):
    url, pg_name = _fresh_database_url(database_url, tmp_path)
    application = create_app(type("M", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    try:
        with application.app_context():
            upgrade(revision="0028_student_diagnostics")
            with db.engine.begin() as conn:
                conn.execute(text("INSERT INTO school (code, name, timezone, created_at) "
                                  "VALUES ('m1', 'School m1', 'Asia/Bishkek', CURRENT_TIMESTAMP)"))
            assert not TABLES & set(inspect(db.engine).get_table_names())
            upgrade(revision="0029_staff_records")
            assert TABLES <= set(inspect(db.engine).get_table_names())
            with db.engine.begin() as conn:
                school_id = conn.execute(text("SELECT id FROM school WHERE code = 'm1'")).scalar_one()
                conn.execute(text("INSERT INTO programme_document (kind, title, approved_on, approved_by, "
                                  "created_at, school_id) VALUES ('education', 'E', '2025-08-30', 'Order', "
                                  "CURRENT_TIMESTAMP, :s)"), {"s": school_id})
            downgrade(revision="0028_student_diagnostics")
            names = set(inspect(db.engine).get_table_names())
            assert not TABLES & names and "school" in names
            with db.engine.connect() as conn:
                assert conn.execute(text("SELECT count(*) FROM school WHERE code = 'm1'")).scalar_one() == 1
            db.engine.dispose()
    finally:
        _drop_database(pg_name)
