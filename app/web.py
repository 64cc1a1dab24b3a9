"""Shared view helpers: streaming a workbook, an all-or-nothing upload page, an audited save.

Views stay thin: they parse a form, call a service and render; what several domains' views
do the same way lives here.
"""
from typing import Optional


def send_xlsx(path: str, download_name: str):
    """Stream a finished workbook from its temporary file and delete the file.

    The file is opened and then unlinked at once: the open handle keeps it readable while
    it streams (send_file's direct passthrough never calls a response's on-close hooks,
    so deleting "after the response" would never happen).
    """
    import os

    from flask import send_file

    handle = open(path, "rb")
    size = os.fstat(handle.fileno()).st_size
    os.remove(path)
    response = send_file(handle, as_attachment=True, download_name=download_name, max_age=0,
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.content_length = size
    return response


def run_upload_import(form, importer, *, entity: str, template: str, success, done_url: str):
    """The upload page of an all-or-nothing .xlsx import for the current year (the web twin
    of cli.run_import). A valid file is audited, committed and followed by a redirect to
    `done_url` with the `success(summary)` message; a file with problems writes nothing and
    the page lists them row by row with status 422."""
    from flask import flash, redirect, render_template
    from flask_babel import gettext as _
    from flask_login import current_user

    from app.extensions import db
    from app.security import audit
    from app.services.core import school as school_service
    from app.services.core.xlsx_input import refresh_statistics_after

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
                return redirect(done_url)
            db.session.rollback()
    status = 422 if report is not None and not report.ok else 200
    return render_template(template, form=form, report=report), status


def save_audited(obj, *, is_new: bool, before: Optional[dict]) -> bool:
    """Flush, audit (create or update, before → after) and commit an object a form filled in.
    When a unique constraint refuses it, roll back, flash "Such a record already exists."
    and return False, so that the view shows the form again."""
    from flask import flash
    from flask_babel import gettext as _
    from sqlalchemy.exc import IntegrityError

    from app.extensions import db
    from app.security import audit
    from app.services.core.audit import snapshot

    try:
        db.session.flush()
        audit("create" if is_new else "update", obj.__tablename__, obj.id, before=before, after=snapshot(obj))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash(_("Such a record already exists."), "error")
        return False
    return True
