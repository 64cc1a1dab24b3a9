"""Diagnostics: instruments filled in by staff about a named student (thin views; the rules are
in app/services/diagnostics/)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.i18n import current_language
from app.models import ClassGroup, Enrollment, Student
from app.security import current_principal, get_scoped_or_404, requested_year, role_required, school_years
from app.services.core import school as school_service
from app.services.diagnostics import access, aggregates, records
from app.services.diagnostics import instruments as diag_instruments
from app.services.diagnostics.monitoring import indicator_names
from app.services.observations import answers as stored
from app.web import conflicts
from forms.builder import build_form, form_answers
from surveys.answers import FORM

bp = Blueprint("diagnostics", __name__, url_prefix="/diagnostics")

SUMMARY_ROLES = access.WHOLE_SCHOOL


def _usable():
    """The diagnostic instruments the current user may open, newest versions, shipped ones published."""
    diag_instruments.ensure_instruments()
    db.session.commit()  # a new or changed shipped file is published once
    principal = current_principal()
    return [row for row in diag_instruments.diagnostic_instruments() if access.may_use(principal, row.spec)]


def _instrument_or_404(key: str):
    for row in _usable():
        if row.key == key:
            return row
    abort(404)


def _class_or_404(class_id: int) -> ClassGroup:
    cls = get_scoped_or_404(ClassGroup, class_id)
    if not access.may_see_class(current_principal(), cls):
        abort(404)
    return cls


@bp.route("/")
@role_required(*access.ROLES)
def index():
    year = requested_year()
    principal = current_principal()
    classes = access.fillable_classes(principal, year.id)
    return render_template("diagnostics/index.html", year=year, years=school_years(), classes=classes,
                           instruments=_usable(), lang=current_language(),
                           can_summary=principal.has_role(*SUMMARY_ROLES))


@bp.route("/class/<int:class_id>")
@role_required(*access.ROLES)
def class_sheet(class_id):
    cls = _class_or_404(class_id)
    usable = _usable()
    if not usable:
        abort(404)
    wanted = request.args.get("instrument") or usable[0].key
    instrument = next((row for row in usable if row.key == wanted), None)
    if instrument is None:
        abort(404)
    principal = current_principal()
    visible = access.visible(principal)
    students = list(db.session.scalars(
        db.select(Student).join(Enrollment, Enrollment.student_id == Student.id)
        .where(Enrollment.class_id == cls.id).order_by(Student.full_name)))
    done = {r.student_id: r for r in db.session.scalars(
        db.select(aggregates.Diagnostic).where(visible, aggregates.Diagnostic.class_id == cls.id,
                                               aggregates.Diagnostic.instrument_key == instrument.key))}
    lang = current_language()
    spec = instrument.spec
    counts = aggregates.outcomes(cls.id, instrument.key, [visible])
    rule = next((r for r in diag_instruments.RULES.values() if instrument.key in r.instruments), None)
    figure = aggregates.school_figure(rule, cls.school_id, cls.year_id,
                                      [visible, aggregates.Diagnostic.class_id == cls.id]) if rule else None
    return render_template("diagnostics/class.html", cls=cls, instrument=instrument, spec=spec, instruments=usable,
                           students=students, done=done, counts=counts, lang=lang, rule=rule, figure=figure,
                           names=indicator_names(), label=lambda o: diag_instruments.outcome_label(spec, o, lang),
                           may_fill=access.may_fill(principal, cls, spec))


@bp.route("/class/<int:class_id>/<instrument_key>/<int:student_id>", methods=["GET", "POST"])
@role_required(*access.ROLES)
def fill(class_id, instrument_key, student_id):
    cls = _class_or_404(class_id)
    instrument = _instrument_or_404(instrument_key)
    student = get_scoped_or_404(Student, student_id)
    principal = current_principal()
    if not access.enrolled(student.id, cls):
        abort(404)
    if not access.may_fill(principal, cls, instrument.spec):
        abort(403)
    lang = current_language()
    existing = records.record_of(student.id, cls.year_id, instrument.key)
    spec = instrument.spec
    form_class = build_form(spec, lang=lang)
    data = {}
    if existing is not None and existing.instrument_id == instrument.id:
        data = {name: (value if isinstance(value, list) else str(value))
                for name, value in stored.form_data(spec, existing.answers, FORM).items()}
    current = form_class(formdata=None, data=data)  # the record as stored: the page's originals
    status = 200
    if request.method == "POST":
        form = form_class()
        valid = form.validate_on_submit()
        if valid and existing is not None and not conflicts.check(form, current):
            status = 409  # a colleague changed an answer this user changed too: nothing is saved
        elif valid:  # answers its user did not change keep what a colleague saved meanwhile
            records.save(principal, cls, student, instrument, form_answers(form))
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("diagnostics.class_sheet", class_id=cls.id, instrument=instrument.key))
    else:
        form = current
    return render_template("diagnostics/fill.html", cls=cls, instrument=instrument, spec=spec, student=student,
                           form=form, lang=lang, existing=existing, originals=conflicts.originals_field(current)), status


@bp.route("/student/<int:student_id>")
@role_required(*access.ROLES)
def student(student_id):
    pupil = get_scoped_or_404(Student, student_id)
    principal = current_principal()
    if not access.may_see_student(principal, pupil.id):
        abort(404)
    lang = current_language()
    rows = []
    for record in aggregates.student_records(pupil.id, [access.visible(principal)]):
        spec = record.instrument.spec
        rows.append({"record": record, "title": spec.title.pick(lang),
                     "outcome": diag_instruments.outcome_label(spec, record.outcome, lang),
                     "points": aggregates.item_points(record),
                     "shown": [(label, answer) for label, answer in stored.shown(spec, record.answers, lang).values()
                               if answer]})
    return render_template("diagnostics/student.html", pupil=pupil, rows=rows, lang=lang)


@bp.route("/summary")
@role_required(*SUMMARY_ROLES)
def summary():
    year = requested_year()
    principal = current_principal()
    visible = [access.visible(principal)]
    previous = school_service.previous_year(year)
    names = indicator_names()
    blocks = []
    for key, rule in diag_instruments.RULES.items():
        blocks.append({
            "key": key, "name": names.get(key, key), "rule": rule,
            "school": aggregates.school_figure(rule, current_user.school_id, year.id, visible),
            "previous": aggregates.school_figure(rule, current_user.school_id, previous.id, visible) if previous else None,
            "grades": aggregates.by_grade(rule, current_user.school_id, year.id, visible),
            "classes": aggregates.by_class(rule, current_user.school_id, year.id, visible),
            "mas": aggregates.by_ma(rule, current_user.school_id, year.id, visible, current_language()),
        })
    return render_template("diagnostics/summary.html", year=year, years=school_years(), blocks=blocks,
                           previous=previous)
