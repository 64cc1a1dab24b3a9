"""The audit log's filter form (a GET form: it changes nothing, so it has no CSRF token)."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from forms.base import SapatForm


def _optional_int(value):
    try:
        number = int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return None
    # An id beyond the database's integers matches no user (and would be a 500 in the query).
    return number if number is None or -2**63 <= number < 2**63 else None


class AuditFilterForm(SapatForm):
    class Meta:
        csrf = False

    entity = SelectField(_l("Object"), validators=[Optional()], validate_choice=False)
    action = SelectField(_l("Action"), validators=[Optional()], validate_choice=False)
    user_id = SelectField(_l("Who"), coerce=_optional_int, validators=[Optional()], validate_choice=False)
    entity_id = StringField(_l("Object number"), validators=[Optional(), Length(max=60)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
