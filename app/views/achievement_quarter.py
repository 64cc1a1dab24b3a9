"""The pedagogical council's quarter report (page, Word document, issue) and the per-task
analysis of a control work (its tasks, the points grid, the teacher's analysis)."""
from datetime import timedelta
from types import SimpleNamespace

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.i18n import current_language
from app.models import Assessment, ClassGroup
from app.security import audit, current_principal, get_scoped_or_404, role_required
from app.services.achievement import access, analysis, quarter, tasks
from app.services.achievement.quarter_docx import build_docx
from app.services.core.text import whole
from app.services.monitoring import issued as issued_service
from app.web import conflicts, flash_errors
from app.web.issuing import store_and_show
from forms.achievement import AnalysisForm, PointsForm, TasksForm
from forms.monitoring.measures import IssueForm

bp = Blueprint("quarter", __name__, url_prefix="/achievement/quarter")
tasks_bp = Blueprint("tasks", __name__, url_prefix="/achievement/tasks")

READERS = ("admin", "deputy", "mo_head", "teacher", "class_teacher", "expert")
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _report():
    """The report the request names: ?term= (a quarter; the default term) and ?class_id=
    (one of the classes the user sees; blank: the school)."""
    school_id = current_user.school_id
    value = request.args.get("term")
    term = analysis.term_or_none(school_id, value) if value else analysis.default_term(school_id)
    if term is None or term.kind != "quarter":
        abort(404)
    principal = current_principal()
    cls = None
    raw = request.args.get("class_id", "")
    if raw:
        if whole(raw) is None:
            abort(404)
        cls = get_scoped_or_404(ClassGroup, whole(raw))
        if cls.year_id != term.year_id or cls.id not in {c.id for c in quarter.report_classes(principal, term.year_id)}:
            abort(404)
    return quarter.build(principal, term, cls)


def _context(report, issued=None) -> dict:
    return {"r": report, "school": current_user.school, "lang": current_language(), "GROUPS": quarter.GROUPS,
            "GROUP_LABELS": quarter.GROUP_LABELS, "INDICATORS": quarter.INDICATORS, "fmt": quarter.fmt,
            "delta": quarter.delta, "count_delta": quarter.count_delta, "issued": issued}


@bp.route("/")
@role_required(*READERS)
def report():
    r = _report()
    terms = [t for t in analysis.terms(current_user.school_id) if t.kind == "quarter"]
    classes = quarter.report_classes(current_principal(), r.term.year_id)
    form = IssueForm() if current_user.has_role(*issued_service.ISSUERS) else None
    return render_template("achievement/quarter/report.html", terms=terms, classes=classes, issue_form=form,
                           **_context(r))


@bp.route("/report.docx")
@role_required(*READERS)
def docx():
    r = _report()
    name = f"sapat-quarter-{r.term.id}-{r.cls.name if r.cls else 'school'}.docx"
    return send_file(build_docx(r, current_user.school, current_language()), as_attachment=True,
                     download_name=name, mimetype=DOCX_MIMETYPE)


@bp.route("/issue", methods=["POST"])
@role_required(*issued_service.ISSUERS)
def issue():
    """Freeze the report as issued (monitoring/issued.py): a new issue makes a new version."""
    r = _report()
    back = url_for("quarter.report", term=r.term.id, class_id=r.cls.id if r.cls else None)
    form = IssueForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(back)
    number = form.number.data.strip()
    version = issued_service.next_version(current_user.school_id, r.term.year_id, "quarter", r.subject_key)
    stamp = SimpleNamespace(number=number, issued_on=form.issued_on.data, version=version,
                            author_name=current_user.full_name)
    html = render_template("achievement/quarter/_body.html", **_context(r, stamp))
    title = _("Quarter report to the pedagogical council") + f": {r.term.label} {r.term.year.name}" + (
        f", {r.cls.name}" if r.cls else "")
    return store_and_show(back, school_id=current_user.school_id, year_id=r.term.year_id, kind="quarter",
                          subject=r.subject_key, version=version, title=title, number=number,
                          issued_on=form.issued_on.data, rows=r.figures(), html=html)


# --- the per-task analysis of a control work --------------------------------------------------

def _work(assessment_id: int, write: bool = False) -> Assessment:
    """A control work or test the user sees (else 404); writing needs the right to enter its marks (403)."""
    work = get_scoped_or_404(Assessment, assessment_id)
    principal = current_principal()
    if work.kind not in tasks.TASK_KINDS or not db.session.scalar(
            db.select(Assessment.id).where(Assessment.id == work.id,
                                           access.visible(principal, Assessment.class_id, Assessment.subject_id))):
        abort(404)
    if write and not access.may_enter_marks(principal, work.class_id, work.subject_id):
        abort(403)
    return work


def _stored_analysis(work: Assessment, csrf: bool = False) -> AnalysisForm:
    """The analysis form as stored now: the correction and deadline as the register's measure
    holds them (edited there too), a month after the term for a first analysis."""
    row = tasks.analysis_of(work.id)
    measure = row.measure if row else None
    return AnalysisForm(formdata=None, meta={"csrf": csrf}, obj=SimpleNamespace(
        analysis=row.analysis if row else "", correction=measure.action if measure else (row.correction if row else ""),
        due_on=measure.due_on if measure else work.term.ends_on + timedelta(days=30)))


def _stored_tasks(work: Assessment, csrf: bool = False) -> TasksForm:
    """The tasks form as stored now: one line a task, "2; Fractions"."""
    return TasksForm(formdata=None, meta={"csrf": csrf}, tasks="\n".join(
        f"{t.max_points:g}; {t.topic or ''}".rstrip("; ").rstrip() for t in tasks.tasks_of(work.id)))


def _work_page(work: Assessment, errors=None, typed=None, status=200, analysis_form=None, tasks_form=None):
    task_list = tasks.tasks_of(work.id)
    scores = tasks.scores_of(task_list)
    shown = {key: f"{s.points:g}" for key, s in scores.items()}
    row = tasks.analysis_of(work.id)
    may_write = access.may_enter_marks(current_principal(), work.class_id, work.subject_id)
    tasks_form = tasks_form or _stored_tasks(work, csrf=True)
    stored = _stored_analysis(work)
    return render_template("achievement/quarter/work.html", work=work, task_list=task_list, shown=shown,
                           typed=typed or {}, errors=errors or {}, students=tasks.students_of(work),
                           shares=tasks.shares([work.id]).get(work.id, []), analysis=row, may_write=may_write,
                           tasks_form=tasks_form, points_form=PointsForm(), analysis_form=analysis_form or _stored_analysis(work, csrf=True),
                           analysis_originals=conflicts.originals_field(stored),
                           tasks_originals=conflicts.originals_field(_stored_tasks(work)), title=tasks.work_title(work)), status


@tasks_bp.route("/<int:assessment_id>")
@role_required(*READERS)
def work(assessment_id):
    return _work_page(_work(assessment_id))


@tasks_bp.route("/<int:assessment_id>/tasks", methods=["POST"])
@role_required(*READERS)
def define(assessment_id):
    work = _work(assessment_id, write=True)
    form = TasksForm()
    if form.validate_on_submit():
        # A stale page (another tab, a colleague) must not renumber or delete tasks, and their
        # points, changed meanwhile: an unchanged list keeps the stored one, both changed is a 409.
        if not conflicts.check(form, _stored_tasks(work)):
            return _work_page(work, status=409, tasks_form=form)
        form.validate_tasks(form.tasks)  # the rows of the list kept (the stored one when unchanged)
        try:
            change = tasks.set_tasks(work, form.rows)
        except ValueError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            if change["before"] != change["after"]:
                audit("update", "assessment_tasks", work.id, before=change["before"], after=change["after"])
            db.session.commit()
            flash(_("Tasks saved."), "success")
    else:
        flash_errors(form)
    return redirect(url_for("tasks.work", assessment_id=work.id))


@tasks_bp.route("/<int:assessment_id>/points", methods=["POST"])
@role_required(*READERS)
def points(assessment_id):
    work = _work(assessment_id, write=True)
    if not PointsForm().validate_on_submit():
        abort(400)
    task_list = tasks.tasks_of(work.id)
    student_ids = [s.id for s in tasks.students_of(work)]
    typed, originals = {}, {}
    for t in task_list:
        for sid in student_ids:
            if f"p-{t.id}-{sid}" in request.form:
                typed[(t.id, sid)] = request.form[f"p-{t.id}-{sid}"]
            if f"o-{t.id}-{sid}" in request.form:
                originals[(t.id, sid)] = request.form[f"o-{t.id}-{sid}"]
    errors, change = tasks.save_points(current_user.school_id, task_list, student_ids, typed, originals)
    if errors:
        db.session.rollback()
        flash(_("Nothing was saved. Cells to correct: %(n)d.", n=len(errors)), "error")
        return _work_page(work, errors, typed, 422)
    if change["after"]:
        audit("update", "task_points", work.id, before=change["before"], after=change["after"])
    db.session.commit()
    flash(_("Points saved."), "success")
    return redirect(url_for("tasks.work", assessment_id=work.id))


@tasks_bp.route("/<int:assessment_id>/analysis", methods=["POST"])
@role_required(*READERS)
def record_analysis(assessment_id):
    work = _work(assessment_id, write=True)
    form = AnalysisForm()
    if form.validate_on_submit():
        if not conflicts.check(form, _stored_analysis(work)):  # fields both changed: both values shown
            return _work_page(work, status=409, analysis_form=form)
        row, measure, before = tasks.save_analysis(work, user_id=current_user.id, analysis=form.analysis.data.strip(),
                                                   correction=form.correction.data.strip(), due_on=form.due_on.data)
        audit("update" if before else "create", "measure", measure.id, before=before,
              after={"action": measure.action, "due_on": measure.due_on.isoformat(), "source": "control_work",
                     "assessment_id": work.id})
        db.session.commit()
        flash(_("The analysis was recorded; the correction is in the register of measures."), "success")
    else:
        flash_errors(form)
    return redirect(url_for("tasks.work", assessment_id=work.id))
