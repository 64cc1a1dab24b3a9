"""Registers of continuous monitoring: list with filters, add, edit, delete.

Every register is a Resource of the shared list / form pages (app/web.py): its model, form,
columns, filters and summary by level are declared here; who may read or write it, and which
of its rows, is the registers' rule (services/monitoring/registers.py: ROLES, rows). Support
cases are seen only by the psychologist who opened them and the director.
"""
from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from app.i18n import display_plain, localized_name
from app.models import Student
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
from app.security import current_principal, role_required
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
from app.web.crud import Column, Crud, Filter, Resource, Table
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

ALL_REGISTER_ROLES = reg.ALL_REGISTER_ROLES
STUDENT = {"student_id": Student}  # a register naming a student: it must be one of the school's


def _teacher_choices(form, year):
    """The staff whose achievements the user may record (an MO head: their association's)."""
    form.teacher_id.choices = reg.staff_choices(current_user.school_id,
                                                only=reg.rows(current_principal(), "teachers", write=True))


def _student_choices(form, year):
    sid = current_user.school_id
    form.student_id.choices = reg.students_of_year(sid, year.id if year else 0)
    if hasattr(form, "subject_id"):
        form.subject_id.choices = [("", "—")] + reg.subject_choices(sid, localized_name)
    if hasattr(form, "mentor_id"):
        form.mentor_id.choices = [("", "—")] + reg.staff_choices(sid)


def _club_choices(form, year):
    form.member_ids.choices = reg.students_of_year(current_user.school_id, year.id if year else 0)


def _class_choices(form, year):
    form.class_id.choices = [("", "—")] + reg.class_choices(current_user.school_id, year.id if year else 0)


def _subject_opt(form, year):
    form.subject_id.choices = [("", "—")] + reg.subject_choices(current_user.school_id, localized_name)


def _subject_req(form, year):
    form.subject_id.choices = reg.subject_choices(current_user.school_id, localized_name)


def _recorder(obj, is_new):
    """Who entered a new entry (and the psychologist of a new support case): the user."""
    if is_new and hasattr(obj, "recorded_by_id"):
        obj.recorded_by_id = current_user.id
    if is_new and isinstance(obj, SupportCase):
        obj.psychologist_id = current_user.id


def _by_level(breakdown, rows: dict, level_first: bool):
    """The summary of an achievements register: its entries of the year counted by `rows`
    (kind or result) and level, from the calculator `breakdown` (the indicators' own counts)."""
    def table(school_id, year):
        data = breakdown(school_id, calculators.Period.of_year(year))
        if not data:
            return None
        counts = {((b, a) if level_first else (a, b)): n for a, b, n in data}
        return Table(_("Summary by level"), list(LEVEL_LABELS.values()),
                     [(text, [counts.get((key, level), "") for level in LEVEL_LABELS]) for key, text in rows.items()])
    return table


def _rows_of(key):
    def rows(principal, write):
        return reg.rows(principal, key, write)
    return rows


def _register(key, model, form, title, columns, order_by, **declared) -> Resource:
    read, write = reg.ROLES[key]
    declared = {"read": read, "write": write, "rows": _rows_of(key), "yearly": True, "date_field": "on_date",
                "stamp": _recorder, **declared}
    return Resource(key, model, form, title, columns, order_by, **declared)


REGISTERS = Crud("register", [
    _register("teachers", TeacherAchievement, TeacherAchievementForm, _l("Teacher achievements"),
              [Column(_l("Date"), lambda o: o.on_date), Column(_l("Teacher"), lambda o: o.teacher.full_name),
               Column(_l("Kind"), lambda o: TEACHER_KIND_LABELS.get(o.kind, o.kind)),
               Column(_l("Level"), lambda o: LEVEL_LABELS.get(o.level, "")),
               Column(_l("Result"), lambda o: RESULT_LABELS.get(o.result, "")), Column(_l("Title"), lambda o: o.title)],
              lambda: [TeacherAchievement.on_date.desc()],
              filters=[Filter("kind", _l("Kind"), TEACHER_KIND_LABELS), Filter("level", _l("Level"), LEVEL_LABELS)],
              summary=_by_level(calculators.teacher_breakdown, TEACHER_KIND_LABELS, level_first=False),
              choices=_teacher_choices),
    _register("students", StudentAchievement, StudentAchievementForm, _l("Olympiads, competitions, projects"),
              [Column(_l("Date"), lambda o: o.on_date), Column(_l("Student"), lambda o: o.student.full_name),
               Column(_l("Kind"), lambda o: STUDENT_KIND_LABELS.get(o.kind, o.kind)),
               Column(_l("Subject"), lambda o: localized_name(o.subject)),
               Column(_l("Level"), lambda o: LEVEL_LABELS.get(o.level, o.level)),
               Column(_l("Result"), lambda o: RESULT_LABELS.get(o.result, o.result)),
               Column(_l("Title"), lambda o: o.title)],
              lambda: [StudentAchievement.on_date.desc()],
              filters=[Filter("kind", _l("Kind"), STUDENT_KIND_LABELS), Filter("level", _l("Level"), LEVEL_LABELS),
                       Filter("result", _l("Result"), RESULT_LABELS)],
              summary=_by_level(calculators.student_breakdown, RESULT_LABELS, level_first=True),
              choices=_student_choices, owned=STUDENT),
    _register("incidents", Incident, IncidentForm, _l("Injuries and offences"),
              [Column(_l("Date"), lambda o: o.on_date),
               Column(_l("Kind"), lambda o: INCIDENT_LABELS.get(o.kind, o.kind)),
               Column(_l("Class"), lambda o: o.class_group.name if o.class_group else ""),
               Column(_l("What happened"), lambda o: o.description),
               Column(_l("Measures taken"), lambda o: o.measures or "")],
              lambda: [Incident.on_date.desc()], filters=[Filter("kind", _l("Kind"), INCIDENT_LABELS)],
              choices=_class_choices),
    _register("classrooms", Classroom, ClassroomForm, _l("Classrooms and equipment"),
              [Column(_l("Classroom"), lambda o: o.name), Column(_l("Subject"), lambda o: localized_name(o.subject)),
               Column(_l("Equipment, %"), lambda o: o.equipment_percent),
               Column(_l("ICT units"), lambda o: o.ict_units),
               Column(_l("Meets the minimum requirements"), lambda o: "✓" if o.meets_requirements else "✗"),
               Column(_l("Methodical materials"), lambda o: "✓" if o.methodical_materials else "✗")],
              lambda: [Classroom.name], date_field=None, choices=_subject_opt),
    _register("textbooks", TextbookProvision, TextbookForm, _l("Textbook provision"),
              [Column(_l("Grade"), lambda o: o.grade), Column(_l("Subject"), lambda o: localized_name(o.subject)),
               Column(_l("Needed"), lambda o: o.needed), Column(_l("Available"), lambda o: o.available),
               Column(_l("Provision, %"), lambda o: reg.provision_percent(o) if o.needed else "—")],
              lambda: [TextbookProvision.grade, TextbookProvision.subject_id], date_field=None,
              choices=_subject_req),
    _register("clubs", Club, ClubForm, _l("Clubs and additional education"),
              [Column(_l("Name"), lambda o: o.name), Column(_l("Kind"), lambda o: CLUB_KIND_LABELS.get(o.kind, o.kind)),
               Column(_l("Leader"), lambda o: o.leader or ""), Column(_l("Grades"), lambda o: o.grades or ""),
               Column(_l("Students enrolled"), lambda o: o.enrolled)],
              lambda: [Club.name], date_field=None, filters=[Filter("kind", _l("Kind"), CLUB_KIND_LABELS)],
              choices=_club_choices),
    _register("selfgov", SelfGovernmentActivity, SelfGovernmentForm, _l("Student self-government"),
              [Column(_l("Date"), lambda o: o.on_date), Column(_l("Body"), lambda o: o.body),
               Column(_l("Activity"), lambda o: o.title), Column(_l("Participants"), lambda o: o.participants)],
              lambda: [SelfGovernmentActivity.on_date.desc()]),
    _register("support", SupportCase, SupportCaseForm, _l("Psychological support cases"),
              [Column(_l("Opened on"), lambda o: o.opened_on), Column(_l("Student"), lambda o: o.student.full_name),
               Column(_l("Reason"), lambda o: o.reason),
               Column(_l("Status"), lambda o: SUPPORT_STATUS_LABELS.get(o.status)),
               Column(_l("Closed on"), lambda o: o.closed_on or "")],
              lambda: [SupportCase.opened_on.desc()],
              date_field="opened_on", filters=[Filter("status", _l("Status"), SUPPORT_STATUS_LABELS)],
              choices=_student_choices, owned=STUDENT),
], list_roles=ALL_REGISTER_ROLES, write_roles=ALL_REGISTER_ROLES, new_label=_l("new entry"),
    empty_label=_l("No entries yet."), count_label=lambda n: ngettext("%(num)d entry", "%(num)d entries", n),
    show=display_plain, by_year=True, stylesheet="css/monitoring.css", back=("registers.index", _l("Registers")))
REGISTERS.install(bp)


@bp.route("/")
@role_required(*ALL_REGISTER_ROLES)
def index():
    return render_template("monitoring/registers/index.html", registers=REGISTERS.visible())
