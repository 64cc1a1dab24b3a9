"""Choosing the sheet of an import by its headers, as people save workbooks.

A workbook saved by a person may hold several sheets (notes, last year's copy, a pivot), hidden
ones, a title above the header, header cells merged over two rows or over a group of
columns. `read_table` looks at the first HEADER_SEARCH_ROWS non-empty rows of every sheet,
after filling each merged range's value down its first column, and takes as the header the
first row that carries every required column. The sheet read is the one visible sheet with
such a header; a hidden sheet is read only when it is the only one; two visible sheets (or,
without a visible one, two hidden ones) with the header are refused as ambiguous, and so is a
header row naming one column twice, each with a message that says how to fix it. Data rows
begin below the header (below the lowest row of a merged header cell). Parsing runs in the
same limited child process as xlsx_safety.read_sheet.
"""
import re
from typing import Optional

from flask_babel import gettext as _

from app.services.core.isolation import LimitExceeded, run_limited
from app.services.core.xlsx_safety import (
    SheetRows,
    SpreadsheetError,
    UploadRefused,
    _blank,
    _column_index,
    _open_workbook,
    _parser_class,
    check_package,
    normalise_header,
    setting,
)

HEADER_SEARCH_ROWS = 10  # a title, a date line, a two-row header: the header is among the first rows
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)\"")
_CHUNK = 1 << 20
MAX_MERGES = 10_000  # beyond these a sheet's merged ranges are not read (headers are merged in the first)


class SheetChoiceRefused(SpreadsheetError):
    """The workbook's sheets or header row are ambiguous; `kind` is "sheets" or "twice"."""

    def __init__(self, kind: str, **params):
        self.kind, self.params = kind, params
        super().__init__(choice_message(kind, **params))

    def __reduce__(self):  # from the parsing child: translated again where it is read
        return _choice_refused, (self.kind, self.params)


def _choice_refused(kind: str, params: dict) -> SheetChoiceRefused:
    return SheetChoiceRefused(kind, **params)


def choice_message(kind: str, **params) -> str:
    if kind == "sheets":
        return _("The sheets %(sheets)s all have the columns of this import, so it is not clear which one to "
                 "read. Delete the sheets that should not be imported (or hide them) and upload the file again.",
                 sheets=", ".join(f"“{name}”" for name in params.get("sheets", ())))
    return _("The column “%(column)s” appears twice in the header row of the sheet “%(sheet)s” (cells "
             "%(cells)s). Delete or rename one of them and upload the file again.",
             column=params.get("column", ""), sheet=params.get("sheet", ""), cells=", ".join(params.get("cells", ())))


def _merged_ranges(source) -> list[tuple[int, int, int, int]]:
    """The merged ranges of a sheet's XML as (min_col, min_row, max_col, max_row), read by a
    byte scan (the <mergeCells> element comes after every row, so the parser meets it last)."""
    found, tail = [], b""
    while chunk := source.read(_CHUNK):
        data = tail + chunk
        cut = max(0, len(data) - 400)  # a <mergeCell> is shorter: one starting in the tail is read next time
        found += [m for m in _MERGE.finditer(data) if m.start() < cut][:MAX_MERGES - len(found)]
        tail = data[cut:]
    found += list(_MERGE.finditer(tail))
    ranges = set()
    for match in found:
        a, b, c, d = match.groups()
        ranges.add((_column_index(a.decode()), int(b), _column_index(c.decode()), int(d)))
    return sorted(ranges)


def _parser(workbook, sheet, max_col: int):
    parser = _parser_class()(sheet._get_source(), sheet._shared_strings, data_only=True, epoch=workbook.epoch,
                             date_formats=workbook._date_formats, timedelta_formats=workbook._timedelta_formats)
    parser.max_col = max_col
    return parser


def _probe(workbook, sheet, aliases: dict, required: tuple, max_col: int) -> dict:
    """The header of one sheet: {"row", "last", "cells", "positions", "score"} where row is the
    header's row number (None when no row of the first ones carries every required column)."""
    merges = _merged_ranges(sheet._get_source())
    top: list[tuple[int, dict]] = []
    for number, cells in _parser(workbook, sheet, max_col).parse():
        found = {cell["column"]: cell["value"] for cell in cells if not _blank(cell["value"])}
        if found:
            top.append((number, found))
        if len(top) >= HEADER_SEARCH_ROWS:
            break
    rows = {number: found for number, found in top}
    for min_col, min_row, _max_col, max_row in merges:
        value = rows.get(min_row, {}).get(min_col)
        if value is None:
            continue
        for number in range(min_row + 1, max_row + 1):
            rows.setdefault(number, {})[min_col] = value
    best = {"row": None, "score": -1, "cells": {}, "last": 0}
    for number in sorted(rows)[:HEADER_SEARCH_ROWS + 1]:
        cells = rows[number]
        keys = {aliases.get(normalise_header(v)) for v in cells.values()} - {None}
        score = len(keys & set(required))
        if score > best["score"]:
            best = {"row": number if score == len(required) else None, "score": score, "cells": cells,
                    "number": number}
        if score == len(required):
            break
    if best["row"] is not None:
        spans = [max_row for min_col, min_row, _c, max_row in merges if min_row <= best["row"] <= max_row]
        best["last"] = max([best["row"], *spans])
    return best


def _choose(data: bytes, aliases: dict, required: tuple, max_col: int, max_rows: int) -> Optional[SheetRows]:
    try:
        workbook = _open_workbook(data)
        try:
            sheets = [ws for ws in workbook.worksheets]
            if not sheets:
                return None
            probes = [(ws, _probe(workbook, ws, aliases, required, max_col)) for ws in sheets]
            matching = [(ws, p) for ws, p in probes if p["row"] is not None]
            visible = [(ws, p) for ws, p in matching if getattr(ws, "sheet_state", "visible") == "visible"]
            chosen = visible or matching
            if len(chosen) > 1:
                raise SheetChoiceRefused("sheets", sheets=[ws.title for ws, _p in chosen])
            if not chosen:  # no sheet has the header: the visible one closest to it tells what lacks
                shown = [(ws, p) for ws, p in probes if getattr(ws, "sheet_state", "visible") == "visible"]
                ws, probe = max(shown or probes, key=lambda item: item[1]["score"])
                if probe["score"] < 0:
                    return SheetRows(ws.title, [])
                header = probe["cells"]
                return SheetRows(ws.title, [(probe["number"], _tuple(header))])
            ws, probe = chosen[0]
            header = probe["cells"]
            seen: dict[str, list[str]] = {}
            for column, value in sorted(header.items()):
                key = aliases.get(normalise_header(value))
                if key:
                    seen.setdefault(key, []).append(f"{_letter(column)}{probe['row']}")
            for key, cells in seen.items():
                if len(cells) > 1:
                    raise SheetChoiceRefused("twice", column=key, sheet=ws.title, cells=cells)
            keep = {c for c, v in header.items() if aliases.get(normalise_header(v))}
            rows = [(probe["row"], _tuple(header))]
            for number, cells in _parser(workbook, ws, max_col).parse():
                if number <= probe["last"]:
                    continue
                found = {cell["column"]: cell["value"] for cell in cells
                         if cell["column"] in keep and not _blank(cell["value"])}
                if not found:
                    continue
                rows.append((number, _tuple(found)))
                if len(rows) > max_rows + 1:
                    raise UploadRefused("too_many_rows", n=max_rows)
            return SheetRows(ws.title, rows)
        finally:
            workbook.close()
    except (UploadRefused, SheetChoiceRefused):
        raise
    except MemoryError:
        raise UploadRefused("limits") from None
    except Exception as error:  # noqa: BLE001 - XML, number, index, CRC and zlib errors alike
        raise UploadRefused("unreadable", detail=type(error).__name__) from None


def _tuple(found: dict) -> tuple:
    return tuple(found.get(c) for c in range(1, max(found) + 1)) if found else ()


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def read_table(data: bytes, *, aliases: dict, required: tuple, max_col: int, max_rows: int) -> Optional[SheetRows]:
    """The rows of the sheet whose header carries every `required` column (aliases: a
    normalised header spelling -> its column key): the header row first, then the data rows
    below it, only the columns with a known header. Raises UploadRefused or SheetChoiceRefused
    (translated)."""
    check_package(data)
    args = (data, aliases, required, max_col, max_rows)
    if not setting("XLSX_PARSE_ISOLATION"):
        return _choose(*args)
    import openpyxl  # noqa: F401 - imported before the fork, never first inside the child

    try:
        return run_limited(_choose, args, passed_on=(UploadRefused, SheetChoiceRefused),
                           memory_mb=setting("XLSX_PARSE_MEMORY_MB"), cpu_seconds=setting("XLSX_PARSE_CPU_SECONDS"),
                           wall_seconds=setting("XLSX_PARSE_WALL_SECONDS"))
    except LimitExceeded:
        raise UploadRefused("limits") from None
