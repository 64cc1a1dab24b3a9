"""Forms of the admin pages: users, school structure, roster upload."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.services.core import school as school_service
from app.services.core.text import fold_cyrillic
from forms.base import SapatForm, StrongPassword

ROLE_LABELS = {
    "admin": _l("Director (administrator)"),
    "deputy": _l("Deputy director"),
    "mo_head": _l("Head of a methodical association"),
    "teacher": _l("Teacher"),
    "class_teacher": _l("Class teacher"),
    "psychologist": _l("Psychologist"),
    "nurse": _l("School nurse"),
    "expert": _l("Expert (read-only)"),
}
TERM_KIND_LABELS = {"quarter": _l("Quarter"), "semester": _l("Semester"), "year": _l("Year")}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _optional_id(value):
    return int(value) if value not in (None, "", "None") else None


class UserForm(SapatForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = StringField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    roles = MultiCheckboxField(
        _l("Roles"), choices=list(ROLE_LABELS.items()),
        validators=[DataRequired(message=_l("Choose at least one role."))],
    )
    locale = SelectField(
        _l("Language"), choices=[("ky", "Кыргызча"), ("ru", "Русский"), ("en", "English")]
    )
    active = BooleanField(_l("Active"), default=True)
    password = PasswordField(
        _l("New password"),
        validators=[Optional(), Length(max=200), StrongPassword("email", "full_name")],
        description=_l("Leave empty to keep the current password."),
    )

    def __init__(self, *args, user=None, acting_user_id=None, **kwargs):
        super().__init__(*args, obj=user, **kwargs)
        self.user, self.acting_user_id = user, acting_user_id  # the account edited (None: new), who edits

    @property
    def is_self(self) -> bool:
        return self.user is not None and self.user.id == self.acting_user_id

    def validate_email(self, field):
        email = (field.data or "").strip().lower()
        clash = school_service.user_by_email(email)
        if clash is not None and clash is not self.user:
            raise ValidationError(_("A user with the email %(email)s already exists.", email=email))

    def validate_password(self, field):
        if self.user is None and not field.data:
            raise ValidationError(_("Set a password for the new user."))

    def validate_roles(self, field):
        if self.is_self and "admin" not in (field.data or []):
            raise ValidationError(_("You cannot remove the director role from yourself."))


class YearForm(SapatForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=20)],
                       description=_l("For example 2025-2026"))
    starts_on = DateField(_l("Starts on"), validators=[DataRequired()])
    ends_on = DateField(_l("Ends on"), validators=[DataRequired()])
    is_current = BooleanField(_l("Current year"))

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data <= self.starts_on.data:
            raise ValidationError(_l("The end must be after the start."))


class TermForm(SapatForm):
    year_id = SelectField(_l("Academic year"), coerce=int, validators=[DataRequired()])
    kind = SelectField(_l("Kind"), choices=list(TERM_KIND_LABELS.items()))
    number = IntegerField(_l("Number"), validators=[DataRequired(), NumberRange(min=1, max=4)], default=1)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=60)])
    starts_on = DateField(_l("Starts on"), validators=[DataRequired()])
    ends_on = DateField(_l("Ends on"), validators=[DataRequired()])

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data <= self.starts_on.data:
            raise ValidationError(_l("The end must be after the start."))


class MethodicalAssociationForm(SapatForm):
    name = StringField(_l("Name (Kyrgyz)"), validators=[DataRequired(), Length(max=200)])
    name_ru = StringField(_l("Name (Russian)"), validators=[Optional(), Length(max=200)])
    head_id = SelectField(_l("Head"), coerce=_optional_id, validators=[Optional()])


class SubjectForm(SapatForm):
    name = StringField(_l("Name (Kyrgyz)"), validators=[DataRequired(), Length(max=120)])
    name_ru = StringField(_l("Name (Russian)"), validators=[Optional(), Length(max=120)])
    ma_id = SelectField(_l("Methodical association"), coerce=_optional_id, validators=[Optional()])


class ClassGroupForm(SapatForm):
    year_id = SelectField(_l("Academic year"), coerce=int, validators=[DataRequired()])
    grade = IntegerField(_l("Grade"), validators=[DataRequired(), NumberRange(min=1, max=11)])
    # "7-A" typed with a Latin A is the class 7-А (look-alike letters folded to Cyrillic).
    letter = StringField(_l("Letter"), validators=[DataRequired(), Length(max=4)],
                         filters=[lambda v: fold_cyrillic(v.strip().upper()) if isinstance(v, str) else v])
    class_teacher_id = SelectField(_l("Class teacher"), coerce=_optional_id, validators=[Optional()])


class TeachingAssignmentForm(SapatForm):
    teacher_id = SelectField(_l("Teacher"), coerce=int, validators=[DataRequired()])
    subject_id = SelectField(_l("Subject"), coerce=int, validators=[DataRequired()])
    class_id = SelectField(_l("Class"), coerce=int, validators=[DataRequired()])


class RosterUploadForm(SapatForm):
    file = FileField(
        _l("Roster file (.xlsx)"),
        validators=[FileRequired(), FileAllowed(["xlsx"], _l("Only .xlsx files are accepted."))],
    )
