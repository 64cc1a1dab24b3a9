"""What the XLSForm reader refuses and notes.

    XLSFormProblem(sheet, row, column, reason)   one refused thing (row: Excel's numbering)
    XLSFormError(filename, problems)             every problem of a form (an InstrumentError)
    Refused(reason, column=None)                 raised inside the reader, turned into a problem
    N_(template, **params) -> Message            a reason or a note in English, remembering its
                                                 template and parameters

The package has no Flask: reasons and notes are English strings. Each is a `Message` (a str)
whose template is marked with N_ for the `surveys` catalogue (python -m app.i18n_catalogs
extracts N_), so the app shows it in ky / ru with `translated(message, gettext)`.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from surveys.loader import InstrumentError
from surveys.texts import Problem


class Message(str):
    """An English text (the str itself) that keeps its `template` (%(name)s placeholders) and
    `params`, so that it can be given again in another language."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, /, **params: Any) -> "Message":
        self = super().__new__(cls, template % params if params else template)
        self.template, self.params = template, params
        return self

    def translated(self, gettext: Callable[[str], str]) -> str:
        """The text in the language of `gettext` (parameters that are Messages too)."""
        params = {name: translated(value, gettext) for name, value in self.params.items()}
        text = gettext(self.template)
        return text % params if params else text


def translated(text: Any, gettext: Callable[[str], str]) -> str:
    """A Message in the language of `gettext`; any other text unchanged."""
    return text.translated(gettext) if isinstance(text, Message) else str(text)


def N_(template: str, /, **params: Any) -> Message:
    """Mark `template` for the message catalogue and fill in `params` (the English text)."""
    return Message(template, **params)


class XLSFormProblem(Problem):
    """One refused thing: sheet, row (Excel's numbering, 1 = the header row), column, reason."""

    def __init__(self, sheet: str, row: Optional[int], column: Optional[str], reason: str):
        self.sheet, self.row, self.column = sheet, row, column
        where = sheet + (f" row {row}" if row else "") + (f", {column}" if column else "")
        super().__init__(where, reason)


class XLSFormError(InstrumentError):
    """An XLSForm that cannot become a Sapat instrument; `problems` lists every XLSFormProblem.

    str(error) has one line per problem: `form.xlsx: survey row 12, relevant: reason`."""


class Refused(Exception):
    """A reason (and the column it is about) found while reading one row or expression."""

    def __init__(self, reason: str, column: Optional[str] = None):
        super().__init__(reason)
        self.reason, self.column = reason, column
