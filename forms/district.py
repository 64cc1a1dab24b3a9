"""Forms of the district pages: a new school with its director, a district staff account, the
rating's components, a school's package, a file of regional or national averages, a district campaign
and its state, the district's report."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from forms.base import SapatForm
from forms.builder import MultiCheckboxField
from forms.surveys import AUDIENCE_LABELS

DISTRICT_ROLE_LABELS = {
    "district_admin": _l("District administrator"),
    "district_specialist": _l("District specialist"),
}
CODE = Regexp(r"^[A-Za-z0-9_-]+$", message=_l("Letters, digits, - and _ only."))


class SchoolForm(SapatForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40), CODE])
    name = StringField(_l("Name (Kyrgyz)"), validators=[DataRequired(), Length(max=200)])
    name_ru = StringField(_l("Name (Russian)"), validators=[Optional(), Length(max=200)])
    director_name = StringField(_l("Director's full name"), validators=[DataRequired(), Length(max=200)])
    director_email = StringField(_l("Director's email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Director's first password"), validators=[DataRequired(), Length(max=200)])


class StaffForm(SapatForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = StringField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=list(DISTRICT_ROLE_LABELS.items()))
    password = PasswordField(_l("First password"), validators=[DataRequired(), Length(max=200)])


class RatingForm(SapatForm):
    """One weight field per catalogue indicator (weight_<key>), added by the view."""


def weight_field():
    return DecimalField(validators=[Optional(), NumberRange(min=0, max=100)], places=None)


class PackageUploadForm(SapatForm):
    file = FileField(_l("Package file (.json)"), validators=[FileRequired()])


class AveragesUploadForm(SapatForm):
    file = FileField(_l("Averages file (.xlsx)"),
                     validators=[FileRequired(), FileAllowed(["xlsx"], _l("Only .xlsx files are accepted."))])


class DistrictCampaignForm(SapatForm):
    """A district campaign: the questionnaire, who answers and the schools (all checked at first)."""

    instrument_id = SelectField(_l("Questionnaire"), coerce=int, validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)],
                        description=_l("For example: Parents' satisfaction in the district, spring 2027"))
    audience = RadioField(_l("Who answers"), choices=list(AUDIENCE_LABELS.items()), default="parents")
    schools = MultiCheckboxField(_l("Schools"), coerce=int, validators=[DataRequired()])
    min_group_size = IntegerField(_l("Minimum group size for breakdowns"), default=5,
                                  validators=[DataRequired(), NumberRange(min=3, max=50)],
                                  description=_l("A school or class with fewer respondents is not shown."))


class DistrictStatusForm(SapatForm):
    status = HiddenField(validators=[DataRequired()])
    current = HiddenField(validators=[DataRequired()])  # the state the page showed: a stale page is refused


class DistrictIssueForm(SapatForm):
    """Issuing the district's report: the year, the language, its number and date (the author is the user)."""

    year = SelectField(_l("Academic year"), validators=[DataRequired()])
    lang = SelectField(_l("Language"), choices=[("ky", "Кыргызча"), ("ru", "Русский")], default="ky")
    number = StringField(_l("Number"), validators=[DataRequired(), Length(max=40)])
    issued_on = DateField(_l("Date"), validators=[DataRequired()])
