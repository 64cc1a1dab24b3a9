"""Build a WTForms form class from an instrument, so that survey and protocol pages use Flask-WTF
(CSRF, validation, translated messages) like every other form.

    build_form(spec, section=None, lang="ky", answers=None) -> form class (a SapatForm subclass)
    field_name(answer_key) -> str                 'climate.q1' -> 'climate__q1'
    form_answers(form) -> {answer key: value}     values of visible items (None for hidden ones)

One field per item (one per row of a matrix; a criterion may add `<key>__comment`). Required
items get a validator that applies only while the item is visible (show_if), reading earlier
answers from `answers` and answers of the same page from the submitted data. The form class has
`layout`: a list of LayoutEntry (the item, its field names, its show_if) for templates.
"""
import json
from dataclasses import dataclass, field as dc_field
from typing import Any, Optional

from wtforms import (FloatField, IntegerField, RadioField, SelectMultipleField, StringField,
                     TextAreaField)
from wtforms.validators import Length, NumberRange, Optional as OptionalValidator, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from forms.base import SapatForm
from surveys import messages
from surveys.schema import (NO, NOT_APPLICABLE, YES, CriterionItem, LikertItem, MatrixItem, MultiItem,
                            NumberItem, SingleItem, TextItem, YesNoItem, condition_list, conditions_hold)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def field_name(answer_key: str) -> str:
    return answer_key.replace(".", "__")


@dataclass
class LayoutEntry:
    item: Any
    kind: str
    fields: list[str]
    show_if: Any = None
    rows: list = dc_field(default_factory=list)  # matrix rows (schema objects), parallel to fields
    comment: Optional[str] = None  # criterion comment field name
    section: int = 0  # index of the item's section among those of the form

    @property
    def show_if_json(self) -> str:
        return show_if_json(self.show_if)


def show_if_json(show_if) -> str:
    """A condition for surveys.js (data-show-if), in field names; "" for none."""
    if show_if is None:
        return ""
    return json.dumps([{"f": field_name(c.item), **c.model_dump(by_alias=True, exclude_none=True, exclude={"item"})}
                       for c in condition_list(show_if)], ensure_ascii=False, separators=(",", ":"))


class _Visible:
    """Shared by the validators: is the item shown, given earlier and current answers?"""

    def __init__(self, show_if, answers):
        self.show_if = show_if
        self.answers = answers or {}

    def visible(self, form) -> bool:
        if self.show_if is None:
            return True
        return conditions_hold(self.show_if, current_answers(form, self.answers))


class RequiredIfVisible(_Visible):
    """InputRequired while the item is visible; a hidden or empty optional item stops validation."""

    def __init__(self, show_if, answers, required: bool):
        super().__init__(show_if, answers)
        self.required = required
        self.field_flags = {"required": True} if required and show_if is None else {}

    def __call__(self, form, field):
        if field.process_errors:
            raise StopValidation()  # e.g. "Not a valid integer value." is already in field.errors
        if field.raw_data is not None:
            empty = not [v for v in field.raw_data if str(v).strip()]
        else:
            empty = field.data is None or field.data == "" or field.data == []
        if not self.visible(form):
            field.errors[:] = []
            field.data = None
            raise StopValidation()
        if empty:
            field.errors[:] = []
            if self.required:
                raise StopValidation(str(messages.ANSWER_REQUIRED))
            raise StopValidation()


class Choices:
    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def __call__(self, form, field):
        n = len(field.data or [])
        if self.lo and n < self.lo:
            raise StopValidation(str(messages.CHOOSE_AT_LEAST) % {"n": self.lo})
        if self.hi and n > self.hi:
            raise StopValidation(str(messages.CHOOSE_AT_MOST) % {"n": self.hi})


def current_answers(form, answers: Optional[dict] = None) -> dict:
    """Earlier answers overlaid with the raw values submitted on this page."""
    merged = dict(answers or {})
    for entry in getattr(form, "layout", []):
        keys = entry.item.answer_keys()
        for key, name in zip(keys, entry.fields):
            f = form._fields.get(name)
            if f is None:
                continue
            data = f.data
            if data not in (None, "", []):
                merged[key] = data
    return merged


def _label(text, lang):
    return text.pick(lang) if text is not None else ""


def _point_labels(points, labels, lang):
    if labels:
        return [(str(i + 1), labels[i].pick(lang)) for i in range(points)]
    return [(str(i + 1), str(i + 1)) for i in range(points)]


def build_form(spec, section=None, lang: str = "ky", answers: Optional[dict] = None, base=SapatForm):
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
            show_if = _both(sec.show_if, item.show_if)
            if show_if is not None and _refers_only_to_earlier(show_if, own) \
                    and not conditions_hold(show_if, answers or {}):
                continue  # hidden by an answer on an earlier page
            required = item.is_required
            gate = RequiredIfVisible(show_if, answers, required)
            label = _label(item.text, lang)
            if isinstance(item, MatrixItem):
                names = []
                for row in item.rows:
                    name = field_name(f"{item.key}.{row.key}")
                    row_label = _label(row.text, lang) or f"{_label(row.left, lang)} — {_label(row.right, lang)}"
                    attrs[name] = RadioField(row_label, choices=_point_labels(item.points, item.labels, lang),
                                             validators=[RequiredIfVisible(show_if, answers, required)],
                                             validate_choice=True)
                    names.append(name)
                layout.append(LayoutEntry(item, "matrix", names, show_if, rows=list(item.rows), section=position))
                continue
            name = field_name(item.key)
            comment = None
            if isinstance(item, LikertItem):
                if not label:
                    label = f"{_label(item.left, lang)} — {_label(item.right, lang)}"
                unbound = RadioField(label, choices=_point_labels(item.points, item.labels, lang), validators=[gate])
            elif isinstance(item, SingleItem):
                unbound = RadioField(label, choices=[(o.key, o.text.pick(lang)) for o in item.options],
                                     validators=[gate])
            elif isinstance(item, YesNoItem):
                unbound = RadioField(label, choices=[("yes", YES.pick(lang)), ("no", NO.pick(lang))], validators=[gate])
            elif isinstance(item, CriterionItem):
                choices = [(str(lv.score), lv.label.pick(lang)) for lv in item.levels]
                if item.allow_na:
                    choices.append(("na", NOT_APPLICABLE.pick(lang)))
                unbound = RadioField(label, choices=choices, validators=[gate])
                if item.allow_comment:
                    comment = f"{name}__comment"
                    attrs[comment] = TextAreaField(str(messages.COMMENT),
                                                   validators=[OptionalValidator(), Length(max=2000)])
            elif isinstance(item, MultiItem):
                unbound = MultiCheckboxField(label, choices=[(o.key, o.text.pick(lang)) for o in item.options],
                                             validators=[RequiredIfVisible(show_if, answers, item.is_required),
                                                         Choices(item.min_choices, item.max_choices)])
            elif isinstance(item, NumberItem):
                kind = IntegerField if item.integer else FloatField
                rng = NumberRange(min=item.min, max=item.max)
                unbound = kind(label, validators=[gate, rng],
                               render_kw={"inputmode": "numeric" if item.integer else "decimal",
                                          **({"min": f"{item.min:g}"} if item.min is not None else {}),
                                          **({"max": f"{item.max:g}"} if item.max is not None else {})})
            elif isinstance(item, TextItem):
                kind = TextAreaField if item.multiline else StringField
                unbound = kind(label, validators=[gate, Length(max=item.max_length)],
                               render_kw={"maxlength": item.max_length})
            else:  # pragma: no cover - the schema has no other types
                raise TypeError(type(item))
            attrs[name] = unbound
            layout.append(LayoutEntry(item, item.type, [name], show_if, comment=comment, section=position))
    attrs["layout"] = layout
    attrs["spec"] = spec
    attrs["sections"] = sections
    attrs["section_conditions"] = [show_if_json(sec.show_if) for sec in sections]
    attrs["earlier_answers"] = dict(answers or {})
    return type(f"{spec.key.title().replace('_', '')}Form", (base,), attrs)


def _both(section_show_if, item_show_if):
    """An item of a conditional section is shown only when both conditions hold."""
    if section_show_if is None or item_show_if is None:
        return item_show_if if section_show_if is None else section_show_if
    return condition_list(section_show_if) + condition_list(item_show_if)


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
        for key, name in zip(entry.item.answer_keys(), entry.fields):
            value = form._fields[name].data if visible else None
            out[key] = None if value in ("", []) else value
        if entry.comment:
            text = form._fields[entry.comment].data if visible else None
            out[f"{entry.item.key}.comment"] = (text or "").strip() or None
    return out
