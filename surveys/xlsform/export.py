"""A Sapat instrument -> the rows of an XLSForm (survey and choices sheets), for writer.py.

Each item becomes the nearest standard construct that read_xlsform maps back exactly (see the
table in surveys/xlsform/__init__.py); what XLSForm cannot say goes into sapat:: columns, and
a condition whose `relevant` would not read back exactly also into sapat::show_if.
"""
from __future__ import annotations

import json
import math
from typing import Optional

from surveys.conditions import condition_list
from surveys.schema import (
    NO,
    NOT_APPLICABLE,
    YES,
    CriterionItem,
    Instrument,
    LikertItem,
    MatrixItem,
    MultiItem,
    NumberItem,
    SingleItem,
    Text,
    TextItem,
    YesNoItem,
)
from surveys.texts import LANGS
from surveys.xlsform.choices import Choice, choices_of, classify
from surveys.xlsform.errors import N_
from surveys.xlsform.expressions import Target, conditions
from surveys.xlsform.sheets import LANGUAGE_COLUMNS


def fmt_number(value: float) -> str:
    if isinstance(value, bool):
        raise TypeError(value)
    if float(value).is_integer() and math.isfinite(value):
        return str(int(value))
    return repr(float(value))


def _literal_xpath(value) -> Optional[str]:
    if isinstance(value, bool):
        return "'yes'" if value else "'no'"
    if isinstance(value, (int, float)):
        return fmt_number(value) if isinstance(value, int) or math.isfinite(value) else None
    value = str(value)
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    raise TypeError(value)


def text_columns(prefix: str, text: Optional[Text]) -> dict[str, str]:
    if text is None:
        return {}
    return {f"{prefix}::{LANGUAGE_COLUMNS[c]}": getattr(text, c) for c in LANGS}


class FormBuilder:
    """build() fills `survey` and `choices`: one dict per sheet row, column header -> text."""

    def __init__(self, instrument: Instrument):
        self.instrument = instrument
        self.survey: list[dict[str, str]] = []
        self.choices: list[dict[str, str]] = []
        self.lists: dict[str, str] = {}  # signature -> list name
        self.list_names: set[str] = set()
        self.xls_name: dict[str, str] = {}  # Sapat answer key -> XLSForm name
        self.targets: dict[str, Target] = {}  # XLSForm name -> what read_xlsform will see
        self.taken: set[str] = set()
        for item in instrument.items():
            self.taken.add(item.key)
            if isinstance(item, MatrixItem):
                for row in item.rows:
                    self.taken.add(f"{item.key}__{row.key}")

    def unique(self, base: str, taken: set[str]) -> str:
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        taken.add(name)
        return name

    # -- choice lists --
    def choice_list(self, preferred: str, choices: list[dict[str, str]]) -> str:
        signature = json.dumps(choices, sort_keys=True, ensure_ascii=False)
        if signature in self.lists:
            return self.lists[signature]
        name = self.unique(preferred, self.list_names)
        self.lists[signature] = name
        for choice in choices:
            self.choices.append({"list_name": name, **choice})
        return name

    def scale_list(self, points: int, labels: Optional[list[Text]]) -> tuple[str, list[Choice]]:
        rows = []
        for i in range(1, points + 1):
            text = labels[i - 1] if labels else Text(ky=str(i), ru=str(i), en=str(i))
            rows.append({"name": str(i), **text_columns("label", text)})
        return self.choice_list(f"scale{points}", rows), choices_of(rows)

    # -- conditions --
    def relevant(self, show_if) -> tuple[str, str]:
        """(relevant, sapat::show_if) for a show_if; the second only where the first is not exact."""
        if show_if is None:
            return "", ""
        parts = []
        given = condition_list(show_if)
        for cond in given:
            name = self.xls_name[cond.item]
            ref = "${" + name + "}"
            multi = self.targets[name].multi
            try:
                if cond.equals is not None:
                    lit = _literal_xpath(cond.equals)
                    parts.append(f"selected({ref}, {lit})" if multi else f"{ref} = {lit}")
                elif cond.in_ is not None:
                    lits = [_literal_xpath(v) for v in cond.in_]
                    alts = [f"selected({ref}, {lit})" if multi else f"{ref} = {lit}" for lit in lits]
                    joined = " or ".join(alts)
                    parts.append(f"({joined})" if len(given) > 1 and len(alts) > 1 else joined)
                else:
                    lit = _literal_xpath(cond.not_)
                    parts.append(f"count-selected({ref}) > 0 and not(selected({ref}, {lit}))" if multi
                                 else f"{ref} != '' and {ref} != {lit}")
            except TypeError:
                raise ValueError(N_("the condition value of %(item)s holds both ' and \", which XPath cannot "
                                    "quote", item=repr(cond.item))) from None
        expr = " and ".join(parts)
        original = [c.model_dump(mode="json", by_alias=True, exclude_none=True) for c in given]
        parsed = conditions(expr, self.targets)
        same = json.dumps(parsed, sort_keys=True) == json.dumps(original, sort_keys=True)
        if same and isinstance(show_if, list) == (len(parsed) > 1):
            return expr, ""
        dumped = (original if isinstance(show_if, list) else original[0])
        return expr, json.dumps(dumped, ensure_ascii=False)

    # -- rows --
    def required(self, row: dict, item, default: bool):
        effective = item.is_required
        if effective:
            row["required"] = "yes"
        read_back = None if effective == default else effective
        if read_back != item.required:
            row["sapat::required"] = "yes" if item.required else "no"

    def common(self, row: dict, item, type_: str):
        row.update({"type": type_, "name": item.key, **text_columns("label", item.text), **text_columns("hint", item.help)})
        relevant, exact = self.relevant(item.show_if)
        if relevant:
            row["relevant"] = relevant
        if exact:
            row["sapat::show_if"] = exact
        if getattr(item, "scale", None):
            row["sapat::scale"] = item.scale
        if getattr(item, "reverse", False):
            row["sapat::reverse"] = "yes"

    def poles(self, row: dict, left: Optional[Text], right: Optional[Text], text: Optional[Text]):
        """sapat::left / sapat::right; without a text the label shows the poles (sapat::text none)."""
        row.update(text_columns("sapat::left", left))
        row.update(text_columns("sapat::right", right))
        if text is None:
            row["sapat::text"] = "none"
            row.update({f"label::{LANGUAGE_COLUMNS[c]}": f"{getattr(left, c)} — {getattr(right, c)}" for c in LANGS})

    def item(self, item) -> None:
        if isinstance(item, MatrixItem):
            return self.matrix(item)
        row: dict[str, str] = {}
        kind = self.instrument.kind
        multi = isinstance(item, MultiItem)
        names = None
        if isinstance(item, (SingleItem, MultiItem)):
            select = "select_multiple" if multi else "select_one"
            rows = []
            for o in item.options:
                entry = {"name": o.key, **text_columns("label", o.text)}
                if o.score is not None:
                    entry["sapat_score"] = fmt_number(o.score)
                rows.append(entry)
            self.common(row, item, f"{select} {self.choice_list(item.key, rows)}")
            if multi:
                bounds = []
                if item.min_choices is not None:
                    bounds.append(f"count-selected(.) >= {item.min_choices}")
                if item.max_choices is not None:
                    bounds.append(f"count-selected(.) <= {item.max_choices}")
                if bounds:
                    row["constraint"] = " and ".join(bounds)
            self.required(row, item, bool(item.min_choices) if multi else True)
            found, _ = classify(select, choices_of(rows), "", kind)
            names = {o.key for o in item.options}
        elif isinstance(item, LikertItem):
            name, choices = self.scale_list(item.points, item.labels)
            self.common(row, item, f"select_one {name}")
            row["appearance"] = "likert"
            if item.labels is None:
                row["sapat::labels"] = "none"
            self.poles(row, item.left, item.right, item.text)
            self.required(row, item, True)
            found, _ = classify("select_one", choices, "likert", kind)
            names = {c.name for c in choices}
        elif isinstance(item, YesNoItem):
            rows = [{"name": "yes", **text_columns("label", YES)}, {"name": "no", **text_columns("label", NO)}]
            self.common(row, item, f"select_one {self.choice_list('yes_no', rows)}")
            self.required(row, item, True)
            found, _ = classify("select_one", choices_of(rows), "", kind)
            names = {"yes", "no"}
        elif isinstance(item, CriterionItem):
            rows = []
            for level in item.levels:
                entry = {"name": str(level.score), **text_columns("label", level.label)}
                if level.descriptor is not None:
                    entry.update({f"sapat_descriptor_{c}": getattr(level.descriptor, c) for c in LANGS})
                rows.append(entry)
            if item.allow_na:
                rows.append({"name": "na", **text_columns("label", NOT_APPLICABLE)})
            self.common(row, item, f"select_one {self.choice_list('levels', rows)}")
            if not item.allow_comment:
                row["sapat::allow_comment"] = "no"
            self.required(row, item, True)
            found, _ = classify("select_one", choices_of(rows), "", kind)
            names = {r["name"] for r in rows}
        elif isinstance(item, NumberItem):
            self.common(row, item, "integer" if item.integer else "decimal")
            bounds = []
            if item.min is not None:
                bounds.append(f". >= {fmt_number(item.min)}")
            if item.max is not None:
                bounds.append(f". <= {fmt_number(item.max)}")
            if bounds:
                row["constraint"] = " and ".join(bounds)
            self.required(row, item, True)
            found = "number"
        elif isinstance(item, TextItem):
            self.common(row, item, "text")
            if item.max_length != 1000:
                row["constraint"] = f"string-length(.) <= {item.max_length}"
            if item.multiline:
                row["appearance"] = "multiline"
            self.required(row, item, False)
            found = "text"
        else:  # pragma: no cover - every item type is handled above
            raise TypeError(f"unknown item type {type(item).__name__}")
        if found != item.type:
            row["sapat::type"] = item.type
        self.xls_name[item.key] = item.key
        self.targets[item.key] = Target(item.key, multi=multi, names=names)
        self.survey.append(row)

    def matrix(self, item: MatrixItem):
        group = {"type": "begin group", "name": item.key, **text_columns("label", item.text),
                 **text_columns("hint", item.help), "appearance": "table-list"}
        relevant, exact = self.relevant(item.show_if)
        if relevant:
            group["relevant"] = relevant
        if exact:
            group["sapat::show_if"] = exact
        if item.labels is None:
            group["sapat::labels"] = "none"
        effective = item.is_required
        read_back = None if effective else False
        if read_back != item.required:
            group["sapat::required"] = "yes" if item.required else "no"
        self.survey.append(group)
        name, _choices = self.scale_list(item.points, item.labels)
        for r in item.rows:
            row = {"type": f"select_one {name}", "name": f"{item.key}__{r.key}", **text_columns("label", r.text)}
            if effective:
                row["required"] = "yes"
            if r.scale:
                row["sapat::scale"] = r.scale
            if r.reverse:
                row["sapat::reverse"] = "yes"
            self.poles(row, r.left, r.right, r.text)
            self.xls_name[f"{item.key}.{r.key}"] = f"{item.key}__{r.key}"
            self.targets[f"{item.key}__{r.key}"] = Target(f"{item.key}.{r.key}",
                                                          names={str(i) for i in range(1, item.points + 1)})
            self.survey.append(row)
        self.survey.append({"type": "end group", "name": item.key})

    def build(self):
        inst = self.instrument
        if inst.description is not None:
            self.survey.append({"type": "note", "name": self.unique("description", self.taken),
                                **text_columns("label", inst.description)})
        self.taken.update(s.key for s in inst.sections)
        for section in inst.sections:
            group = {"type": "begin group", "name": section.key, **text_columns("label", section.title)}
            relevant, exact = self.relevant(section.show_if)
            if relevant:
                group["relevant"] = relevant
            if exact:
                group["sapat::show_if"] = exact
            self.survey.append(group)
            if section.intro is not None:
                self.survey.append({"type": "note", "name": self.unique(f"{section.key}_intro", self.taken),
                                    **text_columns("label", section.intro)})
            for item in section.items:
                self.item(item)
            self.survey.append({"type": "end group", "name": section.key})
