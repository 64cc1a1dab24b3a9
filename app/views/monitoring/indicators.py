"""The monitoring programme: the director's dashboard, indicators (catalogue, drill-down,
entering values, the variable part), справки and the annual public report."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app import charts
from app.extensions import db
from app.i18n import current_language
from app.models import ROLES, AcademicYear, ClassGroup, User
from app.models.monitoring.indicators import Indicator
from app.security import audit, current_principal, get_scoped_or_404, requested_year, role_required, school_years
from app.services.core import clock
from app.services.core import school as school_service
from app.services.core.audit import snapshot
from app.services.monitoring import associations, planning, profiles, reports
from app.services.monitoring import indicators as ind_service
from app.services.monitoring import measures as measure_service
from app.services.monitoring.calculators import shared_queries
from app.services.monitoring.issued import ISSUERS
from app.services.monitoring.labels import (
    DIRECTION_LABELS,
    GOOD_LABELS,
    ITEM_STATUS_LABELS,
    LEVEL_LABELS,
    MEASURE_STATUS_LABELS,
    PERIODICITY_LABELS,
    RESULT_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    STUDENT_KIND_LABELS,
    UNIT_LABELS,
    fmt,
)
from app.views.monitoring.registers import REGISTERS
from app.web import conflicts
from forms.monitoring.indicators import IndicatorForm, IndicatorTargetForm, IndicatorValueForm
from forms.monitoring.measures import IssueForm

bp = Blueprint("monitoring", __name__, url_prefix="/monitoring")

READERS = ind_service.READERS
EDITORS = ("admin",)
# The annual public report: the whole-school roles and the MO heads (not the psychologist).
REPORT_ROLES = ("admin", "deputy", "mo_head", "expert")


def dashboard_title() -> str:
    """The dashboard is the director's for the director; the other readers see it by its subject."""
    return _("Director's dashboard") if current_user.has_role("admin") else _("Monitoring dashboard")


@bp.app_context_processor
def _helpers():
    return {"fmt": fmt, "DIRECTION_LABELS": DIRECTION_LABELS, "STATUS_LABELS": STATUS_LABELS,
            "UNIT_LABELS": UNIT_LABELS, "SOURCE_LABELS": SOURCE_LABELS,
            "MEASURE_STATUS_LABELS": MEASURE_STATUS_LABELS, "dashboard_title": dashboard_title}




def _indicator(indicator_id: int) -> Indicator:
    """The school's indicator, or an association's own one for those who see the association."""
    item = get_scoped_or_404(Indicator, indicator_id)
    if not associations.may_see_indicator(current_principal(), item):
        abort(404)
    return item


@bp.route("/")
@role_required(*READERS)
def dashboard():
    year = requested_year()
    blocks = reports.dashboard(current_user.school_id, year)
    db.session.commit()  # the catalogue may have been given to the school just now
    overdue = planning.overdue(current_user.school_id, year.id)
    late = measure_service.overdue(current_user.school_id, scope=measure_service.rows(current_principal()))
    return render_template("monitoring/dashboard.html", year=year, years=school_years(), blocks=blocks, overdue=overdue,
                           late_measures=late, may_plan=current_user.has_role(*measure_service.MANAGERS),
                           previous=school_service.previous_year(year), charts=charts,
                           lang=current_language(), title=dashboard_title(),
                           can_report=current_user.has_role(*REPORT_ROLES))


@bp.route("/indicators/")
@role_required(*READERS)
def catalogue():
    items = ind_service.indicators(current_user.school_id, active_only=False)
    db.session.commit()
    return render_template("monitoring/catalogue.html", items=items, lang=current_language(),
                           periodicity=PERIODICITY_LABELS, good=GOOD_LABELS, can_edit=current_user.has_role(*EDITORS))


def _value_form(indicator: Indicator, year: AcademicYear) -> IndicatorValueForm:
    form = IndicatorValueForm()
    choices = [("", _("Whole year"))]
    if indicator.periodicity == "term":
        choices += [(t.id, t.label) for t in year.terms if t.kind == "quarter"]
    form.term_id.choices = choices
    return form


@bp.route("/indicators/<int:indicator_id>", methods=["GET", "POST"])
@role_required(*READERS)
def indicator(indicator_id):
    item = _indicator(indicator_id)
    year = requested_year()
    form = _value_form(item, year) if ind_service.may_enter(current_principal(), item) else None
    status = 200
    if form is not None and ind_service.computed_from_records(item, year.id, None):
        form = None  # computed from this year's records (diagnostics): nothing to type
    if request.method == "POST":
        if form is None:
            abort(403)
        period = "" if form.term_id.data in (None, "") else str(form.term_id.data)
        stored = ind_service.entered_values(item, year.id).get(period, "")
        page = conflicts.posted_originals()  # the values of the page (None: a client without them)
        original = stored if page is None else page.get(period, "")
        if form.validate_on_submit() and stored != original and stored != f"{form.value.data:g}":
            conflicts.flash_conflicts([(str(form.value.label.text), stored or "-")])  # entered meanwhile
            status = 409
        elif form.validate_on_submit():
            try:
                ind_service.set_value(item, year.id, form.term_id.data, form.value.data, form.note.data or None,
                                      form.evidence.data or None, current_user.id, request.remote_addr)
            except ValueError:
                abort(400)
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("monitoring.indicator", indicator_id=item.id, year_id=year.id))
    history = ind_service.history(item)
    terms = ind_service.term_values(item, year) if item.periodicity == "term" else []
    row = ind_service.evaluate(current_user.school_id, year, items=[item])[0]
    chart = charts.columns([(y.name, v) for y, v, _e in history], item.target, item.unit, item.name_in(current_language()))
    drill_url = None
    register = REGISTERS.resources.get(ind_service.register_of(item))
    if register is not None and register.may_read(current_user):
        drill_url = url_for(REGISTERS.endpoint("list"), key=register.key, year_id=year.id)
    endpoint = ind_service.page_of(item)
    if endpoint and endpoint in current_app.view_functions:
        drill_url = url_for(endpoint)
    originals = conflicts.json_field(ind_service.entered_values(item, year.id)) if form is not None else None
    return render_template("monitoring/indicator.html", drill_url=drill_url, item=item, year=year, years=school_years(), form=form,
                           history=history, terms=terms, row=row, chart=chart, lang=current_language(),
                           periodicity=PERIODICITY_LABELS, good=GOOD_LABELS, originals=originals,
                           records_of=ind_service.RECORDS_OF.get(item.key)), status


def _role_choices():
    from forms.admin import ROLE_LABELS
    return [(r, ROLE_LABELS[r]) for r in ROLES]


@bp.route("/indicators/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def indicator_new():
    form = IndicatorForm()
    form.responsible_role.choices = _role_choices()
    if form.validate_on_submit():
        obj = Indicator(school_id=current_user.school_id, invariant=False, source="manual")
        form.populate_obj(obj)
        obj.school_id, obj.invariant, obj.source = current_user.school_id, False, "manual"
        obj.key = obj.key.strip().lower()
        obj.name_en = obj.name_en or obj.name_ru
        db.session.add(obj)
        try:
            db.session.flush()
            audit("create", "indicator", obj.id, after=snapshot(obj))
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            form.key.errors.append(_("An indicator with this key exists already."))
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("monitoring.indicator", indicator_id=obj.id))
    return render_template("monitoring/indicator_form.html", form=form, item=None)


@bp.route("/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def indicator_edit(indicator_id):
    item = _indicator(indicator_id)
    form = (IndicatorTargetForm if item.invariant else IndicatorForm)(obj=item)
    if not item.invariant:
        form.responsible_role.choices = _role_choices()
    if form.validate_on_submit():
        before = snapshot(item)
        key, old_target, old_threshold = item.key, item.target, item.threshold
        form.populate_obj(item)
        ind_service.keep_past_targets(item, old_target, old_threshold)  # last year keeps its target
        item.key = key if item.invariant else item.key.strip().lower()
        item.name_en = item.name_en or item.name_ru
        try:
            db.session.flush()
            audit("update", "indicator", item.id, before=before, after=snapshot(item))
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            flash(_("An indicator with this key exists already."), "error")
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("monitoring.indicator", indicator_id=item.id))
    return render_template("monitoring/indicator_form.html", form=form, item=item)


def note_context(year: AcademicYear, indicator_id, direction) -> dict:
    """What a справка shows (templates/monitoring/_note_body.html) on one indicator or a
    direction of `year`: its rows, charts and the measures taken on its figures; a 404 for
    neither."""
    if indicator_id:
        item = _indicator(indicator_id)
        rows = ind_service.evaluate(current_user.school_id, year, items=[item])
        title = item.name_in(current_language())
        direction = item.direction
    elif direction in DIRECTION_LABELS:
        rows = ind_service.evaluate(current_user.school_id, year, direction)
        title = DIRECTION_LABELS[direction]
        item = None
    else:
        abort(404)
    db.session.commit()
    note_charts = []
    with shared_queries():  # the marks indicators of a year share one query
        for r in rows:
            if item or r.indicator.source == "auto" or r.value is not None:
                hist = ind_service.history(r.indicator)
                if any(v is not None for _y, v, _e in hist):
                    name = r.indicator.name_in(current_language())
                    note_charts.append((name, charts.columns([(y.name, v) for y, v, _e in hist], r.indicator.target,
                                                          r.indicator.unit, name)))
    return dict(year=year, rows=rows, title=str(title), direction=direction, item=item, note_charts=note_charts,
                lang=current_language(), previous=school_service.previous_year(year), issued=None,
                measures=measure_service.taken_on(current_user.school_id, year.id, [r.indicator.id for r in rows]))


@bp.route("/note")
@role_required(*READERS)
def note():
    """A справка on one indicator (?indicator=ID) or a direction (?direction=N)."""
    context = note_context(requested_year(), request.args.get("indicator", type=int),
                           request.args.get("direction", type=int))
    issue_form = IssueForm(issued_on=clock.today(current_user.school)) if current_user.has_role(*ISSUERS) else None
    return render_template("monitoring/note.html", issue_form=issue_form, **context)


def report_context(year: AcademicYear, parents: bool) -> dict:
    """What the annual public report shows (templates/monitoring/_report_body.html); the
    parents' version hides personal data and small groups."""
    blocks = reports.dashboard(current_user.school_id, year)
    db.session.commit()
    winners = [] if parents else reports.winners(current_user.school_id, year.id)
    cyc = planning.get_cyclogram(current_user.school_id, year.id)
    summary_chart = charts.columns(
        [(str(b.direction), round(100.0 * b.counts["ok"] / len(b.rows), 1) if b.rows else None) for b in blocks],
        None, "percent", _("Share of indicators meeting the target, by direction"))
    return dict(summary_chart=summary_chart, year=year, blocks=blocks, parents=parents,
                suppress=reports.suppress, winners=winners, cyclogram=cyc, charts=charts,
                school=current_user.school, lang=current_language(),
                previous=school_service.previous_year(year),
                level_labels=LEVEL_LABELS, result_labels=RESULT_LABELS, kind_labels=STUDENT_KIND_LABELS,
                item_status=ITEM_STATUS_LABELS, issued=None,
                measures=measure_service.of_year(current_user.school_id, year.id))


@bp.route("/report")
@role_required(*REPORT_ROLES)
def report():
    """The annual public report; ?version=parents hides personal data and small groups."""
    context = report_context(requested_year(), request.args.get("version") == "parents")
    issue_form = IssueForm(issued_on=clock.today(current_user.school)) if current_user.has_role(*ISSUERS) else None
    return render_template("monitoring/report.html", years=school_years(), issue_form=issue_form, **context)


# --- profiles ---------------------------------------------------------------------------

PROFILE_ROLES = ("admin", "deputy", "expert", "mo_head", "teacher", "class_teacher")


def _viewer():
    return current_principal()


@bp.route("/profiles/")
@role_required(*PROFILE_ROLES)
def profiles_index():
    year = requested_year()
    viewer = _viewer()
    return render_template("monitoring/profiles.html", year=year, years=school_years(),
                           classes=profiles.visible_classes(viewer, year.id),
                           teachers=profiles.visible_teachers(viewer, year.id))


@bp.route("/profiles/class/<int:class_id>")
@role_required(*PROFILE_ROLES)
def class_profile(class_id):
    cls = get_scoped_or_404(ClassGroup, class_id)
    viewer = _viewer()
    if not profiles.may_see_class(cls, viewer):
        abort(403)
    return render_template("monitoring/profile.html", title=_("Class profile: %(name)s", name=f"{cls.name} ({cls.year.name})"),
                           sections=profiles.class_profile(cls, viewer),
                           subtitle=cls.class_teacher.full_name if cls.class_teacher else "")


@bp.route("/profiles/teacher/<int:user_id>")
@role_required(*PROFILE_ROLES)
def teacher_profile(user_id):
    teacher = get_scoped_or_404(User, user_id)
    viewer = _viewer()
    if not profiles.may_see_teacher(teacher, viewer):
        abort(403)
    return render_template("monitoring/profile.html", title=_("Teacher profile: %(name)s", name=teacher.full_name),
                           sections=profiles.teacher_profile(teacher, viewer), subtitle="")
