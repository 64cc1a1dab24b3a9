"""Language helpers shared by templates, forms and services.

Sapat keeps its own translations of WTForms' built-in messages (WTForms ships none in
Kyrgyz), so forms translate through the same catalogues as the rest of the app.
"""
import re

from flask import Flask
from flask_babel import get_locale, gettext
from markupsafe import Markup, escape


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "ky"


def localized_name(obj) -> str:
    """Pick name_ru for Russian readers when the object has one, else name."""
    if obj is None:
        return ""
    if current_language() == "ru" and getattr(obj, "name_ru", None):
        return obj.name_ru
    return str(obj.name)


def pick_text(texts, lang: str | None = None) -> str:
    """Choose from a {ky, ru, en} dict of instrument texts, falling back sensibly."""
    if texts is None:
        return ""
    if isinstance(texts, str):
        return texts
    lang = lang or current_language()
    for key in (lang, "ru", "ky", "en"):
        value = texts.get(key) if isinstance(texts, dict) else getattr(texts, key, None)
        if value:
            return value
    return ""


class FormTranslations:
    """WTForms asks this object for its built-in messages; we answer from our catalogues."""

    def gettext(self, string):
        return gettext(string)

    def ngettext(self, singular, plural, n):
        # WTForms fills in %(value)s etc. itself: flask_babel.ngettext would format the
        # string with only `num` and fail with a KeyError (a 500 on a bad multi-choice).
        from flask_babel import get_translations

        return get_translations().ngettext(singular, plural, n)


FORM_TRANSLATIONS = FormTranslations()


def display(value) -> str:
    """A value as shown on a page: dates as 23.11.2026 in every language (as the school's papers and
    the rest of Sapat write them), moments as 23.11.2026 14:05 in the school's time zone, numbers
    with the locale's separators."""
    from datetime import date, datetime

    from flask_babel import format_date, format_datetime, format_decimal

    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "dd.MM.yyyy HH:mm")
    if isinstance(value, date):
        return format_date(value, "dd.MM.yyyy")
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, (int, float)):
        return format_decimal(value)
    return str(value)


def display_plain(value) -> str:
    """A table cell whose numbers stand as entered (a year of study 2015, a score 4.5): dates as
    `display` shows them, everything else as its text."""
    from datetime import date

    if isinstance(value, date):
        return display(value)
    return "" if value is None else str(value)


def change_text(value, digits: int = 1) -> str:
    """A change between two figures as shown: "+1.2", "-0.3", or "no change" when it rounds to
    zero at the shown precision (never "+0.0"); "—" without a value."""
    if value is None:
        return "—"
    shown = round(float(value), digits) + 0.0
    return gettext("no change") if shown == 0 else f"{shown:+.{digits}f}"


def mark_literals(text, *names: str) -> Markup:
    """A translated sentence with the literal names in it (a file's headers, a format's sheets
    and columns, typed as they are in every language) set in <code>, so that a reader sees
    which words to type and a check of the page's language skips them."""
    out = str(escape(str(text)))
    for name in sorted(names, key=len, reverse=True):
        out = re.sub(rf"(?<![\w:>]){re.escape(str(escape(name)))}(?![\w:<])", lambda m: f"<code>{m.group(0)}</code>", out)
    return Markup(out)


class Literals:
    """A form field's description whose literal names `mark_literals` sets in <code> when shown."""

    def __init__(self, text, *names: str):
        self.text, self.names = text, names

    def __html__(self) -> str:
        return mark_literals(self.text, *self.names)

    def __str__(self) -> str:
        return str(self.text)

    def __bool__(self) -> bool:
        return bool(str(self.text))


def init_i18n(app: Flask) -> None:
    app.jinja_env.globals.update(lname=localized_name, pick_text=pick_text, current_language=current_language)
    app.jinja_env.filters["literals"] = mark_literals
    app.jinja_env.filters["display"] = display
    app.jinja_env.filters["change"] = change_text
    app.jinja_env.add_extension("jinja2.ext.do")
