"""Item types answered on an ordered scale of points or levels: likert, matrix and criterion.

- likert     k points (2..11) scored 1..k    points, labels | left/right poles, reverse, scale
- matrix     rows sharing one likert scale   points, labels, rows: [{key, text | left/right, reverse, scale}]
- criterion  a rubric for observation        levels: [{score, label, descriptor}], allow_na, allow_comment,
             protocols                       reverse, scale
"""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field, field_validator, model_validator

from surveys import messages
from surveys.items.base import NA, AnswerError, ItemBase, Part, Record, language, one, ranked
from surveys.texts import NOT_APPLICABLE, Key, Problem, Strict, Text


def check_point_labels(points, labels, left, right):
    if labels is None and (left is None or right is None):
        raise ValueError("give labels for every point, or left and right poles")
    if labels is not None and len(labels) != points:
        raise ValueError(f"{points} points need {points} labels, got {len(labels)}")


class _Points(ItemBase):
    """Shared by likert and matrix: answers are the points "1".."k", scored 1..k."""

    storage = "score"
    WIDGET = "radios"

    def score_range(self):
        return 1.0, float(self.points)

    def choices(self, lang):
        if self.labels:
            return [(str(i + 1), self.labels[i].pick(lang)) for i in range(self.points)]
        return [(str(i + 1), str(i + 1)) for i in range(self.points)]

    def parse(self, raw, key=None):
        return self.choose(raw, {str(i + 1) for i in range(self.points)})

    def value(self, answer, key=None):
        try:
            return float(answer)
        except (TypeError, ValueError):
            return None

    def summary_options(self, reverse=False):
        labels = self.labels or []
        ranks = ranked([float(i) for i in range(self.points)], reverse)
        return [(str(i + 1), labels[i] if labels else str(i + 1), ranks[i]) for i in range(self.points)]


class LikertItem(_Points):
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

    @property
    def widget(self) -> str:
        return "radios" if self.labels else "poles"

    def label(self, lang=None):
        if self.text is None and self.left is not None and self.right is not None:
            lang = lang or language()
            return f"{self.left.pick(lang)} — {self.right.pick(lang)}"
        return super().label(lang)


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

    def label(self, lang: str) -> str:
        if self.text is not None:
            return self.text.pick(lang)
        return f"{self.left.pick(lang)} — {self.right.pick(lang)}"


class MatrixItem(_Points):
    """Rows that share one scale of `points`; each row is answered and stored as `item.row`."""

    type: Literal["matrix"]
    text: Text
    points: int = Field(ge=2, le=11)
    labels: Optional[list[Text]] = None
    rows: list[MatrixRow] = Field(min_length=1)

    WIDGET = "rows"

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

    def scored(self):
        rng = self.score_range()
        for n, row in enumerate(self.rows):
            yield f"{self.key}.{row.key}", row.scale, row.reverse, rng, f".rows[{n}]"

    def parts(self, lang):
        choices = self.choices(lang)
        return [Part(f"{self.key}.{row.key}", row.label(lang), choices, row) for row in self.rows]

    def check(self, path):
        keys = [row.key for row in self.rows]
        return [Problem(f"{path}.rows[{n}].key", f"duplicate row key '{key}'")
                for n, key in enumerate(keys) if key in keys[:n]]


class Level(Strict):
    score: int = Field(ge=0, le=100)
    label: Text
    descriptor: Optional[Text] = None


class CriterionItem(ItemBase):
    """A criterion of an observation protocol: a rubric of score levels, each with a descriptor.
    With `allow_na` the answer may be "na" (not applicable): no score, and not counted."""

    type: Literal["criterion"]
    text: Text
    levels: list[Level] = Field(min_length=2)
    allow_na: bool = False
    allow_comment: bool = True
    reverse: bool = False
    scale: Optional[Key] = None

    storage = "score"
    WIDGET = "levels"

    @field_validator("levels")
    @classmethod
    def _distinct_scores(cls, levels):
        scores = [lv.score for lv in levels]
        if len(set(scores)) != len(scores):
            raise ValueError("level scores must be distinct")
        return sorted(levels, key=lambda lv: lv.score)

    @property
    def has_comment(self) -> bool:
        return self.allow_comment

    def score_range(self):
        return float(self.levels[0].score), float(self.levels[-1].score)

    def level(self, score) -> Optional[Level]:
        return next((lv for lv in self.levels if str(lv.score) == one(score)), None)

    def choices(self, lang):
        choices = [(str(lv.score), lv.label.pick(lang)) for lv in self.levels]
        return choices + [(NA, NOT_APPLICABLE.pick(lang))] if self.allow_na else choices

    def parse(self, raw, key=None):
        given = one(raw).lower()
        if not given:
            return None
        if given == NA and self.allow_na:
            return NA
        try:
            score = int(given)
        except ValueError:
            score = None
        if score is None or self.level(score) is None:
            lo, hi = self.score_range()
            raise AnswerError(self, messages.OUT_OF_RUBRIC, score=one(raw), min=int(lo), max=int(hi))
        return str(score)

    def value(self, answer, key=None):
        if answer is None or one(answer).lower() in ("", NA):
            return None
        try:
            return float(answer)
        except (TypeError, ValueError):
            return None

    def record(self, key, answer):
        na = one(answer).lower() == NA
        return Record(key, value=self.value(answer), option=NA if na else None, na=na)

    def answer_of(self, record: Record):
        if record.na:
            return NA
        return None if record.value is None else str(int(record.value))

    def summary_options(self, reverse=False):
        ranks = ranked([float(lv.score) for lv in self.levels], reverse)
        return [(str(lv.score), lv.label, r) for lv, r in zip(self.levels, ranks)]


TYPES = (LikertItem, MatrixItem, CriterionItem)
