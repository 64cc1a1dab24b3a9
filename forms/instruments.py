"""The XLSForm upload of the instruments page, and the names of instrument kinds and item types."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional, Regexp

from app.i18n import Literals
from forms.base import SapatForm
from surveys.texts import KEY_PATTERN

KIND_LABELS = {"survey": _l("Questionnaire"), "observation": _l("Observation protocol"),
               "diagnostic": _l("Diagnostic method")}
ITEM_TYPE_LABELS = {
    "single": _l("one answer"), "multi": _l("several answers"), "likert": _l("scale"),
    "matrix": _l("rows on one scale"), "number": _l("number"), "text": _l("text"), "yes_no": _l("yes / no"),
    "criterion": _l("criterion with score levels"),
}
LANGUAGE_NAMES = (("ky", "Кыргызча"), ("ru", "Русский"), ("en", "English"))


class XLSFormUploadForm(SapatForm):
    file = FileField(
        _l("XLSForm (.xlsx)"),
        validators=[FileRequired(), FileAllowed(["xlsx"], _l("Only .xlsx files are accepted."))],
    )
    fallback = SelectField(
        _l("A language missing in the form"),
        choices=[("", _l("refuse the form")), ("ky", _l("copy the texts from Kyrgyz")),
                 ("ru", _l("copy the texts from Russian")), ("en", _l("copy the texts from English"))],
        default="",
        description=_l("Sapat keeps every text in Kyrgyz, Russian and English."),
    )
    language = SelectField(
        _l("Language of the text columns that name none"),
        choices=[("", _l("as the form itself says")), *LANGUAGE_NAMES],
        default="",
    )
    key = StringField(
        _l("Key"),
        validators=[Optional(), Length(max=60),
                    Regexp(KEY_PATTERN, message=_l("Lowercase latin letters, digits and _, starting with a letter."))],
        description=Literals(_l("Only when the settings sheet has no form_id, e.g. parents_2026. The same key with "
                                "other content becomes the next version."), "settings", "form_id", "parents_2026"),
    )
    title = StringField(
        _l("Title"),
        validators=[Optional(), Length(max=200)],
        description=Literals(_l("Only when the settings sheet has no form_title; used in every language."),
                             "settings", "form_title"),
    )
