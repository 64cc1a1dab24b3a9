"""Forms of the observation pages. The checklist itself is built from the protocol in the
template; ChecklistForm only carries the CSRF token and the chosen action."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from forms.base import SapatForm


def _optional_id(value):
    return int(value) if value not in (None, "", "None") else None


class StartObservationForm(SapatForm):
    instrument_id = SelectField(_l("Protocol"), coerce=_optional_id, validators=[DataRequired()])
    assignment_id = SelectField(
        _l("Lesson from the timetable"), coerce=_optional_id, validators=[Optional()],
        description=_l("Choosing a lesson fills in the teacher, class and subject."))
    teacher_id = SelectField(_l("Teacher"), coerce=_optional_id, validators=[Optional()])
    class_id = SelectField(_l("Class"), coerce=_optional_id, validators=[Optional()])
    subject_id = SelectField(_l("Subject"), coerce=_optional_id, validators=[Optional()])
    observed_on = DateField(_l("Date"), validators=[DataRequired()])
    topic = StringField(_l("Topic"), validators=[Optional(), Length(max=300)])
    purpose = SelectField(_l("Purpose"), validators=[DataRequired()])


class ChecklistForm(SapatForm):
    """Only the CSRF token: the checklist's fields come from the protocol."""


class AmendForm(SapatForm):
    reason = TextAreaField(_l("Reason for the amendment"), validators=[DataRequired(), Length(max=2000)])


class AcknowledgeForm(SapatForm):
    comment = TextAreaField(_l("Your comment (optional)"), validators=[Optional(), Length(max=4000)])


class PlanForm(SapatForm):
    """Plan fields are named plan-<observer id> and read in the view."""
