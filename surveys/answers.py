"""Answers as a page submits them: how fields are named, and a whole submission parsed.

    FORM.answer(item, key)            'climate.q1' -> 'climate__q1'  (questionnaire pages)
    CHECKLIST.answer(item, key)       'score-goal' for a criterion, 'value-<key>' otherwise,
                                      'note-<key>' for a comment (the observation checklist and
                                      the offline drafts that observations.js keeps and sends)
    parse_submission(spec, data, names, partial=...) -> Submission

Both the form builder (forms/builder.py, one validator per field) and parse_submission call the
item's own `parse`, so a questionnaire page, the checklist POST and the checklist's JSON sync
accept and refuse the same values with the same messages.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from surveys.items import AnswerError


class FieldNames:
    """Questionnaire pages: an answer key with '.' as '__'; a comment as '<name>__comment'."""

    def answer(self, item, key: str) -> str:
        return key.replace(".", "__")

    def comment(self, item) -> str:
        return f"{self.answer(item, item.key)}__comment"

    def option_id(self, item, key: str, value: str) -> Optional[str]:
        """The HTML id of one choice; None lets WTForms number them."""
        return None


class ChecklistNames(FieldNames):
    """The observation checklist: a rubric's score as 'score-<key>', any other answer as
    'value-<key>', a criterion's note as 'note-<key>'; a choice's id is 's-<key>-<value>'
    (scores) or 'v-<key>-<value>'."""

    def answer(self, item, key: str) -> str:
        return f"{'score' if item.widget == 'levels' else 'value'}-{key}"

    def comment(self, item) -> str:
        return f"note-{item.key}"

    def option_id(self, item, key: str, value: str) -> Optional[str]:
        return f"{'s' if item.widget == 'levels' else 'v'}-{key}-{value}"


FORM = FieldNames()
CHECKLIST = ChecklistNames()


@dataclass
class Submission:
    """A parsed submission: answers by answer key (None: unanswered or cleared), comments by
    item key, and the refused values (every item is parsed, so all problems are listed)."""

    answers: dict[str, Any] = field(default_factory=dict)
    comments: dict[str, Optional[str]] = field(default_factory=dict)
    errors: list[AnswerError] = field(default_factory=list)

    def messages(self, lang: Optional[str] = None) -> list[str]:
        return [error.text(lang) for error in self.errors]


def submitted_value(data: Mapping, name: str, multiple: bool) -> Any:
    """The submitted value of a field: a list for a multiple choice, else the first value.
    `data` is request.form (a MultiDict) or a decoded JSON object."""
    if hasattr(data, "getlist"):
        values = data.getlist(name)
    else:
        given = data.get(name)
        values = given if isinstance(given, (list, tuple)) else ([] if given is None else [given])
    if multiple:
        return list(values)
    return values[0] if values else None


def parse_submission(spec, data: Mapping, names: FieldNames = FORM, *, partial: bool = False) -> Submission:
    """Parse the fields of `data` named by `names` through each item's `parse`.

    partial=False: every answer key is parsed, a field missing from `data` as unanswered (a
    whole page). partial=True: only the fields present in `data` are parsed (a draft saved by
    section, or the offline sync of a few answers); absent ones are left out of the result."""
    result = Submission()
    for item in spec.items():
        for key in item.answer_keys():
            name = names.answer(item, key)
            if partial and name not in data:
                continue
            try:
                result.answers[key] = item.parse(submitted_value(data, name, item.multiple), key)
            except AnswerError as error:
                result.errors.append(error)
        if item.has_comment:
            name = names.comment(item)
            if partial and name not in data:
                continue
            try:
                result.comments[item.key] = item.parse_comment(submitted_value(data, name, False))
            except AnswerError as error:
                result.errors.append(error)
    return result
