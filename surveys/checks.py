"""Checks of an instrument that single fields cannot make, and the paths of pydantic's errors.

    check_references(instrument) -> [Problem]   keys, scales, show_if order, score ranges,
                                                item types the kind cannot hold, each item's own
    format_loc(loc) -> 'sections[1].items[3].scale'

The loader (surveys/loader.py) calls both, so that every problem comes with its path inside
the file (indices count from 0).
"""
from __future__ import annotations

import re
from typing import Any

from surveys.conditions import condition_list
from surveys.instrument import SOURCE_TAGS, Instrument
from surveys.items import ITEM_TYPES
from surveys.kinds import KINDS
from surveys.texts import Problem


def check_references(instrument: Instrument) -> list[Problem]:
    """Problems that single fields cannot see: keys, scales, show_if order, score ranges."""
    problems: list[Problem] = []
    scale_keys = [s.key for s in instrument.scales]
    for i, key in enumerate(scale_keys):
        if key in scale_keys[:i]:
            problems.append(Problem(f"scales[{i}].key", f"duplicate scale key '{key}'"))
    section_keys: list[str] = []
    seen: dict[str, str] = {}  # answer key -> path, in order
    seen_items: dict[str, Any] = {}
    ranges: dict[str, tuple[tuple[float, float], str]] = {}
    placed: list[tuple[str, Any]] = []

    def check_condition(show_if, path):
        for n, cond in enumerate(condition_list(show_if)):
            where = f"{path}.show_if" + (f"[{n}]" if isinstance(show_if, list) else "") + ".item"
            base = cond.item.split(".")[0]
            if cond.item not in seen and base not in seen_items:
                problems.append(Problem(where, f"show_if refers to '{cond.item}', which is not an earlier item"))

    def check_scale(scale, rng, path):
        if scale is None:
            return
        if scale not in scale_keys:
            problems.append(Problem(f"{path}.scale", f"unknown scale '{scale}'"))
            return
        if rng is None:
            problems.append(Problem(f"{path}.scale", "this item has no score and cannot count toward a scale"))
            return
        if scale in ranges and ranges[scale][0] != rng:
            first_range, first_path = ranges[scale]
            problems.append(Problem(
                f"{path}.scale",
                f"scale '{scale}' mixes score ranges {_fmt_range(rng)} and {_fmt_range(first_range)} ({first_path})"))
        ranges.setdefault(scale, (rng, path))

    for s, section in enumerate(instrument.sections):
        spath = f"sections[{s}]"
        if section.key in section_keys:
            problems.append(Problem(f"{spath}.key", f"duplicate section key '{section.key}'"))
        section_keys.append(section.key)
        if section.show_if is not None:
            check_condition(section.show_if, spath)
        for i, item in enumerate(section.items):
            path = f"{spath}.items[{i}]"
            placed.append((path, item))
            if item.key in seen_items:
                problems.append(Problem(f"{path}.key", f"duplicate item key '{item.key}'"))
            if item.show_if is not None:
                check_condition(item.show_if, path)
            problems.extend(item.check(path))
            for _key, scale, _reverse, rng, where in item.scored():
                check_scale(scale, rng, path + where)
            if getattr(item, "scale", None) is not None and item.score_range() is None:
                check_scale(item.scale, None, path)
            seen_items[item.key] = item
            for key in item.answer_keys():
                seen[key] = path
    for i, scale in enumerate(instrument.scales):
        if scale.key not in ranges:
            problems.append(Problem(f"scales[{i}]", f"scale '{scale.key}' has no items"))
    problems.extend(Problem(path, reason) for path, reason in KINDS[instrument.kind].problems(placed))
    if instrument.confidential is not None and instrument.kind != "diagnostic":
        problems.append(Problem("confidential", "only diagnostics (kind: diagnostic) may be confidential"))
    if instrument.respondent is not None and instrument.kind != "diagnostic":
        problems.append(Problem("respondent", "only diagnostics (kind: diagnostic) name their respondent"))
    return problems


def _fmt_range(rng: tuple[float, float]) -> str:
    lo, hi = rng
    return f"{lo:g}..{hi:g}"


def format_loc(loc: tuple) -> str:
    """('sections', 1, 'items', 3, 'likert', 'scale') -> 'sections[1].items[3].scale'.

    Pydantic puts the tag of a discriminated union (the item type, a source's form) after the
    index, and the member type of a plain union (e.g. 'list[Condition]') into the location: both
    are dropped."""
    out = ""
    parts = list(loc)
    for n, part in enumerate(parts):
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        if n >= 2 and parts[n - 2] == "items" and isinstance(parts[n - 1], int) and part in ITEM_TYPES:
            continue
        if n >= 2 and parts[n - 2] == "sources" and isinstance(parts[n - 1], int) and part in SOURCE_TAGS:
            continue
        if part in ("Condition", "list[Condition]") or re.match(r"^(function-|tagged-union|union\[)", str(part)):
            continue
        out += ("." if out else "") + str(part)
    return out
