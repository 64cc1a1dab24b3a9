"""Forms of the register of measures and of issuing a справка or the annual report."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, FloatField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.models.monitoring.measures import STATUSES
from app.services.monitoring.labels import MEASURE_SOURCE_LABELS, MEASURE_STATUS_LABELS
from forms.base import SapatForm


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


_FINITE = NumberRange(min=-1_000_000_000, max=1_000_000_000)  # refuses inf and nan too


def _statuses():
    return [(k, MEASURE_STATUS_LABELS[k]) for k in STATUSES]


class MeasureForm(SapatForm):
    """A measure as the director or a deputy decides it (indicator_id, term_id and
    responsible_id choices are the school's, set by the view)."""

    source = SelectField(_l("Prompted by"), choices=list(MEASURE_SOURCE_LABELS.items()))
    source_ref = StringField(_l("What exactly"), validators=[Optional(), Length(max=300)],
                             description=_l("The line of the note, the observation, the survey or the student."))
    indicator_id = SelectField(_l("Indicator to re-check"), coerce=_optional_int)
    term_id = SelectField(_l("Period"), coerce=_optional_int)
    value_before = FloatField(_l("Value when decided"), validators=[Optional(), _FINITE])
    action = TextAreaField(_l("What is to be done"), validators=[DataRequired(), Length(max=4000)])
    responsible_id = SelectField(_l("Responsible"), coerce=_optional_int)
    due_on = DateField(_l("Deadline"), validators=[DataRequired()])
    status = SelectField(_l("Status"), choices=_statuses())
    evidence_note = TextAreaField(_l("Evidence"), validators=[Optional(), Length(max=4000)])
    evidence_ref = StringField(_l("File reference"), validators=[Optional(), Length(max=300)])


class MeasureStatusForm(SapatForm):
    """What the responsible person changes: the status and the evidence."""

    status = SelectField(_l("Status"), choices=_statuses())
    evidence_note = TextAreaField(_l("Evidence"), validators=[Optional(), Length(max=4000)])
    evidence_ref = StringField(_l("File reference"), validators=[Optional(), Length(max=300)])


class IssueForm(SapatForm):
    """Issuing a document: its number and date (the author is the user)."""

    number = StringField(_l("Number"), validators=[DataRequired(), Length(max=40)])
    issued_on = DateField(_l("Date"), validators=[DataRequired()])
