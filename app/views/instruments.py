"""The instruments page of the director and the deputies: the published questionnaires and
observation protocols, an XLSForm upload (refused row by row, or published as a new version),
one version's sections and items, and any version downloaded as an XLSForm."""
import io

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _

from app.extensions import db
from app.i18n import current_language
from app.security import MANAGERS, current_principal, role_required
from app.services.core import instruments
from app.services.core import xlsform as xlsform_service
from app.services.core.text import STORED_INT_MAX
from app.web import XLSX_MIMETYPE
from forms.instruments import ITEM_TYPE_LABELS, KIND_LABELS, XLSFormUploadForm

bp = Blueprint("instruments", __name__, url_prefix="/instruments")

NOTES_SHOWN = 5  # notes of an import shown after the redirect (they travel in the session cookie)


def _page(form, result=None, status=200):
    return render_template("instruments/index.html", form=form, result=result,
                           rows=instruments.versions(latest_only=False), kinds=KIND_LABELS,
                           translate=xlsform_service.translate, lang=current_language()), status


def _filename(name) -> str:
    """The uploaded file's own name (no folders, no control characters), for messages and the row."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:200] or "form.xlsx"


@bp.route("/")
@role_required(*MANAGERS)
def index():
    return _page(XLSFormUploadForm())


@bp.route("/import", methods=["POST"])
@role_required(*MANAGERS)
def import_xlsform():
    form = XLSFormUploadForm()
    if not form.validate_on_submit():
        return _page(form)
    upload = form.file.data
    result = xlsform_service.import_xlsform(
        upload.stream, _filename(upload.filename), actor=current_principal(), fallback=form.fallback.data,
        language=form.language.data, key=(form.key.data or "").strip(), title=(form.title.data or "").strip())
    if not result.ok:
        db.session.rollback()
        return _page(form, result, 422)
    db.session.commit()
    row = result.published.row
    flash(xlsform_service.published_line(result.published), "success")
    for note in result.notes[:NOTES_SHOWN]:
        flash(_("Ignored: %(note)s", note=xlsform_service.translate(note)), "info")
    if len(result.notes) > NOTES_SHOWN:
        flash(_("… and %(n)d more things were ignored.", n=len(result.notes) - NOTES_SHOWN), "info")
    return redirect(url_for(".show", key=row.key, version=row.version))


def _version(key: str, version: int):
    row = instruments.get_version(key, version) if len(key) <= 60 and 0 < version <= STORED_INT_MAX else None
    if row is None:
        abort(404)
    return row


@bp.route("/<key>/<int:version>")
@role_required(*MANAGERS)
def show(key, version):
    row = _version(key, version)
    return render_template("instruments/show.html", row=row, spec=row.spec, kinds=KIND_LABELS,
                           types=ITEM_TYPE_LABELS, lang=current_language(),
                           versions=instruments.history(row.key))


@bp.route("/<key>/<int:version>/xlsform")
@role_required(*MANAGERS)
def download(key, version):
    row = _version(key, version)
    buffer = io.BytesIO()
    try:
        xlsform_service.export_xlsform(row, buffer)
    except xlsform_service.XLSFormExportError as error:
        flash(str(error), "error")
        return redirect(url_for(".show", key=row.key, version=row.version))
    buffer.seek(0)
    return send_file(buffer, as_attachment=True, download_name=xlsform_service.download_name(row), max_age=0,
                     mimetype=XLSX_MIMETYPE)
