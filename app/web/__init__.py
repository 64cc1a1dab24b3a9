"""Shared view helpers: streaming a workbook, an all-or-nothing upload page, an audited save,
cookies, public URLs and safe redirects. The one list/add/edit/delete flow of school-owned
tables is app/web/crud.py (`Resource`, `Crud`); the request class is app/web/request.py.

Views stay thin: they parse a form, call a service and render; what several domains' views
do the same way lives here. Rules (who may see what, which dates are allowed, what may be
deleted) are services' or forms' own.
"""
import os
from typing import Optional

from flask import flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.security import audit
from app.services.core import school as school_service
from app.services.core.audit import snapshot
from app.services.core.xlsx_input import refresh_statistics_after

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def send_xlsx(path: str, download_name: str):
    """Stream a finished workbook from its temporary file and delete the file.

    The file is opened and then unlinked at once: the open handle keeps it readable while
    it streams (send_file's direct passthrough never calls a response's on-close hooks,
    so deleting "after the response" would never happen).
    """
    handle = open(path, "rb")
    size = os.fstat(handle.fileno()).st_size
    os.remove(path)
    response = send_file(handle, as_attachment=True, download_name=download_name, max_age=0,
                         mimetype=XLSX_MIMETYPE)
    response.content_length = size
    return response


def run_upload_import(form, importer, *, entity: str, template: str, success, done_url: str,
                      extra: Optional[dict] = None):
    """The upload page of an all-or-nothing .xlsx import for the current year (the web twin
    of cli.run_import). A valid file is audited, committed and followed by a redirect to
    `done_url` with the `success(summary)` message; a file with problems writes nothing and
    the page lists them row by row with status 422. `extra`: more of the template's context."""
    report = None
    if form.validate_on_submit():
        year = school_service.current_year(current_user.school_id)
        if year is None:
            flash(_("Create an academic year first."), "error")
        else:
            report = importer(form.file.data.stream, school_id=current_user.school_id, year_id=year.id)
            if report.ok:
                audit("import", entity, None, after=report.summary())
                db.session.commit()
                refresh_statistics_after(report)
                flash(success(report.summary()), "success")
                if report.sheet:
                    flash(sheet_read(report.sheet), "info")
                return redirect(done_url)
            db.session.rollback()
            report.problems_url = offer_problems([("", e) for e in report.errors], form.file.data.filename or "")
    status = 422 if report is not None and not report.ok else 200
    return render_template(template, form=form, report=report, **(extra or {})), status


def sheet_read(title: str) -> str:
    return _("Sheet read: “%(sheet)s” (chosen by its header row; hidden sheets are read only when no visible "
             "sheet has the columns).", sheet=title)


def offer_problems(problems: list, filename: str) -> Optional[str]:
    """When a refused file has more problems than a page lists, start the export job that
    writes them all into a workbook for the current user; returns its page (else None)."""
    from flask_babel import gettext as _
    from flask_login import current_user

    from app.i18n import current_language
    from app.services.core.xlsx_input import errors_shown
    from app.services.exports import problems as problems_service

    if len(problems) <= errors_shown():
        return None
    job = problems_service.start_problems_job(
        problems, school_id=current_user.school_id, user_id=current_user.id, locale=current_language(),
        title=_("Problems found in %(file)s", file=filename[:100]))
    return url_for("exports.job", job_id=job.id)


def public_url(endpoint: str, **values) -> str:
    """The full address of a page as printed for people outside (QR notices, code slips, the
    links of a campaign): PUBLIC_BASE_URL + the path when it is set, else the request's own
    host (development on a LAN; production requires PUBLIC_BASE_URL or TRUSTED_HOSTS, so the
    Host header of a request can never put another site's address on paper)."""
    from flask import current_app

    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def set_private_cookie(response, name: str, value: str, *, max_age: int) -> None:
    """A cookie no script reads, sent over https only in production (SESSION_COOKIE_SECURE),
    and not on cross-site requests."""
    from flask import current_app

    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="Lax",
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False))


def set_lang_cookie(response, lang: str) -> None:
    """The language choice, kept a year (HttpOnly, Secure in production, SameSite=Lax)."""
    set_private_cookie(response, "lang", lang, max_age=365 * 24 * 3600)


def save_audited(obj, *, is_new: bool, before: Optional[dict]) -> bool:
    """Flush, audit (create or update, before → after) and commit an object a form filled in.
    When a unique constraint refuses it, roll back, flash "Such a record already exists."
    and return False, so that the view shows the form again."""
    try:
        db.session.flush()
        audit("create" if is_new else "update", obj.__tablename__, obj.id, before=before, after=snapshot(obj))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash(_("Such a record already exists."), "error")
        return False
    return True


def flash_errors(form) -> None:
    """Every message of a refused form as an error banner (for forms posted from another page,
    which is shown again after the redirect)."""
    for messages in form.errors.values():
        for message in messages:
            flash(message, "error")


def local_url(target: Optional[str], default: str) -> str:
    """`target` when it is a path on this site ("/..."), else `default`: a redirect taken
    from a form never leads to another site ("//host/..." or "https://...")."""
    target = target or ""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else default
