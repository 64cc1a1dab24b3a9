"""Early warning and individual support plans (issue 19 part 2): the flagged students of the
reader's scope with every reason, the school's rules, and a student's support plan (steps,
contacts with parents, status and outcome)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.models import ClassGroup, Student, SupportPlan, SupportStep, User, WarningRule
from app.security import audit, current_principal, get_scoped_or_404, role_required
from app.services.achievement import access, analysis, support, warning
from app.services.core import clock
from app.services.core.audit import snapshot
from app.services.core.text import whole
from app.web import conflicts, flash_errors
from forms.achievement import (
    CONTACT_FORM_LABELS,
    PLAN_STATUS_LABELS,
    ParentContactForm,
    SupportPlanForm,
    SupportStepForm,
    WarningRulesForm,
)

bp = Blueprint("support", __name__, url_prefix="/achievement")


@bp.app_context_processor
def _labels():
    return {"plan_status_label": lambda s: PLAN_STATUS_LABELS.get(s, s),
            "contact_form_label": lambda s: CONTACT_FORM_LABELS.get(s, s)}


def _term():
    value = request.args.get("term")
    school_id = current_user.school_id
    term = analysis.term_or_none(school_id, value) if value else analysis.default_term(school_id)
    if value and term is None:
        abort(404)
    return term


def _class_id():
    value = request.args.get("class_id", "")
    if not value:
        return None
    if whole(value) is None:
        abort(404)
    return whole(value)


@bp.route("/warnings")
@role_required(*access.WARNING_READERS)
def warnings():
    """The flagged students the reader may see, with every reason, and their plans."""
    term = _term()
    scope = current_principal()
    pairs = access.visible_pairs(access.student_view(scope), term.year_id) if term else []
    classes = sorted({c for c, _s in pairs})
    class_objs = list(db.session.scalars(select(ClassGroup).where(ClassGroup.id.in_(classes))
                                         .order_by(ClassGroup.grade, ClassGroup.letter))) if classes else []
    class_id = _class_id()
    if class_id is not None and class_id not in classes:
        abort(404)
    rows = warning.flags(scope, term, class_ids=[class_id] if class_id else None) if term else []
    keepable = set()
    if term and current_user.has_role(*access.SUPPORT_RECORDERS):
        keepable = {f.student.id for f in rows if access.may_keep_plan(scope, f.student.id, term.year_id)}
    terms = [t for t in analysis.terms(current_user.school_id) if t.kind == "quarter"]
    return render_template("achievement/warnings.html", term=term, terms=terms, rows=rows, classes=class_objs,
                           class_id=class_id, rules=warning.rules_of(current_user.school_id), keepable=keepable,
                           can_set=current_user.has_role(*access.RULE_SETTERS))


@bp.route("/warnings/rules", methods=["GET", "POST"])
@role_required(*access.RULE_SETTERS)
def rules():
    """The school's early-warning rules (the director and the deputies)."""
    school_id = current_user.school_id
    row = db.session.scalar(select(WarningRule).where(WarningRule.school_id == school_id))
    stored_values = row if row is not None else warning.Rules()
    form = WarningRulesForm(obj=stored_values)
    stored = WarningRulesForm(formdata=None, obj=stored_values)
    status = 200
    if form.validate_on_submit():
        if not conflicts.check(form, stored):
            status = 409
        else:
            before = snapshot(row) if row is not None else None
            if row is None:
                row = WarningRule(school_id=school_id)
                db.session.add(row)
            row.low_marks, row.mean_below = form.low_marks.data, form.mean_below.data
            row.last_n, row.drop_by = form.last_n.data, form.drop_by.data
            row.updated_by_id, row.updated_at = current_user.id, clock.now()
            db.session.flush()
            audit("update" if before else "create", "warning_rule", row.id, before=before, after=snapshot(row))
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("support.warnings"))
    elif request.method == "POST":
        status = 422
    return render_template("achievement/warning_rules.html", form=form,
                           originals=conflicts.originals_field(stored)), status


@bp.route("/support/open/<int:student_id>", methods=["POST"])
@role_required(*access.SUPPORT_RECORDERS)
def open_plan(student_id):
    """Open the student's support plan of the term (or go to the one already open)."""
    pupil = get_scoped_or_404(Student, student_id)
    term = _term()
    if term is None or not access.may_keep_plan(current_principal(), pupil.id, term.year_id):
        abort(404)
    plan, created = support.open_plan(current_principal(), pupil, term, current_user.id)
    if created:
        audit("create", "support_plan", plan.id, after=snapshot(plan))
        flash(_("The support plan was opened: add its steps."), "success")
    db.session.commit()
    return redirect(url_for("support.plan", plan_id=plan.id))


def _plan(plan_id, write=False):
    plan = get_scoped_or_404(SupportPlan, plan_id)
    scope = current_principal()
    if not access.may_see_plan(scope, plan.student_id):
        abort(404)
    may_keep = access.may_keep_plan(scope, plan.student_id, plan.term.year_id)
    if write and not may_keep:
        abort(403)
    return plan, may_keep


def _staff_choices():
    return [("", "—")] + [(u.id, u.full_name) for u in db.session.scalars(
        select(User).where(User.school_id == current_user.school_id, User.active.is_(True)).order_by(User.full_name))]


@bp.route("/support/<int:plan_id>", methods=["GET", "POST"])
@role_required(*access.WARNING_READERS)
def plan(plan_id):
    """A support plan: why, its steps, the contacts with parents, the term's end; its keepers
    set the status and the outcome (a stale page never overwrites what its user did not change)."""
    plan, may_keep = _plan(plan_id, write=request.method == "POST")
    form = SupportPlanForm(obj=plan)
    stored = SupportPlanForm(formdata=None, obj=plan)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            if not conflicts.check(form, stored):
                status = 409
            else:
                before = snapshot(plan)
                plan.status, plan.outcome = form.status.data, (form.outcome.data or "").strip() or None
                plan.updated_at = clock.now()
                audit("update", "support_plan", plan.id, before=before, after=snapshot(plan))
                db.session.commit()
                flash(_("Saved."), "success")
                return redirect(url_for("support.plan", plan_id=plan.id))
        else:
            status = 422
    step_form, contact_form = SupportStepForm(prefix="step"), ParentContactForm(prefix="contact")
    step_form.responsible_id.choices = _staff_choices()
    current = warning.flags(current_principal(), plan.term, student_ids=[plan.student_id])
    # The reasons recorded at opening are the opener's view (every subject of the class teacher's
    # class): shown to those who see all of the student's results, a subject teacher reads only
    # today's warnings of their own subjects (`current`, the domain's rule).
    whole_student = may_keep or current_principal().everything
    return render_template("achievement/plan.html", plan=plan, form=form, may_keep=may_keep, whole_student=whole_student,
                           originals=conflicts.originals_field(stored), step_form=step_form,
                           contact_form=contact_form, current=current[0].reasons if current else [],
                           recorded=support.recorded_reasons(plan), term_end=support.term_end(current_principal(), plan)), status


@bp.route("/support/<int:plan_id>/step", methods=["POST"])
@role_required(*access.SUPPORT_RECORDERS)
def add_step(plan_id):
    plan, _keep = _plan(plan_id, write=True)
    form = SupportStepForm(prefix="step")
    form.responsible_id.choices = _staff_choices()
    if form.validate_on_submit():
        step = support.add_step(plan, what=form.what.data, due_on=form.due_on.data,
                                responsible_id=form.responsible_id.data)
        audit("create", "support_step", step.id, after=snapshot(step))
        db.session.commit()
        flash(_("The step was added."), "success")
    else:
        flash_errors(form)
    return redirect(url_for("support.plan", plan_id=plan.id))


@bp.route("/support/<int:plan_id>/step/<int:step_id>/done", methods=["POST"])
@role_required(*access.SUPPORT_RECORDERS)
def step_done(plan_id, step_id):
    plan, _keep = _plan(plan_id, write=True)
    step = get_scoped_or_404(SupportStep, step_id)
    if step.plan_id != plan.id:
        abort(404)
    if step.done_on is None:
        before = snapshot(step)
        support.mark_step_done(step, clock.today(clock.school_zone(current_user.school_id)))
        audit("update", "support_step", step.id, before=before, after=snapshot(step))
        db.session.commit()
    return redirect(url_for("support.plan", plan_id=plan.id))


@bp.route("/support/<int:plan_id>/contact", methods=["POST"])
@role_required(*access.SUPPORT_RECORDERS)
def add_contact(plan_id):
    plan, _keep = _plan(plan_id, write=True)
    form = ParentContactForm(prefix="contact")
    if form.validate_on_submit():
        contact = support.add_contact(plan, held_on=form.held_on.data, form=form.form.data,
                                      outcome=form.outcome.data, user_id=current_user.id)
        audit("create", "parent_contact", contact.id, after=snapshot(contact))
        db.session.commit()
        flash(_("The contact with the parents was recorded."), "success")
    else:
        flash_errors(form)
    return redirect(url_for("support.plan", plan_id=plan.id))

