"""Messages of the instrument language shown to people who answer (kept here so that they live
in the `surveys` translation area; forms/builder.py and the item types import them instead of
calling gettext themselves). `%(item)s` is the item's text in the page's language."""
from flask_babel import lazy_gettext as _l

CHOOSE_AT_LEAST = _l("Choose at least %(n)d options.")
CHOOSE_AT_MOST = _l("Choose at most %(n)d options.")
ANSWER_REQUIRED = _l("Please answer this question.")
COMMENT = _l("Comment")

# Refused answers (surveys/items/*.py: `parse`).
NOT_OFFERED = _l("“%(item)s”: choose one of the offered answers.")
YES_OR_NO = _l("Answer “%(item)s” with yes or no.")
OUT_OF_RUBRIC = _l("The score %(score)s for “%(criterion)s” is outside the rubric range %(min)d–%(max)d.")
NOT_A_NUMBER = _l("“%(item)s” must be a number.")
NOT_A_WHOLE_NUMBER = _l("“%(item)s” must be a whole number.")
NUMBER_BETWEEN = _l("“%(item)s” must be between %(min)s and %(max)s.")
NUMBER_AT_LEAST = _l("“%(item)s” must be at least %(min)s.")
NUMBER_AT_MOST = _l("“%(item)s” must be at most %(max)s.")
TOO_LONG = _l("“%(item)s” is longer than %(max)d characters.")
