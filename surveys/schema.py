"""The instrument language in one import: a questionnaire or an observation protocol as pydantic
models, and `parse` for a definition read back from the database.

Where things are:

    surveys/texts.py        keys, texts in ky / ru / en, built-in answer texts, Problem
    surveys/conditions.py   show_if conditions
    surveys/items/          the item types (each with its own score range, parsing, stored
                            records, summary options and form parts) and their registry
    surveys/kinds.py        kinds of instrument (survey, observation) and the item types each holds
    surveys/instrument.py   Section, Scale, Instrument
    surveys/checks.py       cross-reference checks and error paths (used by surveys/loader.py)
    surveys/answers.py      how pages name answers, and parsing a whole submission
    surveys/scoring.py      the formulas: reverse scores, means, index 0-100, top-2
"""
from typing import Any

from surveys.checks import check_references, format_loc
from surveys.conditions import Condition, ShowIf, Value, condition_list, conditions_hold, normalize
from surveys.instrument import AUDIENCES, Instrument, Scale, Section, Source
from surveys.items import (
    ITEM_TYPES,
    NA,
    REGISTRY,
    AnswerError,
    CriterionItem,
    Item,
    ItemBase,
    Level,
    LikertItem,
    MatrixItem,
    MatrixRow,
    MultiItem,
    NumberItem,
    Option,
    Record,
    SingleItem,
    TextItem,
    YesNoItem,
)
from surveys.kinds import KIND_NAMES, KINDS
from surveys.texts import KEY_PATTERN, LANGS, NO, NOT_APPLICABLE, YES, Key, Problem, Strict, Text


def parse(data: Any) -> Instrument:
    """Validate a definition dict (e.g. from the database) without the file context."""
    return Instrument.model_validate(data)


__all__ = [
    "AUDIENCES", "AnswerError", "Condition", "CriterionItem", "ITEM_TYPES", "Instrument", "Item", "ItemBase",
    "KEY_PATTERN", "KINDS", "KIND_NAMES", "Key", "LANGS", "Level", "LikertItem", "MatrixItem", "MatrixRow",
    "MultiItem", "NA", "NO", "NOT_APPLICABLE", "NumberItem", "Option", "Problem", "REGISTRY", "Record", "Scale",
    "Section", "ShowIf", "SingleItem", "Source", "Strict", "Text", "TextItem", "Value", "YES", "YesNoItem",
    "check_references", "condition_list", "conditions_hold", "format_loc", "normalize", "parse",
]
