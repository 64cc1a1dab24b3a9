"""Forms of the survey pages: campaigns for staff, the start page and page base for respondents."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from forms.base import SapatForm
from forms.builder import MultiCheckboxField

AUDIENCE_LABELS = {"parents": _l("Parents"), "students": _l("Students"), "teachers": _l("Teachers and staff")}
ACCESS_LABELS = {"link": _l("Open link per class"), "codes": _l("Single-use access codes per class")}
STATUS_LABELS = {"draft": _l("Draft"), "open": _l("Open"), "closed": _l("Closed")}


class CampaignForm(SapatForm):
    instrument_id = SelectField(_l("Questionnaire"), coerce=int, validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)],
                        description=_l("For example: Parents' satisfaction, spring 2027"))
    audience = RadioField(_l("Who answers"), choices=list(AUDIENCE_LABELS.items()), default="parents")
    classes = MultiCheckboxField(_l("Classes"), coerce=int, validators=[Optional()])
    whole_school = RadioField(_l("Also one link for the whole school (e.g. for staff)"),
                              choices=[("no", _l("No")), ("yes", _l("Yes"))], default="no")
    access_mode = RadioField(_l("Access"), choices=list(ACCESS_LABELS.items()), default="link")
    opens_on = DateField(_l("Opens on"), validators=[Optional()])
    closes_on = DateField(_l("Closes on"), validators=[Optional()])
    min_group_size = IntegerField(_l("Minimum group size for breakdowns"), default=5,
                                  validators=[DataRequired(), NumberRange(min=3, max=50)],
                                  description=_l("Results of a class with fewer respondents are not shown."))

    def validate_closes_on(self, field):
        if field.data and self.opens_on.data and field.data < self.opens_on.data:
            raise ValidationError(_l("The closing date is before the opening date."))

    def validate_classes(self, field):
        if not field.data and self.whole_school.data != "yes":
            raise ValidationError(_l("Choose at least one class."))


class StatusForm(SapatForm):
    status = HiddenField(validators=[DataRequired()])


class CodesForm(SapatForm):
    target_id = SelectField(_l("Class"), coerce=int)
    count = IntegerField(_l("Number of codes"), default=25, validators=[DataRequired(), NumberRange(min=1, max=200)])


class SurveyPage(SapatForm):
    """Base of the questionnaire form built from an instrument. Instead of a session CSRF
    token it carries the response's UUID and the server's signature of it: the public page
    needs no session, and a UUID this server did not hand out for the link is refused."""

    class Meta:
        csrf = False

    client_uuid = HiddenField()
    signature = HiddenField()
    code = StringField(_l("Access code"), validators=[Optional(), Length(max=20)],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters"})
