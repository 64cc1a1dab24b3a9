"""Staff records and the register of programme documents (000 §2.3, §2.5, §2.7): the index with
the figures computed from them, and each register's list / add / edit / delete (a Crud of
app/web/crud.py: versioned edits refused with 409 on a stale page, audited).

Who: services/monitoring/staff.py (staff records: director and deputies write, an MO head reads
their association's teachers; programmes: also experts read). Rows of teachers whose attestation
is overdue and programme documents older than 3 years are highlighted."""
from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.i18n import display_plain, localized_name
from app.models import School, Subject, User
from app.models.monitoring.staff import ProgrammeDocument, StaffRecord
from app.security import current_principal, requested_year, role_required, school_years
from app.services.core import clock
from app.services.monitoring import registers as reg
from app.services.monitoring import staff
from app.services.monitoring.labels import CATEGORY_LABELS, EDUCATION_LABELS, PROGRAMME_KIND_LABELS
from app.web.crud import Column, Crud, Resource, Table
from forms.monitoring.staff import ProgrammeDocumentForm, StaffRecordForm

bp = Blueprint("staff", __name__, url_prefix="/staff")

READERS = tuple(sorted(set(staff.STAFF_READERS) | set(staff.PROGRAMME_READERS)))
FIGURE_LABELS = {"staff_stability": _l("Staff stability, %"),
                 "qualification_category": _l("Teachers of the first or highest category, %"),
                 "attestation_overdue": _l("Teachers with an overdue attestation"),
                 "programmes_updated": _l("Programme documents updated within 3 years, %"),
                 "work_programmes": _l("Subjects with approved work programmes, %")}
STATUS_LABELS = {"current": _l("current"), "overdue": _l("overdue: older than 3 years"),
                 "replaced": _l("replaced by a later one"), "future": _l("approval date ahead")}


def _today():
    return clock.today(db.session.get(School, current_user.school_id))


def _teacher_choices(form, year):
    form.user_id.choices = staff.teacher_choices(current_user.school_id)


def _subject_choices(form, year):
    form.subject_id.choices = [("", "—")] + reg.subject_choices(current_user.school_id, localized_name)


def _staff_rows(principal, write):
    return staff.staff_rows(principal)


def _attestation_overdue(record: StaffRecord) -> bool:
    return bool(record.next_attestation_on and record.next_attestation_on < _today() and not record.left_on)


def _staff_summary(school_id, year):
    """Teachers employed today (those the reader may see) by qualification category."""
    counts = staff.category_counts(school_id, _today(), staff.staff_rows(current_principal()))
    if not counts:
        return None
    return Table(_("Teachers by qualification category"), [_("Teachers")],
                 [(text, [counts.get(key, 0)]) for key, text in CATEGORY_LABELS.items()])


def _experience(record: StaffRecord):
    years = staff.experience(record, _today())
    return "" if years is None else years


RESOURCES = [
    Resource("teachers", StaffRecord, StaffRecordForm, _l("Staff records"),
             [Column(_l("Teacher"), lambda o: o.user.full_name),
              Column(_l("Qualification category"), lambda o: CATEGORY_LABELS.get(o.category, o.category)),
              Column(_l("Education"), lambda o: EDUCATION_LABELS.get(o.education, o.education)),
              Column(_l("Teaching experience, years"), _experience),
              Column(_l("Last attestation"), lambda o: o.last_attestation_on or ""),
              Column(_l("Next attestation due"), lambda o: o.next_attestation_on or ""),
              Column(_l("Hired on"), lambda o: o.hired_on or ""), Column(_l("Left on"), lambda o: o.left_on or "")],
             lambda: [StaffRecord.left_on.is_not(None),
                      select(User.full_name).where(User.id == StaffRecord.user_id).scalar_subquery()],
             read=staff.STAFF_READERS, write=staff.WRITERS, rows=_staff_rows, summary=_staff_summary,
             owned={"user_id": User}, choices=_teacher_choices,
             row_class=lambda o: "overdue" if _attestation_overdue(o) else ("inactive" if o.left_on else "")),
    Resource("programmes", ProgrammeDocument, ProgrammeDocumentForm, _l("Programme documents"),
             [Column(_l("Kind"), lambda o: PROGRAMME_KIND_LABELS.get(o.kind, o.kind)),
              Column(_l("Title"), lambda o: o.title), Column(_l("Subject"), lambda o: localized_name(o.subject)),
              Column(_l("Grade"), lambda o: o.grade or ""), Column(_l("Approved on"), lambda o: o.approved_on),
              Column(_l("Approved by"), lambda o: o.approved_by),
              Column(_l("Renew by"), staff.renew_by),
              Column(_l("Status"), lambda o: STATUS_LABELS[staff.document_status(o, _today())])],
             lambda: [ProgrammeDocument.kind, ProgrammeDocument.subject_id, ProgrammeDocument.grade,
                      ProgrammeDocument.approved_on.desc()],
             read=staff.PROGRAMME_READERS, write=staff.WRITERS, owned={"subject_id": Subject},
             choices=_subject_choices,
             row_class=lambda o: "overdue" if staff.document_status(o, _today()) == "overdue" else ""),
]

RECORDS = Crud("record", RESOURCES, list_roles=READERS, write_roles=staff.WRITERS, new_label=_l("new entry"),
               empty_label=_l("No entries yet."), count_label=lambda n: ngettext("%(num)d entry", "%(num)d entries", n),
               show=display_plain, by_year=True, stylesheet="css/monitoring.css",
               back=("staff.index", _l("Staff and programmes")))
RECORDS.install(bp)


@bp.route("/")
@role_required(*READERS)
def index():
    """The two registers and, for the year asked (?year_id=), the figures computed from them."""
    year = requested_year(required=False)
    figures = staff.figures(current_user.school_id, year) if year else []
    return render_template("monitoring/staff/index.html", registers=RECORDS.visible(), crud=RECORDS, year=year, years=school_years(),
                           figures=figures, labels=FIGURE_LABELS, show_staff=current_user.has_role(*staff.STAFF_READERS))
