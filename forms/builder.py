"""Build a WTForms form class from an instrument, so that questionnaire pages and the observation
checklist use Flask-WTF (CSRF, validation, translated messages) like every other form.

    build_form(spec, section=None, lang="ky", answers=None, base=SapatForm, names=FORM,
               partial=False) -> form class (a `base` subclass)
    field_name(answer_key) -> str                 'climate.q1' -> 'climate__q1'
    form_answers(form) -> {answer key: value}     values of visible items (None for hidden ones)
    condition_hints(form, show_if) -> [ConditionHint]   a condition in the page's words (no JavaScript)

One field per part of an item (one per row of a matrix; an item with a comment adds its comment
field), named by `names` (surveys/answers.py: FORM for questionnaires, CHECKLIST for the
observation checklist). The field class follows the item's `widget`; every field's validator
calls the item's own `parse` (an empty optional field is unanswered, never an error) and, for a
required item, asks for an answer while the item is visible (show_if), reading earlier answers
from `answers` and answers of the same page from the submitted data. `partial=True` (a draft)
requires nothing. The form class has `layout`: a LayoutEntry per item, for templates.
"""
import json
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, Optional

from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import StopValidation
from wtforms.widgets import CheckboxInput, ListWidget, NumberInput

from forms.base import SapatForm
from surveys import messages
from surveys.answers import FORM, FieldNames
from surveys.conditions import both, condition_list, conditions_hold, normalize
from surveys.items import AnswerError


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class NumberField(StringField):
    """A number typed as text and read by the item (a decimal comma is accepted)."""

    widget = NumberInput()


def _radios(part, label, validators, item):
    return RadioField(label, choices=part.choices, validators=validators, validate_choice=False)


def _checks(part, label, validators, item):
    return MultiCheckboxField(label, choices=part.choices, validators=validators, validate_choice=False)


def _number(part, label, validators, item):
    bounds = {name: f"{getattr(item, name):g}" for name in ("min", "max") if getattr(item, name, None) is not None}
    return NumberField(label, validators=validators,
                       render_kw={"inputmode": "numeric" if getattr(item, "integer", True) else "decimal", **bounds})


def _limit(item) -> dict:
    length = getattr(item, "max_length", None)
    return {"maxlength": length} if length else {}


def _text(part, label, validators, item):
    return TextAreaField(label, validators=validators, render_kw=_limit(item))


def _line(part, label, validators, item):
    return StringField(label, validators=validators, render_kw=_limit(item))


# widget -> the field of one part; "levels", "poles" and "yesno" are radios drawn differently.
FIELDS = {"radios": _radios, "levels": _radios, "poles": _radios, "yesno": _radios, "rows": _radios,
          "checks": _checks, "number": _number, "text": _text, "line": _line}


def field_name(answer_key: str) -> str:
    return FORM.answer(None, answer_key)


@dataclass
class LayoutEntry:
    item: Any
    kind: str  # the item's type
    fields: list[str]
    show_if: Any = None
    rows: list = dc_field(default_factory=list)  # matrix rows (schema objects), parallel to fields
    comment: Optional[str] = None  # the comment field's name
    section: int = 0  # index of the item's section among those of the form
    names: FieldNames = FORM
    keys: list = dc_field(default_factory=list)  # answer keys, parallel to fields

    @property
    def widget(self) -> str:
        return self.item.widget

    @property
    def show_if_json(self) -> str:
        return show_if_json(self.show_if)

    def option_id(self, n: int, value: str) -> Optional[str]:
        """The HTML id of the choice `value` of the n-th field (None: WTForms' own)."""
        return self.names.option_id(self.item, self.keys[n], value)


def show_if_json(show_if) -> str:
    """A condition for surveys.js (data-show-if), in field names; "" for none."""
    if show_if is None:
        return ""
    return json.dumps([{"f": field_name(c.item), **c.model_dump(by_alias=True, exclude_none=True, exclude={"item"})}
                       for c in condition_list(show_if)], ensure_ascii=False, separators=(",", ":"))


@dataclass
class ConditionHint:
    """One condition of a page or item as the page without JavaScript says it: the item it reads
    (its key, to find its number on the page, and its question), how (equals, in, not) and the
    answers' labels as the form shows them."""

    item: str
    question: str
    op: str
    answers: list[str]


def condition_hints(form, show_if) -> list[ConditionHint]:
    out = []
    for c in condition_list(show_if) if show_if is not None else []:
        field = form._fields.get(field_name(c.item))
        labels = {normalize(value): str(label) for value, label, *_rest in
                  (field.iter_choices() if field is not None and hasattr(field, "choices") else [])}
        op, values = ("equals", [c.equals]) if c.equals is not None else ("not", [c.not_]) if c.not_ is not None \
            else ("in", c.in_)
        out.append(ConditionHint(c.item.split(".")[0], field.label.text if field is not None else c.item, op,
                                 [labels.get(normalize(v), str(v)) for v in values]))
    return out


class _Visible:
    """Shared by the validators: is the item shown, given earlier and current answers?"""

    def __init__(self, show_if, answers):
        self.show_if = show_if
        self.answers = answers or {}

    def visible(self, form) -> bool:
        if self.show_if is None:
            return True
        return conditions_hold(self.show_if, current_answers(form, self.answers))


class ParsedAnswer(_Visible):
    """The item parses the submitted value (its message when refused); a hidden item is left
    out; an unanswered required item gets "Please answer this question"."""

    def __init__(self, item, key, show_if, answers, required: bool, lang: str):
        super().__init__(show_if, answers)
        self.item, self.key, self.required, self.lang = item, key, required, lang
        self.field_flags = {"required": True} if required and show_if is None else {}

    def __call__(self, form, field):
        if not self.visible(form):
            field.errors[:] = []
            field.data = None
            raise StopValidation()
        raw = field.raw_data if field.raw_data is not None else (
            [] if field.data in (None, "", []) else (field.data if isinstance(field.data, list) else [field.data]))
        try:
            value = self.item.parse(raw if self.item.multiple else (raw[0] if raw else None), self.key)
        except AnswerError as error:
            raise StopValidation(error.text(self.lang)) from None
        field.data = value
        if value is None:
            field.errors[:] = []
            if self.required:
                raise StopValidation(str(messages.ANSWER_REQUIRED))
            raise StopValidation()


class ParsedComment:
    def __init__(self, item, lang: str):
        self.item, self.lang = item, lang

    def __call__(self, form, field):
        try:
            field.data = self.item.parse_comment(field.data)
        except AnswerError as error:
            raise StopValidation(error.text(self.lang)) from None


def current_answers(form, answers: Optional[dict] = None) -> dict:
    """Earlier answers overlaid with the raw values submitted on this page."""
    merged = dict(answers or {})
    for entry in getattr(form, "layout", []):
        for key, name in zip(entry.keys, entry.fields):
            f = form._fields.get(name)
            if f is None:
                continue
            data = f.data
            if data not in (None, "", []):
                merged[key] = data
    return merged


def build_form(spec, section=None, lang: str = "ky", answers: Optional[dict] = None, base=SapatForm,
               names: FieldNames = FORM, partial: bool = False):
    """A form class for one section (index or key) of `spec`, or for all sections."""
    if section is None:
        sections = list(spec.sections)
    elif isinstance(section, int):
        sections = [spec.sections[section]]
    else:
        sections = [s for s in spec.sections if s.key == section]
    attrs: dict[str, Any] = {}
    layout: list[LayoutEntry] = []
    own = {k for sec in sections for item in sec.items for k in [item.key, *item.answer_keys()]}
    for position, sec in enumerate(sections):
        for item in sec.items:
            show_if = both(sec.show_if, item.show_if)
            if show_if is not None and _refers_only_to_earlier(show_if, own) \
                    and not conditions_hold(show_if, answers or {}):
                continue  # hidden by an answer on an earlier page
            required = item.is_required and not partial
            fields, keys, rows = [], [], []
            for part in item.parts(lang):
                name = names.answer(item, part.key)
                gate = ParsedAnswer(item, part.key, show_if, answers, required, lang)
                attrs[name] = FIELDS["radios" if part.row is not None else item.widget](part, part.label, [gate], item)
                fields.append(name)
                keys.append(part.key)
                if part.row is not None:
                    rows.append(part.row)
            comment = None
            if item.has_comment:
                comment = names.comment(item)
                attrs[comment] = TextAreaField(str(messages.COMMENT), validators=[ParsedComment(item, lang)])
            layout.append(LayoutEntry(item, item.type, fields, show_if, rows=rows, comment=comment,
                                      section=position, names=names, keys=keys))
    attrs["layout"] = layout
    attrs["spec"] = spec
    attrs["sections"] = sections
    attrs["section_conditions"] = [show_if_json(sec.show_if) for sec in sections]
    attrs["earlier_answers"] = dict(answers or {})
    return type(f"{spec.key.title().replace('_', '')}Form", (base,), attrs)


def _refers_only_to_earlier(show_if, own: set) -> bool:
    """True when the condition only reads items outside the form (answered on earlier pages)."""
    conditions = condition_list(show_if)
    return all(c.item not in own and c.item.split(".")[0] not in own for c in conditions)


def form_answers(form) -> dict[str, Any]:
    """{answer key: value} of the form's items; hidden items (show_if false) give None."""
    out: dict[str, Any] = {}
    answers = current_answers(form, getattr(form, "earlier_answers", None))
    for entry in form.layout:
        visible = conditions_hold(entry.show_if, answers) if entry.show_if is not None else True
        for key, name in zip(entry.keys, entry.fields):
            value = form._fields[name].data if visible else None
            out[key] = None if value in ("", []) else value
        if entry.comment:
            text = form._fields[entry.comment].data if visible else None
            out[f"{entry.item.key}.comment"] = (text or "").strip() or None
    return out
