"""Load instrument files (surveys/instruments/*.yaml) and refuse bad ones with file, path and reason.

    load_file(path) -> Instrument             raises InstrumentError (all problems of the file)
    load_all(directory=None) -> LoadReport    every file; .instruments and .errors
    load_text(text, name) -> Instrument       the same for a string (tests, uploads)

An error reads `parent_satisfaction.yaml: sections[1].items[3].scale: unknown scale 'climat'`
(indices count from 0, as in JSON paths).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import yaml
from pydantic import ValidationError

from surveys.schema import Instrument, Problem, check_references, format_loc

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"


class InstrumentError(Exception):
    """A file that is not a valid instrument; `problems` holds every (path, reason)."""

    def __init__(self, filename: str, problems: list[Problem]):
        self.filename = filename
        self.problems = problems
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [f"{self.filename}: {p.path}: {p.reason}" if p.path else f"{self.filename}: {p.reason}"
                for p in self.problems]


def _friendly(error: dict) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "union_tag_invalid":
        return f"unknown item type {ctx.get('tag')!r}; expected one of {ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        return "the item has no type"
    if kind == "literal_error":
        return f"{error.get('input')!r} is not allowed; expected {ctx.get('expected')}"
    if kind == "string_pattern_mismatch":
        return f"{error.get('input')!r} is not a valid key (lowercase latin letters, digits and _)"
    message = str(error.get("msg", "invalid"))
    return message.removeprefix("Value error, ")


def validate_data(data, filename: str) -> Instrument:
    if not isinstance(data, dict):
        raise InstrumentError(filename, [Problem("", "the file must be a mapping with key, version, kind, ...")])
    try:
        instrument = Instrument.model_validate(data)
    except ValidationError as error:
        problems, seen = [], set()
        for e in error.errors():
            problem = Problem(format_loc(tuple(e["loc"])), _friendly(e))
            if str(problem) not in seen:
                seen.add(str(problem))
                problems.append(problem)
        raise InstrumentError(filename, problems) from None
    problems = check_references(instrument)
    if problems:
        raise InstrumentError(filename, problems)
    return instrument


def load_text(text: str, filename: str = "<text>") -> Instrument:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(error, "problem", None) or str(error)
        raise InstrumentError(filename, [Problem(where, f"not valid YAML: {reason}")]) from None
    return validate_data(data, filename)


def load_file(path) -> Instrument:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InstrumentError(path.name, [Problem("", f"cannot read the file: {error}")]) from None
    instrument = load_text(text, path.name)
    if instrument.key != path.stem:
        raise InstrumentError(path.name, [Problem("key", f"key '{instrument.key}' differs from the file name "
                                                         f"'{path.stem}'")])
    return instrument


@dataclass
class LoadReport:
    instruments: list[tuple[Path, Instrument]] = field(default_factory=list)
    errors: list[InstrumentError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def instrument_files(directory: Optional[Path] = None) -> list[Path]:
    directory = Path(directory) if directory else INSTRUMENTS_DIR
    return sorted(p for p in directory.glob("*.y*ml") if p.suffix in (".yaml", ".yml"))


def load_all(directory: Optional[Path] = None) -> LoadReport:
    """Every instrument file of the directory; bad files are reported, good ones returned."""
    report = LoadReport()
    for path in instrument_files(directory):
        try:
            report.instruments.append((path, load_file(path)))
        except InstrumentError as error:
            report.errors.append(error)
    return report
