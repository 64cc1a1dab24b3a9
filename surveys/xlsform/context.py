"""What one reading of an XLSForm collects: its problems and notes, where each part of the data
came from (for schema problems found afterwards), and the texts of a row in ky / ru / en.

Texts: Sapat keeps every text in ky, ru and en. A missing language is refused once per missing
column (naming it, e.g. `label::Kyrgyz (ky)`) or per empty cell; with a `fallback` language
every missing text is copied from it (then from any other present one) and the copy is noted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from surveys.texts import LANGS
from surveys.xlsform.errors import N_, XLSFormProblem
from surveys.xlsform.sheets import LANGUAGE_COLUMNS, Header, Row, Sheet, language_code


@dataclass
class Context:
    filename: str
    sheets: dict[str, Sheet]
    default_language: Optional[str]
    fallback: Optional[str]
    kind: str
    problems: list[XLSFormProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    locations: dict[str, tuple[str, int]] = field(default_factory=dict)  # data path -> (sheet, row)
    missing: set = field(default_factory=set)   # (sheet, base, code) already reported
    filled: set = field(default_factory=set)    # (sheet, base, code) already noted

    def refuse(self, sheet: str, row: Optional[int], column: Optional[str], reason: str):
        self.problems.append(XLSFormProblem(sheet, row, column, reason))

    def note(self, text: str):
        if text not in self.notes:
            self.notes.append(text)

    # -- columns and texts --
    def code_of(self, sheet: Sheet, header: Header) -> Optional[str]:
        if header.spec is None:
            return self.default_language
        return language_code(header.spec)

    def check_text_columns(self, sheet: Sheet, bases: set[str]):
        """Header-level problems: columns in other languages, columns without a language."""
        for header in sheet.headers:
            if header.base not in bases:
                continue
            if header.spec is None and self.default_language is None:
                self.refuse(sheet.title, 1, header.raw,
                            N_("the column names no language: write label::Kyrgyz (ky), label::Russian (ru), "
                               "label::English (en), or set default_language in settings"))
            elif header.spec is not None and language_code(header.spec) is None:
                self.refuse(sheet.title, 1, header.raw,
                            N_("'%(language)s' is not a language of Sapat (ky, ru, en): its texts would be lost; "
                               "remove the column or name its language", language=header.spec))

    def texts(self, sheet: Sheet, row: Row, base: str, *, required: bool, interpolation: bool = True
              ) -> Optional[dict]:
        """{ky, ru, en} from the language columns of `base`; None when all are empty."""
        values: dict[str, str] = {}
        present: set[str] = set()
        for i, header in enumerate(sheet.headers):
            if header.base != base:
                continue
            code = self.code_of(sheet, header)
            if code is None:
                continue
            present.add(code)
            value = row.cells.get(i, "")
            if value.strip():
                if code in values and values[code] != value:
                    self.refuse(sheet.title, row.number, header.raw,
                                N_("a second %(language)s text for %(column)s", language=code, column=base))
                values[code] = value
                if interpolation and "${" in value:
                    self.refuse(sheet.title, row.number, header.raw,
                                N_("the text inserts an answer (${...}); Sapat texts are fixed"))
        if not values:
            if required:
                column = base if not sheet.columns(base) else sheet.headers[sheet.columns(base)[0]].raw
                self.refuse(sheet.title, row.number, column, N_("no %(column)s", column=base))
            return None
        for code in LANGS:
            if code in values:
                continue
            column = (f"sapat_{base[7:]}_{code}" if base.startswith("sapat::") and sheet.title.lower() == "choices"
                      else f"{base}::{LANGUAGE_COLUMNS[code]}")
            if self.fallback:
                source = next(c for c in (self.fallback, "ru", "ky", "en") if c in values)
                values[code] = values[source]
                key = (sheet.title, base, code)
                if key not in self.filled:
                    self.filled.add(key)
                    self.note(N_("%(sheet)s: %(column)s texts missing: copied from %(language)s",
                                 sheet=sheet.title, column=column, language=source))
            elif code not in present:
                key = (sheet.title, base, code)
                if key not in self.missing:
                    self.missing.add(key)
                    self.refuse(sheet.title, 1, column,
                                N_("no %(column)s column: Sapat keeps every text in ky, ru and en (add the column, "
                                   "or import with a fallback language)", column=column))
            else:
                self.refuse(sheet.title, row.number, column,
                            N_("empty %(language)s text (the other languages have one)", language=code))
        return {code: values.get(code, "") for code in LANGS}
