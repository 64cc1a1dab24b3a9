"""How an observation keeps the answers of its protocol: one ObservationScore row per answer key.

The item types come from the instrument language (surveys/items/); each says what its answer
stores (a Record) and which `storage` it has. This module maps a storage to the row's columns
and back:

    score    score (the value: a rubric level, yes = 1 / no = 0, a point) with the item's range;
             "not applicable" is no score and not_applicable = true; a comment goes to `text`
    number   number
    text     text
    option   text = the option key (and score, when the option's score is a whole number)
    options  text = the option keys joined by ","
"""
from typing import Any, Optional

from surveys.answers import FieldNames
from surveys.items import Record


def _whole(value: Optional[float]) -> Optional[int]:
    return int(value) if value is not None and float(value).is_integer() else None


def columns(item, key: str, answer: Any) -> dict[str, Any]:
    """The columns an answer sets (an unanswered or cleared answer: empty ones). The `text` of
    an item with a comment is the comment's, so its answer leaves `text` alone."""
    storage = item.storage
    records = item.records({key: answer})
    record = records[0] if records else Record(key)
    if storage == "score":
        return {"score": _whole(record.value), "not_applicable": record.na}
    if storage == "number":
        return {"number": record.value}
    if storage == "option":
        return {"text": record.option, "score": _whole(record.value)}
    if storage == "options":
        return {"text": ",".join(r.option for r in records) or None}
    return {"text": record.text}


def answer_of(item, row) -> Any:
    """The answer a stored row stands for (None when it holds none)."""
    storage = item.storage
    if storage == "score":
        return item.answer_of(Record(row.item_key, value=row.score, na=bool(row.not_applicable)))
    if storage == "number":
        return item.answer_of(Record(row.item_key, value=row.number))
    if storage == "option":
        return row.text
    if storage == "options":
        return row.text.split(",") if row.text else None
    return row.text


def comment_of(item, row) -> Optional[str]:
    return row.text if item.has_comment and item.storage != "text" else None


def score_range(item) -> tuple[Optional[int], Optional[int]]:
    """(min_score, max_score) kept on every row of a scored item (the rubric it was given on)."""
    rng = item.score_range()
    return (int(rng[0]), int(rng[1])) if rng is not None else (None, None)


def form_data(spec, rows, names: FieldNames) -> dict[str, Any]:
    """The stored answers of an observation as form data (field name -> value), to fill in the
    checklist again."""
    by_key = {row.item_key: row for row in rows}
    data: dict[str, Any] = {}
    for item in spec.items():
        for key in item.answer_keys():
            row = by_key.get(key)
            if row is None:
                continue
            answer = answer_of(item, row)
            if answer is not None:
                data[names.answer(item, key)] = answer
            comment = comment_of(item, row)
            if comment:
                data[names.comment(item)] = comment
    return data


def shown(spec, rows, lang: str) -> dict[str, tuple[str, str]]:
    """{answer key: (its label, the answer as a person reads it: yes/no, a level's label, a
    number, a text, "not applicable"; "" when unanswered)} for every answer of the protocol."""
    by_key = {row.item_key: row for row in rows}
    out = {}
    for item in spec.items():
        for part in item.parts(lang):
            row = by_key.get(part.key)
            out[part.key] = (part.label, item.answer_label(answer_of(item, row), lang) if row is not None else "")
    return out
