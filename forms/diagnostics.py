"""Forms of the diagnostics pages for staff: the school's rule on student-filled diagnostics and
the buttons of a student round (start, print slips, print new slips, close)."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField
from wtforms.validators import InputRequired

from forms.base import SapatForm


class ActionForm(SapatForm):
    """A button that changes something: its CSRF token only (and the page's once-only token)."""


class CodesForm(SapatForm):
    """Print a round's slips. `seen`: the round's codes_version when the page was rendered (codes
    issued since make the page stale); `replace` ("yes"): new codes also for the students whose
    printed code is unused, which voids those slips, so `confirm` must be ticked."""

    seen = HiddenField()
    replace = HiddenField()
    confirm = BooleanField(_l("I know: the printed slips that have not been used stop working"))


class RuleForm(SapatForm):
    allow = RadioField(_l("Students may fill in named diagnostics themselves"), default="no",
                       choices=[("no", _l("No")), ("yes", _l("Yes"))], validators=[InputRequired()])
