"""District pages (thin views; the rules are in app/services/district/): the district's schools,
their learning results, indicators and surveys side by side, the rating, and the district
admin's schools and staff. Only a district's staff reach them, each only their own district."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.i18n import current_language
from app.models.monitoring.indicators import DIRECTIONS
from app.security import role_required
from app.services.district import access, figures, periods, rating, results, staff
from app.services.monitoring.labels import fmt
from forms.district import DISTRICT_ROLE_LABELS, RatingForm, SchoolForm, StaffForm, weight_field

bp = Blueprint("district", __name__, url_prefix="/district")


def _district():
    district = access.district_of(current_user)
    if district is None:
        abort(404)
    return district


def _period(school_ids: list[int], with_term: bool = True):
    """The year name (?year=) and term (?term=quarter-2) the page shows, and the choices."""
    names = periods.year_names(school_ids)
    year_name = request.args.get("year", "").strip() or periods.default_year(school_ids)
    if names and year_name not in names:
        abort(404)
    term_choices = periods.terms(school_ids, year_name) if with_term else []
    spec = None
    if with_term:
        raw = request.args.get("term", "").strip()
        spec = periods.TermSpec.parse(raw) if raw else periods.default_term(school_ids, year_name)
        if raw and spec not in term_choices:
            abort(404)
    return {"year_name": year_name, "year_names": names, "term": spec, "terms": term_choices}


def _years(schools, year_name):
    return {s.id: periods.school_year(s.id, year_name) for s in schools} if year_name else {}


@bp.route("/")
@role_required(*access.READERS)
def index():
    district = _district()
    schools = access.schools(district.id)
    return render_template("district/index.html", district=district, schools=schools,
                           directors=staff.directors([s.id for s in schools]),
                           measures=figures.measure_rows(schools), can_admin=current_user.has_role(*access.ADMINS))


@bp.route("/results")
@role_required(*access.READERS)
def results_page():
    district = _district()
    schools = access.schools(district.id)
    period = _period([s.id for s in schools])
    tables = results.learning_results([s.id for s in schools], period["year_name"], period["term"])
    return render_template("district/results.html", district=district, schools=schools, tables=tables,
                           **period)


@bp.route("/schools/<int:school_id>")
@role_required(*access.READERS)
def school(school_id):
    district = _district()
    one = access.school_of(district.id, school_id)
    if one is None:
        abort(404)
    ids = [s.id for s in access.schools(district.id)]
    period = _period(ids)
    tables = results.learning_results(ids, period["year_name"], period["term"])  # the school beside the district
    year = periods.school_year(one.id, period["year_name"]) if period["year_name"] else None
    keys = [item["key"] for item in figures.catalogue()]
    rows = figures.indicator_rows([one], {one.id: year}, keys)
    return render_template("district/school.html", district=district, school=one, tables=tables,
                           directors=staff.directors([one.id])[one.id], indicators=figures.catalogue(),
                           rows=rows, measures=figures.measure_rows([one])[one.id], lang=current_language(),
                           fmt=fmt, **period)


@bp.route("/indicators")
@role_required(*access.READERS)
def indicators():
    district = _district()
    schools = access.schools(district.id)
    period = _period([s.id for s in schools], with_term=False)
    direction = request.args.get("direction", type=int) or 1
    if direction not in DIRECTIONS:
        abort(404)
    items = figures.catalogue(direction)
    rows = figures.indicator_rows(schools, _years(schools, period["year_name"]), [i["key"] for i in items])
    return render_template("district/indicators.html", district=district, schools=schools, items=items, rows=rows,
                           direction=direction, directions=DIRECTIONS, lang=current_language(), fmt=fmt,
                           **period)


@bp.route("/surveys")
@role_required(*access.READERS)
def surveys():
    district = _district()
    schools = access.schools(district.id)
    period = _period([s.id for s in schools], with_term=False)
    rows = figures.survey_rows(schools, _years(schools, period["year_name"]))
    names = {item["key"]: item["name"] for item in figures.catalogue()}
    return render_template("district/survey_indices.html", district=district, schools=schools, rows=rows, names=names,
                           lang=current_language(), **period)


@bp.route("/rating")
@role_required(*access.READERS)
def rating_page():
    district = _district()
    schools = access.schools(district.id)
    period = _period([s.id for s in schools], with_term=False)
    rated = rating.rating(district.id, schools, _years(schools, period["year_name"]))
    items = {item["key"]: item for item in figures.catalogue()}
    return render_template("district/rating.html", district=district, rated=rated, items=items,
                           weights=rating.weights(district.id), lang=current_language(), fmt=fmt, **period)


def _weights_form():
    items = figures.catalogue()
    form_class = type("WeightsForm", (RatingForm,), {f"w_{item['key']}": weight_field() for item in items})
    current = {w.indicator_key: w.weight for w in rating.weights(_district().id)}
    form = form_class(data={f"w_{key}": weight for key, weight in current.items()} if request.method == "GET" else None)
    return form, items


@bp.route("/rating/weights", methods=["GET", "POST"])
@role_required(*access.READERS)
def weights():
    district = _district()
    form, items = _weights_form()
    if form.validate_on_submit():
        chosen = {item["key"]: float(form[f"w_{item['key']}"].data) for item in items
                  if form[f"w_{item['key']}"].data is not None}
        try:
            rating.set_weights(district.id, chosen, user_id=current_user.id, remote_addr=request.remote_addr)
        except rating.RatingError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("The rating's indicators and weights are saved."), "success")
            return redirect(url_for("district.rating_page"), code=303)
    return render_template("district/weights.html", district=district, form=form, items=items,
                           lang=current_language())


@bp.route("/schools/new", methods=["GET", "POST"])
@role_required(*access.ADMINS)
def school_new():
    district = _district()
    form = SchoolForm()
    if form.validate_on_submit():
        try:
            created = staff.create_school(
                district, code=form.code.data.strip(), name=form.name.data.strip(), name_ru=form.name_ru.data,
                director_email=form.director_email.data, director_name=form.director_name.data.strip(),
                password=form.password.data, user_id=current_user.id, remote_addr=request.remote_addr)
        except staff.StaffError as error:
            db.session.rollback()
            form[{"email": "director_email"}.get(error.field, error.field)].errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The school %(name)s and its director's account are created.", name=created.name), "success")
            return redirect(url_for("district.index"), code=303)
    return render_template("district/school_new.html", district=district, form=form)


@bp.route("/staff", methods=["GET", "POST"])
@role_required(*access.ADMINS)
def staff_page():
    district = _district()
    form = StaffForm()
    if form.validate_on_submit():
        try:
            staff.create_staff(district, email=form.email.data, full_name=form.full_name.data.strip(),
                               role=form.role.data, password=form.password.data, user_id=current_user.id,
                               remote_addr=request.remote_addr)
        except staff.StaffError as error:
            db.session.rollback()
            form[error.field].errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The account is created."), "success")
            return redirect(url_for("district.staff_page"), code=303)
    return render_template("district/staff.html", district=district, form=form, people=staff.district_staff(district.id),
                           role_labels=DISTRICT_ROLE_LABELS)
