"""Learning results: the marks grid, imports, and the indicators for each role."""
from functools import partial

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import charts
from app.extensions import db
from app.i18n import current_language, localized_name
from app.models import ClassGroup, Student, Subject, User
from app.security import (
    Principal,
    audit,
    current_principal,
    get_scoped_or_404,
    requested_year,
    role_required,
    school_years,
)
from app.services.achievement import access, analysis, support
from app.services.achievement import cards as report_cards
from app.services.achievement import grid as grids
from app.services.achievement import imports as achievement_import
from app.services.achievement import journal as journal_service
from app.services.achievement.workbook import build_achievement_workbook
from app.services.core import school as school_service
from app.services.core.text import in_db_range, whole
from app.web import XLSX_MIMETYPE, flash_errors, run_upload_import, send_xlsx
from forms.achievement import (
    KIND_LABELS,
    AssessmentForm,
    GridForm,
    JournalChoiceForm,
    MarksUploadForm,
    SupportActionForm,
)

bp = Blueprint("achievement", __name__, url_prefix="/achievement")

READERS = ("admin", "deputy", "mo_head", "teacher", "class_teacher", "expert")
ENTERERS = ("admin", "deputy", "teacher", "class_teacher", "mo_head")
IMPORTERS = ("admin", "deputy", "teacher")
RISK_READERS = access.RISK_READERS



@bp.app_context_processor
def _helpers():
    return {"kind_label": lambda kind: KIND_LABELS.get(kind, kind)}


def _scope() -> Principal:
    return current_principal()


def _basis() -> str:
    basis = request.args.get("basis", "term")
    if basis not in analysis.BASES:
        abort(404)
    return basis


def _term(arg="term"):
    value = request.args.get(arg)
    school_id = current_user.school_id
    term = analysis.term_or_none(school_id, value) if value else analysis.default_term(school_id)
    if value and term is None:
        abort(404)
    return term


@bp.route("/")
@role_required(*READERS)
def index():
    term = _term()
    scope = _scope()
    basis = _basis()
    summary = analysis.summary(scope, term, analysis.BASES[basis]) if term else None
    grades = sorted({row["grade"] for row in summary.rows}) if summary else []
    grade = _int_arg("grade")
    if summary and grade is not None:  # a long school table, narrowed to one grade on screen
        summary.rows = [row for row in summary.rows if row["grade"] == grade]
    chart = None
    if summary and summary.groups["grade"]:
        chart = charts.grouped_hbars([(g["label"], [g["m"].pass_rate, g["m"].quality]) for g in summary.groups["grade"]],
                          [_("Pass rate") + " %", _("Quality") + " %"], title=_("Pass rate and quality by grade"))
    year = school_service.current_year(current_user.school_id)
    pairs = []
    if year is not None and current_user.has_role("teacher", "class_teacher", "admin", "deputy"):
        lookup = analysis.names(current_user.school_id)
        pairs = [(lookup["classes"][c], lookup["subjects"][s])
                 for c, s in access.grid_pairs(scope, year.id)]
    return render_template("achievement/index.html", term=term, terms=analysis.terms(current_user.school_id),
                           summary=summary, chart=chart, pairs=pairs, everything=scope.everything, basis=basis,
                           can_open_grid=access.may_open_any_grid(scope), grades=grades, grade=grade)


# --- the marks grid --------------------------------------------------------------------------

def _grid_objects(class_id, subject_id):
    cls = get_scoped_or_404(ClassGroup, class_id)
    subject = get_scoped_or_404(Subject, subject_id)
    if not access.may_enter_marks(_scope(), cls.id, subject.id):
        abort(403)
    term = grids.grid_term(current_user.school_id, cls, _term())
    if term is None:
        abort(404)
    return cls, subject, term


@bp.route("/grid/<int:class_id>/<int:subject_id>", methods=["GET", "POST"])
@role_required(*ENTERERS)
def grid(class_id, subject_id):
    cls, subject, term = _grid_objects(class_id, subject_id)
    data = grids.load_grid(current_user.school_id, cls, subject, term)
    form = GridForm()
    errors, typed = {}, {}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        originals = {}
        for a in data.assessments:
            for s in data.students:
                if f"m-{a.id}-{s.id}" in request.form:  # a cell not sent is not changed
                    typed[(a.id, s.id)] = request.form[f"m-{a.id}-{s.id}"]
                if f"o-{a.id}-{s.id}" in request.form:  # its value when the page was served
                    originals[(a.id, s.id)] = request.form[f"o-{a.id}-{s.id}"]
        result = grids.save_grid(data, typed, originals if originals or not typed else None)
        if result.ok:
            for assessment_id, change in result.changes.items():
                audit("update", "marks", assessment_id, before=change["before"], after=change["after"])
            db.session.commit()
            flash(_("Marks saved."), "success")
            return redirect(url_for("achievement.grid", class_id=cls.id, subject_id=subject.id, term=term.id))
        db.session.rollback()
        errors = result.errors
        flash(_("Nothing was saved. Cells to correct: %(n)d.", n=len(errors)), "error")
        data = grids.load_grid(current_user.school_id, cls, subject, term)
    terms = [t for t in analysis.terms(current_user.school_id) if t.year_id == cls.year_id]
    return render_template("achievement/grid.html", grid=data, form=form, errors=errors, typed=typed,
                           terms=terms, assessment_form=AssessmentForm(term=term)), (422 if errors else 200)


@bp.route("/grid/<int:class_id>/<int:subject_id>/assessment", methods=["POST"])
@role_required(*ENTERERS)
def new_assessment(class_id, subject_id):
    cls, subject, term = _grid_objects(class_id, subject_id)
    form = AssessmentForm(term=term)
    if form.validate_on_submit():
        assessment, created = grids.create_assessment(
            current_user.school_id, cls, subject, term, kind=form.kind.data, on=form.date.data,
            topic=form.topic.data or "", max_score=form.max_score.data, user_id=current_user.id)
        if created:
            audit("create", "assessment", assessment.id,
                  after={"kind": assessment.kind, "date": assessment.date.isoformat(), "class_id": cls.id,
                         "subject_id": subject.id, "term_id": term.id, "topic": assessment.topic})
            flash(_("Column added: type the marks and save."), "success")
        else:
            flash(_("This work already exists in the grid."), "warning")
        db.session.commit()
    else:
        flash_errors(form)
    return redirect(url_for("achievement.grid", class_id=cls.id, subject_id=subject.id, term=term.id))


# --- import ---------------------------------------------------------------------------------------

@bp.route("/import", methods=["GET", "POST"])
@role_required(*IMPORTERS)
def upload():
    return run_upload_import(
        MarksUploadForm(), partial(achievement_import.import_marks, teacher_id=access.importing_teacher(_scope())),
        entity="marks",
        template="achievement/import.html", done_url=url_for("achievement.upload"),
        extra={"template_headers": achievement_import.TEMPLATE_HEADERS.get(current_language(),
                                                                           achievement_import.TEMPLATE_HEADERS["en"])},
        success=lambda summary: _("Marks imported: %(created)d new, %(updated)d changed, %(unchanged)d "
                                  "unchanged.", **summary))


@bp.route("/import/template.xlsx")
@role_required(*IMPORTERS)
def template():
    return send_file(achievement_import.marks_template(current_language()), as_attachment=True,
                     download_name="sapat-marks-template.xlsx",
                     mimetype=XLSX_MIMETYPE)


def _journal_lesson():
    """The chosen (class, subject, term) of the class journal, or None before a choice; another
    school's class is a 404, a lesson the user may not enter a 403."""
    lesson, term_id = request.args.get("lesson", ""), request.args.get("term", "")
    if not lesson and not term_id:
        return None
    class_id, _sep, subject_id = lesson.partition("-")
    if whole(class_id) is None or whole(subject_id) is None:
        abort(404)
    cls, subject = get_scoped_or_404(ClassGroup, whole(class_id)), get_scoped_or_404(Subject, whole(subject_id))
    term = analysis.term_or_none(current_user.school_id, term_id)
    if term is None or term.year_id != cls.year_id:
        abort(404)
    if not access.may_enter_marks(_scope(), cls.id, subject.id):
        abort(403)
    return cls, subject, term


def _journal_choice() -> JournalChoiceForm:
    choice = JournalChoiceForm(request.args)
    year = school_service.current_year(current_user.school_id)
    pairs = access.import_pairs(_scope(), year.id) if year else []
    lookup = analysis.names(current_user.school_id)
    choice.lesson.choices = [(f"{c}-{s}", f"{lookup['classes'][c].name} · {localized_name(lookup['subjects'][s])}")
                             for c, s in pairs]
    choice.term.choices = [(t.id, t.label) for t in school_service.terms_of_year(year.id)] if year else []
    if not request.args.get("term") and year:
        choice.term.data = getattr(analysis.default_term(current_user.school_id), "id", None)
    return choice


@bp.route("/import/journal", methods=["GET", "POST"])
@role_required(*IMPORTERS)
def journal():
    """A class journal (names x works) of one class, subject and term, chosen first."""
    choice = _journal_choice()
    chosen = _journal_lesson()
    if chosen is None:
        if request.method == "POST":
            abort(400)
        return render_template("achievement/journal.html", choice=choice, chosen=None, form=None, report=None)
    cls, subject, term = chosen
    return run_upload_import(
        MarksUploadForm(), lambda stream, **_where: journal_service.import_journal(stream, cls=cls, subject=subject,
                                                                                    term=term),
        entity="marks", template="achievement/journal.html", extra={"choice": choice, "chosen": chosen},
        done_url=url_for("achievement.grid", class_id=cls.id, subject_id=subject.id, term=term.id),
        success=lambda summary: _("Marks imported: %(created)d new, %(updated)d changed, %(unchanged)d "
                                  "unchanged.", **summary))


@bp.route("/import/journal.xlsx")
@role_required(*IMPORTERS)
def journal_template():
    chosen = _journal_lesson()
    if chosen is None:
        abort(404)
    cls, subject, term = chosen
    return send_file(journal_service.journal_template(cls, subject, term), as_attachment=True,
                     download_name=f"sapat-journal-{cls.grade}-{subject.id}-{term.id}.xlsx", mimetype=XLSX_MIMETYPE)


# --- analytics -----------------------------------------------------------------------------------

def _int_arg(name):
    value = request.args.get(name, "")
    if value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        abort(404)
    if not in_db_range(number):  # beyond the database's integers (a 500 otherwise)
        abort(404)
    return number


def _term_label(term) -> str:
    """Two short lines under a chart point: the quarter as in school reports (I-IV), then the years."""
    years = term.year.name
    short = f"{years[2:4]}-{years[-2:]}" if len(years) == 9 else years
    first = ("I", "II", "III", "IV")[term.number - 1] if term.kind == "quarter" and 1 <= term.number <= 4 else term.label
    return f"{first}\n{short}"


@bp.route("/dynamics")
@role_required(*READERS)
def dynamics():
    scope = _scope()
    class_id, subject_id, teacher_id = _int_arg("class_id"), _int_arg("subject_id"), _int_arg("teacher_id")
    cls = get_scoped_or_404(ClassGroup, class_id) if class_id else None
    subject = get_scoped_or_404(Subject, subject_id) if subject_id else None
    teacher = get_scoped_or_404(User, teacher_id) if teacher_id else None
    rows = analysis.dynamics(scope, class_id=class_id, subject_id=subject_id, teacher_id=teacher_id)
    labels = [_term_label(r["term"]) for r in rows]
    chart = charts.line_chart(labels, [(_("Pass rate") + " %", [r["m"].pass_rate for r in rows]),
                                (_("Quality") + " %", [r["m"].quality for r in rows]),
                                (_("SOU") + " %", [r["m"].sou for r in rows])], title=_("Dynamics by term"))
    year = school_service.current_year(current_user.school_id)
    pairs = access.visible_pairs(scope, year.id) if year else []
    lookup = analysis.names(current_user.school_id)
    class_options = sorted({lookup["classes"][c] for c, _s in pairs}, key=lambda c: (c.grade, c.letter))
    subject_options = sorted({lookup["subjects"][s] for _c, s in pairs}, key=lambda s: s.name)
    teacher_options = []
    if scope.everything and year:
        ids = {t for ts in analysis.teachers_by_pair(current_user.school_id, year.id).values() for t in ts}
        teacher_options = sorted((lookup["users"][i] for i in ids), key=lambda u: u.full_name)
    elif current_user.has_role("teacher"):
        teacher_options = [current_user]
    return render_template("achievement/dynamics.html", rows=rows, chart=chart, cls=cls, subject=subject,
                           teacher=teacher, yty=analysis.year_to_year(rows)[0] if rows else None,
                           class_options=class_options, subject_options=subject_options,
                           teacher_options=teacher_options)


@bp.route("/student/<int:student_id>")
@role_required(*READERS)
def student(student_id):
    pupil = get_scoped_or_404(Student, student_id)
    if not access.may_see_student(_scope(), pupil.id):
        abort(404)
    data = analysis.student_trajectory(_scope(), pupil.id)
    lookup = analysis.names(current_user.school_id)
    labels = [_term_label(t) for t in data["terms"]]
    chart = charts.line_chart(labels, [(_("Mean term mark"), [data["means"].get(t.id) for t in data["terms"]])],
                       top=5.0, title=_("Mean term mark by term"))
    year = school_service.current_year(current_user.school_id)
    cls = report_cards.class_of(pupil.id, year.id) if year else None
    printable = cls is not None and access.may_print_cards(_scope(), cls)
    return render_template("achievement/student.html", pupil=pupil, data=data, chart=chart,
                           subjects=lookup["subjects"], card_year=year if printable else None,
                           support=support.student_support(_scope(), pupil.id, _term()))


@bp.route("/compare")
@role_required(*READERS)
def compare():
    scope = _scope()
    default = float(current_app.config.get("ACHIEVEMENT_EXTERNAL_THRESHOLD", analysis.DEFAULT_THRESHOLD))
    try:
        threshold = float(request.args.get("threshold", "").replace(",", ".") or default)
        if not 0 <= threshold <= 5:
            raise ValueError
    except ValueError:
        flash(_("The threshold must be a number between 0 and 5."), "error")
        threshold = default
    year = requested_year(required=False)
    rows = analysis.compare_external(scope, year.id, threshold) if year else []
    chart = charts.grouped_hbars([(f"{r['class'].name} {localized_name(r['subject'])}", [r["internal"], r["external"]])
                       for r in rows], [_("Internal mean"), _("External (5-point)")], top=5.0,
                      title=_("Internal marks against external results"))
    return render_template("achievement/compare.html", rows=rows, threshold=threshold, years=school_years(),
                           year=year, chart=chart)


# --- students at risk ---------------------------------------------------------------------------

@bp.route("/at-risk")
@role_required(*RISK_READERS)
def at_risk():
    term = _term()
    scope = _scope()
    classes = access.risk_classes(scope, term.year_id) if term else []
    class_id = _int_arg("class_id")
    chosen = [c for c in classes if c.id == class_id] if class_id else classes
    if class_id and not chosen:
        abort(404)
    rows = analysis.at_risk(scope, term, [c.id for c in chosen]) if term else []
    terms = [t for t in analysis.terms(current_user.school_id) if t.kind == "quarter"]
    can_record = current_user.has_role(*access.SUPPORT_RECORDERS)
    forms = {r["student"].id: SupportActionForm(prefix=f"s{r['student'].id}") for r in rows} if can_record else {}
    plans = support.plans_of_term(current_user.school_id, term.id, [r["student"].id for r in rows]) if rows else {}
    return render_template("achievement/at_risk.html", term=term, terms=terms, rows=rows, classes=classes,
                           class_id=class_id, forms=forms, can_record=can_record, plans=plans)


@bp.route("/at-risk/<int:student_id>/action", methods=["POST"])
@role_required(*access.SUPPORT_RECORDERS)
def record_action(student_id):
    pupil = get_scoped_or_404(Student, student_id)
    term = _term()
    if term is None:
        abort(404)
    if not access.may_act_for_student(_scope(), pupil.id, term.year_id):
        abort(404)
    form = SupportActionForm(prefix=f"s{pupil.id}")  # one form per student on the page
    if form.validate_on_submit():
        row = analysis.add_support_action(current_user.school_id, pupil.id, term.id, current_user.id,
                                     action=form.action.data, parents_informed=form.parents_informed.data,
                                     contact_date=form.contact_date.data, contact_note=form.contact_note.data)
        audit("create", "support_action", row.id, after={"student_id": pupil.id, "term_id": term.id,
                                                         "parents_informed": row.parents_informed})
        db.session.commit()
        flash(_("The action was recorded."), "success")
    else:
        flash_errors(form)
    return redirect(url_for("achievement.at_risk", term=term.id, _anchor=f"s{pupil.id}"))


# --- workbook ----------------------------------------------------------------------------------------

@bp.route("/export")
@role_required(*READERS)
def export():
    term = _term()
    if term is None:
        abort(404)
    basis = _basis()
    path = build_achievement_workbook(_scope(), term, basis=basis)
    return send_xlsx(path, f"sapat-achievement-{term.id}-{basis}.xlsx")

