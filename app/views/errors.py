"""Error pages in the user's language; never a stack trace."""
from flask import render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from app.extensions import db


def _titles():
    return {
        400: _("The request could not be understood"),
        403: _("You do not have access to this page"),
        404: _("Page not found"),
        405: _("This action is not allowed here"),
        413: _("The file is too large (more than 10 MB)"),
        429: _("Too many attempts: please wait a minute and try again"),
        500: _("Something went wrong on our side"),
    }


def render_error(code: int, detail: str | None = None):
    title = _titles().get(code, _("Error"))
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

    @app.errorhandler(Exception)
    def unexpected(error):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)
