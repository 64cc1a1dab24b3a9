"""Forms of the district pages: a new school with its director, a district staff account, the
rating's components."""
from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from forms.base import SapatForm

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
