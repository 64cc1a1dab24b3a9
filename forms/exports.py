"""Forms of the exports area: start a workbook, upload experts' filled sheets."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileRequired, MultipleFileField
from wtforms import SelectField

from forms.base import SapatForm


class AnnualExportForm(SapatForm):
    year = SelectField(_l("Academic year"), choices=[])


class ExpertUploadForm(SapatForm):
    files = MultipleFileField(
        _l("Filled expert sheets (.xlsx, one or several)"),
        validators=[FileRequired(), FileAllowed(["xlsx"], _l("Only .xlsx files are accepted."))],
    )
