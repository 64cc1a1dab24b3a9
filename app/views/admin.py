"""Admin pages: users and the school's structure (years, terms, MAs, subjects, classes,
teaching assignments), the class list, and the roster upload.

The six structure tables are Resources of the shared list / form pages (app/web.py).
"""
from typing import Optional

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.extensions import db
from app.i18n import localized_name
from app.models import (
    AcademicYear,
    ClassGroup,
    MethodicalAssociation,
    Subject,
    TeachingAssignment,
    Term,
    User,
)
from app.security import MANAGERS, audit, get_scoped_or_404, role_required, school_years, scoped
from app.services.core import roster as imports
from app.services.core import school as school_service
from app.services.core.audit import snapshot
from app.services.core.text import fold_latin
from app.web import conflicts, run_upload_import
from app.web.crud import Column, Crud, Resource
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
    return [(y.id, y.name) for y in school_years()]


def _term_choices(form, year):
    form.year_id.choices = _year_choices()


def _ma_choices(form, year):
    form.head_id.choices = _teacher_choices(blank=True)


def _subject_choices(form, year):
    form.ma_id.choices = [("", "—")] + [
        (m.id, localized_name(m)) for m in school_service.methodical_associations(current_user.school_id)]


def _class_choices(form, year):
    form.year_id.choices = _year_choices()
    form.class_teacher_id.choices = _teacher_choices(blank=True)


def _assignment_choices(form, year):
    year = school_service.current_year(current_user.school_id)
    form.teacher_id.choices = _teacher_choices(blank=False)
    form.subject_id.choices = [(s.id, localized_name(s)) for s in db.session.scalars(
        scoped(Subject).order_by(Subject.name))]
    form.class_id.choices = [(c.id, c.name) for c in (
        school_service.classes_of_year(current_user.school_id, year.id) if year else [])]


def _class_link(cls) -> str:
    return url_for("admin.class_detail", class_id=cls.id)


def _structure(key, model, form, title, columns, order_by, **declared) -> Resource:
    return Resource(key, model, form, title, columns, order_by, read=MANAGERS, write=EDITORS, **declared)


STRUCTURE = Crud("resource", [
    _structure(
        "years", AcademicYear, YearForm, _l("Academic years"),
        [Column(_l("Name"), lambda y: y.name), Column(_l("Starts on"), lambda y: y.starts_on),
         Column(_l("Ends on"), lambda y: y.ends_on),
         Column(_l("Current year"), lambda y: "✓" if y.is_current else "")],
        lambda: [AcademicYear.starts_on.desc()], in_use=school_service.year_in_use,
        stamp=lambda year, is_new: school_service.keep_one_current(year),
    ),
    _structure(
        "terms", Term, TermForm, _l("Terms"),
        [Column(_l("Name"), lambda t: t.name), Column(_l("Academic year"), lambda t: t.year.name),
         Column(_l("Kind"), lambda t: TERM_KIND_LABELS.get(t.kind, t.kind)),
         Column(_l("Starts on"), lambda t: t.starts_on), Column(_l("Ends on"), lambda t: t.ends_on)],
        lambda: [Term.starts_on.desc(), Term.kind], choices=_term_choices,
    ),
    _structure(
        "mas", MethodicalAssociation, MethodicalAssociationForm, _l("Methodical associations"),
        [Column(_l("Name"), localized_name), Column(_l("Head"), lambda m: m.head.full_name if m.head else "")],
        lambda: [MethodicalAssociation.name], choices=_ma_choices,
    ),
    _structure(
        "subjects", Subject, SubjectForm, _l("Subjects"),
        [Column(_l("Name"), localized_name), Column(_l("Methodical association"), lambda s: localized_name(s.ma))],
        lambda: [Subject.name], choices=_subject_choices, in_use=school_service.subject_in_use,
    ),
    _structure(
        "classes", ClassGroup, ClassGroupForm, _l("Classes"),
        [Column(_l("Class"), lambda c: c.name, link=_class_link), Column(_l("Academic year"), lambda c: c.year.name),
         Column(_l("Class teacher"), lambda c: c.class_teacher.full_name if c.class_teacher else "")],
        lambda: [ClassGroup.year_id.desc(), ClassGroup.grade, ClassGroup.letter],
        choices=_class_choices, in_use=school_service.class_in_use,
    ),
    _structure(
        "assignments", TeachingAssignment, TeachingAssignmentForm, _l("Teaching assignments"),
        [Column(_l("Teacher"), lambda a: a.teacher.full_name),
         Column(_l("Subject"), lambda a: localized_name(a.subject)),
         Column(_l("Class"), lambda a: a.class_group.name)],
        lambda: [TeachingAssignment.year_id.desc(), TeachingAssignment.teacher_id],
        choices=_assignment_choices, stamp=lambda a, is_new: school_service.set_assignment_year(a),
    ),
], list_roles=MANAGERS, write_roles=EDITORS, new_label=_l("new"), empty_label=_l("Nothing here yet."),
                  back=("admin.index", _l("School structure")))
STRUCTURE.install(bp)


@bp.route("/")
@role_required(*MANAGERS)
def index():
    return render_template("admin/index.html", resources=STRUCTURE.resources.values())


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
    form = UserForm(user=user, acting_user_id=current_user.id)
    stored = None
    if user is not None:  # the page's originals: a save changes only what its user changed (web/conflicts.py)
        stored = UserForm(formdata=None, user=user, acting_user_id=current_user.id)
        stored.roles.data = sorted(user.roles)
        if request.method == "GET":
            form.roles.data = sorted(user.roles)
    status, valid = 200, form.validate_on_submit()
    if valid and stored is not None and not conflicts.check(form, stored):
        status = 409  # another director changed a field this one changed too: nothing is saved
    elif valid:
        before = None
        if user is None:
            user = User(school_id=current_user.school_id, password_hash="")
            db.session.add(user)
        else:
            before = snapshot(user) | {"roles": sorted(user.roles)}
        user.full_name = form.full_name.data.strip()
        user.email = fold_latin(form.email.data.strip()).lower()
        user.locale = form.locale.data
        user.active = form.active.data or form.is_self  # a director cannot lock themselves out
        user.set_roles(form.roles.data)
        if form.password.data:
            user.set_password(form.password.data)
        db.session.flush()
        audit("create" if before is None else "update", "user", user.id, before=before,
              after=snapshot(user) | {"roles": sorted(user.roles)})
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("admin.users"))
    originals = conflicts.originals_field(stored) if stored is not None else None
    return render_template("admin/user_form.html", form=form, user=user, originals=originals), status


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
