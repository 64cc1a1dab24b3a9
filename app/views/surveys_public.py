"""The public survey pages: no account, the whole questionnaire on one page, works without JavaScript.

/s/<slug>        the questionnaire (code field in code mode); POST stores the complete response
/s/<slug>/done   thank-you page

Nothing is stored until the parent sends the page: surveys.js shows one section at a time
and keeps a draft on the phone (localStorage), so closing the page or losing the connection
loses nothing. Every page carries a response UUID signed by the server; a repeated submit of
the same UUID shows the thank-you page and stores nothing new. The page needs no session,
and its questions are rendered once per questionnaire version and language.

One filling, one response, whatever the browser does (README "Once-only writes"): sending
keeps the stored UUID in a cookie of the link (`sapat_s_<slug>`, signed like the page; no
cookie is set before that); the page is never cached (no-store, so Back asks the server
again). Once this browser's UUID is stored, the link's page says "already answered" and a
POST from an old page, Back or another tab stores nothing (link mode; in code mode a new
family comes with a new code, so the page opens again and a spent code is refused).
"""
from datetime import date
from functools import lru_cache
from typing import Optional

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user
from markupsafe import Markup

from app.extensions import csrf, db, limiter
from app.i18n import current_language
from app.security import public
from app.services.core import clock
from app.services.surveys import campaigns as campaign_service
from app.services.surveys import public as public_service
from app.web import set_private_cookie
from forms.builder import build_form, condition_hints, form_answers
from forms.surveys import SurveyPage

bp = Blueprint("surveys_public", __name__, url_prefix="/s")


@bp.context_processor
def _helpers():
    return {"condition_hints": condition_hints}


# Who may send how much (config.py has the numbers). A classroom of parents behind one school
# Wi-Fi or mobile NAT shares an address, and a parent's phone retries a send that timed out; a
# flood of fake responses to an open link comes from one address or, rotating addresses, at one
# link. So only a *stored new response* counts towards the address, link and address-and-link
# limits (a retry, a refused page or a wrong code costs nothing there); every POST of one
# response UUID counts towards its own small limit, and every POST towards a generous one per
# address. The address is the client's, behind SAPAT_TRUSTED_PROXIES proxies (ProxyFix).

def _setting(name: str):
    return lambda: current_app.config[name]


def submit_limit() -> str:
    """Every POST per address (a guard against raw request floods)."""
    return current_app.config.get("SURVEY_RATE_LIMIT", "600 per minute")


def _slug() -> str:
    return (request.view_args or {}).get("slug", "")[:64]


def _uuid_key() -> str:
    return "uuid:" + str(request.form.get("client_uuid", ""))[:40]


def _link_key() -> str:
    return "link:" + _slug()


def _link_address_key() -> str:
    return f"link:{_slug()}:{get_remote_address()}"


def _stored(_response) -> bool:
    return bool(g.get("survey_stored"))


def _wrong_code(_response) -> bool:
    return bool(g.get("survey_wrong_code"))


def _link_or_404(slug) -> public_service.PublicLink:
    link = public_service.public_link(slug)
    if link is None:
        abort(404)
    if link.slug != slug:  # typed from paper with Cyrillic look-alikes: the link's own address
        abort(redirect(url_for(request.endpoint, slug=link.slug), 308))
    return link


def _error_message(error: campaign_service.SurveyError) -> str:
    return {
        "code_required": _("Enter the access code from your slip."),
        "code_used": _("This code has already been used."),
        "code_unknown": _("This code is not valid for this class. Check the letters and digits."),
        "bad_uuid": _("The page was out of date. Check your answers and send them again."),
    }.get(error.code, _("The answer could not be saved."))


def _today(link) -> date:
    """Today on the wall clock of the campaign's school (not the server's)."""
    return clock.today(link.school_timezone)


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
@limiter.limit(_setting("SURVEY_UUID_LIMIT"), key_func=_uuid_key, methods=["POST"], scope="uuid")
@limiter.limit(_setting("SURVEY_LINK_ADDRESS_LIMIT"), key_func=_link_address_key, methods=["POST"],
               deduct_when=_stored, scope="link-address")
@limiter.limit(_setting("SURVEY_ADDRESS_LIMIT"), methods=["POST"], deduct_when=_stored, scope="address")
@limiter.limit(_setting("SURVEY_LINK_LIMIT"), key_func=_link_key, methods=["POST"], deduct_when=_stored,
               scope="link")
@limiter.limit(_setting("SURVEY_WRONG_CODE_LIMIT"), key_func=_link_key, methods=["POST"],
               deduct_when=_wrong_code, scope="wrong-code")
@csrf.exempt  # the page carries its own signed UUID instead of a session token
@public
def survey(slug):
    link = _link_or_404(slug)
    spec = public_service.link_spec(link)
    lang = current_language()
    if not campaign_service.accepts_answers(link, _today(link)):
        return _closed(link, spec, lang)
    form_class, questions = _blank_form(link, lang)
    secret = current_app.config["SECRET_KEY"]
    keys = [secret, *(current_app.config.get("SECRET_KEY_FALLBACKS") or ())]  # pages served before a key change
    kept = _kept_uuid(slug, keys)
    sent = kept is not None and public_service.response_by_uuid(link.target_id, kept[0]) is not None
    if sent and link.access_mode != "codes":
        if request.method == "GET":
            return _fresh(render_template("surveys/public_done.html", link=link, spec=spec, lang=lang, again=True))
        return redirect(url_for(".done", slug=slug, lang=request.args.get("lang")))  # stores nothing
    if request.method == "GET":
        client_uuid, signature = public_service.issue_uuid(secret, slug)
        if current_user.is_authenticated or session.get("_flashes"):
            return _fresh(_page(link, spec, lang, questions, client_uuid, signature))
        return _fresh(_blank_page(link, lang).replace(_UUID_SLOT, client_uuid).replace(_SIGNATURE_SLOT, signature))
    form = form_class()
    problem = None
    if not any(public_service.uuid_is_signed(key, slug, form.client_uuid.data, form.signature.data) for key in keys):
        problem = _("The page was out of date. Check your answers and send them again.")
        form.client_uuid.data, form.signature.data = public_service.issue_uuid(secret, slug)
    elif form.validate():
        try:
            stored = public_service.submit_response(link, spec, form.client_uuid.data, form_answers(form), _today(link),
                                                    code=form.code.data, language=lang)
            db.session.commit()
            g.survey_stored = stored
        except campaign_service.SurveyError as error:
            db.session.rollback()
            g.survey_wrong_code = error.code == "code_unknown"
            if error.code == "closed":
                return _closed(link, spec, lang)
            if error.code.startswith("code_"):
                form.code.errors = [*form.code.errors, _error_message(error)]
            else:
                problem = _error_message(error)
        else:
            return _keep_uuid(redirect(url_for(".done", slug=slug, lang=request.args.get("lang"))), slug,
                              form.client_uuid.data, form.signature.data)
    page = _page(link, spec, lang, None, form.client_uuid.data, form.signature.data, form=form, problem=problem)
    return _fresh(page, 400)


KEPT_DAYS = 180  # longer than any campaign


def _cookie_name(slug: str) -> str:
    return "sapat_s_" + "".join(ch for ch in slug if ch.isalnum() or ch in "-_")


def _kept_uuid(slug: str, keys: list) -> Optional[tuple[str, str]]:
    """The (UUID, signature) this browser keeps for the link, when its signature holds."""
    client_uuid, _dot, signature = request.cookies.get(_cookie_name(slug), "").partition(".")
    if any(public_service.uuid_is_signed(key, slug, client_uuid, signature) for key in keys):
        return client_uuid, signature
    return None


def _keep_uuid(response, slug: str, client_uuid: str, signature: str):
    set_private_cookie(response, _cookie_name(slug), f"{client_uuid}.{signature}", max_age=KEPT_DAYS * 24 * 3600)
    return response


def _fresh(page, status: int = 200):
    """A response the browser must fetch again on Back or reload (no-store: no copy in a cache
    or in the back/forward cache that would show the answered form with a new chance to send)."""
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    return response


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
