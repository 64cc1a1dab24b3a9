"""show_if: a condition on an earlier answer ({item, equals | in | not}; a list means all).

Answers are compared as strings (`normalize`): True and "yes" are the same answer, 3.0 and "3".
"""
from __future__ import annotations

from typing import Any, Optional, Union

from pydantic import Field, model_validator

from surveys.texts import Strict

Value = Union[bool, int, float, str]


def normalize(value: Any) -> str:
    """Compare answers as strings: True -> 'yes', 3.0 -> '3'."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip().lower()


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


ShowIf = Union[Condition, list[Condition]]


def condition_list(show_if) -> list:
    """show_if as a list of conditions (a single condition or a list, which means all)."""
    return show_if if isinstance(show_if, list) else [show_if]


def conditions_hold(show_if: Optional[ShowIf], answers: dict[str, Any]) -> bool:
    if show_if is None:
        return True
    return all(c.holds(answers) for c in condition_list(show_if))


def both(section_show_if, item_show_if):
    """The condition of an item inside a conditional section: both must hold."""
    if section_show_if is None or item_show_if is None:
        return item_show_if if section_show_if is None else section_show_if
    return condition_list(section_show_if) + condition_list(item_show_if)
