"""Forms of the monitoring programme: indicators and their values."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FloatField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.services.monitoring.labels import DIRECTION_LABELS, GOOD_LABELS, PERIODICITY_LABELS, UNIT_LABELS
from forms.base import SapatForm


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


_FINITE = NumberRange(min=-1_000_000_000, max=1_000_000_000)


class IndicatorValueForm(SapatForm):
    term_id = SelectField(_l("Period"), coerce=_optional_int, validate_choice=True)
    # NumberRange also refuses nan and inf (a 500 on SQLite, nonsense on PostgreSQL).
    value = FloatField(_l("Value"), validators=[InputRequired(message=_l("Enter a number.")), _FINITE])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    evidence = TextAreaField(_l("Evidence"), validators=[Optional(), Length(max=2000)],
                             description=_l("Where the figure comes from: a document, a protocol, an order."))


class IndicatorTargetForm(SapatForm):
    """What a school may change in a shipped (invariant) indicator."""

    target = FloatField(_l("Target"), validators=[Optional(), _FINITE])
    threshold = FloatField(_l("Threshold"), validators=[Optional(), _FINITE],
                           description=_l("The least acceptable value: below it the light is red."))
    active = BooleanField(_l("In use"), default=True)


class IndicatorForm(IndicatorTargetForm):
    """A variable (school-specific) indicator, always entered by hand."""

    key = StringField(_l("Key"), validators=[DataRequired(), Length(max=60)],
                      description=_l("Short Latin name without spaces, e.g. ma_science_lab_works."))
    name_ky = StringField(_l("Name in Kyrgyz"), validators=[DataRequired(), Length(max=300)])
    name_ru = StringField(_l("Name in Russian"), validators=[DataRequired(), Length(max=300)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=300)])
    direction = SelectField(_l("Direction"), coerce=int, choices=list(DIRECTION_LABELS.items()))
    unit = SelectField(_l("Unit"), choices=list(UNIT_LABELS.items()))
    periodicity = SelectField(_l("Periodicity"), choices=list(PERIODICITY_LABELS.items()))
    good = SelectField(_l("Better when"), choices=list(GOOD_LABELS.items()))
    responsible_role = SelectField(_l("Responsible"), choices=[])
    method_ky = TextAreaField(_l("Method of calculation (Kyrgyz)"), validators=[Optional(), Length(max=2000)])
    method_ru = TextAreaField(_l("Method of calculation (Russian)"), validators=[Optional(), Length(max=2000)])
    position = IntegerField(_l("Order"), default=100, validators=[Optional(), NumberRange(min=0, max=10000)])
