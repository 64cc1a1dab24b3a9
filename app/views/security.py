"""The audit log page (read-only) and the refusal of NUL characters in any request."""
import re
from datetime import date, datetime, timezone
from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from app.security import role_required
from app.services.core import audit_log
from app.services.core.text import whole
from forms.security import AuditFilterForm

bp = Blueprint("security", __name__, url_prefix="/security")

AUDITORS = ("admin",)

ACTION_LABELS = {
    "acknowledge": _l("acknowledged"),
    "amend": _l("amended"),
    "approve": _l("approved"),
    "copy": _l("copied"),
    "finalize": _l("finalized"),
    "issue_codes": _l("issued access codes"),
    "logout": _l("logged out"),
    "status": _l("changed the state"),
    "create": _l("created"),
    "revoke": _l("revoked"),
    "update": _l("changed"),
    "delete": _l("deleted"),
    "import": _l("imported"),
    "login": _l("logged in"),
    "lockout": _l("locked after wrong passwords"),
    "export": _l("exported"),
    "submit": _l("submitted"),
}

ENTITY_LABELS = {
    "user": _l("Staff member"),
    "api_token": _l("API token"),
    "user.password": _l("Password"),
    "academic_year": _l("Academic year"),
    "term": _l("Term"),
    "methodical_association": _l("Methodical association"),
    "subject": _l("Subject"),
    "class_group": _l("Class"),
    "teaching_assignment": _l("Teaching assignment"),
    "roster": _l("Class roster"),
    "student": _l("Student"),
    "mark": _l("Mark"),
    "observation": _l("Lesson observation"),
    "campaign": _l("Survey"),
    "indicator": _l("Indicator"),
    "assessment": _l("Work in the marks grid"),
    "marks": _l("Marks"),
    "cyclogram": _l("Cyclogram"),
    "cyclogram_item": _l("Cyclogram item"),
    "expert_scores": _l("Expert scores"),
    "instrument": _l("Questionnaire or protocol"),
    "interview": _l("Interview"),
    "observation_plan": _l("Observation plan"),
    "support_action": _l("Support action"),
    "support_plan": _l("Support plan"),
    "support_step": _l("Support plan step"),
    "warning_rule": _l("Early-warning rule"),
    "parent_contact": _l("Contact with parents"),
    "assessment_tasks": _l("Tasks of a control work"),
    "task_points": _l("Points per task"),
    "diagnostic": _l("Diagnostic record"),
    "diagnostic_round": _l("Students' diagnostic round"),
    "measure": _l("Measure"),
    "issued_document": _l("Issued document"),
    "public_report": _l("Public report"),
    "indicator_value": _l("Indicator value"),
    "association_year": _l("Methodical association's year"),
    "school": _l("School"),
    "school.district": _l("School's district"),
    "district.average": _l("Regional and national averages"),
    "district.package": _l("School's data package"),
    "district.rating": _l("Rating weights"),
    "district.remote_school": _l("School of the district (by package)"),
    "district_campaign": _l("District survey"),
    "district_document": _l("District report"),
    # the registers, staff records and structure pages (app/web/crud.py) record their table's name
    "student_achievement": _l("Student's achievement"),
    "teacher_achievement": _l("Teacher's achievement"),
    "incident": _l("Incident"),
    "classroom": _l("Classroom"),
    "textbook_provision": _l("Textbook provision"),
    "club": _l("Club"),
    "self_government_activity": _l("Student self-government"),
    "support_case": _l("Support case"),
    "staff_record": _l("Staff record"),
    "programme_document": _l("Programme document"),
}

# Column and answer names of the recorded rows, as the forms call them.
FIELD_LABELS = {
    "name": _l("Name"), "name_ru": _l("Name in Russian"), "full_name": _l("Full name"), "email": _l("Email"),
    "roles": _l("Roles"), "active": _l("Active"), "school_id": _l("School"), "year_id": _l("Academic year"),
    "term_id": _l("Term"), "class_id": _l("Class"), "subject_id": _l("Subject"), "teacher_id": _l("Teacher"),
    "student_id": _l("Student"), "observer_id": _l("Observer"), "user_id": _l("Staff member"),
    "grade": _l("Grade"), "letter": _l("Letter"), "kind": _l("Kind"), "number": _l("Number"),
    "starts_on": _l("Starts on"), "ends_on": _l("Ends on"), "opens_on": _l("Opens on"), "closes_on": _l("Closes on"),
    "status": _l("State"), "title": _l("Title"), "topic": _l("Topic"), "date": _l("Date"), "mark": _l("Mark"),
    "value": _l("Value"), "target": _l("Target"), "threshold": _l("Threshold"), "note": _l("Note"),
    "comment": _l("Comment"), "answers": _l("Answers"), "revision": _l("Revision"), "version": _l("Version"),
    "reason": _l("Reason"), "created_at": _l("Created"), "updated_at": _l("Changed"),
    "acknowledged_at": _l("Acknowledged"), "finalized_at": _l("Finalized"), "observed_on": _l("Observed on"),
    "due_on": _l("Due on"), "done_on": _l("Done on"), "object": _l("Object"), "document": _l("Document"),
    "responsible_id": _l("Responsible"), "audience": _l("Who answers"), "access_mode": _l("Access"),
    "min_group_size": _l("Minimum group size for breakdowns"), "instrument_id": _l("Questionnaire"),
    "is_current": _l("Current"), "purpose": _l("Purpose"), "count": _l("Number"),
    "instrument": _l("Questionnaire or protocol"), "codes": _l("Codes"), "outcome": _l("Level"),
    "respondent": _l("Who fills it in"), "expires_at": _l("Valid until"),
}

# Recorded values that are words of a fixed list, as the pages call them.
VALUE_LABELS = {
    "open": _l("open"), "closed": _l("closed"), "draft": _l("draft"), "final": _l("final"),
    "student": _l("the student"), "staff": _l("staff"),
    "high": _l("High"), "middle": _l("Middle"), "low": _l("Low"), "maladapted": _l("Maladapted (needs support)"),
}
# A recorded name of the program (an instrument's key, an item's key): shown as code, not as a word.
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*( v\d+)?$")  # "adaptation_grade10 v1" too


def _name(key: str) -> Markup:
    label = FIELD_LABELS.get(key)
    return escape(str(label)) if label is not None else _code(key)


def _code(text: str) -> Markup:
    return Markup("<code>%s</code>") % text

_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def audit_value(value: Any) -> Markup:
    """A recorded value as people read it (escaped HTML): dates 30.11.2026 (with 14:05 for a
    moment, in the school's time), yes / no, words of a fixed list in the reader's language
    (VALUE_LABELS), lists and mappings as "key: value" lines (at most 12 pairs), and the
    program's own names (an instrument's or an item's key) as <code>; never Python text."""
    if value is None or value == "":
        return escape("—")
    if isinstance(value, bool):
        return escape(_("yes") if value else _("no"))
    if isinstance(value, dict):
        pairs = [Markup("%s: %s") % (_name(k), audit_value(v)) for k, v in list(value.items())[:12]]
        text = Markup("; ").join(pairs)
        return text + ("…" if len(value) > 12 else "")
    if isinstance(value, (list, tuple)):
        return Markup(", ").join(audit_value(v) for v in value)
    if isinstance(value, str) and value in VALUE_LABELS:
        return escape(str(VALUE_LABELS[value]))
    if isinstance(value, str) and _IDENTIFIER.match(value):
        return _code(value)
    if isinstance(value, str) and _ISO_DATE.match(value):
        return escape(format_date(date.fromisoformat(value), "dd.MM.yyyy"))
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return escape(format_datetime(moment, "dd.MM.yyyy HH:mm"))
    return escape(str(value))


@bp.app_template_filter("audit_when")
def _audit_when(moment) -> str:
    return format_datetime(moment, "dd.MM.yyyy HH:mm") if moment else ""



@bp.before_app_request
def refuse_nul_bytes():
    """No form or query value may hold a NUL character: PostgreSQL refuses them in text
    (a 500 otherwise) and no person types one. The request gets a plain 400."""
    for values in (request.args, request.form if request.method == "POST" else {}):
        for _key, items in values.lists() if values else ():
            if any("\x00" in item for item in items):
                abort(400)


@bp.route("/audit", endpoint="audit_log")
@role_required(*AUDITORS)
def audit_log_page():
    school_id = current_user.school_id
    found = audit_log.choices(school_id)
    form = AuditFilterForm(request.args)
    form.entity.choices = [("", "—")] + [(e, ENTITY_LABELS.get(e, e)) for e in found["entities"]]
    form.action.choices = [("", "—")] + [(a, ACTION_LABELS.get(a, a)) for a in found["actions"]]
    form.user_id.choices = [("", "—")] + found["users"]
    flt = audit_log.AuditFilter()
    if form.validate():
        flt = audit_log.AuditFilter(
            entity=form.entity.data or None, action=form.action.data or None, user_id=form.user_id.data,
            entity_id=(form.entity_id.data or "").strip() or None,
            date_from=form.date_from.data, date_to=form.date_to.data)
    page = request.args.get("page", "1")
    result = audit_log.search(school_id, flt, min(whole(page) or 1, 999_999))
    # The filter's own fields only: any other name would reach url_for (?_scheme=, ?endpoint=).
    args = {k: v for k, v in request.args.items() if (k in form._fields or k == "lang") and k != "csrf_token" and v}
    return render_template("security/audit.html", form=form, result=result, args=args,
                           action_labels=ACTION_LABELS, entity_labels=ENTITY_LABELS, field_labels=FIELD_LABELS,
                           audit_value=audit_value)

