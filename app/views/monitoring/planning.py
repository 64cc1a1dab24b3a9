"""The annual monitoring cyclogram (grid, list, my tasks, approval, copying) and the
interviews register."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.i18n import current_language
from app.models import AcademicYear
from app.models.monitoring.planning import CyclogramItem, Interview
from app.security import (
    STAFF,
    audit,
    current_principal,
    get_scoped_or_404,
    requested_year,
    role_required,
    school_years,
    scoped,
)
from app.services.core import school as school_service
from app.services.core.audit import snapshot
from app.services.monitoring import planning
from app.services.monitoring import registers as reg
from app.services.monitoring.labels import (
    DIRECTION_LABELS,
    FORM_LABELS,
    ITEM_STATUS_LABELS,
    METHOD_LABELS,
    MONTH_LABELS,
    PARTICIPANT_LABELS,
)
from app.services.monitoring.planning import PLANNERS
from app.web import conflicts, flash_errors, local_url
from forms.monitoring.planning import (
    ApproveForm,
    CopyForm,
    CyclogramItemForm,
    InterviewForm,
    StatusForm,
)

bp = Blueprint("planning", __name__, url_prefix="/cyclogram")

READERS = ("admin", "deputy", "mo_head", "expert", "psychologist")
INTERVIEWERS = ("admin", "deputy", "mo_head", "psychologist")


@bp.app_context_processor
def _labels():
    return {"MONTH_LABELS": MONTH_LABELS, "METHOD_LABELS": METHOD_LABELS, "FORM_LABELS": FORM_LABELS,
            "ITEM_STATUS_LABELS": ITEM_STATUS_LABELS, "PARTICIPANT_LABELS": PARTICIPANT_LABELS,
            "ACADEMIC_MONTHS": planning.ACADEMIC_MONTHS}


@bp.app_template_filter("plan_text")
def _plan_text(text):
    """A cyclogram item's object or document in the page's language (`planning.plan_text`)."""
    return planning.plan_text(text, current_language())




@bp.route("/")
@role_required(*READERS)
def cyclogram():
    year = requested_year()
    cyc = planning.get_cyclogram(current_user.school_id, year.id)
    direction = request.args.get("direction", type=int)
    views = planning.items_with_status(current_user.school_id, year.id, direction=direction)
    copy_form = CopyForm()
    copy_form.source_year_id.choices = [(y.id, y.name) for y in school_years() if y.id != year.id]
    return render_template("monitoring/planning/cyclogram.html", year=year, years=school_years(), cyc=cyc, views=views,
                           cells=planning.grid(views), directions=DIRECTION_LABELS, direction=direction,
                           approve_form=ApproveForm(obj=cyc), copy_form=copy_form,
                           can_plan=current_user.has_role(*PLANNERS), can_approve=current_user.has_role("admin"),
                           indicator_names=planning.indicator_names(current_user.school_id, current_language()))


@bp.route("/mine")
@role_required(*STAFF)
def my_tasks():
    year = requested_year()
    views = planning.items_with_status(current_user.school_id, year.id, responsible_id=current_user.id)
    return render_template("monitoring/planning/mine.html", year=year, views=views, directions=DIRECTION_LABELS,
                           status_form=StatusForm())


@bp.route("/default", methods=["POST"])
@role_required(*PLANNERS)
def create_default():
    year = requested_year()
    try:
        cyc = planning.create_default(current_user.school_id, year, current_language())
    except planning.PlanningError:
        flash(_("The cyclogram of this year already has items."), "error")
    else:
        audit("create", "cyclogram", cyc.id, after={"default_items": len(cyc.items)})
        db.session.commit()
        flash(_("The default cyclogram of the regulations was added: check the responsible people and dates."),
              "success")
    return redirect(url_for("planning.cyclogram", year_id=year.id))


@bp.route("/approve", methods=["POST"])
@role_required("admin")
def approve():
    year = requested_year()
    cyc = planning.get_cyclogram(current_user.school_id, year.id)
    if cyc is None or not cyc.items:
        flash(_("There is nothing to approve yet."), "error")
        return redirect(url_for("planning.cyclogram", year_id=year.id))
    form = ApproveForm()
    if form.validate_on_submit():
        planning.approve(cyc, form.order_number.data.strip(), form.order_date.data, current_user.id,
                         request.remote_addr)
        db.session.commit()
        flash(_("The cyclogram is approved."), "success")
    else:
        flash_errors(form)
    return redirect(url_for("planning.cyclogram", year_id=year.id))


@bp.route("/copy", methods=["POST"])
@role_required(*PLANNERS)
def copy():
    year = requested_year()
    form = CopyForm()
    form.source_year_id.choices = [(y.id, y.name) for y in school_years() if y.id != year.id]
    if not form.validate_on_submit():
        flash(_("Choose the year to copy from."), "error")
        return redirect(url_for("planning.cyclogram", year_id=year.id))
    source = get_scoped_or_404(AcademicYear, form.source_year_id.data)
    messages = {"empty_source": _("The cyclogram of %(year)s has no items.", year=source.name),
                "not_empty": _("The cyclogram of this year already has items."),
                "same_year": _("Choose another year.")}
    try:
        target = planning.copy_to_year(current_user.school_id, source, year)
    except planning.PlanningError as error:
        db.session.rollback()
        flash(messages[str(error)], "error")
    else:
        audit("copy", "cyclogram", target.id, after={"from_year": source.id, "items": len(target.items)})
        db.session.commit()
        flash(_("Copied %(n)d items from %(year)s.", n=len(target.items), year=source.name), "success")
    return redirect(url_for("planning.cyclogram", year_id=year.id))


def _save_item(item=None):
    year = db.session.get(AcademicYear, item.cyclogram.year_id) if item else requested_year()
    form = CyclogramItemForm(obj=item, year=year)
    form.responsible_id.choices = [("", "—")] + reg.staff_choices(current_user.school_id)
    stored = None
    if item is not None:  # the page's originals; a save changes only what its user changed
        stored = CyclogramItemForm(formdata=None, obj=item, year=year)
        stored.responsible_id.choices = form.responsible_id.choices
    status = 200
    if form.validate_on_submit():
        if stored is not None and not conflicts.check(form, stored):
            status = 409  # someone else changed a field this user changed too: nothing is saved
        else:
            before = snapshot(item) if item else None
            if item is None:
                cyc = planning.get_cyclogram(current_user.school_id, year.id, create=True)
                item = CyclogramItem(school_id=current_user.school_id, cyclogram=cyc)
                db.session.add(item)
            form.populate_obj(item)
            item.school_id = current_user.school_id
            planning.mark_status(item, form.status.data)
            db.session.flush()
            audit("update" if before else "create", "cyclogram_item", item.id, before=before, after=snapshot(item))
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("planning.cyclogram", year_id=year.id))
    originals = conflicts.originals_field(stored) if stored is not None else None
    return render_template("monitoring/planning/item_form.html", form=form, item=item, year=year,
                           originals=originals), status


@bp.route("/items/new", methods=["GET", "POST"])
@role_required(*PLANNERS)
def item_new():
    return _save_item()


@bp.route("/items/<int:item_id>", methods=["GET", "POST"])
@role_required(*READERS)
def item_edit(item_id):
    item = get_scoped_or_404(CyclogramItem, item_id)
    if not current_user.has_role(*PLANNERS):
        interviews = db.session.scalars(scoped(Interview).where(Interview.item_id == item.id)).all()
        return render_template("monitoring/planning/item.html", view=planning.ItemView(item, planning.effective_status(item)),
                               interviews=interviews, directions=DIRECTION_LABELS)
    return _save_item(item)


@bp.route("/items/<int:item_id>/delete", methods=["POST"])
@role_required(*PLANNERS)
def item_delete(item_id):
    item = get_scoped_or_404(CyclogramItem, item_id)
    year_id = item.cyclogram.year_id
    audit("delete", "cyclogram_item", item.id, before=snapshot(item))
    db.session.delete(item)
    db.session.commit()
    flash(_("Deleted."), "success")
    return redirect(url_for("planning.cyclogram", year_id=year_id))


@bp.route("/items/<int:item_id>/status", methods=["POST"])
@role_required(*STAFF)
def item_status(item_id):
    """The responsible person (or a planner) marks progress."""
    item = get_scoped_or_404(CyclogramItem, item_id)
    if not planning.may_set_status(current_principal(), item):
        abort(403)
    form = StatusForm()
    if form.validate_on_submit():
        before = snapshot(item)
        planning.mark_status(item, form.status.data)
        audit("update", "cyclogram_item", item.id, before=before, after=snapshot(item))
        db.session.commit()
        flash(_("Saved."), "success")
    else:
        abort(400)
    return redirect(local_url(request.form.get("next"), url_for("planning.my_tasks")))


# --- interviews (R2) ----------------------------------------------------------------

@bp.route("/interviews", methods=["GET", "POST"])
@role_required(*INTERVIEWERS, "expert")
def interviews():
    year = requested_year()
    form = InterviewForm()
    items = planning.items_with_status(current_user.school_id, year.id)
    form.item_id.choices = [("", "—")] + [(v.item.id, planning.plan_text(v.item.object, current_language())) for v in items]
    if request.method == "POST":
        if not current_user.has_role(*INTERVIEWERS):
            abort(403)
        if form.validate_on_submit():
            target = school_service.year_of_date(current_user.school_id, form.on_date.data)
            if target is None:
                form.on_date.errors.append(_("The date is before the first academic year of the school."))
            else:
                if form.item_id.data:
                    get_scoped_or_404(CyclogramItem, form.item_id.data)
                interview = Interview(school_id=current_user.school_id, year_id=target.id,
                                      interviewer_id=current_user.id)
                form.populate_obj(interview)
                interview.school_id = current_user.school_id
                db.session.add(interview)
                db.session.flush()
                audit("create", "interview", interview.id, after=snapshot(interview))
                db.session.commit()
                flash(_("Saved."), "success")
                return redirect(url_for("planning.interviews", year_id=target.id))
    rows = db.session.scalars(scoped(Interview).where(Interview.year_id == year.id)
                              .order_by(Interview.on_date.desc())).all()
    return render_template("monitoring/planning/interviews.html", year=year, years=school_years(), rows=rows, form=form,
                           can_write=current_user.has_role(*INTERVIEWERS))
