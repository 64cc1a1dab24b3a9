"""One question row (or a table-list group) of the survey sheet -> one Sapat item.

    select_one L        single | likert | yes_no | criterion (choices.classify; sapat::type forces)
    select_multiple L   multi; count-selected(.) >= a / <= b -> min_choices / max_choices
    integer / decimal   number; `. >= a and . <= b` -> min / max
    text                text; string-length(.) <= n -> max_length; appearance multiline
    table-list group    matrix of select_one rows over one scale list (rows named <matrix>__<row>)

start / end / today are noted and skipped; other metadata, calculations, files, ranking and types
Sapat has no item for are refused with the row.
"""
from __future__ import annotations

import re
from typing import Any, Optional

from surveys.texts import KEY_PATTERN, NO, YES
from surveys.xlsform.choices import ChoiceList, choice_texts, classify, int_name, points
from surveys.xlsform.errors import N_, Refused
from surveys.xlsform.expressions import Target, bounds
from surveys.xlsform.rows import YESNO_WORDS, RowReader
from surveys.xlsform.sheets import Row

TIME_META = {"start", "end", "today"}
OTHER_META = {"deviceid", "imei", "phonenumber", "phone number", "username", "email", "simserial",
              "subscriberid", "audit", "start-geopoint", "background-audio", "uri:deviceid",
              "uri:email", "uri:username", "uri:phonenumber", "uri:subscriberid", "uri:simserial"}
SELECT = re.compile(r"^(?P<kind>select_one|select one|select one from|select1|select_multiple|"
                    r"select all that apply|select all that apply from|select multiple)\s+(?P<list>\S+)"
                    r"(?P<other>\s+(or_other|or specify other))?$", re.I)
_FROM_ELSEWHERE = ("select_one_from_file", "select_multiple_from_file", "select one from file", "select_one_external",
                   "select multiple from file", "rank", "osm")


class QuestionReader(RowReader):
    def question(self, row: Row, kind: str, path: str) -> Optional[dict]:
        self.ctx.locations[path] = (self.sheet.title, row.number)
        raw_type = " ".join(self.get(row, "type").split())
        select = SELECT.match(raw_type)
        if kind in TIME_META:
            self.ctx.note(N_("survey row %(row)s: %(type)s ignored (Sapat records when answers start and are "
                             "submitted)", row=row.number, type=kind))
            return None
        if kind in OTHER_META:
            self.refuse(row, "type", N_("the metadata '%(type)s' is not recorded by Sapat", type=raw_type))
            return None
        if select:
            if select.group("other"):
                self.refuse(row, "type", N_("'or_other' (a free-text other option) is not supported"))
                return None
            return self.select(row, select, path)
        if kind in ("integer", "int", "decimal"):
            return self.number(row, kind != "decimal")
        if kind in ("text", "string"):
            return self.text(row)
        if kind == "calculate":
            self.refuse(row, "type", N_("calculations are not supported"))
        elif kind.startswith(_FROM_ELSEWHERE):
            self.refuse(row, "type", N_("'%(type)s': choices from files, external lists and ranking are not "
                                        "supported", type=raw_type))
        else:
            self.refuse(row, "type", N_("'%(type)s' has no Sapat item type (single, multi, likert, matrix, "
                                        "number, text, yes_no, criterion)", type=raw_type))
        return None

    def constraint_refused(self, row: Row, error: Refused, constraint: str):
        self.refuse(row, "constraint", N_("%(reason)s in %(expression)s", reason=error.reason,
                                          expression=repr(constraint)))

    def number(self, row: Row, integer: bool) -> dict:
        item = self.base_item(row, "number")
        item["integer"] = integer
        self.appearance(row, set())
        constraint = self.get(row, "constraint")
        if constraint:
            try:
                lo, hi = bounds(constraint, ".", item["key"], integer)
            except Refused as error:
                self.constraint_refused(row, error, constraint)
            else:
                if lo is not None:
                    item["min"] = lo
                if hi is not None:
                    item["max"] = hi
        self.required(row, item, True)
        self.no_sapat(row, "sapat::scale", "sapat::reverse", "sapat::labels", "sapat::allow_comment")
        self.targets[self.get(row, "name")] = Target(item["key"])
        return item

    def text(self, row: Row) -> dict:
        item = self.base_item(row, "text")
        item["multiline"] = "multiline" in self.appearance(row, {"multiline"}).split()
        constraint = self.get(row, "constraint")
        if constraint:
            try:
                lo, hi = bounds(constraint, "string-length", item["key"], True)
                if lo is not None or hi is None or not 1 <= hi <= 5000:
                    raise Refused(N_("only a maximum length string-length(.) <= n (1..5000) is supported"))
                item["max_length"] = int(hi)
            except Refused as error:
                self.constraint_refused(row, error, constraint)
        self.required(row, item, False)
        self.no_sapat(row, "sapat::scale", "sapat::reverse", "sapat::labels", "sapat::allow_comment")
        self.targets[self.get(row, "name")] = Target(item["key"])
        return item

    def use_list(self, row: Row, list_name: str) -> Optional[ChoiceList]:
        lst = self.lists.get(list_name)
        if lst is None:
            self.refuse(row, "type", N_("no choice list '%(list)s' on the choices sheet", list=list_name))
            return None
        lst.used = True
        choice_texts(self.ctx, self.ctx.sheets["choices"], lst)
        return lst

    def select(self, row: Row, match, path: str) -> Optional[dict]:
        multi = "multiple" in match.group("kind").lower() or "all" in match.group("kind").lower()
        lst = self.use_list(row, match.group("list"))
        if lst is None:
            return None
        appearance = self.appearance(row, {"likert"})
        forced = self.get(row, "sapat::type")
        kind, reason = classify("select_multiple" if multi else "select_one", lst.choices, appearance,
                                self.ctx.kind)
        if forced:
            allowed = ("multi",) if multi else ("single", "likert", "yes_no", "criterion")
            if forced not in allowed:
                self.refuse(row, "sapat::type", N_("'%(type)s' cannot be a %(select)s", type=forced,
                                                   select=match.group("kind")))
                return None
            kind, reason = forced, ""
        if not kind:
            self.refuse(row, "type", N_("list '%(list)s': %(reason)s", list=lst.name, reason=reason))
            return None
        item = self.base_item(row, kind)
        name = self.get(row, "name")
        choices = lst.choices
        scale_points = None
        if kind in ("single", "multi"):
            item["options"] = []
            for n, c in enumerate(choices):
                option = {"key": c.name, "text": c.labels}
                if c.score:
                    try:
                        option["score"] = float(c.score)
                    except ValueError:
                        self.ctx.refuse("choices", c.row, "sapat_score", N_("'%(value)s' is not a number",
                                                                            value=c.score))
                self.ctx.locations[f"{path}.options[{n}]"] = ("choices", c.row)
                item["options"].append(option)
        elif kind == "likert":
            item["points"] = len(choices)
            scale_points = points(choices)
            self.likert_labels(row, item, lst)
            self.poles(row, item)
        elif kind == "yes_no":
            if [c.labels for c in choices] not in ([YES.model_dump(), NO.model_dump()],
                                                   [NO.model_dump(), YES.model_dump()]):
                self.ctx.note(N_("survey row %(row)s: list '%(list)s' read as yes/no: Sapat shows its own yes/no "
                                 "texts", row=row.number, list=lst.name))
        else:  # criterion
            self.levels(row, item, choices)
        if kind != "criterion" and self.get(row, "sapat::allow_comment"):
            self.refuse(row, "sapat::allow_comment", N_("only a criterion has allow_comment"))
        if kind not in ("likert",) and (self.get(row, "sapat::labels") or self.has_poles(row)):
            self.refuse(row, "sapat::labels", N_("labels and poles belong to likert items"))
        if kind in ("single", "likert", "yes_no", "criterion"):
            self.scale_fields(row, item, ("single", "likert", "yes_no", "criterion"))
        else:
            self.no_sapat(row, "sapat::scale", "sapat::reverse")
        if multi:
            constraint = self.get(row, "constraint")
            if constraint:
                try:
                    lo, hi = bounds(constraint, "count-selected", item["key"], True)
                    if lo is not None:
                        item["min_choices"] = int(lo)
                    if hi is not None:
                        item["max_choices"] = int(hi)
                except Refused as error:
                    self.constraint_refused(row, error, constraint)
        elif self.get(row, "constraint"):
            self.refuse(row, "constraint", N_("a constraint on a select_one is not supported"))
        default = bool(item.get("min_choices")) if multi else True
        self.required(row, item, default)
        if any(c.score for c in choices) and kind not in ("single", "multi"):
            self.ctx.refuse("choices", choices[0].row, "sapat_score",
                            N_("scores belong to single/multi options, not to a %(type)s list", type=kind))
        if kind != "criterion" and any(c.descriptor for c in choices):
            self.ctx.refuse("choices", choices[0].row, "sapat_descriptor_ky",
                            N_("descriptors belong to the levels of a criterion, not to a %(type)s list", type=kind))
        self.targets[name] = Target(item["key"], multi=multi, points=scale_points, names={c.name for c in choices})
        return item

    def levels(self, row: Row, item: dict, choices: list):
        """A criterion's levels: each option name is a score 0..100, `na` allows not applicable."""
        levels = []
        for c in choices:
            if c.name == "na":
                item["allow_na"] = True
                continue
            score = int_name(c.name)
            if score is None or score > 100:
                self.ctx.refuse("choices", c.row, "name", N_("level '%(name)s' is not a score 0..100", name=c.name))
                continue
            level = {"score": score, "label": c.labels}
            if c.descriptor:
                level["descriptor"] = c.descriptor
            levels.append(level)
        item["levels"] = levels
        if self.get(row, "sapat::allow_comment"):
            item["allow_comment"] = self.flag(row, "sapat::allow_comment")

    def matrix(self, node, path: str) -> Optional[dict]:
        row = node.row
        self.accept(row)
        self.ctx.locations[path] = (self.sheet.title, row.number)
        item: dict[str, Any] = {"key": self.name(row), "type": "matrix"}
        item["text"] = self.texts(row, "label", required=True)
        help_text = self.texts(row, "hint", required=False)
        if help_text:
            item["help"] = help_text
        self.appearance(row, {"table-list"})
        show_if = self.show_if(row)
        if show_if is not None:
            item["show_if"] = show_if
        rows, lst, required = [], None, set()
        prefix = item["key"] + "__"
        for child in node.children:
            crow = child.row
            match = SELECT.match(" ".join(self.get(crow, "type").split()))
            if child.type == "note" or not match or "one" not in match.group("kind").lower() \
                    or match.group("other"):
                self.refuse(crow, "type", N_("a table-list group (a matrix) holds only select_one rows over one "
                                             "list"))
                continue
            appearance = self.get(crow, "appearance").lower().split()
            if "label" in appearance:
                self.ctx.note(N_("survey row %(row)s: the table-list header row is ignored", row=crow.number))
                continue
            this = self.use_list(crow, match.group("list"))
            if this is None:
                continue
            if lst is None:
                lst = this
            elif this is not lst:
                self.refuse(crow, "type", N_("every row of a matrix uses one list ('%(list)s')", list=lst.name))
                continue
            if self.get(crow, "relevant"):
                self.refuse(crow, "relevant", N_("a matrix row cannot have its own condition (put it on the group)"))
            name = self.get(crow, "name")
            entry: dict[str, Any] = {"key": name[len(prefix):] if name.startswith(prefix) else name}
            if not re.fullmatch(KEY_PATTERN, entry["key"]):
                self.refuse(crow, "name", N_("'%(name)s' is not a Sapat key", name=name))
            marker = self.get(crow, "sapat::text")
            if marker not in ("", "none"):
                self.refuse(crow, "sapat::text", N_("the only value is 'none'"))
            text = self.texts(crow, "label", required=marker != "none")  # with 'none': the poles, shown
            text = None if marker == "none" else text
            if text:
                entry["text"] = text
            self.poles(crow, entry)
            if self.get(crow, "sapat::scale"):
                entry["scale"] = self.get(crow, "sapat::scale")
            if self.get(crow, "sapat::reverse") and self.flag(crow, "sapat::reverse"):
                entry["reverse"] = True
            raw = self.get(crow, "required").lower()
            if raw not in YESNO_WORDS:
                self.refuse(crow, "required", N_("'%(value)s' is not yes or no", value=raw))
            required.add(YESNO_WORDS.get(raw, False))
            self.ctx.locations[f"{path}.rows[{len(rows)}]"] = (self.sheet.title, crow.number)
            self.accept(crow)
            self.names.add(name)
            self.targets[name] = Target(f"{item['key']}.{entry['key']}")
            rows.append((crow, entry))
        if lst is None:
            self.refuse(row, "type", N_("a table-list group without select_one rows"))
            return None
        kind, reason = classify("select_one", lst.choices, "likert", "survey")
        if kind != "likert":
            self.refuse(row, "type", N_("list '%(list)s' is not a scale (a matrix needs one): %(reason)s",
                                        list=lst.name, reason=reason or kind))
            return None
        item["points"] = len(lst.choices)
        for crow, _entry in rows:
            target = self.targets[self.get(crow, "name")]
            target.points, target.names = points(lst.choices), {c.name for c in lst.choices}
        self.likert_labels(row, item, lst)
        item["rows"] = [entry for _crow, entry in rows]
        if len(required) > 1:
            self.refuse(row, "required", N_("the rows of a matrix are either all required or all optional"))
        elif required:
            value = required.pop()
            stored = self.get(row, "sapat::required").lower()
            if stored in ("yes", "no"):
                item["required"] = stored == "yes"
            elif stored:
                self.refuse(row, "sapat::required", N_("'%(value)s' is not yes or no", value=stored))
            elif not value:
                item["required"] = value
        return item
