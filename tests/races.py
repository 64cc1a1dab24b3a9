"""Two requests at the same moment, made reproducible: `another_request_first(pattern, work)`
lets the request under test run until its first statement matching `pattern` (a regular
expression, case-insensitive), then runs `work(session)` in a session of its own (its own
connection and transaction) and commits it, as another tab or person would in between, before
that statement goes to the database."""
import re
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db


@contextmanager
def another_request_first(pattern: str, work):
    """Yields a list that holds True once the other request has run (assert on it: a pattern that
    never matches proves nothing)."""
    fired = []

    def first(conn, cursor, statement, parameters, context, executemany):
        if fired or not re.match(pattern, statement, re.I):
            return
        fired.append(True)
        with Session(db.engine) as other:
            work(other)
            other.commit()

    event.listen(db.engine, "before_cursor_execute", first)
    try:
        yield fired
    finally:
        event.remove(db.engine, "before_cursor_execute", first)
