"""The instrument language: pydantic models of a questionnaire or an observation protocol.

An instrument file (surveys/instruments/*.yaml) has a key, a version, a kind (survey |
observation), texts in ky / ru / en, optional sub-scales, and sections of items. Item types:

- single   one option of a list                    options: [{key, text, score?}]
- multi    several options                         options, min_choices?, max_choices?
- likert   k points (2..11), labels per point      points, labels | left/right poles, reverse, scale
- matrix   rows sharing one likert scale           points, labels, rows: [{key, text | left/right, reverse, scale}]
- number   a number in [min, max]                  min, max, integer
- text     free text                               max_length, multiline
- yes_no   yes / no                                (score 1 for yes, 0 for no when in a scale)
- criterion  a rubric for observation protocols:   levels: [{score, label, descriptor}], allow_na, scale

Every item may be `required` (default true for scored items, false for text) and have
`show_if` (a condition on an earlier answer: {item, equals | in | not}; a list means all).
Cross-references (unknown scale, show_if on a later or unknown item, duplicate keys, scales
mixing score ranges) are checked by `check_references`, which the loader calls after
validation so that every problem comes with its path inside the file.
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Annotated, Any, Iterator, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

KEY_PATTERN = r"^[a-z][a-z0-9_]*$"
Key = Annotated[str, Field(pattern=KEY_PATTERN, max_length=60)]
KINDS = ("survey", "observation")
AUDIENCES = ("parents", "students", "teachers", "staff")
LANGS = ("ky", "ru", "en")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(Strict):
    """A text in the three languages of the school; Kyrgyz and Russian are required."""

    ky: str = Field(min_length=1)
    ru: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str, default: str = "") -> str:
        return getattr(self, lang, None) or default

    def pick(self, lang: str) -> str:
        return getattr(self, lang, None) or self.ru or self.ky


# Built-in texts of the language itself (not of the app), so that forms/builder.py needs no
# gettext: yes/no answers and the "not applicable" level of a criterion.
YES = Text(ky="Ооба", ru="Да", en="Yes")
NO = Text(ky="Жок", ru="Нет", en="No")
NOT_APPLICABLE = Text(ky="Колдонулбайт", ru="Не применимо", en="Not applicable")

Value = Union[bool, int, float, str]


class Condition(Strict):
    """show_if: the answer to `item` equals a value, is in a list, or is not a value."""

    item: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")
    equals: Optional[Value] = None
    in_: Optional[list[Value]] = Field(default=None, alias="in", min_length=1)
    not_: Optional[Value] = Field(default=None, alias="not")

    @model_validator(mode="after")
    def _exactly_one(self):
        given = [name for name in ("equals", "in_", "not_") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("a condition needs exactly one of equals, in, not")
        return self

    def holds(self, answers: dict[str, Any]) -> bool:
        """True when the condition is met by `answers` (item key -> value or list of values)."""
        given = answers.get(self.item)
        values = {normalize(v) for v in given} if isinstance(given, (list, tuple, set)) else (
            set() if given is None or given == "" else {normalize(given)})
        if self.equals is not None:
            return normalize(self.equals) in values
        if self.in_ is not None:
            return bool(values & {normalize(v) for v in self.in_})
        return bool(values) and normalize(self.not_) not in values


def normalize(value: Any) -> str:
    """Compare answers as strings: True -> 'yes', 3.0 -> '3'."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip().lower()


ShowIf = Union[Condition, list[Condition]]


def condition_list(show_if) -> list:
    """show_if as a list of conditions (a single condition or a list, which means all)."""
    return show_if if isinstance(show_if, list) else [show_if]


def conditions_hold(show_if: Optional[ShowIf], answers: dict[str, Any]) -> bool:
    if show_if is None:
        return True
    return all(c.holds(answers) for c in condition_list(show_if))


class ItemBase(Strict):
    key: Key
    text: Optional[Text] = None
    help: Optional[Text] = None
    required: Optional[bool] = None
    show_if: Optional[ShowIf] = None

    @property
    def is_required(self) -> bool:
        return True if self.required is None else self.required

    def answer_keys(self) -> list[str]:
        """Keys of the Answer rows this item produces (matrix rows produce one each)."""
        return [self.key]


class Option(Strict):
    key: Key
    text: Text
    score: Optional[float] = None


class SingleItem(ItemBase):
    type: Literal["single"]
    text: Text
    options: list[Option] = Field(min_length=2)
    scale: Optional[Key] = None
    reverse: bool = False


class MultiItem(ItemBase):
    type: Literal["multi"]
    text: Text
    options: list[Option] = Field(min_length=2)
    min_choices: Optional[int] = Field(default=None, ge=0)
    max_choices: Optional[int] = Field(default=None, ge=1)

    @property
    def is_required(self) -> bool:
        return bool(self.required) or bool(self.min_choices)


class LikertItem(ItemBase):
    """k points scored 1..k; `labels` name every point, or `left`/`right` name the poles of a
    bipolar (Fiedler-type) scale."""

    type: Literal["likert"]
    points: int = Field(ge=2, le=11)
    labels: Optional[list[Text]] = None
    left: Optional[Text] = None
    right: Optional[Text] = None
    reverse: bool = False
    scale: Optional[Key] = None

    @model_validator(mode="after")
    def _labels(self):
        check_point_labels(self.points, self.labels, self.left, self.right)
        if self.text is None and (self.left is None or self.right is None):
            raise ValueError("a likert item needs a text, or both left and right poles")
        return self


def check_point_labels(points, labels, left, right):
    if labels is None and (left is None or right is None):
        raise ValueError("give labels for every point, or left and right poles")
    if labels is not None and len(labels) != points:
        raise ValueError(f"{points} points need {points} labels, got {len(labels)}")


class MatrixRow(Strict):
    key: Key
    text: Optional[Text] = None
    left: Optional[Text] = None
    right: Optional[Text] = None
    reverse: bool = False
    scale: Optional[Key] = None

    @model_validator(mode="after")
    def _text(self):
        if self.text is None and (self.left is None or self.right is None):
            raise ValueError("a matrix row needs a text, or both left and right poles")
        return self


class MatrixItem(ItemBase):
    """Rows that share one scale of `points`; each row is answered and stored as `item.row`."""

    type: Literal["matrix"]
    text: Text
    points: int = Field(ge=2, le=11)
    labels: Optional[list[Text]] = None
    rows: list[MatrixRow] = Field(min_length=1)

    @model_validator(mode="after")
    def _labels(self):
        bipolar = all(r.left is not None and r.right is not None for r in self.rows)
        if self.labels is None and not bipolar:
            raise ValueError("give labels for every point, or left and right poles on every row")
        if self.labels is not None and len(self.labels) != self.points:
            raise ValueError(f"{self.points} points need {self.points} labels, got {len(self.labels)}")
        return self

    def answer_keys(self) -> list[str]:
        return [f"{self.key}.{row.key}" for row in self.rows]


class NumberItem(ItemBase):
    type: Literal["number"]
    text: Text
    min: Optional[float] = None
    max: Optional[float] = None
    integer: bool = True

    @model_validator(mode="after")
    def _range(self):
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min:g} is greater than max {self.max:g}")
        return self


class TextItem(ItemBase):
    type: Literal["text"]
    text: Text
    max_length: int = Field(default=1000, ge=1, le=5000)
    multiline: bool = True

    @property
    def is_required(self) -> bool:
        return bool(self.required)


class YesNoItem(ItemBase):
    type: Literal["yes_no"]
    text: Text
    scale: Optional[Key] = None
    reverse: bool = False


class Level(Strict):
    score: int = Field(ge=0, le=100)
    label: Text
    descriptor: Optional[Text] = None


class CriterionItem(ItemBase):
    """A criterion of an observation protocol: a rubric of score levels, each with a descriptor."""

    type: Literal["criterion"]
    text: Text
    levels: list[Level] = Field(min_length=2)
    allow_na: bool = False
    allow_comment: bool = True
    reverse: bool = False
    scale: Optional[Key] = None

    @field_validator("levels")
    @classmethod
    def _distinct_scores(cls, levels):
        scores = [lv.score for lv in levels]
        if len(set(scores)) != len(scores):
            raise ValueError("level scores must be distinct")
        return sorted(levels, key=lambda lv: lv.score)


Item = Annotated[
    Union[SingleItem, MultiItem, LikertItem, MatrixItem, NumberItem, TextItem, YesNoItem, CriterionItem],
    Field(discriminator="type"),
]
ITEM_TYPES = ("single", "multi", "likert", "matrix", "number", "text", "yes_no", "criterion")


class Section(Strict):
    key: Key
    title: Text
    intro: Optional[Text] = None
    show_if: Optional[ShowIf] = None
    items: list[Item] = Field(min_length=1)


class Scale(Strict):
    key: Key
    title: Text
    description: Optional[Text] = None


class Instrument(Strict):
    key: Key
    version: int = Field(ge=1)
    kind: Literal["survey", "observation"]
    title: Text
    description: Optional[Text] = None
    audience: list[Literal["parents", "students", "teachers", "staff"]] = Field(default_factory=list)
    grades: Optional[list[int]] = None
    sources: list[str] = Field(default_factory=list)
    scales: list[Scale] = Field(default_factory=list)
    sections: list[Section] = Field(min_length=1)

    # --- navigation -----------------------------------------------------------------
    def items(self) -> Iterator[Item]:
        for section in self.sections:
            yield from section.items

    def item(self, key: str) -> Item:
        for item in self.items():
            if item.key == key:
                return item
        raise KeyError(key)

    def scale(self, key: str) -> Scale:
        for scale in self.scales:
            if scale.key == key:
                return scale
        raise KeyError(key)

    def answer_keys(self) -> list[str]:
        return [k for item in self.items() for k in item.answer_keys()]

    def scored(self) -> Iterator[tuple[str, Any, Optional[str], bool, tuple[float, float]]]:
        """(answer key, item, scale key, reverse, (min, max)) for every scored answer."""
        from surveys.scoring import item_range

        for item in self.items():
            if isinstance(item, MatrixItem):
                for row in item.rows:
                    yield f"{item.key}.{row.key}", item, row.scale, row.reverse, (1.0, float(item.points))
            else:
                rng = item_range(item)
                if rng is not None:
                    yield item.key, item, getattr(item, "scale", None), getattr(item, "reverse", False), rng

    # --- identity -------------------------------------------------------------------
    def definition(self) -> dict:
        """The normalized definition (JSON-ready), as stored in the database."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    def content_hash(self) -> str:
        """SHA-256 of the definition without its version number: same content, same hash."""
        data = self.definition()
        data.pop("version", None)
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Problem(Exception):
    """One problem in an instrument: where (path inside the file) and why."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}" if path else reason)
        self.path = path
        self.reason = reason


def check_references(instrument: Instrument) -> list[Problem]:
    """Problems that single fields cannot see: keys, scales, show_if order, score ranges."""
    from surveys.scoring import item_range

    problems: list[Problem] = []
    scale_keys = [s.key for s in instrument.scales]
    for i, key in enumerate(scale_keys):
        if key in scale_keys[:i]:
            problems.append(Problem(f"scales[{i}].key", f"duplicate scale key '{key}'"))
    section_keys: list[str] = []
    seen: dict[str, str] = {}  # answer key -> path, in order
    seen_items: dict[str, Any] = {}
    ranges: dict[str, tuple[tuple[float, float], str]] = {}

    def check_condition(show_if, path):
        for n, cond in enumerate(condition_list(show_if)):
            where = f"{path}.show_if" + (f"[{n}]" if isinstance(show_if, list) else "") + ".item"
            base = cond.item.split(".")[0]
            if cond.item not in seen and base not in seen_items:
                problems.append(Problem(where, f"show_if refers to '{cond.item}', which is not an earlier item"))

    def check_scale(scale, rng, path):
        if scale is None:
            return
        if scale not in scale_keys:
            problems.append(Problem(f"{path}.scale", f"unknown scale '{scale}'"))
            return
        if rng is None:
            problems.append(Problem(f"{path}.scale", "this item has no score and cannot count toward a scale"))
            return
        if scale in ranges and ranges[scale][0] != rng:
            first_range, first_path = ranges[scale]
            problems.append(Problem(
                f"{path}.scale",
                f"scale '{scale}' mixes score ranges {_fmt_range(rng)} and {_fmt_range(first_range)} ({first_path})"))
        ranges.setdefault(scale, (rng, path))

    for s, section in enumerate(instrument.sections):
        spath = f"sections[{s}]"
        if section.key in section_keys:
            problems.append(Problem(f"{spath}.key", f"duplicate section key '{section.key}'"))
        section_keys.append(section.key)
        if section.show_if is not None:
            check_condition(section.show_if, spath)
        for i, item in enumerate(section.items):
            path = f"{spath}.items[{i}]"
            if item.key in seen_items:
                problems.append(Problem(f"{path}.key", f"duplicate item key '{item.key}'"))
            if item.show_if is not None:
                check_condition(item.show_if, path)
            if isinstance(item, MatrixItem):
                row_keys = []
                for r, row in enumerate(item.rows):
                    if row.key in row_keys:
                        problems.append(Problem(f"{path}.rows[{r}].key", f"duplicate row key '{row.key}'"))
                    row_keys.append(row.key)
                    check_scale(row.scale, (1.0, float(item.points)), f"{path}.rows[{r}]")
            else:
                check_scale(getattr(item, "scale", None), item_range(item), path)
            if isinstance(item, (SingleItem, MultiItem)):
                option_keys = [o.key for o in item.options]
                for o, key in enumerate(option_keys):
                    if key in option_keys[:o]:
                        problems.append(Problem(f"{path}.options[{o}].key", f"duplicate option key '{key}'"))
                if isinstance(item, SingleItem) and item.scale and any(o.score is None for o in item.options):
                    problems.append(Problem(f"{path}.options", "every option needs a score when the item has a scale"))
            if isinstance(item, MultiItem) and item.min_choices and item.max_choices \
                    and item.min_choices > item.max_choices:
                problems.append(Problem(f"{path}.min_choices", "min_choices is greater than max_choices"))
            seen_items[item.key] = item
            for key in item.answer_keys():
                seen[key] = path
    used = set(ranges)
    for i, scale in enumerate(instrument.scales):
        if scale.key not in used:
            problems.append(Problem(f"scales[{i}]", f"scale '{scale.key}' has no items"))
    if instrument.kind == "survey" and any(isinstance(it, CriterionItem) for it in instrument.items()):
        problems.append(Problem("kind", "criterion items belong to observation protocols (kind: observation)"))
    return problems


def _fmt_range(rng: tuple[float, float]) -> str:
    lo, hi = rng
    return f"{lo:g}..{hi:g}"


def parse(data: Any) -> Instrument:
    """Validate a definition dict (e.g. from the database) without the file context."""
    return Instrument.model_validate(data)


def format_loc(loc: tuple) -> str:
    """('sections', 1, 'items', 3, 'likert', 'scale') -> 'sections[1].items[3].scale'.

    Pydantic puts the tag of a discriminated union (the item type) after the index, and the
    member type of a plain union (e.g. 'list[Condition]') into the location: both are dropped."""
    out = ""
    parts = list(loc)
    for n, part in enumerate(parts):
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        if n >= 2 and parts[n - 2] == "items" and isinstance(parts[n - 1], int) and part in ITEM_TYPES:
            continue
        if part in ("Condition", "list[Condition]") or re.match(r"^(function-|tagged-union|union\[)", str(part)):
            continue
        out += ("." if out else "") + str(part)
    return out
