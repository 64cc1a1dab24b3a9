"""The survey sheet -> the sections of an instrument.

    read_survey(ctx, sheet, lists, data)   fills data["sections"] (and data["description"])

`begin group` / `end group` at the top level make a section (name -> key, label -> title,
relevant -> show_if); a note as a group's first row is its intro, a note before any question
the instrument's description. Questions outside any group form a section of their own (key
`main`, or `part_N` when groups come between them). A table-list group is a matrix item
(questions.py); repeats, loops, nested groups and notes elsewhere are refused with their rows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from surveys.texts import LANGS
from surveys.xlsform.choices import ChoiceList
from surveys.xlsform.context import Context
from surveys.xlsform.errors import N_
from surveys.xlsform.questions import QuestionReader
from surveys.xlsform.rows import SAPAT_SURVEY, SURVEY_COLUMNS
from surveys.xlsform.sheets import Row, Sheet, is_kobo

_NOTED_COLUMNS = {"constraint_message": N_("Sapat shows its own message for a value out of range"),
                  "required_message": N_("Sapat shows its own message for a missing answer"),
                  "guidance_hint": N_("Sapat has no guidance hints")}
_REFUSED_COLUMNS = {"choice_filter": N_("filtered choice lists (cascading selects) are not supported"),
                    "calculation": N_("calculations are not supported"),
                    "default": N_("default answers are not supported"),
                    "read_only": N_("read-only questions are not supported"),
                    "repeat_count": N_("repeats are not supported"),
                    "parameters": N_("question parameters are not supported"),
                    "trigger": N_("triggers are not supported"),
                    "media": N_("images, audio and video are not supported")}


@dataclass
class Node:
    row: Row
    type: str                     # normalised: 'group', 'repeat', 'loop', or the row's type
    children: list = field(default_factory=list)
    end_row: Optional[int] = None


def _tree(ctx: Context, sheet: Sheet) -> list[Node]:
    root = Node(Row(0, {}), "root")
    stack = [root]
    for row in sheet.rows:
        if row.blank():
            continue
        raw_type = " ".join(sheet.get(row, "type").split())
        low = raw_type.lower()
        match = re.fullmatch(r"(begin|end)[ _](group|repeat|loop)(\s+over\s+\S+)?", low)
        if match:
            what = match.group(2)
            if match.group(1) == "begin":
                node = Node(row, what)
                stack[-1].children.append(node)
                stack.append(node)
            elif len(stack) == 1 or stack[-1].type != what:
                ctx.refuse(sheet.title, row.number, "type",
                           N_("'%(type)s' without a matching begin %(kind)s", type=raw_type, kind=what))
            else:
                stack.pop().end_row = row.number
            continue
        if not low:
            ctx.refuse(sheet.title, row.number, "type", N_("a row without a type"))
            continue
        stack[-1].children.append(Node(row, low))
    for node in stack[1:]:
        ctx.refuse(sheet.title, node.row.number, "type",
                   N_("begin %(kind)s without end %(kind)s", kind=node.type))
    return root.children


def read_survey(ctx: Context, sheet: Sheet, lists: dict[str, ChoiceList], data: dict):
    for i, header in enumerate(sheet.headers):
        if not header.raw:
            continue
        base = header.base
        if base in SURVEY_COLUMNS or base in SAPAT_SURVEY:
            continue
        if is_kobo(header):
            ctx.note(N_("survey: column %(column)s ignored (KoboToolbox bookkeeping)", column=header.raw))
            continue
        filled = [r for r in sheet.rows if r.cells.get(i, "").strip()]
        if base in _NOTED_COLUMNS:
            if filled:
                ctx.note(N_("survey: column %(column)s ignored (%(why)s)", column=header.raw,
                            why=_NOTED_COLUMNS[base]))
            continue
        reason = _REFUSED_COLUMNS.get(base) or N_("unknown column '%(column)s'", column=header.raw)
        for row in filled:
            if base == "calculation" and sheet.get(row, "type").lower() == "calculate":
                continue  # the calculate row itself is refused for its type
            ctx.refuse(sheet.title, row.number, header.raw, reason)
    ctx.check_text_columns(sheet, {"label", "hint", "sapat::left", "sapat::right"})
    if "choices" in ctx.sheets:
        ctx.check_text_columns(ctx.sheets["choices"], {"label", "sapat::descriptor"})
    reader = SurveyReader(ctx, sheet, lists)
    reader.read(_tree(ctx, sheet), data)


def _not_supported(kind: str) -> str:
    if kind == "loop":
        return N_("loops (begin loop) are not supported: Sapat asks every question once")
    return N_("repeats (begin repeat) are not supported: Sapat asks every question once")


class SurveyReader(QuestionReader):
    def read(self, nodes: list[Node], data: dict):
        loose: list[Node] = []
        started = False
        n_groups = sum(1 for n in nodes if n.type == "group" and not self.is_matrix(n))

        def flush():
            if loose:
                key = "main" if n_groups == 0 and not any(s.get("_loose") for s in self.sections) \
                    else f"part_{len(self.sections) + 1}"
                self.section(None, loose[:], data, key)
                loose.clear()

        for node in nodes:
            if node.type == "note" and not started:
                started = True
                description = self.note_text(node, N_("a note used as the form's description cannot have a "
                                                      "condition"))
                if description:
                    data["description"] = description
                continue
            started = True
            if node.type == "group" and not self.is_matrix(node):
                flush()
                self.section(node, node.children, data, None)
            elif node.type in ("repeat", "loop"):
                flush()
                self.refuse(node.row, "type", _not_supported(node.type))
                self.check_inside(node)
            else:
                loose.append(node)
        flush()
        self.check_unused()
        if not self.sections and not self.ctx.problems:
            self.ctx.refuse(self.sheet.title, None, None, N_("the form has no questions"))
        data["sections"] = [{k: v for k, v in s.items() if k != "_loose"} for s in self.sections]

    def check_inside(self, node: Node):
        """Children of a refused container: refuse their own problems too, add nothing."""
        saved = list(self.sections)
        self.section(None, node.children, {}, "refused")
        self.sections = saved

    def note_text(self, node: Node, conditional: str) -> Optional[dict]:
        """The label of a note used as a description or an intro (`conditional`: the reason
        given when it has a condition)."""
        row = node.row
        self.accept(row)
        self.get(row, "name")  # a note's name is not kept: nothing refers to it
        if self.get(row, "relevant"):
            self.refuse(row, "relevant", conditional)
        return self.texts(row, "label", required=True)

    def is_matrix(self, node: Node) -> bool:
        return node.type == "group" and ("table-list" in self.get(node.row, "appearance").lower()
                                         or self.get(node.row, "sapat::type") == "matrix")

    def section(self, group: Optional[Node], children: list[Node], data: dict, key: Optional[str]):
        index = len(self.sections)
        path = f"sections[{index}]"
        section: dict[str, Any] = {}
        if group is not None:
            row = group.row
            self.accept(row)
            self.ctx.locations[path] = (self.sheet.title, row.number)
            section["key"] = self.name(row)
            section["title"] = self.texts(row, "label", required=True) or {}
            help_text = self.texts(row, "hint", required=False)
            if help_text:
                section["intro"] = help_text
            self.appearance(row, set())
            show_if = self.show_if(row)
            if show_if is not None:
                section["show_if"] = show_if
        else:
            first = children[0].row.number if children else None
            self.ctx.locations[path] = (self.sheet.title, first)
            section["key"] = key
            section["title"] = data.get("title") or {c: key for c in LANGS}
            section["_loose"] = True
        items: list[dict] = []
        for n, node in enumerate(children):
            if node.type == "note":
                if n == 0 and group is not None and "intro" not in section:
                    intro = self.note_text(node, N_("a note used as the intro of a group cannot have a condition"))
                    if intro:
                        section["intro"] = intro
                else:
                    self.refuse(node.row, "type", N_("a note can only open the form (its description) or a group "
                                                     "(its intro): Sapat has no display-only items"))
                continue
            if node.type in ("group", "repeat", "loop"):
                if self.is_matrix(node):
                    item = self.matrix(node, f"{path}.items[{len(items)}]")
                    if item:
                        items.append(item)
                    continue
                if node.type == "group":
                    self.refuse(node.row, "type", N_("a group inside a group: Sapat sections are not nested (make "
                                                     "it a group of its own)"))
                else:
                    self.refuse(node.row, "type", _not_supported(node.type))
                self.check_inside(node)
                continue
            item = self.question(node.row, node.type, f"{path}.items[{len(items)}]")
            self.names.add(self.sheet.get(node.row, "name"))
            if item:
                self.accept(node.row)
                items.append(item)
        section["items"] = items
        if not items and group is not None:
            self.refuse(group.row, "type", N_("a group without questions"))
        self.sections.append(section)
