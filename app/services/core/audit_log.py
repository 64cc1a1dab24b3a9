"""Reading the audit trail (filters, pages, before/after differences) and keeping it
append-only: the ORM refuses to update or delete an AuditLog row."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Optional

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import AuditLog, User
from app.services.core import clock

PAGE_SIZE = 50


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or remove an audit row."""


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_audit_rows(session, _flush_context, _instances):
    for obj in session.deleted:
        if isinstance(obj, AuditLog):
            raise AuditLogIsAppendOnly("audit rows cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, AuditLog) and session.is_modified(obj, include_collections=False):
            raise AuditLogIsAppendOnly("audit rows cannot be changed")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes_to_audit_rows(state):
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ is AuditLog:
        raise AuditLogIsAppendOnly("audit rows cannot be changed or deleted")


@dataclass
class AuditFilter:
    entity: Optional[str] = None
    action: Optional[str] = None
    user_id: Optional[int] = None
    entity_id: Optional[str] = None
    date_from: Optional[date] = None
    date_to: Optional[date] = None


@dataclass
class AuditEntry:
    row: AuditLog
    user_name: Optional[str]
    changes: list[tuple[str, Any, Any]]  # (field, before, after)


@dataclass
class AuditPage:
    entries: list[AuditEntry]
    total: int
    page: int
    pages: int


def _local_midnight_utc(day: date, school_id: int) -> datetime:
    return clock.day_start(day, clock.school_zone(school_id))


def _short(value: Any, limit: int = 200) -> Any:
    """Long text cut at `limit` characters; mappings and lists stay as they are for the page
    to write out (views.security.audit_value)."""
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + "…"
    return value


def changes(before: Optional[dict], after: Optional[dict]) -> list[tuple[str, Any, Any]]:
    """The fields that differ between before and after (every field of a create or delete)."""
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    keys = sorted(set(before) | set(after))
    return [(k, _short(before.get(k)), _short(after.get(k))) for k in keys
            if before.get(k) != after.get(k) or not before or not after]


def search(school_id: int, flt: AuditFilter, page: int = 1) -> AuditPage:
    conditions = [AuditLog.school_id == school_id]
    if flt.entity:
        conditions.append(AuditLog.entity == flt.entity)
    if flt.action:
        conditions.append(AuditLog.action == flt.action)
    if flt.user_id:
        conditions.append(AuditLog.user_id == flt.user_id)
    if flt.entity_id:
        conditions.append(AuditLog.entity_id == flt.entity_id)
    if flt.date_from:
        conditions.append(AuditLog.created_at >= _local_midnight_utc(flt.date_from, school_id))
    if flt.date_to:
        conditions.append(AuditLog.created_at < _local_midnight_utc(flt.date_to + timedelta(days=1), school_id))
    total = db.session.scalar(select(func.count(AuditLog.id)).where(*conditions)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = db.session.execute(
        select(AuditLog, User.full_name).outerjoin(User, User.id == AuditLog.user_id)
        .where(*conditions).order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    entries = [AuditEntry(row, name, changes(row.before, row.after)) for row, name in rows]
    return AuditPage(entries, total, page, pages)


def choices(school_id: int) -> dict[str, list]:
    """The entities, actions and users that occur in the school's audit rows."""
    def distinct(column):
        return [v for v in db.session.scalars(
            select(column).where(AuditLog.school_id == school_id).distinct().order_by(column)) if v]

    users = db.session.execute(
        select(User.id, User.full_name).where(User.id.in_(
            select(AuditLog.user_id).where(AuditLog.school_id == school_id))).order_by(User.full_name)).all()
    return {"entities": distinct(AuditLog.entity), "actions": distinct(AuditLog.action),
            "users": [(u.id, u.full_name) for u in users]}
