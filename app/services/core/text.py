"""Clean text from people: control characters out, look-alike letters folded.

Every input path goes through here: the request class (app.web.request: form fields and JSON
strings), the spreadsheet reader (xlsx_input.text) and the keys a person types (access codes,
class letters).

- clean(s) -> (text, removed): control characters (C0 except tab/line feed/carriage return,
  DEL, C1, and the Excel escapes `_x0000_` .. `_x001F_` for them) taken out; removed is True
  when anything was. PostgreSQL refuses NUL in text (a 500 once); a NUL is never meant.
- clean_tree(value) -> (value, paths): the same over JSON (dict keys and string values).
- fold_latin(s): Cyrillic letters that look like Latin ones, as Latin (access codes are Latin:
  "GУ4N-ZУМ9" typed on a Cyrillic keyboard is GY4N-ZYM9); NFKC first (full-width digits).
- fold_key(s): a typed key as compared (student codes, subject names, e-mail logins): NFKC,
  Cyrillic look-alikes as Latin, spaces trimmed and runs of them one, case folded. Both sides
  of a comparison are folded, so "7А-01" typed with a Cyrillic А finds the stored "7A-01" and
  the other way round.
- fold_cyrillic(s): Latin letters that look like Cyrillic ones, as Cyrillic (class letters are
  Cyrillic: "7-A" with a Latin A is 7-А).
- fold_name(s): a person's name as a lookup key: look-alike letters, case, ё/е and spaces folded
  ("  ПЕТРОВ  Алёна" and "Петров Алена" are one key).
- whole(s): a whole number typed with the digits 0-9 (full-width ones folded), at most 18 of them,
  else None. str.isdigit() also takes "²" and "①", which int() refuses (a 500 once), and more
  digits than the database's integers hold (another 500).
- in_db_range(n): n fits the databases' integers (SQLite's driver fails on larger ones, a 500
  once). Every `args.get(..., type=int)`, URL `<int:...>` and form integer is bounded by it or by
  STORED_INT_MAX (app.web.request, forms.base).
"""
import re
import unicodedata
from typing import Any, Optional

DB_INT_MIN, DB_INT_MAX = -2**63, 2**63 - 1  # SQLite's INTEGER, PostgreSQL's bigint
STORED_INT_MAX = 2**31 - 1  # PostgreSQL's integer: the widest number a form may store


def in_db_range(number: int) -> bool:
    """True when `number` fits the databases' integers (a lookup with it cannot fail)."""
    return DB_INT_MIN <= number <= DB_INT_MAX


def is_db_id(value: Any) -> bool:
    """True when `value` may be a row id: a whole number (not a bool) from 1 to DB_INT_MAX."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= DB_INT_MAX


_FULL_WIDTH_DIGITS = {0xFF10 + n: str(n) for n in range(10)}
WHOLE_DIGITS = 18  # below 2**63: every id and count fits the database's integers
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|_x00[01][0-9A-Fa-f]_")
# Pairs that look alike in capitals and in lower case (Cyrillic, Latin).
_TWINS = [("А", "A"), ("В", "B"), ("С", "C"), ("Е", "E"), ("Н", "H"), ("К", "K"), ("М", "M"),
          ("О", "O"), ("Р", "P"), ("Т", "T"), ("Х", "X"), ("У", "Y"),
          ("а", "a"), ("с", "c"), ("е", "e"), ("о", "o"), ("р", "p"), ("х", "x"), ("у", "y"),
          ("і", "i"), ("І", "I"), ("ј", "j"), ("Ј", "J"), ("ѕ", "s"), ("Ѕ", "S")]
_TO_LATIN = str.maketrans({c: latin for c, latin in _TWINS})
_TO_CYRILLIC = str.maketrans({latin: c for c, latin in _TWINS if c not in "іІјЈѕЅ"})


def clean(value: str) -> tuple[str, bool]:
    """`value` without control characters, and whether any were removed. The escapes of tab,
    line feed and carriage return become those characters."""
    removed = False

    def drop(match: re.Match) -> str:
        nonlocal removed
        token = match.group(0)
        if token.startswith("_x") and int(token[2:6], 16) in (0x09, 0x0A, 0x0D):
            return chr(int(token[2:6], 16))
        removed = True
        return ""

    return CONTROL.sub(drop, value), removed


def clean_tree(value: Any, path: str = "") -> tuple[Any, list[str]]:
    """A JSON value with every string cleaned; the paths ("answers.note") where any was."""
    found: list[str] = []
    if isinstance(value, str):
        text, removed = clean(value)
        return text, [path] if removed else []
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            new_key = clean(key)[0] if isinstance(key, str) else key
            sub = f"{path}.{new_key}" if path else str(new_key)
            out[new_key], more = clean_tree(item, sub)
            found += more
        return out, found
    if isinstance(value, list):
        out_list = []
        for index, item in enumerate(value):
            cleaned, more = clean_tree(item, f"{path}[{index}]")
            out_list.append(cleaned)
            found += more
        return out_list, found
    return value, found


def fold_latin(value: str) -> str:
    """Look-alike Cyrillic letters as Latin ones (after NFKC): for codes and Latin keys."""
    return unicodedata.normalize("NFKC", value).translate(_TO_LATIN)


def fold_cyrillic(value: str) -> str:
    """Look-alike Latin letters as Cyrillic ones (after NFKC): for class letters."""
    return unicodedata.normalize("NFKC", value).translate(_TO_CYRILLIC)


def fold_key(value: str) -> str:
    """A key a person types, for comparing only (never stored): look-alikes as Latin,
    whitespace trimmed and collapsed, case folded."""
    return " ".join(fold_latin(value).split()).casefold()


_SPACES = re.compile(r"\s+")


def fold_name(value: str) -> str:
    """A name as a lookup key: control characters out, in capitals (so that a lower-case Latin
    "t" meets a Cyrillic "т" as "Т"), look-alike Latin capitals as Cyrillic, Ё as Е, then in
    lower case with runs of spaces as one (a class journal's names against the roster)."""
    folded = fold_cyrillic(clean(value)[0].upper()).replace("Ё", "Е").lower()
    return _SPACES.sub(" ", folded).strip()


def whole(value: Any) -> Optional[int]:
    """The whole number `value` writes with the digits 0-9 (full-width ones count too), at most
    WHOLE_DIGITS of them, spaces around allowed; None for anything else (see the module): "²" is
    no 2 here (NFKC would make it one)."""
    if not isinstance(value, str):
        return None
    text = value.translate(_FULL_WIDTH_DIGITS).strip()
    if not text or len(text) > WHOLE_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    return int(text)
