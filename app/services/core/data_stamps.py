"""A stamp of each school's data, renewed by every committed write, so that figures computed
from the data can be kept until the data changes (the indicators' values: monitoring.calculators).

`school.data_stamp` is a random token. A transaction that wrote rows of a school gives that
school a new token as its last statement before COMMIT (one UPDATE, from the connection's commit
event; the row lock lives only for the commit, so it orders no other locks). Every write is seen,
whichever way it is made:
- the ORM's unit of work (after_flush): a row with a `school_id`, the school row itself, a
  campaign's class by its campaign, a club member by its club;
- any other INSERT, UPDATE or DELETE on the connection (Core statements,
  bulk statements, raw SQL, COPY through `touch_rows`): an INSERT whose rows carry `school_id` (or a
  `campaign_id`) by those; anything else renews every school's stamp, which is always safe.
Rows that no kept figure reads (UNSTAMPED: the audit trail, export jobs, API tokens ..., and a
campaign's answers while it is open) renew nothing.

Every app node reads the stamp from the database, so a write on one node renews what every node
keeps. `install(app)` (create_app) adds the listeners; `current(school_id)` reads a stamp;
`pending(session)` says the session holds writes not yet committed.
"""
import secrets
import threading
import weakref
from typing import Optional

from sqlalchemy import event, inspect, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from app.extensions import db

EVERY_SCHOOL = "*"
_TOUCHED = "sapat_data_touched"  # Connection.info key: school ids written in the open transaction
# Tables whose rows no computed figure reads: writing them renews no stamp.
# Tables whose rows no kept figure reads: writing them renews no stamp.
# - the audit trail, export jobs and files, login throttling, API tokens, issued documents;
# - a campaign's answers (response, answer, access code): they are written only while the
#   campaign is open, and no survey figure is published before it closes (surveys.disclosure:
#   `released`), which is a write of the campaign row and renews the school's stamp. So 100
#   parents answering do not void the staff's kept figures several times a second.
#   tests/core/test_data_stamps.py checks every calculator against this.
UNREAD = frozenset({"audit_log", "export_job", "export_chunk", "login_throttle", "spent_token", "api_token",
                    "issued_document", "district_document", "public_report"})
ANSWERS = frozenset({"response", "answer", "access_code"})
UNSTAMPED = UNREAD | ANSWERS
_PARENTS = (("campaign_id", "campaign"), ("club_id", "club"))
_SCHOOL_OF_PARENT: dict[tuple[str, int], int] = {}  # (parent table, id) -> school id; never changes
# The ORM's persistence (flush, bulk by primary key) runs its statements with this option.
_ORM_PERSISTENCE = "compiled_cache"
_LOCK = threading.Lock()
_ENGINES: "weakref.WeakSet[Engine]" = weakref.WeakSet()  # the engines of apps that installed this
_sessions_heard = False
_STAMPED: "weakref.WeakSet[Engine]" = weakref.WeakSet()  # engines whose database has the column
NO_STAMPS = "sapat_no_data_stamps"  # an execution option: this connection renews no stamp (migrations)


def new_stamp() -> str:
    return secrets.token_hex(16)


def install(app) -> None:
    """Listen to the app's engine (its sessions through it). A migration's connection is left
    alone (NO_STAMPS): before 0032 there is no column to renew."""
    with app.app_context():
        engine = db.engine
    with _LOCK:
        global _sessions_heard
        if not _sessions_heard:
            event.listen(Session, "after_flush", _after_flush)
            event.listen(Session, "do_orm_execute", _on_orm_execute)
            _sessions_heard = True
        if engine in _ENGINES:
            return
        event.listen(engine, "after_cursor_execute", _after_execute)
        event.listen(engine, "commit", _commit)
        event.listen(engine, "rollback", _forget)
        _ENGINES.add(engine)


def _heard(connection: Connection) -> bool:
    return connection.engine in _ENGINES and not connection.get_execution_options().get(NO_STAMPS)


def pending(session: Session) -> bool:
    """True when the session holds writes not yet committed (figures read now must not be kept)."""
    if session.new or session.dirty or session.deleted:
        return True
    return session.in_transaction() and bool(session.connection().info.get(_TOUCHED))


def current(school_id: int) -> Optional[str]:
    """The school's stamp as committed (None for an unknown school)."""
    school = _school()
    return db.session.scalar(select(school.c.data_stamp).where(school.c.id == school_id))


def _school():
    return db.metadata.tables["school"]


def _school_of_values(table: Optional[str], values) -> object:
    """The school of a row given by `values(column)` (an object's attributes, an INSERT's
    parameters): its id, ("campaign", id) / ("club", id) to look up at commit, EVERY_SCHOOL when
    the row does not say, or None for a table no figure reads."""
    if table in UNSTAMPED:
        return None
    school_id = values("school_id")
    if isinstance(school_id, int):
        return school_id
    if table == "school" and isinstance(values("id"), int):
        return values("id")
    for column, parent in _PARENTS:
        parent_id = values(column)
        if isinstance(parent_id, int):
            return (parent, parent_id)
    return EVERY_SCHOOL


def touch_rows(connection: Connection, table: str, rows) -> None:
    """Renew the stamps of the schools of `rows` (dicts of column -> value) written to `table`
    by a statement no event sees (COPY)."""
    touched = connection.info.setdefault(_TOUCHED, set())
    for row in rows:
        school = _school_of_values(table, row.get)
        if school is not None:
            touched.add(school)


def _schools(connection: Connection, touched: set) -> set:
    """School ids of `touched`, the parents' looked up (EVERY_SCHOOL stays as it is)."""
    out = set()
    for found in touched:
        if isinstance(found, tuple):
            parent, parent_id = found
            school_id = _SCHOOL_OF_PARENT.get(found)
            if school_id is None:
                table = db.metadata.tables[parent]
                school_id = connection.scalar(select(table.c.school_id).where(table.c.id == parent_id))
                if school_id is not None:
                    if len(_SCHOOL_OF_PARENT) > 100_000:
                        _SCHOOL_OF_PARENT.clear()
                    _SCHOOL_OF_PARENT[found] = school_id
            found = school_id if school_id is not None else EVERY_SCHOOL
        out.add(found)
    return out


def _after_flush(session: Session, _context) -> None:
    connection = session.connection()
    if not _heard(connection):
        return
    touched = connection.info.setdefault(_TOUCHED, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        school = _school_of_values(getattr(obj, "__tablename__", None), lambda name, obj=obj: getattr(obj, name, None))
        if school is not None:
            touched.add(school)


def _on_orm_execute(state) -> None:
    """An ORM UPDATE or DELETE through Session.execute (e.g. by a list of primary keys, which
    the ORM runs as its flush does): which schools' rows it meets is not known."""
    if (state.is_update or state.is_delete) and _table_of_statement(state.statement) not in UNSTAMPED:
        connection = state.session.connection()
        if _heard(connection):
            connection.info.setdefault(_TOUCHED, set()).add(EVERY_SCHOOL)


def _after_execute(connection, _cursor, statement, parameters, context, executemany) -> None:
    """Every statement outside the ORM's persistence (its flush, attributed by object in
    _after_flush; its bulk by primary key, in _on_orm_execute): INSERT, UPDATE and DELETE."""
    if context is None or _ORM_PERSISTENCE in context.execution_options or NO_STAMPS in context.execution_options:
        return
    write = context.isinsert or context.isupdate or context.isdelete
    if not write:
        head = statement.lstrip()[:7].upper()
        if not head.startswith(("INSERT", "UPDATE", "DELETE", "COPY")):
            return
    table = _table_of(context)
    if table in UNSTAMPED:
        return
    touched = connection.info.setdefault(_TOUCHED, set())
    if table == "school" and context.isupdate and _only_stamp(context):
        return  # the stamp's own renewal
    if context.isinsert and table is not None and context.compiled_parameters:
        for row in context.compiled_parameters:
            school = _school_of_values(table, row.get)
            if school is not None:
                touched.add(school)
        return
    touched.add(EVERY_SCHOOL)


def _table_of(context) -> Optional[str]:
    return _table_of_statement(getattr(getattr(context, "compiled", None), "statement", None))


def _table_of_statement(statement) -> Optional[str]:
    return getattr(getattr(statement, "table", None), "name", None)


def _only_stamp(context) -> bool:
    values = getattr(context.compiled.statement, "_values", None) or {}
    return {getattr(k, "key", k) for k in values} == {"data_stamp"}


def _commit(connection: Connection) -> None:
    """Just before COMMIT: the written schools get a new stamp, in the same transaction."""
    touched = connection.info.pop(_TOUCHED, None)
    if not touched or connection.get_execution_options().get(NO_STAMPS) or not _has_stamps(connection):
        return
    touched = _schools(connection, touched)
    school = _school()
    statement = update(school).values(data_stamp=new_stamp())
    if EVERY_SCHOOL not in touched:
        statement = statement.where(school.c.id.in_(sorted(touched)))
    connection.execute(statement)


def _has_stamps(connection: Connection) -> bool:
    """True when the database has school.data_stamp (not one of a release before 0032, written
    before `flask db upgrade`); known once seen, asked again until then."""
    if connection.engine in _STAMPED:
        return True
    if "data_stamp" not in {c["name"] for c in inspect(connection).get_columns("school")}:
        return False
    _STAMPED.add(connection.engine)
    return True


def _forget(connection: Connection) -> None:
    connection.info.pop(_TOUCHED, None)
