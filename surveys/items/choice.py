"""Item types that offer answers to choose from: single, multi and yes_no.

- single   one option of a list               options: [{key, text, score?}], scale?, reverse
- multi    several options                    options, min_choices?, max_choices?
- yes_no   yes / no                           scale?, reverse (score 1 for yes, 0 for no)
"""
from __future__ import annotations

from typing import Any, ClassVar, Literal, Optional

from pydantic import Field

from surveys import messages
from surveys.items.base import AnswerError, ItemBase, Record, one, ranked
from surveys.texts import NO, YES, Key, Problem, Strict, Text


class Option(Strict):
    key: Key
    text: Text
    score: Optional[float] = None


def _duplicate_options(options: list[Option], path: str) -> list[Problem]:
    keys = [o.key for o in options]
    return [Problem(f"{path}.options[{n}].key", f"duplicate option key '{key}'")
            for n, key in enumerate(keys) if key in keys[:n]]


class SingleItem(ItemBase):
    """One option of a list; scored when every option has a score."""

    type: Literal["single"]
    text: Text
    options: list[Option] = Field(min_length=2)
    scale: Optional[Key] = None
    reverse: bool = False

    storage = "option"
    WIDGET = "radios"

    def score_range(self):
        scores = [o.score for o in self.options]
        if not scores or any(s is None for s in scores):
            return None
        return float(min(scores)), float(max(scores))

    def choices(self, lang):
        return [(o.key, o.text.pick(lang)) for o in self.options]

    def parse(self, raw, key=None):
        return self.choose(raw, {o.key for o in self.options})

    def value(self, answer, key=None):
        for option in self.options:
            if option.key == answer:
                return None if option.score is None else float(option.score)
        return None

    def record(self, key, answer):
        return Record(key, value=self.value(answer), option=str(answer))

    def summary_options(self, reverse=False):
        scores = [o.score for o in self.options]
        ranks = ranked(scores, reverse) if all(v is not None for v in scores) else [None] * len(scores)
        return [(o.key, o.text, r) for o, r in zip(self.options, ranks)]

    def check(self, path):
        problems = _duplicate_options(self.options, path)
        if self.scale and any(o.score is None for o in self.options):
            problems.append(Problem(f"{path}.options", "every option needs a score when the item has a scale"))
        return problems


class MultiItem(ItemBase):
    """Several options; each chosen option is one record (`option`)."""

    type: Literal["multi"]
    text: Text
    options: list[Option] = Field(min_length=2)
    min_choices: Optional[int] = Field(default=None, ge=0)
    max_choices: Optional[int] = Field(default=None, ge=1)

    storage = "options"
    WIDGET = "checks"
    multiple = True

    @property
    def is_required(self) -> bool:
        return bool(self.required) or bool(self.min_choices)

    def choices(self, lang):
        return [(o.key, o.text.pick(lang)) for o in self.options]

    def parse(self, raw, key=None):
        values = raw if isinstance(raw, (list, tuple)) else ([] if raw is None else [raw])
        chosen: list[str] = []
        for value in values:
            text = one(value)
            if text and text not in chosen:
                chosen.append(text)
        if not chosen:
            return None
        offered = {o.key for o in self.options}
        if any(c not in offered for c in chosen):
            raise AnswerError(self, messages.NOT_OFFERED)
        if self.min_choices and len(chosen) < self.min_choices:
            raise AnswerError(self, messages.CHOOSE_AT_LEAST, n=self.min_choices)
        if self.max_choices and len(chosen) > self.max_choices:
            raise AnswerError(self, messages.CHOOSE_AT_MOST, n=self.max_choices)
        return chosen

    def record_list(self, key, answer):
        return [Record(key, option=str(option)) for option in answer]

    def answer_label(self, answer, lang=None):
        return ", ".join(super(MultiItem, self).answer_label(a, lang) for a in (answer or []))

    def summary_options(self, reverse=False):
        return [(o.key, o.text, None) for o in self.options]

    def check(self, path):
        problems = _duplicate_options(self.options, path)
        if self.min_choices and self.max_choices and self.min_choices > self.max_choices:
            problems.append(Problem(f"{path}.min_choices", "min_choices is greater than max_choices"))
        return problems


class YesNoItem(ItemBase):
    """Yes or no: 1 for yes and 0 for no when counted in a scale."""

    type: Literal["yes_no"]
    text: Text
    scale: Optional[Key] = None
    reverse: bool = False

    storage = "score"
    WIDGET = "yesno"
    ANSWERS: ClassVar[dict[str, str]] = {"yes": "yes", "no": "no", "1": "yes", "0": "no", "true": "yes", "false": "no"}

    def score_range(self):
        return 0.0, 1.0

    def choices(self, lang):
        return [("yes", YES.pick(lang)), ("no", NO.pick(lang))]

    def parse(self, raw, key=None):
        given = one(raw).lower()
        if not given:
            return None
        if given not in self.ANSWERS:
            raise AnswerError(self, messages.YES_OR_NO)
        return self.ANSWERS[given]

    def value(self, answer, key=None):
        if answer is None or answer == "":
            return None
        return 1.0 if self.ANSWERS.get(one(answer).lower()) == "yes" else 0.0

    def record(self, key, answer):
        return Record(key, value=self.value(answer), option=str(answer))

    def answer_of(self, record: Record) -> Any:
        if record.value is None:
            return record.option
        return "yes" if record.value == 1 else "no"

    def summary_options(self, reverse=False):
        if self.scale is None and not reverse:
            return [("yes", YES, None), ("no", NO, None)]
        return [("yes", YES, 0.0 if reverse else 1.0), ("no", NO, 1.0 if reverse else 0.0)]


TYPES = (SingleItem, MultiItem, YesNoItem)
