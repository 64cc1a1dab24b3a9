"""The public survey pages: no account, the whole questionnaire on one page, works without JavaScript.

/s/<slug>        the questionnaire (code field in code mode); POST stores the complete response
/s/<slug>/done   thank-you page

Nothing is stored until the parent sends the page: surveys.js shows one section at a time
and keeps a draft on the phone (localStorage), so closing the page or losing the connection
loses nothing. Every page carries a response UUID signed by the server; a repeated submit of
the same UUID shows the thank-you page and stores nothing new. The page needs no session,
and its questions are rendered once per questionnaire version and language.
"""
from datetime import date
from functools import lru_cache

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.extensions import csrf, db, limiter
from app.i18n import current_language
from app.security import public
from app.services.surveys import campaigns as campaign_service
from app.services.surveys import public as public_service
from forms.builder import build_form, form_answers
from forms.surveys import SurveyPage

bp = Blueprint("surveys_public", __name__, url_prefix="/s")

def submit_limit() -> str:
    """POSTs per address; parents behind one mobile operator's NAT share an address, so not too low.
    Set SURVEY_RATE_LIMIT in the configuration to change it."""
    return current_app.config.get("SURVEY_RATE_LIMIT", "60 per minute")


def _link_or_404(slug) -> public_service.PublicLink:
    link = public_service.public_link(slug)
    if link is None:
        abort(404)
    return link


def _error_message(error: campaign_service.SurveyError) -> str:
    return {
        "code_required": _("Enter the access code from your slip."),
        "code_used": _("This code has already been used."),
        "code_unknown": _("This code is not valid for this class. Check the letters and digits."),
        "bad_uuid": _("The page was out of date. Check your answers and send them again."),
    }.get(error.code, _("The answer could not be saved."))


def _today() -> date:
    return date.today()


def _closed(link, spec, lang):
    return render_template("surveys/public_closed.html", link=link, spec=spec, lang=lang), 403


@lru_cache(maxsize=64)
def _blank_form(link: public_service.PublicLink, lang: str):
    """The form class and the rendered unanswered questions, built once per link and language
    (the key holds the instrument's content hash; instruments never change)."""
    spec = public_service.link_spec(link)
    form_class = build_form(spec, lang=lang, base=SurveyPage)
    questions = Markup(render_template("surveys/_questions.html", form=form_class(formdata=None), spec=spec,
                                       lang=lang))
    return form_class, questions


_UUID_SLOT, _SIGNATURE_SLOT = "00000000-0000-4000-8000-000000000000", "0" * 32


@lru_cache(maxsize=256)
def _blank_page(link: public_service.PublicLink, lang: str) -> str:
    """The whole page an anonymous parent gets, with slots for the UUID and its signature.
    The key holds every value of the link that the page shows (status, dates, names), so a
    change to the campaign or school gives a new page."""
    return _page(link, public_service.link_spec(link), lang, _blank_form(link, lang)[1], _UUID_SLOT, _SIGNATURE_SLOT)


@bp.route("/<slug>", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"])
@csrf.exempt  # the page carries its own signed UUID instead of a session token
@public
def survey(slug):
    link = _link_or_404(slug)
    spec = public_service.link_spec(link)
    lang = current_language()
    if not campaign_service.accepts_answers(link, _today()):
        return _closed(link, spec, lang)
    form_class, questions = _blank_form(link, lang)
    secret = current_app.config["SECRET_KEY"]
    if request.method == "GET":
        client_uuid, signature = public_service.issue_uuid(secret, slug)
        if current_user.is_authenticated or session.get("_flashes"):
            return _page(link, spec, lang, questions, client_uuid, signature)
        return _blank_page(link, lang).replace(_UUID_SLOT, client_uuid).replace(_SIGNATURE_SLOT, signature)
    form = form_class()
    problem = None
    if not public_service.uuid_is_signed(secret, slug, form.client_uuid.data, form.signature.data):
        problem = _("The page was out of date. Check your answers and send them again.")
        form.client_uuid.data, form.signature.data = public_service.issue_uuid(secret, slug)
    elif form.validate():
        try:
            public_service.submit_response(link, spec, form.client_uuid.data, form_answers(form), _today(),
                                    code=form.code.data, language=lang)
            db.session.commit()
        except campaign_service.SurveyError as error:
            db.session.rollback()
            if error.code == "closed":
                return _closed(link, spec, lang)
            if error.code.startswith("code_"):
                form.code.errors = [*form.code.errors, _error_message(error)]
            else:
                problem = _error_message(error)
        else:
            return redirect(url_for(".done", slug=slug, lang=request.args.get("lang")))
    return _page(link, spec, lang, None, form.client_uuid.data, form.signature.data, form=form, problem=problem), 400


def _page(link, spec, lang, questions, client_uuid, signature, form=None, problem=None):
    return render_template("surveys/public_survey.html", link=link, spec=spec, lang=lang, questions=questions,
                           form=form, client_uuid=client_uuid, signature=signature, problem=problem,
                           codes=link.access_mode == "codes")


@bp.route("/<slug>/done")
@public
def done(slug):
    link = _link_or_404(slug)
    return render_template("surveys/public_done.html", link=link, spec=public_service.link_spec(link),
                           lang=current_language())
