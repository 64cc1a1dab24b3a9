"""The read API: /api/v1/ (JSON, bearer tokens, the OpenAPI document at /api/v1/openapi.json,
installed through flask-smorest by `app.views.api.install`) and the page where a school's
director or deputy, or a district's staff, make and revoke their tokens (/api/tokens)."""
from flask_babel import lazy_gettext as _l

from app.features import Feature, Link
from app.services.api import tokens
from app.views import api, api_tokens

feature = Feature(
    name="api",
    blueprints=(api_tokens.bp,),
    nav=(Link(tokens.HOLDERS, _l("API tokens"), "api_tokens.index"),),
    setup=api.install,
)
