"""Roles, the principal (who is asking), school scoping, security headers and the request-side
audit helper."""
from dataclasses import dataclass, replace
from functools import wraps
from typing import Any, Optional, TypeVar

from flask import abort, g, request
from flask_login import current_user, login_required
from sqlalchemy import select

from app.extensions import db
from app.models import DISTRICT_ROLES, ROLES
from app.services.core import audit as audit_service
from app.services.core import school as school_service
from app.services.core.text import in_db_range, whole

T = TypeVar("T")

# Who may do what, in one place so that views and the access-matrix test agree.
STAFF = ROLES  # a school's staff; a district's staff (DISTRICT_ROLES) reach no school page
SIGNED_IN = ROLES + DISTRICT_ROLES  # every account: the home page, the password, logging out
MANAGERS = ("admin", "deputy")
OBSERVERS = ("admin", "deputy", "mo_head")
SURVEY_MANAGERS = ("admin", "deputy", "psychologist")
REPORT_READERS = ("admin", "deputy", "mo_head", "expert")

# Roles that see everything of their school (the director, the deputies and the experts).
WHOLE_SCHOOL = ("admin", "deputy", "expert")
# The annual whole-school workbook (every class, subject, teacher and association): for the
# roles that see the whole school only.
ANNUAL_ROLES = WHOLE_SCHOOL


@dataclass(frozen=True)
class Principal:
    """Who is asking, for every service that decides what may be seen or done: the school, the
    user (None for the command line and the demo), their roles and the address of the request.

    Each domain decides what a principal may see (and change) in one function of its own, and
    every query behind a page (lists, aggregates, sub-pages, charts, workbooks, deletes) goes
    through it: achievement `achievement.access.visible`, observations
    `observations.access.visibility_clause` (`counted` for figures), registers
    `monitoring.registers.rows`, profiles `monitoring.profiles.may_see_class` / `may_see_teacher`,
    surveys `surveys.campaigns.may_manage`, manual indicators `monitoring.indicators.may_enter`,
    export jobs `ExportKind.roles` (the annual workbook: ANNUAL_ROLES).
    """

    school_id: int
    user_id: Optional[int] = None
    roles: frozenset = frozenset()
    remote_addr: Optional[str] = None

    @classmethod
    def of(cls, user, remote_addr: Optional[str] = None) -> "Principal":
        return cls(user.school_id, user.id, frozenset(user.roles), remote_addr)

    @classmethod
    def system(cls, school_id: int) -> "Principal":
        """The whole school, for the command line, the demo and school-level aggregates."""
        return cls(school_id, None, frozenset({"admin"}))

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def everything(self) -> bool:
        """True for roles that see all of the school."""
        return self.has_role(*WHOLE_SCHOOL)

    def only(self, *roles: str) -> "Principal":
        """The same person acting in some of their roles only (e.g. "my lessons" as a teacher)."""
        return replace(self, roles=self.roles.intersection(roles))


@dataclass(frozen=True)
class RowScope:
    """Which rows of a school-owned table a principal may see or change, when not all of them:
    those whose `column` is among the ids `allowed` (a SELECT of one column). Lists filter with
    `clause()`; a form checks an object's (new) value with `allows(obj)`."""

    column: Any
    allowed: Any

    def clause(self):
        return self.column.in_(self.allowed)

    def allows(self, obj) -> bool:
        value = getattr(obj, self.column.key)
        with db.session.no_autoflush:
            return value is not None and value in set(db.session.scalars(self.allowed))


def current_principal() -> Principal:
    """The logged-in user as a Principal, with the request's address."""
    return Principal.of(current_user, request.remote_addr)


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors 'none'"
)


def role_required(*roles: str):
    """Allow the view to users holding any of `roles`: anonymous users are sent to
    the login page, logged-in users without the role get 403."""
    unknown = set(roles) - set(SIGNED_IN)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles
        return wrapped

    return decorator


def public(view):
    """Mark a view as open to anonymous visitors (the access-matrix test reads this)."""
    view.public = True
    return view


def current_school_id() -> int:
    return current_user.school_id


def scoped(model):
    """select(model) limited to the current user's school."""
    return select(model).where(model.school_id == current_user.school_id)


def get_scoped_or_404(model: type[T], obj_id: Any) -> T:
    """Fetch a school-owned object by id; another school's object is a plain 404."""
    if isinstance(obj_id, int) and not in_db_range(obj_id):
        abort(404)  # no such row; the database driver would fail on it (a 500)
    obj = db.session.get(model, obj_id)
    if obj is None or obj.school_id != current_user.school_id:
        abort(404)
    return obj


def requested_year(*, param: str = "year_id", by: str = "id", required: bool = True):
    """The academic year a page shows (the web side of the year picker, templates/_forms.html):
    the one named by the request's `param` (an id; by="name": a name such as 2025-2026), else
    the school's current year. A year that is not this school's is a 404; so is no year at all
    when `required`."""
    raw = (request.values.get(param) or "").strip()
    if raw:
        spec = whole(raw) if by == "id" and whole(raw) is not None else raw
        year = school_service.find_year(current_user.school_id, spec)
        if year is None:
            abort(404)
        return year
    year = school_service.current_year(current_user.school_id)
    if year is None and required:
        abort(404)
    return year


def school_years() -> list:
    """The current user's school's academic years, newest first (the year picker's choices)."""
    return school_service.years(current_user.school_id)


def audit(action: str, entity: str, entity_id: Any = None, *, before: Optional[dict] = None,
          after: Optional[dict] = None):
    """Record a change made by the current user in the current transaction."""
    user_id = current_user.id if current_user.is_authenticated else None
    school_id = current_user.school_id if current_user.is_authenticated else g.get("school_id")
    return audit_service.record(
        action, entity, entity_id, school_id=school_id, user_id=user_id,
        before=before, after=after, remote_addr=request.remote_addr,
    )


def set_security_headers(response):
    from flask import current_app

    response.headers.setdefault("Content-Security-Policy", CSP)
    if current_app.config.get("HSTS_SECONDS") and request.is_secure:
        # Production over https (behind a proxy: SAPAT_TRUSTED_PROXIES makes X-Forwarded-Proto count).
        response.headers.setdefault("Strict-Transport-Security",
                                    f"max-age={current_app.config['HSTS_SECONDS']}; includeSubDomains")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if g.get("request_id"):
        response.headers["X-Request-Id"] = g.request_id  # quoted in logs and bug reports
    if request.endpoint != "static" and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store" if current_user.is_authenticated else "no-cache"
    return response
