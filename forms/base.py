"""The base form: Flask-WTF (CSRF) plus WTForms messages in the user's language, a message on
every field from which the request took control characters out (app.web.request), on every
number too large for the database (beyond PostgreSQL's integer, 2,147,483,647: a 500 once), and
every date within DATE_RANGE (app.services.core.dates: the one range every way in keeps; a date
such as 9999-12-31 is valid to WTForms, but the day after it or its midnight in UTC is not a date:
a 500 once, in the audit log's filter)."""
from datetime import date

from flask import has_request_context, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField

from app.i18n import FORM_TRANSLATIONS
from app.services.core.dates import DATE_RANGE, in_range
from app.services.core.text import STORED_INT_MAX

CONTROL_MESSAGE = _l("Invisible control characters were removed from this field. Check the text and send again.")
TOO_LARGE_MESSAGE = _l("This number is too large.")


class SapatForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return FORM_TRANSLATIONS

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks; then a field that came with control characters is refused
        once with CONTROL_MESSAGE (its cleaned text is shown again; the other fields keep theirs),
        a whole number (an integer field, a list of ids) beyond STORED_INT_MAX with
        TOO_LARGE_MESSAGE, and a date outside DATE_RANGE with WTForms' own message."""
        valid = super().validate(extra_validators)
        dirty = getattr(request, "control_fields", ()) if has_request_context() else ()
        low, high = DATE_RANGE
        for field in self._fields.values():
            if field.name in dirty:
                field.errors = [*field.errors, CONTROL_MESSAGE]
                valid = False
            values = field.data if isinstance(field.data, (list, tuple)) else [field.data]
            if any(isinstance(v, int) and not isinstance(v, bool) and abs(v) > STORED_INT_MAX for v in values):
                field.errors = [*field.errors, TOO_LARGE_MESSAGE]
                valid = False
            if isinstance(field, DateField) and isinstance(field.data, date) and not in_range(field.data):
                field.errors = [*field.errors, _("Date must be between %(min)s and %(max)s.", min=low.isoformat(),
                                                 max=high.isoformat())]
                valid = False
        return valid


# WTForms' and Flask-WTF's own messages, listed so that the extractor puts them in our
# catalogues (WTForms has no Kyrgyz translation of its own).
def _wtforms_messages():  # pragma: no cover - never called
    from flask_babel import gettext as _
    from flask_babel import ngettext

    return [
        _("This field is required."),
        _("Not a valid choice."),
        _("Not a valid integer value."),
        _("Not a valid decimal value."),
        _("Not a valid float value."),
        _("Not a valid date value."),
        _("Not a valid datetime value."),
        _("Not a valid time value."),
        _("Invalid email address."),
        _("Invalid input."),
        _("Invalid Choice: could not coerce."),
        _("Field must be equal to %(other_name)s."),
        _("Number must be at least %(min)s."),
        _("Number must be at most %(max)s."),
        _("Number must be between %(min)s and %(max)s."),
        _("Date must be at least %(min)s."),
        _("Date must be at most %(max)s."),
        _("Date must be between %(min)s and %(max)s."),
        ngettext("Field must be at least %(min)d character long.",
                 "Field must be at least %(min)d characters long.", 1),
        ngettext("Field cannot be longer than %(max)d character.",
                 "Field cannot be longer than %(max)d characters.", 1),
        ngettext("Field must be exactly %(max)d character long.",
                 "Field must be exactly %(max)d characters long.", 1),
        _("Field must be between %(min)d and %(max)d characters long."),
        _("The CSRF token is missing."),
        _("The CSRF token is invalid."),
        _("The CSRF token has expired."),
        _("The CSRF tokens do not match."),
        _("The referrer header is missing."),
        _("The referrer does not match the host."),
        _("The CSRF session token is missing."),
        _("File does not have an approved extension."),
        _("This field requires a file."),
    ]


class StrongPassword:
    """WTForms validator: services/core/passwords.password_problems, with the form's own
    `fields` (e.g. email, full_name) and the signed-in user's email, name and school as words
    the password must not be made of. An empty field is left to Optional/DataRequired."""

    def __init__(self, *fields: str):
        self.fields = fields

    def __call__(self, form, field):
        from flask_login import current_user
        from wtforms.validators import StopValidation

        from app.services.core.passwords import password_problems

        if not field.data:
            return
        words = [str(form[name].data or "") for name in self.fields if name in form]
        if current_user and current_user.is_authenticated:
            homes = (current_user.school, getattr(current_user, "district", None))  # a district's staff have no school
            words += [current_user.email, current_user.full_name, *(home.name for home in homes if home is not None)]
        problems = password_problems(field.data, words)
        if problems:
            raise StopValidation(problems[0])
