"""Item types answered freely: number and text.

- number   a number in [min, max]     min?, max?, integer (default true)
- text     free text                  max_length (default 1000), multiline (default true);
                                      not required unless `required: true`
"""
from __future__ import annotations

import math
from typing import Literal, Optional

from pydantic import Field, model_validator

from surveys import messages
from surveys.items.base import AnswerError, ItemBase, Record, one
from surveys.texts import Text


def _fmt(number: float) -> str:
    return f"{number:g}"


class NumberItem(ItemBase):
    type: Literal["number"]
    text: Text
    min: Optional[float] = None
    max: Optional[float] = None
    integer: bool = True

    storage = "number"
    WIDGET = "number"

    @model_validator(mode="after")
    def _range(self):
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min:g} is greater than max {self.max:g}")
        return self

    def parse(self, raw, key=None):
        """A number; a decimal comma is read as a point. An empty field is unanswered."""
        given = one(raw).replace(",", ".")
        if not given:
            return None
        try:
            number = float(given)
        except ValueError:
            raise AnswerError(self, messages.NOT_A_NUMBER) from None
        if not math.isfinite(number):
            raise AnswerError(self, messages.NOT_A_NUMBER)
        if self.integer and not number.is_integer():
            raise AnswerError(self, messages.NOT_A_WHOLE_NUMBER)
        low, high = self.min, self.max
        if (low is not None and number < low) or (high is not None and number > high):
            if low is not None and high is not None:
                raise AnswerError(self, messages.NUMBER_BETWEEN, min=_fmt(low), max=_fmt(high))
            if low is not None:
                raise AnswerError(self, messages.NUMBER_AT_LEAST, min=_fmt(low))
            raise AnswerError(self, messages.NUMBER_AT_MOST, max=_fmt(high))
        return int(number) if self.integer else number

    def value(self, answer, key=None):
        try:
            return float(answer)
        except (TypeError, ValueError):
            return None

    def answer_of(self, record: Record):
        if record.value is None:
            return None
        return int(record.value) if self.integer and float(record.value).is_integer() else record.value

    def answer_label(self, answer, lang=None):
        return "" if answer is None or answer == "" else _fmt(float(answer))


class TextItem(ItemBase):
    type: Literal["text"]
    text: Text
    max_length: int = Field(default=1000, ge=1, le=5000)
    multiline: bool = True

    storage = "text"
    WIDGET = "text"

    @property
    def widget(self) -> str:
        return "text" if self.multiline else "line"

    @property
    def is_required(self) -> bool:
        return bool(self.required)

    def parse(self, raw, key=None):
        given = one(raw)
        if len(given) > self.max_length:
            raise AnswerError(self, messages.TOO_LONG, max=self.max_length)
        return given or None

    def record(self, key, answer):
        return Record(key, text=str(answer).strip()[:self.max_length])

    def answer_of(self, record: Record):
        return record.text


TYPES = (NumberItem, TextItem)
