"""No lost updates in edit forms: a page carries the values its fields had when it was served
(`originals_field`, one hidden `_orig` JSON input), and a save writes only the fields its user
changed (`keep_others`).

For each field of the submitted form: a value equal to its original was not changed by this
user, so the stored value (perhaps changed meanwhile by someone else) is kept; a changed value
is written, unless someone else changed the same field meanwhile to another value: that is a
conflict, the save is refused and the page is shown again with the other value and the
current values as its new originals. A POST without `_orig` (a client from before this
rule) saves as before.
"""
import json
from typing import Any, Optional

from flask import flash, request
from flask_babel import gettext as _
from markupsafe import Markup, escape

FIELD = "_orig"
_SKIP = {"csrf_token", "_once", FIELD}


def plain(value: Any):
    """A field's data as text (lists item by item) for comparing a page with the database."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set)):
        return sorted(str(plain(v)) for v in value)
    if isinstance(value, bool):
        return "1" if value else ""
    return str(value).replace("\r\n", "\n").strip()  # a browser sends a textarea's lines with CR LF


def form_values(form) -> dict:
    """{field name: plain value} of a form's editable fields."""
    return {f.name: plain(f.data) for f in form if f.name not in _SKIP and f.type not in ("CSRFTokenField",
                                                                                        "SubmitField")}


def json_field(values: dict) -> Markup:
    """The hidden `_orig` input holding `values` (JSON)."""
    return Markup(f'<input type="hidden" name="{FIELD}" value="{escape(json.dumps(values))}">')


def originals_field(form) -> Markup:
    """The hidden input holding `form`'s values (a form filled from the stored object)."""
    return json_field(form_values(form))


def posted_originals() -> Optional[dict]:
    """The originals the submitted page carried, or None (absent or not readable)."""
    try:
        data = json.loads(request.form.get(FIELD) or "null")
    except (ValueError, RecursionError):  # RecursionError: a hostile "[[[[..." nested past Python's stack
        return None
    return data if isinstance(data, dict) else None


def _shown(field) -> str:
    choices = getattr(field, "choices", None)
    if choices and not isinstance(field.data, (list, tuple)):
        for choice in choices:
            value, label = choice[0], choice[1]
            if plain(value) == plain(field.data):
                return str(label)
    text = plain(field.data)
    return ", ".join(text) if isinstance(text, list) else text


def keep_others(form, current_form, originals: Optional[dict]) -> list[tuple[str, str]]:
    """Put the stored value back into every field of `form` its user did not change (their
    value equals the page's original); return the conflicts as (field label, the other value
    now stored) for fields both changed differently. `current_form` is the same form filled
    from the stored object now (its choices set, for the labels of the other values)."""
    if originals is None:
        return []
    now = form_values(current_form)
    conflicts = []
    for field in form:
        if field.name not in originals or field.name not in now:
            continue
        mine, was, theirs = plain(field.data), originals[field.name], now[field.name]
        if mine == was:
            field.data = current_form[field.name].data
        elif theirs != was and theirs != mine:
            conflicts.append((str(field.label.text), _shown(current_form[field.name]) or "-"))
    return conflicts


def messages(clashes: list[tuple[str, str]]) -> list[str]:
    """One sentence per conflicting field, with the value the other user stored."""
    return [_("%(field)s was changed meanwhile by another user to \"%(value)s\". Nothing was saved: check "
              "and save again.", field=label, value=value) for label, value in clashes]


def flash_conflicts(clashes: list[tuple[str, str]]) -> None:
    """One error banner per conflicting field."""
    for message in messages(clashes):
        flash(message, "error")


def changed_fields(form_class, stored: dict, submitted, originals: Optional[dict]) -> tuple[set, list]:
    """For a form that may carry only some fields (a checklist's section, an offline sync):
    (the names of `submitted` (a MultiDict) to write, the conflicts). A field whose submitted
    value equals the page's original is left out (its user did not change it); a field both
    changed differently is a conflict. Without originals every submitted field is written."""
    names = set(submitted.keys())
    if originals is None:
        return names, []
    mine = form_values(form_class(formdata=submitted, meta={"csrf": False}))
    current = form_class(formdata=None, data=stored, meta={"csrf": False})
    now = form_values(current)
    keep, clashes = set(), []
    for name in names:
        if name not in originals or name not in mine:
            keep.add(name)
            continue
        if mine[name] == originals[name]:
            continue
        if now.get(name) not in (originals[name], mine[name]):
            clashes.append((str(current[name].label.text), _shown(current[name]) or "-"))
        keep.add(name)
    return keep, clashes


def clash_details(form_class, stored: dict, submitted, originals: dict) -> dict:
    """For a script's refused save (changed_fields found conflicts): {"values": the stored
    values now, "conflicts": [{"name", "label", "mine", "theirs"}] per field both changed}, so
    the client keeps its value and shows both instead of dropping it (the *_shown texts are
    the values as the page shows them: an option's label)."""
    current, sent = form_class(formdata=None, data=stored, meta={"csrf": False}), form_class(
        formdata=submitted, meta={"csrf": False})
    now, mine = form_values(current), form_values(sent)
    names = [n for n in submitted if n in originals and n in mine and mine[n] != originals[n]
             and now.get(n) not in (originals[n], mine[n])]
    return {"values": now, "conflicts": [{
        "name": n, "label": str(current[n].label.text), "mine": mine[n], "theirs": now[n],
        "mine_shown": _shown(sent[n]) or "-", "theirs_shown": _shown(current[n]) or "-"} for n in names]}


def check(form, current_form) -> bool:
    """keep_others with the page's posted originals; False (after flashing the conflicts) when
    the save must be refused."""
    clashes = keep_others(form, current_form, posted_originals())
    flash_conflicts(clashes)
    return not clashes
