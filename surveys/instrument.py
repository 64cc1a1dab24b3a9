"""An instrument: a questionnaire or an observation protocol, as one validated object.

An instrument file (surveys/instruments/*.yaml) has a key, a version, a kind (surveys/kinds.py),
texts in ky / ru / en, optional sub-scales, and sections of items (surveys/items/). Every item
may be `required` (default true for scored items, false for text) and have `show_if`; a section
may have `show_if` too. A diagnostic (kind `diagnostic`) may be `confidential`: its records are
seen only by the psychologist and the director (app/services/diagnostics/access.py).
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Iterator, Literal, Optional

from pydantic import Field

from surveys.conditions import ShowIf
from surveys.items import CriterionItem, Item
from surveys.kinds import KIND_NAMES
from surveys.texts import Key, Strict, Text

AUDIENCES = ("parents", "students", "teachers", "staff")


class Section(Strict):
    key: Key
    title: Text
    intro: Optional[Text] = None
    show_if: Optional[ShowIf] = None
    items: list[Item] = Field(min_length=1)

    @property
    def criteria(self) -> list[CriterionItem]:
        return [item for item in self.items if item.type == "criterion"]


class Scale(Strict):
    key: Key
    title: Text
    description: Optional[Text] = None


class Instrument(Strict):
    key: Key
    version: int = Field(ge=1)
    kind: Literal[KIND_NAMES]
    title: Text
    description: Optional[Text] = None
    audience: list[Literal[AUDIENCES]] = Field(default_factory=list)
    grades: Optional[list[int]] = None
    sources: list[str] = Field(default_factory=list)
    confidential: Optional[bool] = None  # diagnostics: the psychologist's and the director's only
    scales: list[Scale] = Field(default_factory=list)
    sections: list[Section] = Field(min_length=1)

    # --- navigation -----------------------------------------------------------------
    def items(self) -> Iterator[Item]:
        for section in self.sections:
            yield from section.items

    def placed(self) -> Iterator[tuple[Section, int, Item]]:
        """(section, position counted over the whole instrument from 0, item) in order."""
        position = 0
        for section in self.sections:
            for item in section.items:
                yield section, position, item
                position += 1

    def item(self, key: str) -> Item:
        for item in self.items():
            if item.key == key:
                return item
        raise KeyError(key)

    @property
    def criteria(self) -> list[CriterionItem]:
        """The criterion items (the rubric of an observation protocol), in order."""
        return [item for item in self.items() if item.type == "criterion"]

    def scale(self, key: str) -> Scale:
        for scale in self.scales:
            if scale.key == key:
                return scale
        raise KeyError(key)

    def answer_keys(self) -> list[str]:
        return [k for item in self.items() for k in item.answer_keys()]

    def scored(self) -> Iterator[tuple[str, Any, Optional[str], bool, tuple[float, float]]]:
        """(answer key, item, scale key, reverse, (min, max)) for every scored answer."""
        for item in self.items():
            for key, scale, reverse, rng, _where in item.scored():
                yield key, item, scale, reverse, rng

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
