"""The register of measures: the list (by year, each with its re-checked value), add / edit /
delete through the shared Crud pages (the director and deputies), and a measure's own page
where its responsible person sets the status and the evidence. "Create a measure" on a red
indicator opens the form prefilled (?indicator=ID)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from app.extensions import db
from app.i18n import current_language, display_plain
from app.models import Term, User
from app.models.monitoring.indicators import Indicator
from app.models.monitoring.measures import Measure
from app.security import STAFF, audit, current_principal, get_scoped_or_404, role_required
from app.services.achievement import tasks
from app.services.core.audit import snapshot
from app.services.monitoring import indicators as ind_service
from app.services.monitoring import measures as service
from app.services.monitoring import registers as reg
from app.services.monitoring.labels import MEASURE_SOURCE_LABELS, MEASURE_STATUS_LABELS, fmt
from app.web import conflicts
from app.web.crud import Column, Crud, Filter, Resource
from forms.monitoring.measures import MeasureForm, MeasureStatusForm

bp = Blueprint("measures", __name__, url_prefix="/monitoring")


def _choices(form, year):
    """The school's indicators, the year's quarters and the active staff; on a new form's
    first display, ?indicator=ID prefills what prompted it (the indicator and its value)."""
    lang = current_language()
    items = ind_service.indicators(current_user.school_id, active_only=False)
    form.indicator_id.choices = [("", "—")] + [(i.id, f"{i.direction}. {i.name_in(lang)}") for i in items]
    quarters = [t for t in year.terms if t.kind == "quarter"] if year else []
    form.term_id.choices = [("", _("Whole year"))] + [(t.id, t.name) for t in quarters]
    form.responsible_id.choices = [("", "—")] + reg.staff_choices(current_user.school_id)
    indicator_id = request.args.get("indicator", type=int)
    if request.method == "GET" and indicator_id and year is not None and form.action.data is None:
        item = get_scoped_or_404(Indicator, indicator_id)
        row = ind_service.evaluate(current_user.school_id, year, items=[item])[0]
        # "What exactly" stays empty: the indicator and its value are stored as such and the
        # measure's page describes them in its reader's language (prompted_by).
        form.source.data, form.indicator_id.data, form.value_before.data = "indicator", item.id, row.value


def prompted_by(measure: Measure) -> str:
    """What prompted a measure, in the reader's language: what its author typed, else the
    control work it corrects or the indicator and its value, described from their keys."""
    if measure.source_ref:
        return measure.source_ref
    if measure.source == "control_work":
        assessment = tasks.assessment_of_measure(measure.id)
        return tasks.work_title(assessment) if assessment is not None else ""
    if measure.source == "indicator" and measure.indicator is not None and measure.value_before is not None:
        item = measure.indicator
        return _("%(name)s: %(value)s (target %(target)s)", name=item.name_in(current_language()),
                 value=fmt(measure.value_before, item.unit), target=fmt(item.target, item.unit))
    return ""


def _stamp(obj: Measure, is_new: bool) -> None:
    if is_new:
        obj.created_by_id = current_user.id
    service.mark_status(obj, obj.status)


def _rows(principal, write):
    return service.rows(principal, write)


def _recheck(obj: Measure) -> str:
    found = service.recheck(obj)
    if found is None or found.value is None:
        return "—"
    unit = obj.indicator.unit
    verdict = {True: _("better"), False: _("not better"), None: ""}[found.helped]
    return f"{found.label}: {fmt(found.value, unit)} {verdict}".strip()


MEASURES = Crud("measure", [Resource(
    "measures", Measure, MeasureForm, _l("Measures"),
    [Column(_l("What is to be done"), lambda o: o.action,
            lambda o: url_for("measures.measure_page", measure_id=o.id)),
     Column(_l("Indicator"), lambda o: o.indicator.name_in(current_language()) if o.indicator else ""),
     Column(_l("Value when decided"), lambda o: fmt(o.value_before, o.indicator.unit if o.indicator else "")),
     Column(_l("Re-checked"), _recheck),
     Column(_l("Responsible"), lambda o: o.responsible.full_name if o.responsible else ""),
     Column(_l("Deadline"), lambda o: o.due_on),
     Column(_l("Status"), lambda o: MEASURE_STATUS_LABELS.get(o.status, o.status))],
    lambda: [Measure.due_on, Measure.id], read=STAFF, write=service.MANAGERS, yearly=True,
    filters=[Filter("status", _l("Status"), MEASURE_STATUS_LABELS)],
    owned={"indicator_id": Indicator, "responsible_id": User, "term_id": Term},
    choices=_choices, stamp=_stamp, rows=_rows)],
    list_roles=STAFF, write_roles=service.MANAGERS, new_label=_l("new measure"), empty_label=_l("No measures yet."),
    count_label=lambda n: ngettext("%(num)d measure", "%(num)d measures", n), show=display_plain, by_year=True,
    stylesheet="css/monitoring.css")
MEASURES.install(bp)


@bp.route("/measures/<int:measure_id>/status", methods=["GET", "POST"])
@role_required(*STAFF)
def measure_page(measure_id):
    """A measure: what prompted it, what is to be done, the re-checked value; its responsible
    person (or a manager) sets the status and the evidence."""
    measure = get_scoped_or_404(Measure, measure_id)
    principal = current_principal()
    seen = service.rows(principal)
    if seen is not None and not seen.allows(measure):
        abort(404)
    may_set = service.may_set_status(principal, measure)
    form = MeasureStatusForm(obj=measure) if may_set else None
    stored = MeasureStatusForm(formdata=None, obj=measure) if may_set else None  # the page's originals
    status = 200
    if request.method == "POST":
        if form is None:
            abort(403)
        valid = form.validate_on_submit()
        if valid and not conflicts.check(form, stored):
            status = 409  # someone else changed a field this user changed too: nothing is saved
        elif valid:
            before = snapshot(measure)
            measure.evidence_note, measure.evidence_ref = form.evidence_note.data or None, form.evidence_ref.data or None
            service.mark_status(measure, form.status.data)
            audit("update", "measure", measure.id, before=before, after=snapshot(measure))
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("measures.measure_page", measure_id=measure.id))
    return render_template("monitoring/measure.html", measure=measure, form=form, recheck=service.recheck(measure),
                           lang=current_language(), prompted_by=prompted_by(measure), sources=MEASURE_SOURCE_LABELS, statuses=MEASURE_STATUS_LABELS,
                           can_edit=current_user.has_role(*service.MANAGERS),
                           originals=conflicts.originals_field(stored) if stored is not None else None), status


@bp.route("/measures")
@role_required(*STAFF)
def index():
    """The register of the current year (the home tile's address)."""
    return redirect(url_for("measures.measure_list", key="measures"))
