"""`flask backup` / `flask restore`: a consistent snapshot while the app serves, restored
into an empty database (SQLite or PostgreSQL) with every row of every table identical."""
import gzip
import io
import re
import threading
from datetime import datetime, timezone

from sqlalchemy import create_engine, func, insert, select

from app.extensions import db
from app.models import AuditLog, User
from app.services.core import backup as backup_service
from tests.security.support import login_client
from tests.security.tables import BACKUP_SEEDERS


def _seed(school, other_school):
    from app.services.core.audit import record

    record("update", "subject", school.subjects[0].id, school_id=school.school.id,
           user_id=school.users["admin"].id, before={"name": "Ф", "n": [1, 2]}, after={"name": "Ж ✓ \"q\""})
    school.users["teacher"].full_name = "Айгүл Токтогулова 'O\"Brien' <b>"
    for seeder in BACKUP_SEEDERS:
        seeder(school)
    db.session.commit()


def _rows(engine):
    """Every row of every table; users without their session version and schools without their
    data stamp, which a restore renews on purpose (test_round_trip_through_the_commands and
    tests/core/test_data_stamps.py check them)."""
    with engine.connect() as conn:
        rows = backup_service.table_rows(conn)
    rows["user"] = [{k: v for k, v in row.items() if k != "session_version"} for row in rows["user"]]
    rows["school"] = [{k: v for k, v in row.items() if k != "data_stamp"} for row in rows["school"]]
    return rows


def _session_versions(engine):
    with engine.connect() as conn:
        return dict(conn.execute(select(User.id, User.session_version)).all())


def _normalised(rows):
    """Datetimes as naive UTC, so that SQLite (naive) and PostgreSQL (aware) compare."""
    def norm(value):
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(timezone.utc).replace(tzinfo=None)
        return value
    return {t: [{k: norm(v) for k, v in row.items()} for row in table] for t, table in rows.items()}


def _wipe(engine):
    db.session.commit()
    with engine.begin() as conn:
        for table in reversed(backup_service.tables()):
            conn.execute(table.delete())


def _empty_database(tmp_path, kind):
    """A new empty database of `kind` with Sapat's tables; returns (engine, cleanup)."""
    if kind == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path}/restored.db")
        db.metadata.create_all(engine)
        return engine, engine.dispose
    from tests.conftest import _drop_postgres_database, _postgres_database

    name, url = _postgres_database()
    engine = create_engine(url)
    db.metadata.create_all(engine)

    def cleanup():
        engine.dispose()
        _drop_postgres_database(name)
    return engine, cleanup


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbooks(app, school):
    """Every workbook the app serves to the director (found from the URL map, so each new
    export takes part), as {url: cell values of every sheet}."""
    from openpyxl import load_workbook

    from tests.security.support import build_url, routes, url_args

    client = login_client(app, school.users["admin"])
    books = {}
    for route in routes(app):
        if "GET" not in route.methods or route.endpoint == "static" or route.public:
            continue
        url = build_url(app, route, url_args(route, school))
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == XLSX:
            book = load_workbook(io.BytesIO(response.data), read_only=True)
            books[url] = {sheet.title: [tuple(_without_clock(v) for v in row)
                                        for row in sheet.iter_rows(values_only=True)]
                          for sheet in book.worksheets}
    return books


_CLOCK = re.compile(r"\d\d\.\d\d\.\d{4} \d\d:\d\d")


def _without_clock(value):
    """A workbook's 'Generated: <when>' line changes with the minute the file is built;
    the comparison is about the data, so the time stamp is blanked."""
    return _CLOCK.sub("<when>", value) if isinstance(value, str) else value


def test_round_trip_through_the_commands(app, school, other_school, tmp_path):
    _seed(school, other_school)
    exports_before = _workbooks(app, school)
    assert exports_before  # at least the roster template; feature exports join by themselves
    before = _rows(db.engine)
    assert sum(len(t) for t in before.values()) > 50
    runner = app.test_cli_runner()
    path = tmp_path / "sapat.backup"
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    assert "rows in" in result.output

    # Restoring over the live data is refused and changes nothing.
    result = runner.invoke(args=["restore", str(path)])
    assert result.exit_code != 0 and "not empty" in result.output
    assert _rows(db.engine) == before

    versions = _session_versions(db.engine)
    _wipe(db.engine)
    result = runner.invoke(args=["restore", str(path)])
    assert result.exit_code == 0, result.output
    assert _rows(db.engine) == before
    # Sessions signed before the restore do not come back: every session version moved on.
    assert _session_versions(db.engine) == {uid: v + 1 for uid, v in versions.items()}
    exports_after = _workbooks(app, school)
    assert exports_after == exports_before
    from tests.security.support import record_figure

    record_figure("backup_round_trip", {"tables": len(before), "rows": sum(len(t) for t in before.values()),
                                        "identical": True, "workbooks_compared": len(exports_after)})

    # --force replaces whatever is there.
    db.session.execute(insert(AuditLog).values(action="x", entity="y", school_id=school.school.id))
    db.session.commit()
    result = runner.invoke(args=["restore", "--force", str(path)])
    assert result.exit_code == 0, result.output
    assert _rows(db.engine) == before

    # The restored database works: logins, and new rows get fresh ids (PostgreSQL sequences).
    client = login_client(app, school.users["admin"])
    response = client.post("/admin/users/new", data={"full_name": "After Restore", "email": "after@x.kg",
                                                      "roles": "teacher", "locale": "ky", "active": "y",
                                                      "password": "long-enough-1"})
    assert response.status_code == 303
    assert db.session.scalar(select(func.count(User.id))) == len(before["user"]) + 1


def test_portable_dump_restores_into_an_empty_database_of_either_kind(app, school, other_school, tmp_path):
    _seed(school, other_school)
    before = _normalised(_rows(db.engine))
    path = tmp_path / "sapat.jsonl.gz"
    counts = backup_service.backup(db.engine, path, fmt="jsonl")
    assert counts["user"] == len(before["user"])
    kinds = ["sqlite"] + (["postgresql"] if db.engine.dialect.name == "postgresql" else [])
    for kind in kinds:
        engine, cleanup = _empty_database(tmp_path, kind)
        try:
            backup_service.restore(engine, path)
            assert _normalised(_rows(engine)) == before, kind
            if kind == "postgresql":  # the planner knows the restored tables at once
                with engine.connect() as conn:
                    analyzed = conn.exec_driver_sql(
                        "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'mark' "
                        "AND last_analyze IS NOT NULL").scalar()
                assert analyzed == 1
        finally:
            cleanup()


def test_sqlite_copy_restores_into_the_other_kind(app, school, other_school, tmp_path):
    """A .db copy of SQLite restores into PostgreSQL (moving the school to a server)."""
    if db.engine.dialect.name != "sqlite":
        return  # the PostgreSQL run restores its own dumps above
    _seed(school, other_school)
    before = _normalised(_rows(db.engine))
    path = tmp_path / "copy.db"
    backup_service.backup(db.engine, path)
    assert path.read_bytes()[:16] == backup_service.SQLITE_MAGIC
    engine, cleanup = _empty_database(tmp_path, "sqlite")
    try:
        backup_service.restore(engine, path)
        assert _normalised(_rows(engine)) == before
    finally:
        cleanup()


def test_backup_while_the_app_writes_is_a_consistent_snapshot(app, school, tmp_path):
    """A writer keeps adding rows during the backup; the copy holds a prefix of them."""
    stop = threading.Event()
    written = []

    engine = db.engine
    school_id = school.school.id

    def writer():
        i = 0
        while not stop.is_set() and i < 2000:
            with engine.begin() as conn:
                conn.execute(insert(AuditLog).values(action="create", entity="load", entity_id=str(i),
                                                     school_id=school_id))
            written.append(i)
            i += 1

    db.session.commit()
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for _ in range(1000):
            if len(written) >= 20 or not thread.is_alive():
                break
            threading.Event().wait(0.01)
        assert len(written) >= 20
        path = tmp_path / "live.backup"
        counts = backup_service.backup(engine, path)
        during = len(written)
    finally:
        stop.set()
        thread.join()
    engine, cleanup = _empty_database(tmp_path, "sqlite")
    try:
        backup_service.restore(engine, path)
        with engine.connect() as conn:
            ids = sorted(int(v) for v in conn.scalars(select(AuditLog.entity_id).where(AuditLog.entity == "load")))
    finally:
        cleanup()
    assert ids == list(range(len(ids))) and 20 <= len(ids) <= len(written)
    assert during < len(written) or len(written) == 2000  # the writer went on during the backup
    assert counts["audit_log"] >= len(ids)


def test_damaged_or_foreign_files_are_refused_and_nothing_is_written(app, school, tmp_path):
    path = tmp_path / "sapat.jsonl.gz"
    backup_service.backup(db.engine, path, fmt="jsonl")
    truncated = tmp_path / "truncated.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        lines = f.readlines()
    with gzip.open(truncated, "wt", encoding="utf-8") as f:
        f.writelines(lines[: len(lines) // 2])
    garbage = tmp_path / "notes.txt"
    garbage.write_text("hello")
    _wipe(db.engine)
    runner = app.test_cli_runner()
    for bad, message in [(truncated, "incomplete"), (garbage, "not a Sapat backup"),
                         (tmp_path / "missing.gz", "not found")]:
        result = runner.invoke(args=["restore", str(bad)])
        assert result.exit_code != 0 and message in result.output, result.output
        assert "Traceback" not in result.output
        assert sum(len(t) for t in _rows(db.engine).values()) == 0


def test_restore_needs_migrated_tables(tmp_path, app):
    engine = create_engine(f"sqlite:///{tmp_path}/blank.db")
    path = tmp_path / "x.gz"
    backup_service.backup(db.engine, path, fmt="jsonl")
    try:
        backup_service.restore(engine, path)
    except backup_service.BackupError as error:
        assert "db upgrade" in str(error)
    else:
        raise AssertionError("restore into a database without tables must fail")
    finally:
        engine.dispose()
