"""Registers of continuous monitoring: list with filters, add, edit, delete.

One flow serves every register; a Register describes the model, its form, columns,
filters and who may read or write it. Support cases are seen only by the psychologist
and the director.
"""
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.extensions import db
from app.i18n import localized_name
from app.models import AcademicYear
from app.models.monitoring.registers import (
    Classroom,
    Club,
    Incident,
    SelfGovernmentActivity,
    StudentAchievement,
    SupportCase,
    TeacherAchievement,
    TextbookProvision,
)
from app.security import audit, get_scoped_or_404, role_required, school_years, scoped
from app.services.core import school as school_service
from app.services.core.audit import snapshot
from app.services.monitoring import calculators
from app.services.monitoring import registers as reg
from app.services.monitoring.labels import (
    CLUB_KIND_LABELS,
    INCIDENT_LABELS,
    LEVEL_LABELS,
    RESULT_LABELS,
    STUDENT_KIND_LABELS,
    SUPPORT_STATUS_LABELS,
    TEACHER_KIND_LABELS,
)
from app.web import save_audited
from forms.monitoring.registers import (
    ClassroomForm,
    ClubForm,
    IncidentForm,
    SelfGovernmentForm,
    StudentAchievementForm,
    SupportCaseForm,
    TeacherAchievementForm,
    TextbookForm,
)

bp = Blueprint("registers", __name__, url_prefix="/registers")

READERS = ("admin", "deputy", "mo_head", "expert")
WRITERS = ("admin", "deputy")
ALL_REGISTER_ROLES = ("admin", "deputy", "mo_head", "expert", "psychologist")


def _label(labels):
    return lambda v: labels.get(v, v or "")


@dataclass
class Register:
    key: str
    model: type
    form: type
    title: Any
    columns: list[tuple[Any, Callable[[Any], Any]]]
    order_by: Callable[[], list]
    read: tuple = READERS
    write: tuple = WRITERS
    date_field: Optional[str] = "on_date"  # the year is the one containing this date
    yearly: bool = True  # has year_id
    filters: list[tuple[str, Any, dict]] = field(default_factory=list)  # (column, label, labels)
    choices: Callable[[Any, int], None] = lambda form, year_id: None
    validate: Callable[[Any], Optional[str]] = lambda obj: None


def _teacher_choices(form, year_id):
    form.teacher_id.choices = reg.staff_choices(current_user.school_id)


def _student_choices(form, year_id):
    sid = current_user.school_id
    form.student_id.choices = reg.students_of_year(sid, year_id)
    if hasattr(form, "subject_id"):
        form.subject_id.choices = [("", "—")] + reg.subject_choices(sid, localized_name)
    if hasattr(form, "mentor_id"):
        form.mentor_id.choices = [("", "—")] + reg.staff_choices(sid)


def _class_choices(form, year_id):
    form.class_id.choices = [("", "—")] + reg.class_choices(current_user.school_id, year_id)


def _subject_opt(form, year_id):
    form.subject_id.choices = [("", "—")] + reg.subject_choices(current_user.school_id, localized_name)


def _subject_req(form, year_id):
    form.subject_id.choices = reg.subject_choices(current_user.school_id, localized_name)


def _textbook_check(obj):
    if obj.available > obj.needed * 3 + 50:
        return _("The number available looks wrong: check it against the number needed.")
    return None


REGISTERS: dict[str, Register] = {r.key: r for r in [
    Register("teachers", TeacherAchievement, TeacherAchievementForm, _l("Teacher achievements"),
             [(_l("Date"), lambda o: o.on_date), (_l("Teacher"), lambda o: o.teacher.full_name),
              (_l("Kind"), lambda o: TEACHER_KIND_LABELS.get(o.kind, o.kind)),
              (_l("Level"), lambda o: LEVEL_LABELS.get(o.level, "")),
              (_l("Result"), lambda o: RESULT_LABELS.get(o.result, "")), (_l("Title"), lambda o: o.title)],
             lambda: [TeacherAchievement.on_date.desc()], write=("admin", "deputy", "mo_head"),
             filters=[("kind", _l("Kind"), TEACHER_KIND_LABELS), ("level", _l("Level"), LEVEL_LABELS)],
             choices=_teacher_choices),
    Register("students", StudentAchievement, StudentAchievementForm, _l("Olympiads, competitions, projects"),
             [(_l("Date"), lambda o: o.on_date), (_l("Student"), lambda o: o.student.full_name),
              (_l("Kind"), lambda o: STUDENT_KIND_LABELS.get(o.kind, o.kind)),
              (_l("Subject"), lambda o: localized_name(o.subject)),
              (_l("Level"), lambda o: LEVEL_LABELS.get(o.level, o.level)),
              (_l("Result"), lambda o: RESULT_LABELS.get(o.result, o.result)), (_l("Title"), lambda o: o.title)],
             lambda: [StudentAchievement.on_date.desc()], write=("admin", "deputy", "mo_head"),
             filters=[("kind", _l("Kind"), STUDENT_KIND_LABELS), ("level", _l("Level"), LEVEL_LABELS),
                      ("result", _l("Result"), RESULT_LABELS)],
             choices=_student_choices),
    Register("incidents", Incident, IncidentForm, _l("Injuries and offences"),
             [(_l("Date"), lambda o: o.on_date), (_l("Kind"), lambda o: INCIDENT_LABELS.get(o.kind, o.kind)),
              (_l("Class"), lambda o: o.class_group.name if o.class_group else ""),
              (_l("What happened"), lambda o: o.description), (_l("Measures taken"), lambda o: o.measures or "")],
             lambda: [Incident.on_date.desc()], filters=[("kind", _l("Kind"), INCIDENT_LABELS)],
             choices=_class_choices),
    Register("classrooms", Classroom, ClassroomForm, _l("Classrooms and equipment"),
             [(_l("Classroom"), lambda o: o.name), (_l("Subject"), lambda o: localized_name(o.subject)),
              (_l("Equipment, %"), lambda o: o.equipment_percent), (_l("ICT units"), lambda o: o.ict_units),
              (_l("Meets the minimum requirements"), lambda o: "✓" if o.meets_requirements else "✗"),
              (_l("Methodical materials"), lambda o: "✓" if o.methodical_materials else "✗")],
             lambda: [Classroom.name], date_field=None, yearly=False, choices=_subject_opt),
    Register("textbooks", TextbookProvision, TextbookForm, _l("Textbook provision"),
             [(_l("Grade"), lambda o: o.grade), (_l("Subject"), lambda o: localized_name(o.subject)),
              (_l("Needed"), lambda o: o.needed), (_l("Available"), lambda o: o.available),
              (_l("Provision, %"), lambda o: round(min(o.available, o.needed) * 100 / o.needed, 1) if o.needed else "—")],
             lambda: [TextbookProvision.grade, TextbookProvision.subject_id], date_field=None,
             choices=_subject_req, validate=_textbook_check),
    Register("clubs", Club, ClubForm, _l("Clubs and additional education"),
             [(_l("Name"), lambda o: o.name), (_l("Kind"), lambda o: CLUB_KIND_LABELS.get(o.kind, o.kind)),
              (_l("Leader"), lambda o: o.leader or ""), (_l("Grades"), lambda o: o.grades or ""),
              (_l("Students enrolled"), lambda o: o.enrolled)],
             lambda: [Club.name], date_field=None, filters=[("kind", _l("Kind"), CLUB_KIND_LABELS)]),
    Register("selfgov", SelfGovernmentActivity, SelfGovernmentForm, _l("Student self-government"),
             [(_l("Date"), lambda o: o.on_date), (_l("Body"), lambda o: o.body), (_l("Activity"), lambda o: o.title),
              (_l("Participants"), lambda o: o.participants)],
             lambda: [SelfGovernmentActivity.on_date.desc()]),
    Register("support", SupportCase, SupportCaseForm, _l("Psychological support cases"),
             [(_l("Opened on"), lambda o: o.opened_on), (_l("Student"), lambda o: o.student.full_name),
              (_l("Reason"), lambda o: o.reason), (_l("Status"), lambda o: SUPPORT_STATUS_LABELS.get(o.status)),
              (_l("Closed on"), lambda o: o.closed_on or "")],
             lambda: [SupportCase.opened_on.desc()], read=("admin", "psychologist"), write=("admin", "psychologist"),
             date_field="opened_on", filters=[("status", _l("Status"), SUPPORT_STATUS_LABELS)],
             choices=_student_choices),
]}


def _register(key: str, write: bool = False) -> Register:
    register = REGISTERS.get(key)
    if register is None:
        abort(404)
    if not current_user.has_role(*(register.write if write else register.read + register.write)):
        abort(403)
    return register


def _selected_year() -> Optional[AcademicYear]:
    year_id = request.args.get("year_id", type=int)
    if year_id:
        return get_scoped_or_404(AcademicYear, year_id)
    return school_service.current_year(current_user.school_id)



@bp.route("/")
@role_required(*ALL_REGISTER_ROLES)
def index():
    visible = [r for r in REGISTERS.values() if current_user.has_role(*(r.read + r.write))]
    return render_template("monitoring/registers/index.html", registers=visible)


@bp.route("/<key>/")
@role_required(*ALL_REGISTER_ROLES)
def register_list(key):
    register = _register(key)
    year = _selected_year()
    stmt = scoped(register.model)
    if register.yearly and year is not None:
        stmt = stmt.where(register.model.year_id == year.id)
    active = {}
    for column, _label_text, labels in register.filters:
        value = request.args.get(column)
        if value in labels:
            stmt = stmt.where(getattr(register.model, column) == value)
            active[column] = value
    objects = db.session.scalars(stmt.order_by(*register.order_by())).all()
    breakdown = None
    if year is not None and key in ("teachers", "students"):
        period = calculators.Period.of_year(year)
        breakdown = (calculators.teacher_breakdown if key == "teachers" else calculators.student_breakdown)(
            current_user.school_id, period)
    return render_template("monitoring/registers/list.html", register=register, objects=objects, years=school_years(), year=year,
                           active=active, breakdown=breakdown, can_write=current_user.has_role(*register.write),
                           level_labels=LEVEL_LABELS, result_labels=RESULT_LABELS, kind_labels=TEACHER_KIND_LABELS)


def _save(register: Register, obj=None):
    is_new = obj is None
    year = _selected_year()
    if not is_new and register.yearly:
        year = db.session.get(AcademicYear, obj.year_id)
    form = register.form(obj=obj)
    register.choices(form, year.id if year else 0)
    if form.validate_on_submit():
        before = None if is_new else snapshot(obj)
        target_year = year
        if register.date_field:
            target_year = reg.year_of_date(current_user.school_id, getattr(form, register.date_field).data)
        if register.yearly and target_year is None:
            flash(_("The date is before the first academic year of the school."), "error")
            return render_template("monitoring/registers/form.html", register=register, form=form, obj=obj, year=year)
        if hasattr(form, "student_id") and not reg.student_in_school(current_user.school_id, form.student_id.data):
            abort(404)
        if is_new:
            obj = register.model(school_id=current_user.school_id)
            db.session.add(obj)
        form.populate_obj(obj)
        obj.school_id = current_user.school_id
        if register.yearly:
            obj.year_id = target_year.id
        if hasattr(obj, "recorded_by_id") and is_new:
            obj.recorded_by_id = current_user.id
        if isinstance(obj, SupportCase) and is_new:
            obj.psychologist_id = current_user.id
        problem = register.validate(obj)
        if problem:
            db.session.rollback()
            flash(problem, "error")
            return render_template("monitoring/registers/form.html", register=register, form=form, obj=obj, year=year)
        if save_audited(obj, is_new=is_new, before=before):
            flash(_("Saved."), "success")
            return redirect(url_for("registers.register_list", key=register.key,
                                    year_id=target_year.id if target_year else None))
    return render_template("monitoring/registers/form.html", register=register, form=form, obj=obj, year=year)


@bp.route("/<key>/new", methods=["GET", "POST"])
@role_required(*ALL_REGISTER_ROLES)
def register_new(key):
    return _save(_register(key, write=True))


@bp.route("/<key>/<int:obj_id>", methods=["GET", "POST"])
@role_required(*ALL_REGISTER_ROLES)
def register_edit(key, obj_id):
    register = _register(key, write=True)
    return _save(register, get_scoped_or_404(register.model, obj_id))


@bp.route("/<key>/<int:obj_id>/delete", methods=["POST"])
@role_required(*ALL_REGISTER_ROLES)
def register_delete(key, obj_id):
    register = _register(key, write=True)
    obj = get_scoped_or_404(register.model, obj_id)
    audit("delete", register.model.__tablename__, obj.id, before=snapshot(obj))
    db.session.delete(obj)
    db.session.commit()
    flash(_("Deleted."), "success")
    return redirect(url_for("registers.register_list", key=register.key))
