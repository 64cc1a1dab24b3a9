"""Issued documents: issuing a справка or the annual report (number, date, author; the
figures and the rendered HTML are stored), the archive by year, one document as issued with
its other versions, and the issued figures beside today's."""
from types import SimpleNamespace

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.extensions import db
from app.i18n import current_language
from app.models.monitoring.measures import IssuedDocument
from app.security import current_principal, get_scoped_or_404, requested_year, role_required
from app.services.monitoring import associations
from app.services.monitoring import issued as service
from app.services.monitoring.labels import DOCUMENT_KIND_LABELS, FIGURE_LABELS
from app.views.achievement_quarter import READERS as QUARTER_READERS
from app.views.monitoring.associations import READERS as MO_READERS
from app.views.monitoring.indicators import READERS as NOTE_READERS
from app.views.monitoring.indicators import REPORT_ROLES, note_context, report_context
from app.web import flash_errors
from app.web.issuing import store_and_show
from forms.monitoring.measures import IssueForm

bp = Blueprint("issued", __name__, url_prefix="/monitoring/issued")


def _where_issued() -> list[tuple[str, str]]:
    """The pages a document of each kind is issued from that the user may open (the archive's
    empty state points there): (kind's label, address)."""
    pages = (("note", "monitoring.dashboard", NOTE_READERS), ("report", "monitoring.report", REPORT_ROLES),
             ("quarter", "quarter.report", QUARTER_READERS), ("mo", "associations.index", MO_READERS))
    return [(DOCUMENT_KIND_LABELS[kind], url_for(endpoint)) for kind, endpoint, roles in pages
            if current_user.has_role(*roles)]


def _issue(kind: str, subject: str, template: str, context: dict, back: str):
    """Render the document's body as issued and store it with its figures; back to `back`."""
    form = IssueForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(back)
    year = context["year"]
    version = service.next_version(current_user.school_id, year.id, kind, subject)
    context["issued"] = SimpleNamespace(number=form.number.data.strip(), issued_on=form.issued_on.data,
                                        version=version, author_name=current_user.full_name)
    html = render_template(template, **context)
    rows = context["rows"] if "rows" in context else [r for b in context["blocks"] for r in b.rows]
    if kind == "report" and context["parents"]:
        rows = [r for r in rows if not context["suppress"](r)]
    title = context.get("title") or _("Public report on the quality of education")
    return store_and_show(back, school_id=current_user.school_id, year_id=year.id, kind=kind, subject=subject,
                          version=version, title=str(title), number=form.number.data.strip(),
                          issued_on=form.issued_on.data, rows=service.figures(rows, current_language()), html=html)


@bp.route("/note", methods=["POST"])
@role_required(*service.ISSUERS)
def issue_note():
    """Issue the справка on ?indicator=ID or ?direction=N of ?year_id."""
    year = requested_year()
    indicator_id = request.args.get("indicator", type=int)
    direction = request.args.get("direction", type=int)
    context = note_context(year, indicator_id, direction)
    subject = f"indicator:{context['item'].id}" if context["item"] else f"direction:{context['direction']}"
    back = url_for("monitoring.note", year_id=year.id, indicator=indicator_id, direction=direction)
    return _issue("note", subject, "monitoring/_note_body.html", context, back)


@bp.route("/report", methods=["POST"])
@role_required(*service.ISSUERS)
def issue_report():
    """Issue the annual public report of ?year_id (?version=parents: the parents' version)."""
    year = requested_year()
    parents = request.args.get("version") == "parents"
    context = report_context(year, parents)
    back = url_for("monitoring.report", year_id=year.id, version="parents" if parents else None)
    return _issue("report", "parents" if parents else "staff", "monitoring/_report_body.html", context, back)


@bp.route("/")
@role_required(*service.READERS)
def archive():
    """Every issued document of the school the user may read, by year (a methodical association's
    report only for those who see the association)."""
    principal = current_principal()
    years = [(year, [d for d in docs if associations.may_see_document(principal, d)])
             for year, docs in service.archive(principal)]
    shown = [(y, docs) for y, docs in years if docs]
    return render_template("monitoring/issued/archive.html", years=shown, kinds=DOCUMENT_KIND_LABELS,
                           where=[] if shown else _where_issued())


def _document(doc_id: int) -> IssuedDocument:
    """The school's document `doc_id` when the user may read it (`service.may_read`; an association's
    report: those who see the association), else 404."""
    doc = get_scoped_or_404(IssuedDocument, doc_id)
    principal = current_principal()
    if not (service.may_read(principal, doc) and associations.may_see_document(principal, doc)):
        abort(404)
    return doc


@bp.route("/<int:doc_id>")
@role_required(*service.READERS)
def document(doc_id):
    """The document exactly as issued (its stored HTML, rendered with escaping when issued)."""
    doc = _document(doc_id)
    return render_template("monitoring/issued/document.html", doc=doc, body=Markup(doc.html),
                           versions=service.versions(doc), kinds=DOCUMENT_KIND_LABELS)


@bp.route("/<int:doc_id>/compare")
@role_required(*service.READERS)
def compare(doc_id):
    """The figures as issued beside today's values of the same indicators and year."""
    doc = _document(doc_id)
    if doc.kind == associations.KIND:
        rows = associations.compare(doc, FIGURE_LABELS)
    else:
        rows = service.compare(doc)
    db.session.commit()  # evaluating may give the school its catalogue
    return render_template("monitoring/issued/compare.html", doc=doc, rows=rows, kinds=DOCUMENT_KIND_LABELS)
