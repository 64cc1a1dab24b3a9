"""Login, password and language forms."""
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from forms.base import SapatForm, StrongPassword

LANGUAGE_CHOICES = [("ky", "Кыргызча"), ("ru", "Русский"), ("en", "English")]


class LoginForm(SapatForm):
    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class ChangePasswordForm(SapatForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200), StrongPassword()])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords do not match."))],
    )


class LanguageForm(SapatForm):
    lang = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    next = HiddenField()


__all__ = ["ChangePasswordForm", "EmailField", "LanguageForm", "LoginForm", "StringField"]
