"""Backup and restore of Sapat's tables.

- SQLite: `backup` copies the live database with SQLite's online backup API (a consistent
  snapshot even while gunicorn workers write).
- PostgreSQL (or `--format jsonl` anywhere): a portable dump, one JSON line per row, read in
  one REPEATABLE READ transaction (a consistent snapshot while the app serves).
- `restore` reads either kind of file into an empty, migrated database of either kind
  (SQLite or PostgreSQL), in foreign-key order, and resets PostgreSQL's id sequences.
  It refuses a database that already holds rows unless `force` is given, and writes
  everything in one transaction: a failed restore leaves the database as it was. Every
  user's session version is bumped, so no session from before the restore is valid.
- Backup files are written 0600, whatever the umask.
"""
import base64
import gzip
import json
import os
import sqlite3
import tempfile
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

from flask_babel import gettext as _
from sqlalchemy import (
    Date,
    DateTime,
    Interval,
    LargeBinary,
    Numeric,
    Table,
    Time,
    create_engine,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection, Engine

from app.extensions import db, refresh_statistics
from app.services.core import clock, data_stamps

FORMAT = "sapat-backup"
VERSION = 1
SQLITE_MAGIC = b"SQLite format 3\x00"
CHUNK = 1000


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message is translated for operators."""


def tables() -> list[Table]:
    """Sapat's tables in foreign-key order (parents first)."""
    return list(db.metadata.sorted_tables)


# --- values <-> JSON ------------------------------------------------------------------

def _encode(value: Any) -> Any:
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decoder(column):
    kind = getattr(column.type, "impl", column.type)  # AwareDateTime decorates a DateTime
    if isinstance(kind, DateTime):
        return datetime.fromisoformat
    if isinstance(kind, Date):
        return lambda v: date.fromisoformat(v[:10])
    if isinstance(kind, Time):
        return time.fromisoformat
    if isinstance(kind, Numeric) and kind.asdecimal:
        return Decimal
    if isinstance(kind, LargeBinary):
        return base64.b64decode
    if isinstance(kind, Interval):
        raise BackupError(f"interval columns are not supported ({column})")
    return None


def _row_decoder(table: Table):
    decoders = {c.name: _decoder(c) for c in table.columns}
    decoders = {k: v for k, v in decoders.items() if v is not None}

    def decode(row: dict) -> dict:
        for name, fn in decoders.items():
            value = row.get(name)
            if isinstance(value, str):
                row[name] = fn(value)
        return row
    return decode


# --- reading ----------------------------------------------------------------------------

def _ordered(table: Table):
    order = list(table.primary_key.columns) or list(table.columns)
    return select(table).order_by(*order)


def iter_rows(conn: Connection, table: Table) -> Iterator[dict]:
    known = {c.name for c in table.columns}
    result = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(_ordered(table))
    for row in result.mappings():
        yield {k: v for k, v in row.items() if k in known}


def table_rows(conn: Connection) -> dict[str, list[dict]]:
    """Every row of every table (for tests and small comparisons)."""
    return {t.name: list(iter_rows(conn, t)) for t in tables()}


def _alembic_revision(conn: Connection):
    if inspect(conn).has_table("alembic_version"):
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return None


# --- backup -----------------------------------------------------------------------------

def backup(engine: Engine, path: Path, fmt: str = "auto") -> dict[str, int]:
    """Write a consistent snapshot to `path`; returns the row count of every table."""
    if fmt == "auto":
        fmt = "sqlite" if engine.dialect.name == "sqlite" else "jsonl"
    if fmt == "sqlite":
        if engine.dialect.name != "sqlite":
            raise BackupError(_("A .db copy can only be made of a SQLite database; use --format jsonl."))
        return _backup_sqlite(engine, path)
    return _backup_jsonl(engine, path)


def _write_atomically(path: Path, write) -> None:
    """Write through a temporary file next to `path`, then move it into place, readable by
    Sapat's own user only (0600: a backup holds every password hash and mark)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".sapat-backup-", dir=str(path.parent.resolve()))
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o600)  # sqlite3 recreates the file with the umask's mode
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _backup_sqlite(engine: Engine, path: Path) -> dict[str, int]:
    def write(tmp: Path):
        tmp.unlink()
        raw = engine.raw_connection()
        try:
            source = raw.driver_connection
            target = sqlite3.connect(str(tmp))
            try:
                # One step: a single read transaction, so that writers (WAL) go on and the copy
                # never restarts because of them.
                source.backup(target, pages=-1)
                target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                if target.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                    raise BackupError(_("The copy failed its integrity check."))
            finally:
                target.close()
        finally:
            raw.close()

    _write_atomically(path, write)
    counts_engine = create_engine(f"sqlite:///{path}")
    try:
        with counts_engine.connect() as conn:
            return {t.name: conn.scalar(select(func.count()).select_from(t)) for t in tables()}
    finally:
        counts_engine.dispose()


def _backup_jsonl(engine: Engine, path: Path) -> dict[str, int]:
    counts: dict[str, int] = {}

    def write(tmp: Path):
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin(), gzip.open(tmp, "wt", encoding="utf-8") as out:
                header = {"format": FORMAT, "version": VERSION, "dialect": conn.dialect.name,
                          "alembic": _alembic_revision(conn), "tables": [t.name for t in tables()],
                          "created_at": clock.now().isoformat()}
                out.write(json.dumps(header, ensure_ascii=False) + "\n")
                for table in tables():
                    n = 0
                    for row in iter_rows(conn, table):
                        out.write(json.dumps({"t": table.name, "r": {k: _encode(v) for k, v in row.items()}},
                                             ensure_ascii=False) + "\n")
                        n += 1
                    counts[table.name] = n
                out.write(json.dumps({"end": counts}) + "\n")

    _write_atomically(path, write)
    return counts


# --- restore ----------------------------------------------------------------------------

def _open(path: Path) -> str:
    with open(path, "rb") as f:
        head = f.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head[:2] == b"\x1f\x8b":
        return "jsonl"
    raise BackupError(_("%(path)s is not a Sapat backup.", path=str(path)))


def _iter_jsonl(path: Path) -> Iterator[tuple[str, dict]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        try:
            header = json.loads(f.readline())
        except (ValueError, OSError):
            raise BackupError(_("%(path)s is not a Sapat backup.", path=str(path))) from None
        if header.get("format") != FORMAT or header.get("version") != VERSION:
            raise BackupError(_("%(path)s is not a Sapat backup.", path=str(path)))
        ended = False
        try:
            for line in f:
                item = json.loads(line)
                if "end" in item:
                    ended = True
                    break
                yield item["t"], item["r"]
        except (ValueError, OSError, EOFError, KeyError):
            raise BackupError(_("The backup file is damaged.")) from None
        if not ended:
            raise BackupError(_("The backup file is incomplete (it has no end mark)."))


def _iter_sqlite(path: Path) -> Iterator[tuple[str, dict]]:
    source = create_engine(f"sqlite:///file:{Path(path).resolve()}?mode=ro&uri=true")
    try:
        with source.connect() as conn:
            present = set(inspect(conn).get_table_names())
            missing = [t.name for t in tables() if t.name not in present]
            if missing:
                raise BackupError(_("The backup lacks the tables %(tables)s: it is from another version.",
                                    tables=", ".join(missing)))
            for table in tables():
                for row in iter_rows(conn, table):
                    yield table.name, {k: _encode(v) for k, v in row.items()}
    finally:
        source.dispose()


def row_count(conn: Connection) -> int:
    return sum(conn.scalar(select(func.count()).select_from(t)) or 0 for t in tables())


def restore(engine: Engine, path: Path, force: bool = False) -> dict[str, int]:
    """Load a backup into the database of `engine`; returns the rows written per table."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("File not found: %(path)s", path=str(path)))
    kind = _open(path)
    source = _iter_sqlite(path) if kind == "sqlite" else _iter_jsonl(path)
    by_name = {t.name: t for t in tables()}
    decoders = {name: _row_decoder(t) for name, t in by_name.items()}
    counts = {name: 0 for name in by_name}
    with engine.begin() as conn:
        present = set(inspect(conn).get_table_names())
        missing = [name for name in by_name if name not in present]
        if missing:
            raise BackupError(_("The database has no tables yet: run `flask --app wsgi db upgrade` first."))
        if row_count(conn):
            if not force:
                raise BackupError(_("The database is not empty. Restore only into an empty database, "
                                    "or add --force to delete everything in it first."))
            for table in reversed(tables()):
                conn.execute(table.delete())
        batch: list[dict] = []
        current = None
        for name, row in source:
            table = by_name.get(name)
            if table is None:
                raise BackupError(_("The backup has the unknown table %(table)s.", table=name))
            if name != current and batch:
                conn.execute(by_name[current].insert(), batch)
                batch = []
            current = name
            batch.append(decoders[name](row))
            counts[name] += 1
            if len(batch) >= CHUNK:
                conn.execute(table.insert(), batch)
                batch = []
        if batch:
            conn.execute(by_name[current].insert(), batch)
        if conn.dialect.name == "postgresql":
            _reset_sequences(conn)
        # Sessions signed before the backup was taken must not come back to life with it.
        user = by_name["user"]
        conn.execute(user.update().values(session_version=user.c.session_version + 1))
        # Figures kept by running app nodes must not outlive the data they came from.
        conn.execute(by_name["school"].update().values(data_stamp=data_stamps.new_stamp()))
        refresh_statistics(conn)
    return counts


def _reset_sequences(conn: Connection) -> None:
    for table in tables():
        for column in table.primary_key.columns:
            if column.autoincrement is True or (column.autoincrement == "auto" and column.type.python_type is int
                                                and len(table.primary_key.columns) == 1):
                sequence = conn.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                       {"t": f'"{table.name}"', "c": column.name})
                if sequence:
                    conn.execute(text(f'SELECT setval(:s, COALESCE((SELECT MAX("{column.name}") '
                                      f'FROM "{table.name}"), 0) + 1, false)'), {"s": sequence})
