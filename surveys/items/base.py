"""What every item type of the instrument language is and does.

An item type is a pydantic class with a literal `type` and its own behaviour:

    score_range()             (min, max) of its score; None when it has no score
    scored()                  (answer key, scale, reverse, (min, max), path suffix) per scored answer
    parse(raw, key)           a submitted value -> the answer; None when unanswered (an empty
                              field is never an error); AnswerError when refused
    value(answer)             the numeric value of an answer before reversing
    records(answers)          what its answers store (Record: value, option, text, na)
    answer_of(record)         the answer a stored record gives back (to fill a form again)
    answer_label(answer)      an answer as a person reads it
    summary_options(reverse)  (key, label, rank) of the answers it offers, for results and charts
    parts(lang)               one form field per answer key, with its label and choices
    check(path)               problems of its own fields that pydantic cannot see

Class attributes read by others: `storage` (what one answer is in a table: score, number, text,
option or options; instrument kinds accept items by it, surveys/kinds.py), `WIDGET` (how a form
draws it; forms/builder.py and the templates) and `multiple` (a list of values is submitted).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Iterator, Optional, get_args

from flask_babel import get_locale

from surveys import messages
from surveys.conditions import ShowIf
from surveys.texts import Key, Problem, Strict, Text

NA = "na"  # the answer "not applicable" of a criterion that allows it
COMMENT_LENGTH = 4000  # characters of a comment on a criterion


def language() -> str:
    """The language of the current request (Flask-Babel), Russian outside a request."""
    try:
        locale = get_locale()
    except RuntimeError:  # no application context
        locale = None
    return str(locale) if locale else "ru"


def one(raw: Any) -> str:
    """A submitted single value as stripped text: '' for nothing, True -> 'yes', 2.0 -> '2'."""
    if isinstance(raw, (list, tuple)):
        raw = raw[0] if raw else None
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def ranked(values: list[float], reverse: bool = False) -> list[Optional[float]]:
    """Ranks 0.0 (worst) .. 1.0 (best) of ordered values, turned round for a reverse item;
    None for each when all values are equal."""
    lo, hi = min(values), max(values)
    if hi == lo:
        return [None] * len(values)
    return [(1.0 - (v - lo) / (hi - lo)) if reverse else (v - lo) / (hi - lo) for v in values]


class AnswerError(ValueError):
    """A submitted value that an item refuses; `text(lang)` is the translated message naming
    the item in that language."""

    def __init__(self, item, message, **params):
        super().__init__(message)
        self.item = item
        self.message = message
        self.params = params

    def text(self, lang: Optional[str] = None) -> str:
        label = self.item.label(lang)
        return str(self.message) % {"item": label, "criterion": label, **self.params}

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True)
class Record:
    """What one answer stores, whatever the table: the numeric value before reversing, the
    chosen option, a text, and whether it was answered "not applicable" (no value then)."""

    key: str
    value: Optional[float] = None
    option: Optional[str] = None
    text: Optional[str] = None
    na: bool = False


@dataclass(frozen=True)
class Part:
    """One form field of an item: its answer key, label, choices ((value, label) pairs, None for
    a free value) and the matrix row it asks about."""

    key: str
    label: str
    choices: Optional[list[tuple[str, str]]] = None
    row: Any = None


class ItemBase(Strict):
    key: Key
    text: Optional[Text] = None
    help: Optional[Text] = None
    required: Optional[bool] = None
    show_if: Optional[ShowIf] = None

    storage: ClassVar[str] = "text"
    WIDGET: ClassVar[str] = "text"
    multiple: ClassVar[bool] = False

    @classmethod
    def type_name(cls) -> str:
        """The value of `type` that selects this class ('single', 'criterion', ...)."""
        return get_args(cls.model_fields["type"].annotation)[0]

    @property
    def widget(self) -> str:
        return self.WIDGET

    @property
    def is_required(self) -> bool:
        return True if self.required is None else self.required

    @property
    def has_comment(self) -> bool:
        """True when a comment may accompany the answer (stored as `<key>.comment`)."""
        return False

    def label(self, lang: Optional[str] = None) -> str:
        return self.text.pick(lang or language()) if self.text is not None else ""

    def answer_keys(self) -> list[str]:
        """Keys of the answers this item produces (matrix rows produce one each)."""
        return [self.key]

    # --- scores -------------------------------------------------------------------------
    def score_range(self) -> Optional[tuple[float, float]]:
        return None

    def scored(self) -> Iterator[tuple[str, Optional[str], bool, tuple[float, float], str]]:
        rng = self.score_range()
        if rng is not None:
            yield self.key, getattr(self, "scale", None), bool(getattr(self, "reverse", False)), rng, ""

    def value(self, answer: Any, key: Optional[str] = None) -> Optional[float]:
        return None

    # --- answers ------------------------------------------------------------------------
    def choices(self, lang: str) -> Optional[list[tuple[str, str]]]:
        return None

    def parts(self, lang: str) -> list[Part]:
        return [Part(self.key, self.label(lang), self.choices(lang))]

    def parse(self, raw: Any, key: Optional[str] = None) -> Any:
        raise NotImplementedError

    def choose(self, raw: Any, offered) -> Optional[str]:
        """One of the `offered` answer keys, None when nothing was chosen."""
        chosen = one(raw)
        if not chosen:
            return None
        if chosen not in offered:
            raise AnswerError(self, messages.NOT_OFFERED)
        return chosen

    def parse_comment(self, raw: Any) -> Optional[str]:
        text = one(raw)
        if len(text) > COMMENT_LENGTH:
            raise AnswerError(self, messages.TOO_LONG, max=COMMENT_LENGTH)
        return text or None

    def record(self, key: str, answer: Any) -> Record:
        return Record(key, value=self.value(answer, key))

    def records(self, answers: dict[str, Any]) -> list[Record]:
        """The records of this item's answers in `answers` (answer key -> answer); unanswered
        keys give none. A comment is the record `<key>.comment` with its text."""
        out = []
        for key in self.answer_keys():
            answer = answers.get(key)
            if answer is None or answer == "" or answer == []:
                continue
            out.extend(self.record_list(key, answer))
        if self.has_comment:
            comment = answers.get(f"{self.key}.comment")
            if comment:
                out.append(Record(f"{self.key}.comment", text=str(comment)))
        return out

    def record_list(self, key: str, answer: Any) -> list[Record]:
        return [self.record(key, answer)]

    def answer_of(self, record: Record) -> Any:
        """The answer that a stored record stands for (the inverse of `record`)."""
        if record.option is not None:
            return record.option
        if record.value is not None:
            return one(record.value)
        return record.text

    def answer_label(self, answer: Any, lang: Optional[str] = None) -> str:
        if answer is None or answer == "":
            return ""
        for value, label in self.choices(lang or language()) or []:
            if value == one(answer):
                return label
        return one(answer)

    def summary_options(self, reverse: bool = False) -> list[tuple[str, Any, Optional[float]]]:
        """(key, label, rank) of each answer offered; rank places an answer of an ordered scale
        between the worst (0.0) and the best (1.0), None where answers are not better or worse
        than each other (app/charts.py colours by it)."""
        return []

    def check(self, path: str) -> list[Problem]:
        return []
