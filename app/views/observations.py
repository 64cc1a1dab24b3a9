"""Observation pages: start, checklist (works without JS; offline drafts with JS), read-only
view, amendment, teacher acknowledgement, the school's summary and the workbook."""
import re

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from app import charts
from app.extensions import db
from app.i18n import current_language, localized_name, pick_text
from app.models import Observation, User
from app.security import (
    OBSERVERS,
    REPORT_READERS,
    STAFF,
    current_principal,
    get_scoped_or_404,
    role_required,
    school_years,
)
from app.services.core import clock
from app.services.core import school as school_service
from app.services.core.text import whole
from app.services.exports.core import new_temp_path
from app.services.observations import access, aggregates, agreement, answers, labels, workbook
from app.services.observations import records as svc
from app.services.observations.joint import joinable
from app.services.observations.protocols import criterion_labels, protocol_of, protocols
from app.web import conflicts, send_xlsx
from forms.observations import (
    AcknowledgeForm,
    AmendForm,
    ChecklistForm,
    PlanForm,
    StartObservationForm,
    checklist_form,
    fill_start_choices,
)
from surveys.answers import CHECKLIST

bp = Blueprint("observations", __name__, url_prefix="/observations")


def _visible_or_404(obs_id: int) -> Observation:
    obs = get_scoped_or_404(Observation, obs_id)
    if not access.can_see(current_principal(), obs):
        abort(404)
    return obs



def _chosen_year():
    years = school_years()
    wanted = request.args.get("year", type=int)
    year = next((y for y in years if y.id == wanted), None) or school_service.current_year(current_user.school_id)
    return year, years


@bp.route("/")
@role_required(*STAFF)
def index():
    actor = current_principal()
    year, years = _chosen_year()
    status = request.args.get("status")
    rows = access.list_observations(actor, year_id=year.id if year else None, status=status)
    totals = aggregates.totals_by_observation(actor, year.id if year else None)
    return render_template("observations/index.html", rows=rows, totals=totals, year=year, years=years,
                           status=status, can_observe=current_user.has_role(*OBSERVERS),
                           labels=labels, pending_ack=[o for o in rows if o.teacher_id == current_user.id
                                                    and o.status == "final" and not o.acknowledged_at])


@bp.route("/new", methods=["GET", "POST"])
@role_required(*OBSERVERS)
def new():
    year = school_service.current_year(current_user.school_id)
    form = StartObservationForm()
    fill_start_choices(form, current_user.school_id, year)
    joint = joinable(current_principal(), request.args.get("joint") if request.method == "GET" else form.joint_with_id.data)
    if request.method == "GET":
        form.observed_on.data = clock.today(clock.school_zone(current_user.school_id))
        form.teacher_id.data = request.args.get("teacher_id", type=int)
        if joint is not None:
            form.joint_with_id.data, form.instrument_id.data = joint.id, joint.instrument_id
            form.teacher_id.data, form.class_id.data, form.subject_id.data = \
                joint.teacher_id, joint.class_id, joint.subject_id
            form.observed_on.data, form.purpose.data = joint.observed_on, joint.purpose
    if form.validate_on_submit():
        if not (form.assignment_id.data or form.teacher_id.data or joint):
            form.teacher_id.errors.append(_("Choose a lesson from the timetable or a teacher."))
        else:
            try:
                obs = svc.start_observation(
                    current_principal(), instrument_id=form.instrument_id.data, teacher_id=form.teacher_id.data,
                    observed_on=form.observed_on.data, purpose=form.purpose.data,
                    year_id=year.id if year else None, class_id=form.class_id.data,
                    subject_id=form.subject_id.data, topic=form.topic.data,
                    assignment_id=form.assignment_id.data, joint_with_id=joint.id if joint else None)
                db.session.commit()
                return redirect(url_for(".show", obs_id=obs.id))
            except svc.ObservationError as error:
                db.session.rollback()
                flash(error.message, "error")
    assignments = {a.id: [a.teacher_id, a.class_id, a.subject_id]
                   for a in (svc.assignments(current_user.school_id, year.id) if year else [])}
    return render_template("observations/new.html", form=form, assignments=assignments, joint=joint), \
        (400 if request.method == "POST" else 200)


def _context(obs: Observation):
    protocol = protocol_of(obs.instrument)
    return {"protocol": protocol, "answers": {s.item_key: s for s in obs.scores},
            "shown": answers.shown(protocol, obs.scores, current_language()),
            "progress": svc.progress(obs, protocol), "totals": aggregates.observation_totals(obs), "labels": labels}


def _checklist(obs: Observation, errors=None):
    """The checklist page: the protocol's form (forms/builder.py) filled with the stored
    answers, and on a refused POST with what was sent."""
    context = _context(obs)
    form_class = checklist_form(context["protocol"], current_language())
    stored = answers.form_data(context["protocol"], obs.scores, CHECKLIST)
    form = form_class(data=stored) if errors is None else form_class(formdata=request.form, data=stored)
    originals = conflicts.json_field(conflicts.form_values(form_class(formdata=None, data=stored)))
    return render_template("observations/checklist.html", obs=obs, form=form, errors=errors, originals=originals,
                           **context)


def _changed_only(obs: Observation, submitted: MultiDict, originals) -> tuple[MultiDict, list[str]]:
    """The submitted fields its user changed since the page was served (app/web/conflicts.py),
    and the messages of the fields someone else changed meanwhile to another value (another
    device of the observer: the phone's offline draft and the laptop)."""
    protocol = protocol_of(obs.instrument)
    keep, clashes = conflicts.changed_fields(checklist_form(protocol, current_language()),
                                             answers.form_data(protocol, obs.scores, CHECKLIST), submitted, originals)
    return MultiDict([(k, v) for k, v in submitted.items(multi=True) if k in keep]), conflicts.messages(clashes)


@bp.route("/<int:obs_id>")
@role_required(*STAFF)
def show(obs_id):
    obs = _visible_or_404(obs_id)
    actor = current_principal()
    if access.can_edit(actor, obs):
        return _checklist(obs)
    chain = svc.history(obs)
    trail = svc.audit_trail([o.id for o in chain]) if access.can_see_history(actor, obs) else []
    lesson = agreement.lesson_of(actor, obs)
    return render_template("observations/show.html", obs=obs, chain=chain, trail=trail,
                           can_amend=access.can_amend(actor, obs), amend_form=AmendForm(), ack_form=AcknowledgeForm(),
                           can_ack=access.can_acknowledge(actor, obs), lesson=lesson,
                           lesson_stats=agreement.lesson_stats(lesson) if lesson else None,
                           criterion_texts=criterion_labels(current_language()) if lesson else {},
                           can_join=actor.has_role(*OBSERVERS) and obs.observer_id != actor.user_id,
                           **_context(obs))


def _editable_or_404(obs_id) -> Observation:
    obs = _visible_or_404(obs_id)
    if obs.observer_id != current_user.id:
        abort(403)
    return obs


@bp.route("/<int:obs_id>/save", methods=["POST"])
@role_required(*OBSERVERS)
def save(obs_id):
    """The checklist form without JavaScript: save the draft (every section's button posts
    the whole form), or save and finish. The fields are parsed by the protocol's items."""
    obs = _editable_or_404(obs_id)
    if not ChecklistForm().validate_on_submit():
        abort(400)
    if obs.status != "draft":
        flash(_("This observation is final and can no longer be changed. Make an amendment."), "error")
        return redirect(url_for(".show", obs_id=obs.id))
    actor = current_principal()
    action = request.form.get("action", "save")
    section = request.form.get("section", "")
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,60}", section):
        section = ""  # only a section key goes into the redirect (a newline there was a 500)
    data, clashes = _changed_only(obs, request.form, conflicts.posted_originals())
    if clashes:
        return _checklist(obs, errors=clashes), 409
    try:
        svc.save_answers(actor, obs, data, current_language())
        if action == "finish":
            svc.finalize(actor, obs, current_language())
            db.session.commit()
            flash(_("The observation is final. The teacher can now see it."), "success")
            return redirect(url_for(".show", obs_id=obs.id))
        db.session.commit()
        flash(_("Draft saved."), "success")
    except svc.ObservationError as error:
        db.session.rollback()
        db.session.refresh(obs)
        return _checklist(obs, errors=[error.message] + [e for e in error.errors if e != error.message]), 400
    return redirect(url_for(".show", obs_id=obs.id) + (f"#section-{section}" if section else ""))


@bp.route("/<int:obs_id>/sync", methods=["POST"])
@role_required(*OBSERVERS)
def sync(obs_id):
    """The offline draft from the browser (JSON, CSRF in the X-CSRFToken header)."""
    obs = _editable_or_404(obs_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("answers"), dict):
        return jsonify(ok=False, error=_("The draft could not be read.")), 400
    if obs.status != "draft":
        return jsonify(ok=False, final=True, error=_("This observation is final and can no longer be changed. "
                                                     "Make an amendment.")), 409
    sent = MultiDict()
    for key, value in payload["answers"].items():
        sent.setlist(str(key), [str(v) for v in value] if isinstance(value, list) else ["" if value is None else str(value)])
    originals = payload.get("originals") if isinstance(payload.get("originals"), dict) else None
    data, clashes = _changed_only(obs, sent, originals)
    if clashes:  # nothing saved; the phone keeps its values and shows both (observations.js)
        protocol = protocol_of(obs.instrument)
        return jsonify(ok=False, conflict=True, error=" ".join(clashes), **conflicts.clash_details(
            checklist_form(protocol, current_language()), answers.form_data(protocol, obs.scores, CHECKLIST),
            sent, originals)), 409
    try:
        svc.save_answers(current_principal(), obs, {k: payload["answers"][k] for k in data}, current_language())
        db.session.commit()
    except svc.ObservationError as error:
        db.session.rollback()
        return jsonify(ok=False, error=error.message, errors=error.errors), 400
    protocol = protocol_of(obs.instrument)
    stored = checklist_form(protocol, current_language())(
        formdata=None, data=answers.form_data(protocol, obs.scores, CHECKLIST), meta={"csrf": False})
    cleaned = sorted(request.control_fields)  # stored without their control characters
    return jsonify(ok=True, revision=obs.revision, progress=svc.progress(obs), values=conflicts.form_values(stored),
                   cleaned=cleaned,
                   notice=_("Invisible control characters were removed from the text.") if cleaned else None)


@bp.route("/<int:obs_id>/amend", methods=["POST"])
@role_required(*OBSERVERS)
def amend(obs_id):
    obs = _visible_or_404(obs_id)
    form = AmendForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for the amendment."), "error")
        return redirect(url_for(".show", obs_id=obs.id))
    try:
        new_obs = svc.amend(current_principal(), obs, form.reason.data)
        db.session.commit()
    except svc.ObservationError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".show", obs_id=obs.id))
    flash(_("An amended version was started; the final version counts until you finish it."), "info")
    return redirect(url_for(".show", obs_id=new_obs.id))


@bp.route("/<int:obs_id>/acknowledge", methods=["POST"])
@role_required(*STAFF)
def acknowledge(obs_id):
    obs = _visible_or_404(obs_id)
    form = AcknowledgeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        svc.acknowledge(current_principal(), obs, form.comment.data)
        db.session.commit()
    except svc.ObservationError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".show", obs_id=obs.id)), 403
    flash(_("Thank you: you have acknowledged the observation."), "success")
    return redirect(url_for(".show", obs_id=obs.id))


@bp.route("/summary")
@role_required(*REPORT_READERS)
def summary():
    """The figures of the observations the reader may see (access.counted: the list's rule);
    the tables by MA and against the observers' plan for the whole-school roles."""
    year, years = _chosen_year()
    year_id = year.id if year else None
    actor = current_principal()
    whole = actor.everything
    lang = current_language()
    texts = criterion_labels(lang)
    criteria = aggregates.by_criterion(actor, year_id)
    for row in criteria:
        row["label"], row["section_title"] = texts.get((row["protocol"], row["item"]), (row["item"], row["section"]))
    sections = aggregates.by_section(actor, year_id)
    for row in sections:
        row["label"] = texts.get((row["protocol"], row["section"]), (row["section"],))[0]
    protocol_titles = {i.key: pick_text(protocol_of(i).title, lang) for i in protocols()}
    teachers = aggregates.by_teacher(actor, year_id)
    mas = aggregates.by_ma(actor, year_id) if whole else []
    purposes = aggregates.by_purpose(actor, year_id)
    plan = aggregates.observers_vs_plan(actor, year_id) if year_id and whole else []
    weakest = criteria[:10]
    drawn = {
        "criteria": charts.hbars([(f"{r['label']}", r["pct"]) for r in weakest], unit="%",
                                 title=_("Weakest criteria across the school")),
        "mas": charts.hbars([(localized_name(_Named(r)), r["pct"]) for r in mas], unit="%",
                            title=_("By methodical association")) if mas else None,
        "purposes": charts.hbars([(str(labels.PURPOSE_LABELS.get(r["purpose"], r["purpose"])), r["pct"])
                                  for r in purposes], unit="%", title=_("By purpose and level")) if purposes else None,
    }
    return render_template("observations/summary.html", year=year, years=years, criteria=criteria,
                           sections=sections, teachers=teachers, mas=mas, purposes=purposes, plan=plan,
                           charts=drawn, protocol_titles=protocol_titles, labels=labels,
                           count=aggregates.counted_count(actor, year_id),
                           can_plan=current_user.has_role("admin", "deputy"))


class _Named:
    def __init__(self, row):
        self.name, self.name_ru = row["name"], row["name_ru"]


@bp.route("/teacher/<int:teacher_id>")
@role_required(*STAFF)
def teacher(teacher_id):
    person = get_scoped_or_404(User, teacher_id)
    actor = current_principal()
    if not access.may_see_teacher(actor, teacher_id):
        abort(404)
    lang = current_language()
    rows = aggregates.teacher_dynamics(actor, teacher_id)
    overall = aggregates.teacher_overall_dynamics(actor, teacher_id)
    terms = [r["term"] for r in overall]
    sections = {}
    for r in rows:
        sections.setdefault(r["section"], {})[r["term"]] = r["pct"]
    section_label = {}
    for (_protocol, key), (text, _title) in criterion_labels(lang).items():
        section_label.setdefault(key, text)
    series = [(_("All criteria"), [r["pct"] for r in overall])]
    series += [(section_label.get(key, key), [values.get(t) for t in terms]) for key, values in sections.items()]
    chart = charts.line_chart(terms, series, title=_("Dynamics by quarter")) if terms else None
    observations = access.list_observations(actor, teacher_id=teacher_id, status="final")
    totals = aggregates.totals_by_observation(actor)
    return render_template("observations/teacher.html", person=person, overall=overall, chart=chart,
                           observations=observations, totals=totals, labels=labels,
                           sections=[(section_label.get(k, k), [v.get(t) for t in terms]) for k, v in sections.items()],
                           terms=terms)


@bp.route("/plan", methods=["GET", "POST"])
@role_required("admin", "deputy")
def plan():
    year = school_service.current_year(current_user.school_id)
    if year is None:
        abort(404)
    form = PlanForm()
    rows = aggregates.observers_vs_plan(current_principal(), year.id)
    if form.validate_on_submit():
        plans, errors = {}, []
        for row in rows:
            raw = request.form.get(f"plan-{row['observer_id']}", "").strip()
            if raw == "":
                plans[row["observer_id"]] = None
            elif whole(raw) is not None and whole(raw) <= 1000:
                plans[row["observer_id"]] = whole(raw)
            else:
                errors.append(_("%(name)s: the plan must be a whole number from 0 to 1000.", name=row["name"]))
        if not errors:
            svc.set_plan(current_principal(), year.id, plans)
            db.session.commit()
            flash(_("The plan is saved."), "success")
            return redirect(url_for(".summary"))
        for e in errors:
            flash(e, "error")
    return render_template("observations/plan.html", form=form, rows=rows, year=year)


@bp.route("/calibration")
@role_required("admin", "deputy")
def calibration():
    """Observers' agreement on jointly observed lessons (agreement.py): overall, per criterion,
    per observer against the others, and the joint lessons."""
    year, years = _chosen_year()
    lessons = agreement.joint_lessons(current_principal(), year.id if year else None)
    texts = criterion_labels(current_language())
    criteria = agreement.by_criterion(lessons)
    for row in criteria:
        row["label"], row["section_title"] = texts.get((row["protocol"], row["item"]), (row["item"], row["section"]))
    return render_template("observations/calibration.html", year=year, years=years, lessons=lessons,
                           overall=agreement.overall(lessons), criteria=criteria,
                           observers=agreement.calibration(lessons), lesson_stats=agreement.lesson_stats)


@bp.route("/export.xlsx")
@role_required(*REPORT_READERS)
def export():
    year, _years_list = _chosen_year()
    if year is None:
        abort(404)
    path = new_temp_path("sapat-observations-")
    workbook.build_workbook(path, actor=current_principal(), year_id=year.id, lang=current_language())
    return send_xlsx(path, f"observations-{year.name}.xlsx")
