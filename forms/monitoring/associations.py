"""Forms of a methodical association's page: its own variable indicators and its proposals."""
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.services.monitoring.labels import DIRECTION_LABELS, GOOD_LABELS, PERIODICITY_LABELS, UNIT_LABELS
from forms.base import SapatForm
from forms.monitoring.indicators import IndicatorTargetForm


class AssociationIndicatorForm(IndicatorTargetForm):
    """A variable indicator of one association (§2.17), entered by hand by its head; its key
    is given by Sapat and its responsible role is the MO head."""

    name_ky = StringField(_l("Name in Kyrgyz"), validators=[DataRequired(), Length(max=300)])
    name_ru = StringField(_l("Name in Russian"), validators=[DataRequired(), Length(max=300)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=300)])
    direction = SelectField(_l("Direction"), coerce=int, choices=list(DIRECTION_LABELS.items()))
    unit = SelectField(_l("Unit"), choices=list(UNIT_LABELS.items()))
    periodicity = SelectField(_l("Periodicity"), choices=list(PERIODICITY_LABELS.items()))
    good = SelectField(_l("Better when"), choices=list(GOOD_LABELS.items()))
    method_ky = TextAreaField(_l("Method of calculation (Kyrgyz)"), validators=[Optional(), Length(max=2000)])
    method_ru = TextAreaField(_l("Method of calculation (Russian)"), validators=[Optional(), Length(max=2000)])
    position = IntegerField(_l("Order"), default=100, validators=[Optional(), NumberRange(min=0, max=10000)])


class ProposalsForm(SapatForm):
    proposals = TextAreaField(_l("Proposals to the school's development programme"),
                              validators=[Optional(), Length(max=8000)], render_kw={"rows": 10})
