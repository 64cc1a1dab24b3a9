"""The read API, /api/v1/ (GET only, JSON): schools, years, indicators, learning results,
campaigns and survey indices of the bearer token's scope (app/services/api/). flask-smorest
reads the marshmallow schemas (app/views/api_schemas.py) to check the query and to write the
OpenAPI document, /api/v1/openapi.json. No session or cookie counts here: every request but the
document's carries `Authorization: Bearer <token>`; errors are JSON with a message in the
language of Accept-Language (an expired token's says so); each token has its own rate limit
(API_RATE_LIMIT)."""
from typing import Optional

from flask import Blueprint as FlaskBlueprint
from flask import current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin
from flask_smorest import Api, Blueprint, abort
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from app.extensions import db, limiter
from app.i18n import current_language
from app.security import public
from app.services.api import read, tokens
from app.views.api_schemas import (
    CampaignArgs,
    CampaignPage,
    ErrorOut,
    IndicatorPage,
    ResultArgs,
    ResultPage,
    SchoolArgs,
    SchoolPage,
    SurveyIndicesOut,
    YearArgs,
    YearPage,
)

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX, description="Sapat's read API: figures of the token's schools.")
OPEN = {"api.openapi"}  # no token needed


class SapatApi(Api):
    """flask-smorest's Api without its app-wide JSON error pages (the site's pages keep their own;
    this blueprint answers its errors itself) and without its documentation blueprint (the
    document is served at /api/v1/openapi.json by this blueprint)."""

    def _register_error_handlers(self):
        pass

    def _register_doc_blueprint(self):
        pass


def _messages():
    return {
        401: _("A valid API token is needed: send the header Authorization: Bearer <token>."),
        403: _("The owner of this token may no longer read through the API."),
        404: _("Not found, or not among this token's schools."),
        405: _("The API only reads: use GET."),
        422: _("The request's parameters are not valid."),
        429: _("Too many requests with this token: wait a minute and try again."),
        500: _("The API could not answer: something went wrong on our side."),
    }


def _error(code: int, errors=None, reason=None):
    """The JSON error answer; `reason` tokens.EXPIRED: a 401 saying the token has expired (and,
    for programs, error="invalid_token" in WWW-Authenticate as RFC 6750 names it)."""
    message = _messages().get(code, _("The API refused the request."))
    if reason == tokens.EXPIRED:
        message = _("This API token has expired: make a new one on the API tokens page (/api/tokens/).")
    body = {"code": code, "status": HTTP_STATUS_CODES.get(code, "Error"), "message": message}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = code
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="sapat"' + (
            ', error="invalid_token", error_description="The token has expired"' if reason == tokens.EXPIRED else "")
    return response


@bp.errorhandler(HTTPException)
def _http_error(error):
    data = getattr(error, "data", None) or {}
    return _error(error.code or 500, data.get("messages"))


@bp.errorhandler(Exception)
def _unexpected(error):
    db.session.rollback()
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return _error(500)


@bp.before_request
def _authenticate():
    g._login_user = AnonymousUserMixin()  # a session cookie never counts here
    if request.endpoint in OPEN:
        return None
    try:
        g.api_scope = tokens.authenticate(request.headers.get("Authorization"))
    except tokens.Refused as refused:
        return _error(refused.status, reason=refused.reason)
    return None


@bp.after_request
def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Authorization, Accept-Language"
    return response


def _rate_key() -> str:
    header = request.headers.get("Authorization") or ""
    return "api-token:" + tokens.digest(header)[:32] if header else "api-address:" + (request.remote_addr or "-")


def _page(items: list, args: dict, total: Optional[int] = None, **extra) -> dict:
    """The page of `items` that ?limit= and ?offset= ask for, with `extra` beside it; `total` given:
    `items` is that page already (the query paged them) and `total` their number in all pages."""
    limit, offset = args["limit"], args["offset"]
    if total is None:
        total, items = len(items), items[offset:offset + limit]
    return {"total": total, "limit": limit, "offset": offset, "items": items, **extra}


def _read(fn, *args):
    try:
        return fn(*args)
    except read.NotFound:
        abort(404)


LIFETIMES_TEXT = ", ".join(map(str, tokens.LIFETIMES[:-1])) + f" or {tokens.LIFETIMES[-1]} days"
ERRORS_DOCUMENTED = {401: f"no valid token: none, unknown, revoked or expired (a token expires {LIFETIMES_TEXT} "
                          "after it is made, as its owner chose)",
                     403: "the token's owner may no longer use the API",
                     404: "not found or outside the token's scope", 422: "invalid parameters",
                     429: "too many requests with this token (API_RATE_LIMIT)"}


def errors_documented(fn):
    """The error answers of an endpoint, in the OpenAPI document."""
    for code, description in ERRORS_DOCUMENTED.items():
        fn = bp.alt_response(code, schema=ErrorOut, description=description)(fn)
    return fn


def endpoint(path: str, args, out):
    """A GET endpoint at `path` that the bearer token opens (no session: app.services.api.tokens),
    its query checked by the schema `args`, its answer written by `out`, its errors documented."""
    def decorate(fn):
        fn = bp.response(200, out)(errors_documented(fn))
        return bp.route(path)(public(bp.arguments(args, location="query")(fn)))
    return decorate


@endpoint("/schools", SchoolArgs, SchoolPage)
def schools(args):
    """The schools of the token's scope (a school token: its school; a district token: the district's)."""
    found = _read(read.schools, g.api_scope, args.get("school_id"))
    return _page([{"id": s.id, "code": s.code, "name": s.name, "name_ru": s.name_ru, "district_id": s.district_id}
                  for s in found], args)


@endpoint("/years", SchoolArgs, YearPage)
def years(args):
    """The academic years of the scope's schools, newest first (each school keeps its own)."""
    found = _read(read.years, g.api_scope, args.get("school_id"))
    return _page([{"id": y.id, "school_id": y.school_id, "name": y.name, "starts_on": y.starts_on,
                   "ends_on": y.ends_on, "is_current": y.is_current} for y in found], args)


@endpoint("/indicators", YearArgs, IndicatorPage)
def indicators(args):
    """Every catalogue indicator of each school for a year: value, n, target, threshold, status
    (as the school's monitoring dashboard and the district's indicators page show them)."""
    year, rows = _read(read.indicators, g.api_scope, args.get("school_id"), args.get("year"), current_language())
    return _page(rows, args, year=year)


@endpoint("/results", ResultArgs, ResultPage)
def results(args):
    """Learning results of the term marks: n, n5..n1, absent, pass rate, quality, SOU and mean by
    school, class, grade or subject; a district token asking for all its schools also gets the
    district's rows (school_id null), computed from all the marks, never averaged."""
    year, term, rows = _read(read.learning_results, g.api_scope, args.get("school_id"), args.get("year"),
                             args.get("term"), args["by"])
    return _page(rows, args, year=year, term=term.key if term else None, by=args["by"])


@endpoint("/campaigns", YearArgs, CampaignPage)
def campaigns(args):
    """The scope's questionnaire campaigns (not drafts), newest first; no codes, links or salts."""
    total, rows = _read(read.campaigns, g.api_scope, args.get("school_id"), args.get("year"), args["limit"],
                        args["offset"])
    return _page(rows, args, total)


@endpoint("/survey-indices", CampaignArgs, SurveyIndicesOut)
def survey_indices(args):
    """A campaign's scale indices (0-100) overall and per class, as its results page publishes them:
    none while it is open, only its respondents below the minimum group, hidden classes without figures."""
    return _read(read.survey_indices, g.api_scope, args["campaign_id"])


@public
def openapi():
    """The OpenAPI document of this API (no token needed, no rate limit: it is the same document for
    everyone, built once per process, and tools that read it fetch it often)."""
    api = current_app.extensions["sapat_api"]
    if api.document is None:
        api.document = api.spec.to_dict()
    return jsonify(api.document)


FlaskBlueprint.add_url_rule(bp, "/openapi.json", "openapi", openapi)

API_SETTINGS = {
    "API_TITLE": "Sapat read API", "API_VERSION": "v1", "OPENAPI_VERSION": "3.0.3",
    "API_SPEC_OPTIONS": {
        "info": {"description": "Figures of a school's or a district's education-quality monitoring. "
                                "Send Authorization: Bearer <token> (made on the API tokens page). "
                                f"A token expires {LIFETIMES_TEXT} after it is made, as its owner chose; "
                                "an expired token gets 401 with WWW-Authenticate error=\"invalid_token\" "
                                "and a new one is made on the same page."},
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    },
}


def install(app) -> None:
    """Install the API on the app: its settings, the OpenAPI generator and the blueprint."""
    for key, value in API_SETTINGS.items():
        app.config.setdefault(key, value)
    api = SapatApi(app)
    api.document = None  # the OpenAPI document, built at its first request
    api.register_blueprint(bp)
    limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=_rate_key, scope="api",
                  exempt_when=lambda: request.endpoint in OPEN)(bp)
    app.extensions["sapat_api"] = api
