"""The public survey pages: no account, one section per page, works without JavaScript.

/s/<slug>            start page (code field in code mode); POST creates the draft response
/s/<slug>/<n>        section n; POST saves it (answers are kept after each section)
/s/<slug>/done       thank-you page

A random resume token in an HttpOnly cookie lets the respondent close the page and continue
later on the same device; it is never the access code. Every page carries the response's UUID,
so a repeated final submit shows the thank-you page and stores nothing new.
"""
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.extensions import db, limiter
from app.i18n import current_language
from app.security import public
from app.services import surveys as service
from forms.builder import build_form, form_answers
from forms.surveys import StartForm, SurveyPage

bp = Blueprint("surveys_public", __name__, url_prefix="/s")

COOKIE_DAYS = 30


def submit_limit() -> str:
    """POSTs per address; parents behind one mobile operator's NAT share an address, so not too low.
    Set SURVEY_RATE_LIMIT in the configuration to change it."""
    return current_app.config.get("SURVEY_RATE_LIMIT", "60 per minute")


def _cookie_name(target) -> str:
    return f"sapat_r{target.id}"


def _target_or_404(slug):
    target = service.target_by_slug(slug)
    if target is None:
        abort(404)
    return target


def _error_message(error: service.SurveyError) -> str:
    return {
        "closed": _("This survey is not accepting answers now."),
        "code_required": _("Enter the access code from your slip."),
        "code_used": _("This code has already been used."),
        "code_unknown": _("This code is not valid for this class. Check the letters and digits."),
        "bad_uuid": _("The page is out of date. Please start again."),
    }.get(error.code, _("The answer could not be saved."))


def _today() -> date:
    return date.today()


def _closed(target):
    return render_template("surveys/public_closed.html", target=target, campaign=target.campaign), 403


@bp.route("/<slug>", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"])
@public
def start(slug):
    target = _target_or_404(slug)
    campaign = target.campaign
    spec = campaign.instrument.spec
    response = service.response_by_token(target, request.cookies.get(_cookie_name(target)))
    if request.method == "GET" and response is not None:
        if response.status == "complete":
            return redirect(url_for(".done", slug=slug))
        return redirect(url_for(".section", slug=slug, n=response.next_section))
    if not service.accepts_answers(campaign, _today()):
        return _closed(target)
    form = StartForm()
    if request.method == "GET":
        form.client_uuid.data = service.new_client_uuid()
    if form.validate_on_submit():
        try:
            started = service.start_response(target, form.client_uuid.data, _today(), code=form.code.data,
                                             language=current_language())
            db.session.commit()
        except service.SurveyError as error:
            db.session.rollback()
            if error.code == "closed":
                return _closed(target)
            form.code.errors.append(_error_message(error))
        else:
            if started.response.status == "complete":
                return redirect(url_for(".done", slug=slug))
            resp = redirect(url_for(".section", slug=slug, n=started.response.next_section))
            if started.token:
                resp.set_cookie(_cookie_name(target), started.token, max_age=COOKIE_DAYS * 86400,
                                path=f"/s/{slug}", httponly=True, samesite="Lax", secure=request.is_secure)
            return resp
    return render_template("surveys/public_start.html", target=target, campaign=campaign, spec=spec,
                           form=form, codes=campaign.access_mode == "codes",
                           sections=len(spec.sections)), 200 if request.method == "GET" or not form.errors else 400


@bp.route("/<slug>/<int:n>", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"])
@public
def section(slug, n):
    target = _target_or_404(slug)
    campaign = target.campaign
    spec = campaign.instrument.spec
    if not 0 <= n < len(spec.sections):
        abort(404)
    response = service.response_by_token(target, request.cookies.get(_cookie_name(target)))
    if response is None:
        # A repeated final submit after the cookie was cleared: the UUID finds the finished response.
        done = service.response_by_uuid(target, request.form.get("client_uuid", "")) \
            if request.method == "POST" else None
        if done is not None and done.status == "complete":
            return redirect(url_for(".done", slug=slug))
        flash(_("Your answers on this device were not found. Please start again."), "warning")
        return redirect(url_for(".start", slug=slug))
    if response.status == "complete":
        return redirect(url_for(".done", slug=slug))
    if not service.accepts_answers(campaign, _today()):
        return _closed(target)
    saved = service.saved_answers(response.id)
    visible = service.visible_sections(spec, saved)
    if n > response.next_section or n not in visible:
        return redirect(url_for(".section", slug=slug, n=response.next_section))
    lang = current_language()
    form_class = build_form(spec, section=n, lang=lang, answers=saved, base=SurveyPage)
    form = form_class(data=_prefill(form_class, saved)) if request.method == "GET" else form_class()
    form.client_uuid.data = response.client_uuid
    if request.method == "POST":
        if form.validate_on_submit():
            if request.form.get("client_uuid") != response.client_uuid:
                flash(_("The page is out of date. Please start again."), "warning")
                return redirect(url_for(".section", slug=slug, n=response.next_section))
            try:
                finished = service.save_section(response, spec, n, form_answers(form), _today())
                db.session.commit()
            except service.SurveyError:
                db.session.rollback()
                return _closed(target)
            if finished:
                resp = redirect(url_for(".done", slug=slug))
                resp.delete_cookie(_cookie_name(target), path=f"/s/{slug}")
                return resp
            return redirect(url_for(".section", slug=slug, n=response.next_section))
        status = 400
    else:
        status = 200
    position = visible.index(n)
    previous = visible[position - 1] if position > 0 else None
    return render_template("surveys/public_section.html", target=target, campaign=campaign, spec=spec,
                           section=spec.sections[n], form=form, n=n, step=position + 1, steps=len(visible),
                           previous=previous, last=position == len(visible) - 1, lang=lang), status


def _prefill(form_class, saved: dict) -> dict:
    data = {}
    for entry in form_class.layout:
        for key, name in zip(entry.item.answer_keys(), entry.fields):
            if key in saved:
                data[name] = saved[key]
        if entry.comment and f"{entry.item.key}.comment" in saved:
            data[entry.comment] = saved[f"{entry.item.key}.comment"]
    return data


@bp.route("/<slug>/done")
@public
def done(slug):
    target = _target_or_404(slug)
    return render_template("surveys/public_done.html", target=target, campaign=target.campaign)
