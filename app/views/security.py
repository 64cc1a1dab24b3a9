"""The audit log page (read-only) and the refusal of NUL characters in any request."""
from flask import Blueprint, abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.security import role_required
from app.services.core import audit_log
from forms.security import AuditFilterForm

bp = Blueprint("security", __name__, url_prefix="/security")

AUDITORS = ("admin",)

ACTION_LABELS = {
    "create": _l("created"),
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
}



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
    result = audit_log.search(school_id, flt, int(page) if page.isdigit() and len(page) < 7 else 1)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("security/audit.html", form=form, result=result, args=args,
                           action_labels=ACTION_LABELS, entity_labels=ENTITY_LABELS)

