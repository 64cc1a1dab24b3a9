"""An instrument: a questionnaire or an observation protocol, as one validated object.

An instrument file (surveys/instruments/*.yaml) has a key, a version, a kind (surveys/kinds.py),
texts in ky / ru / en, optional sub-scales, and sections of items (surveys/items/). Every item
may be `required` (default true for scored items, false for text) and have `show_if`; a section
may have `show_if` too. A diagnostic (kind `diagnostic`) may be `confidential`: its records are
seen only by the psychologist and the director (app/services/diagnostics/access.py); and it may
declare `respondent: student`: the student fills it in about themself with a personal
single-use code (app/services/diagnostics/student_codes.py), where the school allows it; the
default, `staff`, is filled in by staff about the student.

`sources` cite what the instrument rests on. An entry is either the reference alone, as
published (a plain string, never translated), or `{cite, note}`: the reference as published
and a note in ky / ru / en (what was taken from the work, how it was adapted), shown in the
page's language like every other text of the instrument.
"""
from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any, Iterator, Literal, Optional, Union

from pydantic import Discriminator, Field, Tag

from surveys.conditions import ShowIf
from surveys.items import CriterionItem, Item
from surveys.kinds import KIND_NAMES
from surveys.texts import Key, Strict, Text

AUDIENCES = ("parents", "students", "teachers", "staff")
RESPONDENTS = ("staff", "student")  # who fills in a diagnostic


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


class Source(Strict):
    """A cited work with a note: `cite` the reference as published (titles are not translated),
    `note` what the instrument takes from it, in the three languages."""

    cite: str = Field(min_length=1)
    note: Text


def _source_tag(value: Any) -> str:
    return "plain" if isinstance(value, str) else "noted"


SOURCE_TAGS = ("plain", "noted")
# A plain string is a reference alone; a mapping a reference with its note (tagged, so that a
# mapping's problems are reported at their own path, e.g. sources[0].note.ky).
SourceEntry = Annotated[Union[Annotated[str, Tag("plain")], Annotated[Source, Tag("noted")]],
                        Discriminator(_source_tag)]


class Instrument(Strict):
    key: Key
    version: int = Field(ge=1)
    kind: Literal[KIND_NAMES]
    title: Text
    description: Optional[Text] = None
    audience: list[Literal[AUDIENCES]] = Field(default_factory=list)
    grades: Optional[list[int]] = None
    sources: list[SourceEntry] = Field(default_factory=list)
    confidential: Optional[bool] = None  # diagnostics: the psychologist's and the director's only
    respondent: Optional[Literal[RESPONDENTS]] = None  # diagnostics: who fills it in (default staff)
    scales: list[Scale] = Field(default_factory=list)
    sections: list[Section] = Field(min_length=1)

    # --- navigation -----------------------------------------------------------------
    def items(self) -> Iterator[Item]:
        for section in self.sections:
            yield from section.items

    @property
    def filled_by_student(self) -> bool:
        """A diagnostic the student fills in about themself (`respondent: student`)."""
        return self.respondent == "student"

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

    def sources_in(self, lang: str) -> list[tuple[str, str]]:
        """(the reference as published, its note in `lang` or "") of every source, in order; the
        note follows the rule of every instrument text (Text.pick)."""
        return [(entry, "") if isinstance(entry, str) else (entry.cite, entry.note.pick(lang))
                for entry in self.sources]

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
