"""District pages (thin views; the rules are in app/services/district/): the district's schools,
their learning results, indicators and surveys side by side, the rating, and the district
admin's schools and staff, the packages of schools of other installations and the regional or national
averages. Only a district's staff reach them, each only their own district."""
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.i18n import current_language
from app.models.monitoring.indicators import DIRECTIONS
from app.models.school import TERM_KINDS
from app.security import role_required
from app.services.district import (
    access,
    averages,
    external,
    figures,
    imported,
    packages,
    periods,
    rating,
    registers,
    results,
    staff,
)
from app.services.monitoring.labels import fmt
from app.web import XLSX_MIMETYPE, conflicts
from app.web.changes import commit_change
from forms.district import (
    DISTRICT_ROLE_LABELS,
    AveragesUploadForm,
    PackageUploadForm,
    RatingForm,
    SchoolForm,
    StaffForm,
    weight_field,
)

bp = Blueprint("district", __name__, url_prefix="/district")


def _period(school_ids: list[int], with_term: bool = True):
    """The year name (?year=) and term (?term=quarter-2) the page shows, and the choices: the
    hosted schools' and those of the imported packages."""
    district_id = current_user.district_id
    names = sorted(set(periods.year_names(school_ids)) | set(imported.year_names(district_id)), reverse=True)
    year_name = request.args.get("year", "").strip() or periods.default_year(school_ids) or (names[0] if names else None)
    if names and year_name not in names:
        abort(404)
    term_choices = []
    spec = None
    if with_term:
        term_choices = sorted(set(periods.terms(school_ids, year_name)) | set(imported.terms(district_id, year_name)),
                              key=lambda t: (TERM_KINDS.index(t.kind), t.number))
        raw = request.args.get("term", "").strip()
        spec = periods.TermSpec.parse(raw) if raw else (periods.default_term(school_ids, year_name)
                                                        or (term_choices[-1] if term_choices else None))
        if raw and spec not in term_choices:
            abort(404)
    return {"year_name": year_name, "year_names": names, "term": spec, "terms": term_choices}


def _district_period(with_term: bool = True):
    """The opening of every district read page: the user's district, its hosted schools and the
    period the page shows (_period)."""
    district = access.current_district(current_user)
    schools = access.schools(district.id)
    return district, schools, _period([s.id for s in schools], with_term=with_term)


def _years(schools, year_name):
    return {s.id: periods.school_year(s.id, year_name) for s in schools} if year_name else {}


@bp.route("/")
@role_required(*access.READERS)
def index():
    district = access.current_district(current_user)
    schools = access.schools(district.id)
    return render_template("district/index.html", district=district, schools=schools,
                           directors=staff.directors([s.id for s in schools]),
                           measures=figures.measure_rows(schools), can_admin=current_user.has_role(*access.ADMINS))


@bp.route("/results")
@role_required(*access.READERS)
def results_page():
    district, schools, period = _district_period()
    remote = imported.schools(district.id, period["year_name"])
    tables = results.learning_results([s.id for s in schools], period["year_name"], period["term"],
                                      tuple(r.id for r in remote))
    found = averages.averages(district.id, period["year_name"])
    return render_template("district/results.html", district=district, schools=schools, tables=tables,
                           remote_schools=remote, beside=averages.beside(found), level_labels=averages.LEVEL_LABELS,
                           ort=[a for a in found if a.measure == "ort"], **period)


@bp.route("/schools/<int:school_id>")
@role_required(*access.READERS)
def school(school_id):
    district = access.current_district(current_user)
    one = access.school_of(district.id, school_id)
    if one is None:
        abort(404)
    ids = [s.id for s in access.schools(district.id)]
    period = _period(ids)
    remote_ids = tuple(r.id for r in imported.schools(district.id, period["year_name"]))
    tables = results.learning_results(ids, period["year_name"], period["term"], remote_ids)  # beside the district
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
    district, schools, period = _district_period(with_term=False)
    direction = request.args.get("direction", type=int) or 1
    if direction not in DIRECTIONS:
        abort(404)
    items = figures.catalogue(direction)
    rows = figures.indicator_rows(schools, _years(schools, period["year_name"]), [i["key"] for i in items])
    return render_template("district/indicators.html", district=district, schools=schools, items=items, rows=rows,
                           remote_schools=imported.schools(district.id, period["year_name"]),
                           remote_rows=imported.indicator_values(district.id, period["year_name"]),
                           direction=direction, directions=DIRECTIONS, lang=current_language(), fmt=fmt,
                           **period)


@bp.route("/surveys")
@role_required(*access.READERS)
def surveys():
    district, schools, period = _district_period(with_term=False)
    rows = figures.survey_rows(schools, _years(schools, period["year_name"]))
    names = {item["key"]: item["name"] for item in figures.catalogue()}
    return render_template("district/survey_indices.html", district=district, schools=schools, rows=rows, names=names,
                           remote_schools=imported.schools(district.id, period["year_name"]),
                           remote_rows=imported.survey_values(district.id, period["year_name"]),
                           lang=current_language(), **period)


@bp.route("/external")
@role_required(*access.READERS)
def external_page():
    """Internal vs external (ORT, NTS) per school and subject, with the ORT averages imported."""
    district, schools, period = _district_period(with_term=False)
    found = averages.averages(district.id, period["year_name"])
    ort = {}
    for a in found:
        if a.measure == "ort":
            ort.setdefault(a.subject.lower(), []).append(a)
    return render_template("district/external.html", district=district, schools=schools,
                           tables=external.comparisons([s.id for s in schools], period["year_name"]),
                           kinds=external.KIND_LABELS, ort=ort, level_labels=averages.LEVEL_LABELS, **period)


@bp.route("/observations")
@role_required(*access.READERS)
def observations():
    """Lesson observations by criterion per school, each with its n of lessons."""
    district, schools, period = _district_period(with_term=False)
    rows = figures.observation_rows(schools, _years(schools, period["year_name"]), current_language())
    return render_template("district/lessons.html", district=district, schools=schools, rows=rows, **period)


@bp.route("/registers")
@role_required(*access.READERS)
def registers_page():
    """The registers' counts per school for a year: olympiads, teachers' achievements, incidents."""
    district, schools, period = _district_period(with_term=False)
    return render_template("district/registers.html", district=district, schools=schools,
                           sections=registers.counts([s.id for s in schools], period["year_name"]), **period)


@bp.route("/rating")
@role_required(*access.READERS)
def rating_page():
    district, schools, period = _district_period(with_term=False)
    rated = rating.rating(district.id, schools, _years(schools, period["year_name"]))
    items = {item["key"]: item for item in figures.catalogue()}
    return render_template("district/rating.html", district=district, rated=rated, items=items,
                           weights=rating.weights(district.id), lang=current_language(), fmt=fmt, **period)


def _weights_form(district):
    """(the form as sent or as stored, the form as stored now, the catalogue's items)."""
    items = figures.catalogue()
    form_class = type("WeightsForm", (RatingForm,), {f"w_{item['key']}": weight_field() for item in items})
    current = {f"w_{w.indicator_key}": w.weight for w in rating.weights(district.id)}
    stored = form_class(formdata=None, data=current, meta={"csrf": False})
    form = form_class(data=current) if request.method == "GET" else form_class()
    return form, stored, items


@bp.route("/rating/weights", methods=["GET", "POST"])
@role_required(*access.READERS)
def weights():
    district = access.current_district(current_user)
    form, stored, items = _weights_form(district)
    status = 200
    if form.validate_on_submit():
        if not conflicts.check(form, stored):
            status = 409  # another user changed a weight this page changed too: both values are shown
        else:
            chosen = {item["key"]: float(form[f"w_{item['key']}"].data) for item in items
                      if form[f"w_{item['key']}"].data is not None}
            done = commit_change(
                lambda: rating.set_weights(district.id, chosen, user_id=current_user.id,
                                           remote_addr=request.remote_addr),
                rating.RatingError, success=_("The rating's indicators and weights are saved."),
                to=url_for("district.rating_page"))
            if done is not None:
                return done
            status = 422
    elif request.method == "POST":
        status = 422
    return render_template("district/weights.html", district=district, form=form, items=items,
                           lang=current_language(), originals=conflicts.originals_field(stored)), status


@bp.route("/schools/new", methods=["GET", "POST"])
@role_required(*access.ADMINS)
def school_new():
    district = access.current_district(current_user)
    form = SchoolForm()
    if form.validate_on_submit():
        done = commit_change(
            lambda: staff.create_school(
                district, code=form.code.data.strip(), name=form.name.data.strip(), name_ru=form.name_ru.data,
                director_email=form.director_email.data, director_name=form.director_name.data.strip(),
                password=form.password.data, user_id=current_user.id, remote_addr=request.remote_addr),
            staff.StaffError, field=lambda error: form[{"email": "director_email"}.get(error.field, error.field)],
            success=lambda created: _("The school %(name)s and its director's account are created.",
                                      name=created.name),
            to=url_for("district.index"))
        if done is not None:
            return done
    return render_template("district/school_new.html", district=district, form=form)


@bp.route("/staff", methods=["GET", "POST"])
@role_required(*access.ADMINS)
def staff_page():
    district = access.current_district(current_user)
    form = StaffForm()
    if form.validate_on_submit():
        done = commit_change(
            lambda: staff.create_staff(district, email=form.email.data, full_name=form.full_name.data.strip(),
                                       role=form.role.data, password=form.password.data, user_id=current_user.id,
                                       remote_addr=request.remote_addr),
            staff.StaffError, field=lambda error: form[error.field], success=_("The account is created."),
            to=url_for("district.staff_page"))
        if done is not None:
            return done
    return render_template("district/staff.html", district=district, form=form, people=staff.district_staff(district.id),
                           role_labels=DISTRICT_ROLE_LABELS)


@bp.route("/packages", methods=["GET", "POST"])
@role_required(*access.ADMINS)
def packages_page():
    """The schools of other installations, their packages, and the upload of a package."""
    district = access.current_district(current_user)
    form = PackageUploadForm()
    status = 200
    if form.validate_on_submit():
        data = form.file.data.stream.read(packages.fmt.MAX_BYTES + 1)
        done = commit_change(
            lambda: packages.import_package(district, data, user_id=current_user.id, remote_addr=request.remote_addr),
            packages.PackageError, field=form.file, success=packages.message, to=url_for("district.packages_page"))
        if done is not None:
            return done
        status = 422
    return render_template("district/packages.html", district=district, form=form,
                           registered=imported.registered(district.id), packages=imported.packages(district.id)), status


@bp.route("/averages", methods=["GET", "POST"])
@role_required(*access.ADMINS)
def averages_page():
    """The regional and national averages of a year, and the upload of an averages file."""
    district = access.current_district(current_user)
    form = AveragesUploadForm()
    report = None
    if form.validate_on_submit():
        report = averages.import_averages(form.file.data.stream, district_id=district.id, user_id=current_user.id,
                                          remote_addr=request.remote_addr)
        if report.ok:
            db.session.commit()
            flash(_("Averages imported: %(rows)d rows of %(years)d years.", **report.summary()), "success")
            return redirect(url_for("district.averages_page"), code=303)
        db.session.rollback()
    period = _period([s.id for s in access.schools(district.id)], with_term=False)
    return render_template("district/averages.html", district=district, form=form, report=report,
                           rows=averages.averages(district.id, period["year_name"]),
                           level_labels=averages.LEVEL_LABELS, measure_labels=averages.MEASURE_LABELS, **period), \
        422 if report is not None else 200


@bp.route("/averages/template.xlsx")
@role_required(*access.ADMINS)
def averages_template():
    access.current_district(current_user)
    return send_file(averages.template(current_language()), as_attachment=True,
                     download_name="sapat-averages-template.xlsx", mimetype=XLSX_MIMETYPE)
