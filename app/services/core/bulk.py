"""Bulk inserts for generated data (the demo, the district-scale demo).

`bulk_insert(model, rows)` writes a list of dicts into the model's table: on PostgreSQL with
`COPY ... FROM STDIN` (psycopg's copy protocol, several times faster than multi-row INSERTs),
elsewhere with SQLAlchemy's executemany INSERT. Keys missing from a row are NULL; columns with a
Python-side default that no row names (e.g. a random key) get that default per row. Nothing is
committed. Rows are not validated beyond the table's own constraints (an invalid row fails the
whole COPY with the database's error).
"""
from sqlalchemy import insert

from app.extensions import db
from app.services.core import data_stamps


def _defaults(table, names: list[str]) -> list:
    """(name, callable) for the columns with a Python-side default that the rows do not set."""
    out = []
    for column in table.columns:
        default = column.default
        if column.name in names or default is None or not (default.is_scalar or default.is_callable):
            continue
        if default.is_scalar:
            out.append((column.name, lambda value=default.arg: value))
        else:
            out.append((column.name, lambda fn=default.arg: fn(None)))
    return out


def bulk_insert(model, rows: list[dict]) -> int:
    """Insert `rows` (dicts of column name -> value) into `model`'s table; returns how many."""
    if not rows:
        return 0
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        db.session.execute(insert(model), rows)
        return len(rows)
    table = model.__table__
    names = list(dict.fromkeys(key for row in rows for key in row))
    extra = _defaults(table, names)
    columns = ", ".join(f'"{name}"' for name in names + [name for name, _ in extra])
    data_stamps.touch_rows(connection, table.name, rows)  # COPY passes by no statement event
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row.get(name) for name in names] + [make() for _, make in extra])
    return len(rows)
