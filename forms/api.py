"""Forms of the API tokens page: a new token's name and lifetime; revoking one of one's own tokens."""
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange

from app.services.api.tokens import DEFAULT_LIFETIME, LIFETIMES, NAME_LENGTH
from forms.base import SapatForm

LIFETIME_MESSAGE = _l("Choose how long the token stays valid: %(values)s days.")  # AnyOf: "30, 90, 365"
LIFETIME_LABELS = {30: _l("30 days"), 90: _l("90 days"), 365: _l("365 days (a year)")}


def _days(value):
    """A lifetime as sent (ASCII digits, at most four; "9_0", "٩٠", "-1" or 10**20 are nothing)
    or as a choice's own int; anything else None, which AnyOf refuses."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 4:
        return int(value)
    return None


class TokenForm(SapatForm):
    name = StringField(_l("Name of the token"), validators=[DataRequired(), Length(max=NAME_LENGTH)],
                       description=_l("What will use it, e.g. the district's reporting system."))
    lifetime = SelectField(_l("Valid for"), choices=[(days, LIFETIME_LABELS[days]) for days in LIFETIMES],
                           coerce=_days, default=DEFAULT_LIFETIME, validate_choice=False,
                           validators=[AnyOf(LIFETIMES, message=LIFETIME_MESSAGE)],
                           description=_l("After that the token opens nothing: make a new one on this page."))


class RevokeForm(SapatForm):
    token_id = IntegerField(validators=[DataRequired(), NumberRange(1, 2**63 - 1)])
    action = HiddenField(default="revoke")
