"""Messages of the instrument language shown to respondents (kept here so that they live in the
`surveys` translation area; forms/builder.py imports them instead of calling gettext itself)."""
from flask_babel import lazy_gettext as _l

CHOOSE_AT_LEAST = _l("Choose at least %(n)d options.")
CHOOSE_AT_MOST = _l("Choose at most %(n)d options.")
ANSWER_REQUIRED = _l("Please answer this question.")
COMMENT = _l("Comment")
