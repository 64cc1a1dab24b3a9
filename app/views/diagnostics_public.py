"""The page a student fills a named diagnostic in on (no account, one page, works without
JavaScript): /d/<slug> shows the questionnaire of a student round (app/services/diagnostics/
student_codes.py) with a clear statement that it is NOT anonymous and who will see it; the
student sends it with the personal code from their slip (the QR code of the slip carries it in
`?code=`). /d/<slug>/done thanks them.

The page carries a response UUID signed by the server (the survey pages' own token,
app/services/surveys/public.py) instead of a session CSRF token, so it needs no session; the
code decides whose record it is and works once: a second send is told kindly that the answers
were received already, and nothing changes. Nothing is kept on the phone (no draft: a shared
phone shows the next student nothing).
"""
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.extensions import csrf, db, limiter
from app.i18n import current_language
from app.security import public
from app.services.core import clock
from app.services.diagnostics import student_codes
from app.services.surveys import public as public_service
from forms.builder import build_form, condition_hints, form_answers
from forms.surveys import SurveyPage

bp = Blueprint("diagnostics_public", __name__, url_prefix="/d")


@bp.context_processor
def _helpers():
    return {"condition_hints": condition_hints}


def _submit_limit() -> str:
    return current_app.config.get("SURVEY_RATE_LIMIT", "600 per minute")


def _wrong_code_limit() -> str:
    return current_app.config["SURVEY_WRONG_CODE_LIMIT"]


def _round_key() -> str:
    return "d:" + (request.view_args or {}).get("slug", "")[:64]


def _wrong_code(_response) -> bool:
    return bool(g.get("diagnostic_wrong_code"))


def _round_or_404(slug: str):
    rnd = student_codes.round_by_slug(slug)
    if rnd is None:
        abort(404)
    if rnd.slug != slug:  # typed from paper with Cyrillic look-alikes: the round's own address
        query = urlencode(list(request.args.items(multi=True)))  # as sent: ?slug= or ?_external= are no arguments here
        abort(redirect(url_for(request.endpoint, slug=rnd.slug) + ("?" + query if query else ""), 308))
    return rnd


def _fresh(page, status: int = 200):
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _refused(rnd, spec, lang, reason: str):
    message = {
        "not_allowed": _("Your school does not allow students to fill in named questionnaires. "
                         "Ask your class teacher."),
        "closed": _("This questionnaire is closed: it does not accept answers any more."),
    }[reason]
    return _fresh(render_template("diagnostics/public_refused.html", rnd=rnd, spec=spec, lang=lang,
                                  message=message), 403)


def _received(rnd, spec, lang, status: int = 200):
    return _fresh(render_template("diagnostics/public_done.html", rnd=rnd, spec=spec, lang=lang, again=True), status)


def _token_slug(slug: str) -> str:
    return "d:" + slug


@bp.route("/<slug>", methods=["GET", "POST"])
@limiter.limit(_submit_limit, methods=["POST"])
@limiter.limit(_wrong_code_limit, key_func=_round_key, methods=["GET", "POST"], deduct_when=_wrong_code,
               scope="diagnostic-wrong-code")  # GET too: ?code= tells a valid code by the student's name
@csrf.exempt  # the page carries its own signed UUID instead of a session token, and the send a personal code
@public
def fill(slug):
    rnd = _round_or_404(slug)
    spec, lang = rnd.instrument.spec, current_language()
    reason = student_codes.accepts(rnd)
    if reason:
        return _refused(rnd, spec, lang, reason)
    form_class = build_form(spec, lang=lang, base=SurveyPage)
    secret = current_app.config["SECRET_KEY"]
    if request.method == "GET":
        code = request.args.get("code", "")[:20]
        student = student_codes.student_of(rnd, code)
        if code and student is None and student_codes.code_spent(rnd, code):
            return _received(rnd, spec, lang)
        g.diagnostic_wrong_code = bool(code.strip()) and student is None
        form = form_class(formdata=None, data={"code": code})
        form.client_uuid.data, form.signature.data = public_service.issue_uuid(secret, _token_slug(slug))
        return _fresh(_page(rnd, spec, lang, form, student))
    form = form_class()
    problem = None
    keys = [secret, *(current_app.config.get("SECRET_KEY_FALLBACKS") or ())]
    if not any(public_service.uuid_is_signed(key, _token_slug(slug), form.client_uuid.data, form.signature.data)
               for key in keys):
        problem = _("The page was out of date. Check your answers and send them again.")
        form.client_uuid.data, form.signature.data = public_service.issue_uuid(secret, _token_slug(slug))
    elif form.validate():
        try:
            student_codes.submit(rnd, form.code.data, form_answers(form), clock.today(rnd.class_group.school))
            db.session.commit()
        except student_codes.RoundError as error:
            db.session.rollback()
            if error.code in ("closed", "not_allowed"):
                return _refused(rnd, spec, lang, error.code)
            if error.code == "code_used":
                return _received(rnd, spec, lang, 409)
            g.diagnostic_wrong_code = error.code == "code_unknown"
            form.code.errors = [*form.code.errors, {
                "code_required": _("Enter the code from your slip."),
            }.get(error.code, _("This code is not valid for this questionnaire. Check the letters and digits."))]
        else:
            return redirect(url_for(".done", slug=rnd.slug, lang=request.args.get("lang")), 303)
    return _fresh(_page(rnd, spec, lang, form, None, problem), 400)


def _page(rnd, spec, lang, form, student, problem=None):
    return render_template("diagnostics/public_fill.html", rnd=rnd, spec=spec, lang=lang, form=form,
                           student=student, problem=problem, school=rnd.class_group.school)


@bp.route("/<slug>/done")
@public
def done(slug):
    rnd = _round_or_404(slug)
    return _fresh(render_template("diagnostics/public_done.html", rnd=rnd, spec=rnd.instrument.spec,
                                  lang=current_language()))
