"""Error pages in the user's language; never a stack trace."""
from flask import render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.http import HTTP_STATUS_CODES

from app.extensions import db


def _titles():
    return {
        400: _("The request could not be understood"),
        403: _("You do not have access to this page"),
        404: _("Page not found"),
        405: _("This action is not allowed here"),
        409: _("Saved elsewhere at the same moment"),
        413: _("The file is too large (more than 10 MB)"),
        429: _("Too many attempts: please wait a minute and try again"),
        500: _("Something went wrong on our side"),
    }


def render_error(code: int, detail: str | None = None):
    title = _titles().get(code, _("Error"))
    if request.path.startswith("/api/v1/"):  # no route of the read API matched: its JSON errors
        return {"code": code, "status": HTTP_STATUS_CODES.get(code, "Error"), "message": title}, code
    if request.accept_mimetypes.best == "application/json":
        return {"error": title, "detail": detail}, code
    if isinstance(request.routing_exception, SecurityError):  # a Host outside TRUSTED_HOSTS: no URLs
        return title, code, {"Content-Type": "text/plain; charset=utf-8"}
    return render_template("errors/error.html", code=code, title=title, detail=detail), code


def register_error_handlers(app):
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _("The form has expired or was sent from elsewhere. Reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(error):
        return render_error(error.code or 500)

    @app.errorhandler(IntegrityError)
    def saved_twice(error):
        """A unique row written by two requests at once (two tabs, two people): the check before
        the insert passed in both, the database let one through. The other is told so; any other
        integrity error is a fault (500)."""
        db.session.rollback()
        if not _unique_violation(error):
            return unexpected(error)
        app.logger.warning("a unique row saved twice at once on %s %s", request.method, request.path)
        return render_error(409, _("Someone saved the same thing at the same moment, so nothing was saved from "
                                   "this page. Open the page again to see what is stored."))

    @app.errorhandler(Exception)
    def unexpected(error):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)


def _unique_violation(error: IntegrityError) -> bool:
    """True for a unique (or primary key) violation: SQLSTATE 23505 on PostgreSQL, "UNIQUE
    constraint failed" on SQLite."""
    orig = error.orig
    return getattr(orig, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(orig)
