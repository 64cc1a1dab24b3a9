"""Diagnostics: instruments filled in by staff about a named student (thin views; the rules are
in app/services/diagnostics/)."""

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.extensions import db
from app.i18n import current_language
from app.models import ClassGroup, DiagnosticRound, Enrollment, School, Student
from app.security import current_principal, get_scoped_or_404, requested_year, role_required, school_years
from app.services.core import school as school_service
from app.services.diagnostics import access, aggregates, records, student_codes
from app.services.diagnostics import instruments as diag_instruments
from app.services.diagnostics.monitoring import indicator_names
from app.services.observations import answers as stored
from app.web import conflicts, public_url
from app.web import slips as slips_kept
from forms.builder import build_form, form_answers
from forms.diagnostics import ActionForm, CodesForm, RuleForm
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
    return _class_page(_class_or_404(class_id), request.args.get("instrument"))


def _class_page(cls: ClassGroup, wanted, status: int = 200):
    usable = _usable()
    if not usable:
        abort(404)
    wanted = wanted or usable[0].key
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
    by_student = None
    if spec.filled_by_student:
        current = student_codes.open_round(cls.id, instrument.key)
        by_student = {"allowed": student_codes.allowed(cls.school), "round": current,
                      "counts": student_codes.counts(current) if current else None,
                      "unspent": student_codes.unspent(current) if current else 0,
                      "missing": student_codes.without_code(current) if current else 0,
                      "may_start": student_codes.may_start(principal, cls, spec)}
    return render_template("diagnostics/class.html", cls=cls, instrument=instrument, spec=spec, instruments=usable,
                           students=students, done=done, counts=counts, lang=lang, rule=rule, figure=figure,
                           names=indicator_names(), label=lambda o: diag_instruments.outcome_label(spec, o, lang),
                           may_fill=access.may_fill(principal, cls, spec), by_student=by_student,
                           action=ActionForm(), codes_form=CodesForm()), status


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


# --- diagnostics the students fill in themselves (app/services/diagnostics/student_codes.py) ---

@bp.route("/rule", methods=["GET", "POST"])
@role_required("admin")
def rule():
    """The school's rule: may students fill in named diagnostics themselves (the director's switch)."""
    school = db.session.get(School, current_user.school_id)
    current = RuleForm(formdata=None, data={"allow": "yes" if student_codes.allowed(school) else "no"})
    status = 200
    if request.method == "POST":
        form = RuleForm()
        valid = form.validate_on_submit()
        if valid and not conflicts.check(form, current):
            status = 409
        elif valid:
            student_codes.set_rule(current_principal(), school, form.allow.data == "yes")
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for(".rule"))
        else:
            status = 400
    else:
        form = current
    return render_template("diagnostics/rule.html", form=form, originals=conflicts.originals_field(current)), status


def _round_or_404(round_id: int) -> DiagnosticRound:
    rnd = get_scoped_or_404(DiagnosticRound, round_id)
    if not student_codes.may_start(current_principal(), rnd.class_group, rnd.instrument.spec):
        abort(404)
    return rnd


def _back_to(class_id: int, key: str):
    return redirect(url_for(".class_sheet", class_id=class_id, instrument=key), 303)


ROUND_MESSAGES = {
    "not_allowed": _l("Your school does not allow students to fill in named diagnostics. The director can allow "
                      "it on the page Students' own diagnostics."),
    "not_student": _l("Staff fill in this diagnostic, not the students."),
    "open": _l("This diagnostic is already open for the class."),
    "closed": _l("This diagnostic is closed."),
    "nothing_to_issue": _l("Every student who has not answered has a printed code already. If slips were lost, "
                           "print new slips: the printed ones that have not been used stop working."),
}
CODES_CHANGED = _l("Slips were printed for this class meanwhile (on another page or by a colleague), so nothing "
                   "was done from this page: the printed codes still work. Printing new slips makes the printed "
                   "slips that have not been used stop working; do it below only if they were lost.")
CONFIRM_REISSUE = _l("Tick the box to print new slips: the printed slips that have not been used stop working.")


@bp.route("/class/<int:class_id>/<instrument_key>/start", methods=["POST"])
@role_required(*access.ROLES)
def start_round(class_id, instrument_key):
    cls = _class_or_404(class_id)
    instrument = _instrument_or_404(instrument_key)
    if not student_codes.may_start(current_principal(), cls, instrument.spec):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        student_codes.start(current_principal(), cls, instrument)
    except student_codes.RoundError as error:
        db.session.rollback()
        flash(str(ROUND_MESSAGES[error.code]), "error")
        return _back_to(cls.id, instrument.key)
    db.session.commit()
    flash(_("Started. Print the students' slips."), "success")
    return _back_to(cls.id, instrument.key)



@bp.route("/rounds/<int:round_id>/codes", methods=["POST"])
@role_required(*access.ROLES)
def round_codes(round_id):
    """Print slips: codes for the students without one; with `replace` (ticked `confirm`) new codes
    also for those whose printed code is unused. A page rendered before codes were issued
    meanwhile (another tab, a colleague, a double submit) gets 409 and changes nothing."""
    rnd = _round_or_404(round_id)
    form = CodesForm()
    if not form.validate_on_submit():
        abort(400)
    replace = form.replace.data == "yes"
    if replace and not form.confirm.data:
        flash(str(CONFIRM_REISSUE), "error")
        return _class_page(rnd.class_group, rnd.instrument_key, 400)
    seen = (form.seen.data or "").strip()
    nonce = slips_kept.new_nonce()
    try:
        issued = student_codes.issue_codes(current_principal(), rnd,
                                           int(seen) if seen.isascii() and seen.isdigit() and len(seen) < 10 else None,
                                           replace=replace, seed=slips_kept.secret_seed(nonce))
    except student_codes.RoundError as error:
        db.session.rollback()
        if error.code == "codes_changed":
            flash(str(CODES_CHANGED), "error")
            return _class_page(rnd.class_group, rnd.instrument_key, 409)
        flash(str(ROUND_MESSAGES[error.code]), "error")
        return _back_to(rnd.class_id, rnd.instrument_key)
    db.session.commit()
    # The codes are kept only as hashes: the issuer's session keeps the batch's nonce for an hour
    # (app/web/slips.py, like the survey codes' slips), so the page can be reloaded and printed.
    batch = slips_kept.keep("diagnostic", round=rnd.id, nonce=nonce, students=[student.id for student, _code in issued])
    return redirect(url_for(".round_slips", round_id=rnd.id, batch=batch), 303)


@bp.route("/rounds/<int:round_id>/slips/<batch>")
@role_required(*access.ROLES)
def round_slips(round_id, batch):
    import segno

    rnd = _round_or_404(round_id)
    kept = slips_kept.kept("diagnostic", batch) or {}
    shown = []
    if kept.get("round") == rnd.id and rnd.status == "open":
        # Under the current key, else under an old one (slips printed before a key change).
        shown = next((found for seed in slips_kept.secret_seeds(kept["nonce"])
                      if (found := student_codes.batch_slips(rnd, seed, kept["students"]))), [])
    if not shown:
        flash(_("These slips can no longer be shown: the codes are stored only as hashes and are shown for an hour "
                "after they are printed, to whoever printed them. Print new slips if they were lost."), "error")
        return _back_to(rnd.class_id, rnd.instrument_key)
    url = public_url("diagnostics_public.fill", slug=rnd.slug)
    slips = []
    for student, code in shown:
        link = f"{url}?code={code}"
        slips.append({"name": student.full_name, "code": code,
                      "qr": segno.make(link, error="m").svg_inline(scale=3, border=2, dark="#000", light="#fff")})
    response = make_response(render_template("diagnostics/slips.html", rnd=rnd, spec=rnd.instrument.spec, url=url,
                                             slips=slips))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/rounds/<int:round_id>/close", methods=["POST"])
@role_required(*access.ROLES)
def close_round(round_id):
    rnd = _round_or_404(round_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    student_codes.close(current_principal(), rnd)
    db.session.commit()
    flash(_("Closed: the unused codes no longer work."), "success")
    return _back_to(rnd.class_id, rnd.instrument_key)
