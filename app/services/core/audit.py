"""Audit trail helpers. Rows are added to the caller's transaction so that a change
and its audit record are committed (or rolled back) together."""
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import inspect

from app.extensions import db
from app.models import AuditLog


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def snapshot(obj, exclude: tuple[str, ...] = ("password_hash",)) -> dict[str, Any]:
    """The column values of a model instance as a JSON-safe dict."""
    mapper = inspect(obj).mapper
    return {
        attr.key: _jsonable(getattr(obj, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in exclude
    }


def record(
    action: str,
    entity: str,
    entity_id: Any = None,
    *,
    school_id: Optional[int],
    user_id: Optional[int],
    before: Optional[dict] = None,
    after: Optional[dict] = None,
    remote_addr: Optional[str] = None,
) -> AuditLog:
    row = AuditLog(
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        school_id=school_id,
        user_id=user_id,
        before=before,
        after=after,
        remote_addr=remote_addr,
    )
    db.session.add(row)
    return row
