"""The columns every row of the survey sheet may have, read for any question type.

RowReader keeps what one survey sheet has given so far (the questions a condition may refer
to, the rows accepted, the columns each row's type read) and reads the common columns: name,
label / hint texts, appearance, required, relevant (-> show_if, see expressions.py) and the
sapat:: columns of scales, reverse items and likert poles. A value in a column the row's type
does not read is refused by check_unused: nothing is dropped silently.
"""
from __future__ import annotations

import json
import re
from typing import Any, Optional

from surveys.conditions import condition_list
from surveys.texts import KEY_PATTERN
from surveys.xlsform.choices import ChoiceList
from surveys.xlsform.context import Context
from surveys.xlsform.errors import N_, Message, Refused
from surveys.xlsform.expressions import NOT_AN_EARLIER_QUESTION, Target, canonical, conditions
from surveys.xlsform.sheets import Row, Sheet

YESNO_WORDS = {"yes": True, "true": True, "true()": True, "1": True,
               "no": False, "false": False, "false()": False, "0": False, "": False}
SURVEY_COLUMNS = {"type", "name", "label", "hint", "required", "relevant", "constraint", "appearance"}
SAPAT_SURVEY = {"sapat::type", "sapat::scale", "sapat::reverse", "sapat::required", "sapat::show_if",
                "sapat::text", "sapat::labels", "sapat::left", "sapat::right", "sapat::allow_comment"}


class RowReader:
    def __init__(self, ctx: Context, sheet: Sheet, lists: dict[str, ChoiceList]):
        self.ctx, self.sheet, self.lists = ctx, sheet, lists
        self.targets: dict[str, Target] = {}
        self.sections: list[dict] = []
        self.consumed: dict[int, set[str]] = {}
        self.accepted: list[Row] = []
        self.names: set[str] = set()  # every name met so far, refused or not

    def refuse(self, row: Row, column: Optional[str], reason: str):
        self.ctx.refuse(self.sheet.title, row.number, column, reason)

    def get(self, row: Row, base: str) -> str:
        """A column's value; reading it marks it as used (see check_unused)."""
        self.consumed.setdefault(row.number, {"type"}).add(base)
        return self.sheet.get(row, base)

    def texts(self, row: Row, base: str, *, required: bool) -> Optional[dict]:
        self.consumed.setdefault(row.number, {"type"}).add(base)
        return self.ctx.texts(self.sheet, row, base, required=required)

    def accept(self, row: Row):
        self.accepted.append(row)

    def check_unused(self):
        """Refuse a value in a column that the row's type does not read (e.g. a hint on a note,
        required on a group): nothing is dropped silently."""
        for row in self.accepted:
            used = self.consumed.get(row.number, {"type"})
            for i, header in enumerate(self.sheet.headers):
                if header.base in SURVEY_COLUMNS | SAPAT_SURVEY and header.base not in used \
                        and row.cells.get(i, "").strip():
                    kind = " ".join(self.sheet.get(row, "type").split())
                    self.refuse(row, header.raw, N_("does not apply to a '%(type)s' row (it would be lost)",
                                                    type=kind))

    # -- common columns --
    def name(self, row: Row) -> str:
        name = self.get(row, "name")
        if not name:
            self.refuse(row, "name", N_("no name"))
        elif not re.fullmatch(KEY_PATTERN, name) or len(name) > 60:
            self.refuse(row, "name", N_("'%(name)s' is not a Sapat key (lowercase latin letters, digits and _, "
                                        "starting with a letter, at most 60)", name=name))
        return name

    def appearance(self, row: Row, allowed: set[str]) -> str:
        value = self.get(row, "appearance").lower()
        for word in value.split():
            if word in allowed:
                continue
            if word.startswith("ex:"):
                self.refuse(row, "appearance", N_("'%(appearance)s' (an external app) is not supported",
                                                  appearance=word))
            else:
                self.ctx.note(N_("survey row %(row)s: appearance '%(appearance)s' ignored (Sapat lays out its own "
                                 "pages)", row=row.number, appearance=word))
        return value

    def required(self, row: Row, item: dict, default: bool) -> None:
        raw = self.get(row, "required").lower()
        if raw not in YESNO_WORDS:
            self.refuse(row, "required", N_("'%(value)s' is not yes or no (conditional required is not supported)",
                                            value=raw))
            return
        value = YESNO_WORDS[raw]
        stored = self.get(row, "sapat::required").lower()
        if stored:  # Sapat's own value where the required column cannot carry it
            if stored in ("yes", "no"):
                item["required"] = stored == "yes"
            else:
                self.refuse(row, "sapat::required", N_("'%(value)s' is not yes or no", value=stored))
        elif value != default:
            item["required"] = value

    def show_if(self, row: Row):
        expr = self.get(row, "relevant")
        exact = self.get(row, "sapat::show_if")
        parsed = None
        if expr:
            try:
                found: list[str] = []
                parsed = conditions(expr, self.targets, found)
                for line in found:
                    self.ctx.note(N_("survey row %(row)s, relevant: %(note)s", row=row.number, note=line))
            except Refused as error:
                reason = error.reason
                if isinstance(reason, Message) and reason.template == NOT_AN_EARLIER_QUESTION \
                        and reason.params["name"] in self.names:
                    reason = N_("${%(name)s} is a question refused above", name=reason.params["name"])
                self.refuse(row, "relevant", N_("%(reason)s in %(expression)s", reason=reason,
                                                expression=repr(expr)))
                return None
        if exact:
            try:
                stored = json.loads(exact)
            except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
                self.refuse(row, "sapat::show_if", N_("not valid JSON"))
                return None
            if not isinstance(stored, (dict, list)) or canonical(parsed or []) != canonical(condition_list(stored)):
                self.refuse(row, "sapat::show_if", N_("disagrees with relevant: change both, or delete "
                                                      "sapat::show_if"))
                return None
            return stored
        if parsed is None:
            return None
        return parsed[0] if len(parsed) == 1 else parsed

    def flag(self, row: Row, base: str) -> bool:
        raw = self.get(row, base).lower()
        if raw not in YESNO_WORDS:
            self.refuse(row, base, N_("'%(value)s' is not yes or no", value=raw))
            return False
        return YESNO_WORDS[raw]

    def base_item(self, row: Row, kind: str) -> dict:
        item: dict[str, Any] = {"key": self.name(row), "type": kind}
        text = self.texts(row, "label", required=self.get(row, "sapat::text") != "none")
        if self.get(row, "sapat::text") == "none":
            text = None
        elif self.get(row, "sapat::text"):
            self.refuse(row, "sapat::text", N_("the only value is 'none'"))
        if text is not None:
            item["text"] = text
        help_text = self.texts(row, "hint", required=False)
        if help_text:
            item["help"] = help_text
        show_if = self.show_if(row)
        if show_if is not None:
            item["show_if"] = show_if
        return item

    def scale_fields(self, row: Row, item: dict, kinds: tuple[str, ...]):
        for base, field_name in (("sapat::scale", "scale"), ("sapat::reverse", "reverse")):
            if not self.get(row, base):
                continue
            if item["type"] not in kinds:
                self.refuse(row, base, N_("a %(type)s item has no %(field)s", type=item["type"], field=field_name))
            elif field_name == "scale":
                item["scale"] = self.get(row, base)
            elif self.flag(row, base):
                item["reverse"] = True

    def poles(self, row: Row, item: dict):
        for side in ("left", "right"):
            text = self.texts(row, f"sapat::{side}", required=False)
            if text:
                item[side] = text

    def has_poles(self, row: Row) -> bool:
        return any(self.get(row, b) for b in ("sapat::left", "sapat::right")) or any(
            row.cells.get(i, "").strip() for base in ("sapat::left", "sapat::right")
            for i in self.sheet.columns(base))

    def no_sapat(self, row: Row, *bases: str):
        for base in bases:
            if self.get(row, base):
                self.refuse(row, base, N_("does not apply to this type"))

    def likert_labels(self, row: Row, item: dict, lst: ChoiceList):
        marker = self.get(row, "sapat::labels")
        if marker == "none":
            if any(c.labels and any(v != c.name for v in c.labels.values()) for c in lst.choices):
                self.refuse(row, "sapat::labels", N_("'none', but list '%(list)s' labels its points", list=lst.name))
        elif marker:
            self.refuse(row, "sapat::labels", N_("the only value is 'none'"))
        else:
            item["labels"] = [c.labels for c in lst.choices]
