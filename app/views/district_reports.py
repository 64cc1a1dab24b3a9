"""The district's workbook and report (thin views; the figures come from
app/services/district/overview.py, the workbook from workbook.py, issuing from report.py): the
expert workbook of a year, the printable report (ky or ru) as it would be issued, issuing it with
a number and a date, the archive of issued versions and one document exactly as issued."""
from types import SimpleNamespace

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.i18n import current_language
from app.models.monitoring.indicators import DIRECTIONS
from app.security import role_required
from app.services.core import clock
from app.services.district import access, overview, periods, workbook
from app.services.district import report as service
from app.services.exports.core import new_temp_path
from app.services.monitoring.labels import DIRECTION_LABELS
from app.web import flash_errors, send_xlsx
from app.web.issuing import issue_and_show
from forms.district import DistrictIssueForm

bp = Blueprint("district_reports", __name__, url_prefix="/district/reports")


def _period(district, year_name=None):
    """The year (?year=) and term (?term=) of the district's schools; 404 for another year or term."""
    ids = [s.id for s in access.schools(district.id)]
    names = periods.year_names(ids)
    year_name = (year_name or request.args.get("year", "")).strip() or periods.default_year(ids)
    if names and year_name not in names:
        abort(404)
    raw = request.args.get("term", "").strip()
    term = periods.TermSpec.parse(raw) if raw else periods.default_term(ids, year_name)
    if raw and term not in periods.terms(ids, year_name):
        abort(404)
    return year_name, names, term


def _lang() -> str:
    lang = request.args.get("lang", "").strip() or current_language()
    return lang if lang in service.LANGUAGES else "ky"


def _body(data: dict, lang: str, issued=None) -> str:
    with force_locale(lang):
        directions = {n: str(DIRECTION_LABELS[n]) for n in DIRECTIONS}
        return render_template("district/_report_body.html", data=data, lang=lang, issued=issued,
                               directions=directions)


@bp.route("/")
@role_required(*access.READERS)
def index():
    district = access.current_district(current_user)
    year_name, names, term = _period(district)
    form = DistrictIssueForm(data={"year": year_name, "lang": _lang(), "issued_on": clock.today()})
    form.year.choices = [(n, n) for n in names]
    return render_template("district/reports.html", district=district, year_name=year_name, year_names=names,
                           term=term, archive=service.archive(district.id), form=form,
                           can_issue=current_user.has_role(*access.RUNNERS))


@bp.route("/preview")
@role_required(*access.READERS)
def preview():
    """The report as it would be issued now, in ?lang= (ky or ru)."""
    district = access.current_district(current_user)
    year_name, _names, term = _period(district)
    lang = _lang()
    body = _body(overview.collect(district, year_name, term), lang)
    return render_template("district/report.html", district=district, body=Markup(body), doc=None, versions=[])


@bp.route("/workbook")
@role_required(*access.READERS)
def workbook_download():
    """The district's expert workbook of ?year= and ?term=, in the user's language."""
    district = access.current_district(current_user)
    year_name, _names, term = _period(district)
    path = new_temp_path("sapat-district-")
    workbook.build(path, overview.collect(district, year_name, term), current_language())
    return send_xlsx(path, f"district-{district.code}-{year_name or 'year'}.xlsx")


@bp.route("/issue", methods=["POST"])
@role_required(*access.RUNNERS)
def issue():
    district = access.current_district(current_user)
    form = DistrictIssueForm()
    _year, names, _term = _period(district, request.form.get("year"))
    form.year.choices = [(n, n) for n in names]
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for(".index"), code=303)
    year_name, lang = form.year.data, form.lang.data
    ids = [s.id for s in access.schools(district.id)]
    data = overview.collect(district, year_name, periods.default_term(ids, year_name))
    version = service.next_version(district.id, year_name, lang)
    issued = SimpleNamespace(number=form.number.data.strip(), issued_on=form.issued_on.data, version=version,
                             author_name=current_user.full_name)
    html = _body(data, lang, issued)
    with force_locale(lang):
        title = _("Report on the quality of education in the district's schools")
    return issue_and_show(service.issue, url_for(".index"), lambda doc: url_for(".document", report_id=doc.id),
                          code=303, district_id=district.id, year_name=year_name, lang=lang, version=version,
                          title=f"{title} {year_name}", number=issued.number, issued_on=issued.issued_on,
                          figures=data, html=html)


@bp.route("/<int:report_id>")
@role_required(*access.READERS)
def document(report_id):
    """The report exactly as issued (its stored HTML, escaped when it was rendered)."""
    district = access.current_district(current_user)
    doc = service.get(district.id, report_id)
    if doc is None:
        abort(404)
    return render_template("district/report.html", district=district, body=Markup(doc.html), doc=doc,
                           versions=service.versions(doc))

