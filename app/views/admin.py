"""Admin pages: users and the school's structure (years, terms, MAs, subjects, classes,
teaching assignments), the class list, and the roster upload.

The six structure pages share one list/edit/delete flow described by a Resource.
"""
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from app.extensions import db
from app.i18n import localized_name
from app.models import (
    AcademicYear,
    ClassGroup,
    Enrollment,
    MethodicalAssociation,
    Subject,
    TeachingAssignment,
    Term,
    User,
)
from app.security import MANAGERS, audit, get_scoped_or_404, role_required, scoped
from app.services.core import roster as imports
from app.services.core import school as school_service
from app.services.core.audit import snapshot
from app.web import run_upload_import, save_audited
from forms.admin import (
    ROLE_LABELS,
    TERM_KIND_LABELS,
    ClassGroupForm,
    MethodicalAssociationForm,
    RosterUploadForm,
    SubjectForm,
    TeachingAssignmentForm,
    TermForm,
    UserForm,
    YearForm,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")

# Directors manage everything; deputies may view the structure and import rosters.
EDITORS = ("admin",)


def _teacher_choices(blank: bool):
    choices = [(u.id, u.full_name) for u in school_service.staff(current_user.school_id) if u.active]
    return ([("", "—")] if blank else []) + choices


def _year_choices():
    return [(y.id, y.name) for y in db.session.scalars(
        scoped(AcademicYear).order_by(AcademicYear.starts_on.desc()))]


@dataclass
class Resource:
    """One editable kind of school object."""

    key: str
    model: type
    form: type
    title: Any
    columns: list[tuple[Any, Callable[[Any], Any]]]
    order_by: Callable[[], list]
    choices: Callable[[Any], None] = lambda form: None
    in_use: Callable[[Any], Optional[str]] = lambda obj: None
    after_save: Callable[[Any], None] = lambda obj: None
    extra_filter: Callable[[Any], Any] = field(default=lambda stmt: stmt)


def _term_choices(form):
    form.year_id.choices = _year_choices()


def _ma_choices(form):
    form.head_id.choices = _teacher_choices(blank=True)


def _subject_choices(form):
    form.ma_id.choices = [("", "—")] + [
        (m.id, localized_name(m)) for m in school_service.methodical_associations(current_user.school_id)]


def _class_choices(form):
    form.year_id.choices = _year_choices()
    form.class_teacher_id.choices = _teacher_choices(blank=True)


def _assignment_choices(form):
    year = school_service.current_year(current_user.school_id)
    form.teacher_id.choices = _teacher_choices(blank=False)
    form.subject_id.choices = [(s.id, localized_name(s)) for s in db.session.scalars(
        scoped(Subject).order_by(Subject.name))]
    form.class_id.choices = [(c.id, c.name) for c in (
        school_service.classes_of_year(current_user.school_id, year.id) if year else [])]


def _count(stmt) -> int:
    return db.session.scalar(stmt) or 0


def _year_in_use(year):
    n = _count(select(func.count(ClassGroup.id)).where(ClassGroup.year_id == year.id))
    return _("This year has %(n)d classes; delete them first.", n=n) if n else None


def _class_in_use(cls):
    n = _count(select(func.count(Enrollment.id)).where(Enrollment.class_id == cls.id))
    return _("This class has %(n)d students; move them to another class first.", n=n) if n else None


def _subject_in_use(subject):
    n = _count(select(func.count(TeachingAssignment.id)).where(TeachingAssignment.subject_id == subject.id))
    return _("This subject is taught in %(n)d classes; remove those assignments first.", n=n) if n else None


def _only_one_current(year):
    if year.is_current:
        for other in db.session.scalars(scoped(AcademicYear).where(AcademicYear.id != year.id)):
            other.is_current = False


def _assignment_year(assignment):
    with db.session.no_autoflush:
        assignment.year_id = db.session.get(ClassGroup, assignment.class_id).year_id


RESOURCES: dict[str, Resource] = {r.key: r for r in [
    Resource(
        "years", AcademicYear, YearForm, _l("Academic years"),
        [(_l("Name"), lambda y: y.name), (_l("Starts on"), lambda y: y.starts_on),
         (_l("Ends on"), lambda y: y.ends_on), (_l("Current year"), lambda y: "✓" if y.is_current else "")],
        lambda: [AcademicYear.starts_on.desc()], in_use=_year_in_use, after_save=_only_one_current,
    ),
    Resource(
        "terms", Term, TermForm, _l("Terms"),
        [(_l("Name"), lambda t: t.name), (_l("Academic year"), lambda t: t.year.name),
         (_l("Kind"), lambda t: TERM_KIND_LABELS.get(t.kind, t.kind)),
         (_l("Starts on"), lambda t: t.starts_on), (_l("Ends on"), lambda t: t.ends_on)],
        lambda: [Term.starts_on.desc(), Term.kind], choices=_term_choices,
    ),
    Resource(
        "mas", MethodicalAssociation, MethodicalAssociationForm, _l("Methodical associations"),
        [(_l("Name"), localized_name), (_l("Head"), lambda m: m.head.full_name if m.head else "")],
        lambda: [MethodicalAssociation.name], choices=_ma_choices,
    ),
    Resource(
        "subjects", Subject, SubjectForm, _l("Subjects"),
        [(_l("Name"), localized_name), (_l("Methodical association"), lambda s: localized_name(s.ma))],
        lambda: [Subject.name], choices=_subject_choices, in_use=_subject_in_use,
    ),
    Resource(
        "classes", ClassGroup, ClassGroupForm, _l("Classes"),
        [(_l("Class"), lambda c: c.name), (_l("Academic year"), lambda c: c.year.name),
         (_l("Class teacher"), lambda c: c.class_teacher.full_name if c.class_teacher else "")],
        lambda: [ClassGroup.year_id.desc(), ClassGroup.grade, ClassGroup.letter],
        choices=_class_choices, in_use=_class_in_use,
    ),
    Resource(
        "assignments", TeachingAssignment, TeachingAssignmentForm, _l("Teaching assignments"),
        [(_l("Teacher"), lambda a: a.teacher.full_name), (_l("Subject"), lambda a: localized_name(a.subject)),
         (_l("Class"), lambda a: a.class_group.name)],
        lambda: [TeachingAssignment.year_id.desc(), TeachingAssignment.teacher_id],
        choices=_assignment_choices, after_save=_assignment_year,
    ),
]}


def _resource(key: str) -> Resource:
    resource = RESOURCES.get(key)
    if resource is None:
        abort(404)
    return resource


@bp.route("/")
@role_required(*MANAGERS)
def index():
    return render_template("admin/index.html", resources=RESOURCES.values())


@bp.route("/<key>/")
@role_required(*MANAGERS)
def resource_list(key):
    resource = _resource(key)
    objects = db.session.scalars(scoped(resource.model).order_by(*resource.order_by())).all()
    return render_template("admin/list.html", resource=resource, objects=objects,
                           can_edit=current_user.has_role(*EDITORS))


def _save(resource: Resource, obj=None):
    is_new = obj is None
    form = resource.form(obj=obj)
    resource.choices(form)
    if form.validate_on_submit():
        before = None if is_new else snapshot(obj)
        if is_new:
            obj = resource.model(school_id=current_user.school_id)
            db.session.add(obj)
        form.populate_obj(obj)
        obj.school_id = current_user.school_id  # never taken from the form
        resource.after_save(obj)
        if save_audited(obj, is_new=is_new, before=before):
            flash(_("Saved."), "success")
            return redirect(url_for("admin.resource_list", key=resource.key))
        if is_new:
            obj = None  # the rolled-back object has no id: show the form as new again
    return render_template("admin/form.html", resource=resource, form=form, obj=obj)


@bp.route("/<key>/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def resource_new(key):
    return _save(_resource(key))


@bp.route("/<key>/<int:obj_id>", methods=["GET", "POST"])
@role_required(*EDITORS)
def resource_edit(key, obj_id):
    resource = _resource(key)
    return _save(resource, get_scoped_or_404(resource.model, obj_id))


@bp.route("/<key>/<int:obj_id>/delete", methods=["POST"])
@role_required(*EDITORS)
def resource_delete(key, obj_id):
    resource = _resource(key)
    obj = get_scoped_or_404(resource.model, obj_id)
    reason = resource.in_use(obj)
    if reason:
        flash(reason, "error")
    else:
        audit("delete", resource.model.__tablename__, obj.id, before=snapshot(obj))
        db.session.delete(obj)
        db.session.commit()
        flash(_("Deleted."), "success")
    return redirect(url_for("admin.resource_list", key=resource.key))


# --- users -----------------------------------------------------------------------

@bp.route("/users/")
@role_required(*MANAGERS)
def users():
    people = school_service.staff(current_user.school_id)
    return render_template("admin/users.html", users=people, role_labels=ROLE_LABELS,
                           can_edit=current_user.has_role(*EDITORS))


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def user_new():
    return _save_user(None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(*EDITORS)
def user_edit(user_id):
    user = db.session.get(User, user_id)
    if user is None or user.school_id != current_user.school_id:
        abort(404)
    return _save_user(user)


def _save_user(user: Optional[User]):
    form = UserForm(obj=user)
    is_self = user is not None and user.id == current_user.id
    if request.method == "GET" and user is not None:
        form.roles.data = sorted(user.roles)
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        clash = db.session.scalar(select(User).where(func.lower(User.email) == email))
        if clash is not None and clash is not user:
            form.email.errors.append(_("A user with the email %(email)s already exists.", email=email))
        elif user is None and not form.password.data:
            form.password.errors.append(_("Set a password for the new user."))
        elif is_self and "admin" not in form.roles.data:
            form.roles.errors.append(_("You cannot remove the director role from yourself."))
        else:
            before = None
            if user is None:
                user = User(school_id=current_user.school_id, password_hash="")
                db.session.add(user)
            else:
                before = snapshot(user) | {"roles": sorted(user.roles)}
            user.full_name = form.full_name.data.strip()
            user.email = email
            user.locale = form.locale.data
            user.active = form.active.data or is_self  # a director cannot lock themselves out
            user.set_roles(form.roles.data)
            if form.password.data:
                user.set_password(form.password.data)
            db.session.flush()
            audit("create" if before is None else "update", "user", user.id, before=before,
                  after=snapshot(user) | {"roles": sorted(user.roles)})
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)


# --- classes and their students ---------------------------------------------------

@bp.route("/class/<int:class_id>")
@role_required(*MANAGERS)
def class_detail(class_id):
    cls = get_scoped_or_404(ClassGroup, class_id)
    students = school_service.students_of_class(cls.id)
    assignments = db.session.scalars(
        scoped(TeachingAssignment).where(TeachingAssignment.class_id == cls.id)).all()
    return render_template("admin/class_detail.html", cls=cls, students=students, assignments=assignments)


# --- roster import ---------------------------------------------------------------

@bp.route("/roster", methods=["GET", "POST"])
@role_required(*MANAGERS)
def roster():
    return run_upload_import(
        RosterUploadForm(), imports.import_roster, entity="roster", template="admin/roster.html",
        done_url=url_for("admin.resource_list", key="classes"),
        success=lambda summary: _("Roster imported: %(created)d new students, %(updated)d updated, "
                                  "%(classes)d new classes.", **summary))


@bp.route("/roster/template.xlsx")
@role_required(*MANAGERS)
def roster_template():
    return send_file(imports.roster_template(), as_attachment=True, download_name="sapat-roster-template.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
