"""Forms of the monitoring cyclogram and the interviews register."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.services.monitoring.labels import (
    DIRECTION_LABELS,
    FORM_LABELS,
    ITEM_STATUS_LABELS,
    METHOD_LABELS,
    MONTH_LABELS,
    PARTICIPANT_LABELS,
)
from app.services.monitoring.planning import ACADEMIC_MONTHS, due_window
from forms.base import SapatForm


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def _months():
    return [(m, MONTH_LABELS[m]) for m in ACADEMIC_MONTHS]


class CyclogramItemForm(SapatForm):
    object = StringField(_l("Object of monitoring"), validators=[DataRequired(), Length(max=300)])
    direction = SelectField(_l("Direction"), coerce=int, choices=list(DIRECTION_LABELS.items()))
    month_from = SelectField(_l("From month"), coerce=int, choices=_months())
    month_to = SelectField(_l("To month"), coerce=int, choices=_months())
    indicator_keys = StringField(_l("Indicators"), validators=[Optional(), Length(max=300)],
                                 description=_l("Keys of the indicators, separated by spaces."))
    instrument = StringField(_l("Instrument"), validators=[Optional(), Length(max=200)])
    method = SelectField(_l("Method"), choices=list(METHOD_LABELS.items()))
    form = SelectField(_l("Form"), choices=list(FORM_LABELS.items()))
    responsible_id = SelectField(_l("Responsible"), coerce=_optional_int)
    due_on = DateField(_l("Due date"), validators=[DataRequired()])
    document = StringField(_l("Resulting document"), validators=[Optional(), Length(max=300)])
    status = SelectField(_l("Status"), choices=[(k, v) for k, v in ITEM_STATUS_LABELS.items() if k != "overdue"])

    def __init__(self, *args, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year  # the academic year of the item's cyclogram

    def validate_due_on(self, field):
        first, last = due_window(self.year)
        if field.data is not None and not first <= field.data <= last:
            raise ValidationError(_("The due date must fall within the academic year %(year)s.", year=self.year.name))


class StatusForm(SapatForm):
    status = SelectField(_l("Status"), choices=[(k, v) for k, v in ITEM_STATUS_LABELS.items() if k != "overdue"])


class ApproveForm(SapatForm):
    order_number = StringField(_l("Order number"), validators=[DataRequired(), Length(max=40)])
    order_date = DateField(_l("Order date"), validators=[DataRequired()])


class CopyForm(SapatForm):
    source_year_id = SelectField(_l("Copy the cyclogram of"), coerce=int)


class InterviewForm(SapatForm):
    on_date = DateField(_l("Date"), validators=[DataRequired()])
    participant_role = SelectField(_l("With whom"), choices=list(PARTICIPANT_LABELS.items()))
    participants = IntegerField(_l("Number of participants"), default=1,
                                validators=[InputRequired(), NumberRange(min=1, max=1000)])
    topic = StringField(_l("Topic"), validators=[DataRequired(), Length(max=300)])
    outcome = TextAreaField(_l("Outcome"), validators=[Optional(), Length(max=4000)])
    item_id = SelectField(_l("Cyclogram item"), coerce=_optional_int)
