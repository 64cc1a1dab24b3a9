"""Choice lists: reading the choices sheet, and which Sapat item a select list makes.

    read_choices(ctx, sheet) -> {list name: ChoiceList}
    choice_texts(ctx, sheet, lst)          labels and descriptors, read when a question uses the list
    classify(select, choices, appearance, kind) -> (item type, '') | ('', reason)
    points(choices) -> {option name: point} for a scale of named options, else None

classify is the one rule of the reader, and of the writer to decide when a sapat::type is
needed: a list named 1..k (k = 2..11) with appearance likert or labels that read as a scale is
likert; such labels (agreement, frequency, quality, in ky / ru / en) also make a list of named
options a likert scale; yes/no -> yes_no; in an observation protocol, whole-number names 0..100
(and `na`) -> criterion; any other list of keys -> single (select_multiple -> multi).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from surveys.texts import KEY_PATTERN, LANGS
from surveys.xlsform.context import Context
from surveys.xlsform.errors import N_
from surveys.xlsform.sheets import LANGUAGE_COLUMNS, Sheet, is_kobo

_YES = {"yes", "y", "да", "ооба", "true"}
_NO = {"no", "n", "нет", "жок", "false"}
_SCALE_WORD = re.compile(
    r"(agree|disagree|neutral|neither|strongly|somewhat|never|rarely|seldom|sometimes|often|usually|"
    r"always|very|poor|fair|good|excellent|satisf|unsatisf|bad|not at all|slightly|moderately|"
    r"extremely|a little|a lot|mostly|partly|fully|likely|important|согла|нейтрал|затрудняюсь|"
    r"никогда|редко|иногда|часто|всегда|очень|плох|удовлетвор|хорош|отличн|скорее|полностью|"
    r"совсем|частично|в основном|макул|эч качан|сейрек|кээде|көп учурда|дайыма|ар дайым|жакшы|"
    r"жаман|өтө|толук|айта албайм|канааттан|жарым)", re.I)
_LEADING_NUMBER = re.compile(r"^\s*\d+([.,]\d+)?\b")


def _is_scale_label(label: str) -> bool:
    return bool(_LEADING_NUMBER.match(label) or _SCALE_WORD.search(label))


@dataclass
class Choice:
    row: int
    name: str
    labels: dict[str, str]            # language code -> text (as filled)
    score: str = ""
    descriptor: dict[str, str] = field(default_factory=dict)


@dataclass
class ChoiceList:
    name: str
    choices: list[Choice] = field(default_factory=list)
    used: bool = False
    checked: bool = False


def int_name(name: str) -> Optional[int]:
    return int(name) if re.fullmatch(r"\d{1,3}", name) else None


def classify(select: str, choices: list[Choice], appearance: str, kind: str) -> tuple[str, str]:
    """(item type, '') for a select list, or ('', reason) when Sapat cannot represent it."""
    names = [c.name for c in choices]
    if select == "select_multiple":
        bad = [n for n in names if not re.fullmatch(KEY_PATTERN, n)]
        return ("multi", "") if not bad else ("", N_("option name '%(name)s' is not a Sapat key", name=bad[0]))
    numbers = [int_name(n) for n in names]
    labels_by_lang = [[c.labels.get(code, "") for c in choices] for code in LANGS]
    scale_labels = any(all(lbl and _is_scale_label(lbl) for lbl in lbls) for lbls in labels_by_lang
                       if any(lbls))
    if kind == "observation" and choices:
        levels = [n for n, num in zip(names, numbers, strict=True) if num is not None]
        if len(levels) >= 2 and all(num is not None or n == "na" for n, num in zip(names, numbers, strict=True)):
            return "criterion", ""
    if numbers and all(n is not None for n in numbers):
        if numbers == list(range(1, len(numbers) + 1)) and 2 <= len(numbers) <= 11:
            if "likert" in appearance or scale_labels:
                return "likert", ""
            return "", N_("option names 1..k make a scale only with appearance 'likert' or labels that read as a "
                          "scale; otherwise name the options with keys (e.g. male, female)")
        shown = ", ".join(names[:4]) + (", ..." if len(names) > 4 else "")
        return "", N_("numeric option names (%(names)s) are not Sapat keys; a scale needs names 1..k (at most 11)",
                      names=shown)
    bad = [n for n in names if not re.fullmatch(KEY_PATTERN, n)]
    if bad:
        return "", N_("option name '%(name)s' is not a Sapat key (lowercase latin letters, digits, _)", name=bad[0])
    if sorted(names) == ["no", "yes"]:
        texts = {c.name: {v.strip().lower().rstrip(".!") for v in c.labels.values()} for c in choices}
        if texts["yes"] <= _YES and texts["no"] <= _NO:
            return "yes_no", ""
    if 2 <= len(names) <= 11 and ("likert" in appearance or scale_labels):
        return "likert", ""
    return "single", ""


def points(choices: list[Choice]) -> Optional[dict[str, int]]:
    """Option name -> point for a scale of named options (agree, ...); None when named 1..k."""
    if [c.name for c in choices] == [str(i) for i in range(1, len(choices) + 1)]:
        return None
    return {c.name: i for i, c in enumerate(choices, start=1)}


def choices_of(rows: list[dict[str, str]]) -> list[Choice]:
    """Choices sheet rows as the writer builds them ({name, label::<language>, sapat_score})."""
    return [Choice(0, r["name"], {c: r.get(f"label::{LANGUAGE_COLUMNS[c]}", "") for c in LANGS},
                   r.get("sapat_score", "")) for r in rows]


def read_choices(ctx: Context, sheet: Optional[Sheet]) -> dict[str, ChoiceList]:
    """The lists of the choices sheet (names and scores; texts are read when a list is used)."""
    lists: dict[str, ChoiceList] = {}
    if sheet is None:
        return lists
    known = {"list_name", "name", "label", "sapat::score", "sapat::descriptor"}
    for i, header in enumerate(sheet.headers):
        if not header.raw or header.base in known:
            continue
        if is_kobo(header):
            ctx.note(N_("choices: column %(column)s ignored (KoboToolbox bookkeeping)", column=header.raw))
            continue
        for row in sheet.rows:
            if row.cells.get(i, "").strip():
                reason = (N_("images, audio and video are not supported") if header.base == "media" else
                          N_("unknown column '%(column)s' (choice filters and media are not supported)",
                             column=header.raw))
                ctx.refuse(sheet.title, row.number, header.raw, reason)
                break
    for row in sheet.rows:
        if row.blank():
            continue
        list_name = sheet.get(row, "list_name")
        name = sheet.get(row, "name")
        if not list_name:
            ctx.refuse(sheet.title, row.number, "list_name", N_("a choice without list_name"))
            continue
        if not name:
            ctx.refuse(sheet.title, row.number, "name", N_("a choice without name"))
            continue
        entry = lists.setdefault(list_name, ChoiceList(list_name))
        if any(c.name == name for c in entry.choices):
            ctx.refuse(sheet.title, row.number, "name",
                       N_("'%(name)s' is twice in list '%(list)s'", name=name, list=list_name))
            continue
        entry.choices.append(Choice(row.number, name, {}, sheet.get(row, "sapat::score")))
    return lists


def choice_texts(ctx: Context, sheet: Sheet, lst: ChoiceList):
    """Fill labels and descriptors of a list the first time a question uses it."""
    if lst.checked:
        return
    lst.checked = True
    rows = {r.number: r for r in sheet.rows}
    for choice in lst.choices:
        row = rows[choice.row]
        choice.labels = ctx.texts(sheet, row, "label", required=True) or {}
        choice.descriptor = ctx.texts(sheet, row, "sapat::descriptor", required=False) or {}
