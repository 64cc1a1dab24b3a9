"""write_xlsform: any Sapat instrument as an XLSForm .xlsx (survey, choices and settings sheets,
and sapat_scales / sapat_sources when it has scales / sources). export.py builds the rows.
"""
from __future__ import annotations

from pathlib import Path

import xlsxwriter

from surveys.schema import Instrument
from surveys.texts import LANGS
from surveys.xlsform.errors import N_
from surveys.xlsform.export import FormBuilder, text_columns
from surveys.xlsform.sheets import LANGUAGE_COLUMNS

_SURVEY_ORDER = (["type", "name"] + [f"label::{LANGUAGE_COLUMNS[c]}" for c in LANGS]
                 + [f"hint::{LANGUAGE_COLUMNS[c]}" for c in LANGS]
                 + ["required", "relevant", "constraint", "appearance", "sapat::type", "sapat::scale",
                    "sapat::reverse", "sapat::required", "sapat::show_if", "sapat::text", "sapat::labels"]
                 + [f"sapat::left::{LANGUAGE_COLUMNS[c]}" for c in LANGS]
                 + [f"sapat::right::{LANGUAGE_COLUMNS[c]}" for c in LANGS] + ["sapat::allow_comment"])
# Extra columns of the choices sheet become data of each choice in the XForm (as for choice
# filters), so they are flat names there: sapat_score, sapat_descriptor_ky / _ru / _en.
_CHOICES_ORDER = (["list_name", "name"] + [f"label::{LANGUAGE_COLUMNS[c]}" for c in LANGS] + ["sapat_score"]
                  + [f"sapat_descriptor_{c}" for c in LANGS])


def _write_sheet(workbook, title: str, order: list[str], rows: list[dict[str, str]], bold):
    columns = [c for c in order if c in ("type", "name", "list_name") or any(r.get(c) for r in rows)]
    extra = sorted({k for r in rows for k in r} - set(columns) - set(order))
    columns += extra
    sheet = workbook.add_worksheet(title)
    for col, header in enumerate(columns):
        sheet.write_string(0, col, header, bold)
    for n, row in enumerate(rows, start=1):
        for col, header in enumerate(columns):
            value = row.get(header)
            if value and sheet.write_string(n, col, value) != 0:
                raise ValueError(N_("%(sheet)s row %(row)s, %(column)s: the text is too long for Excel", sheet=title,
                                    row=n + 1, column=header))
    sheet.freeze_panes(1, 0)
    return sheet


def write_xlsform(instrument: Instrument, target) -> None:
    """Write `instrument` as an XLSForm .xlsx to `target` (a path, or a writable binary stream).

    Sheets: survey, choices, settings, and sapat_scales / sapat_sources when the instrument has
    scales / sources. Every text is written with write_string (a text beginning with '=' stays a
    text). read_xlsform(target) gives back an equal Instrument; see surveys/xlsform/__init__.py for the mapping.
    Raises ValueError for a text longer than an Excel cell holds (32,767 characters).
    """
    writer = FormBuilder(instrument)
    writer.build()
    stream = not isinstance(target, (str, Path))
    workbook = xlsxwriter.Workbook(target if stream else str(target), {"in_memory": True} if stream else {})
    try:
        bold = workbook.add_format({"bold": True})
        _write_sheet(workbook, "survey", _SURVEY_ORDER, writer.survey, bold)
        _write_sheet(workbook, "choices", _CHOICES_ORDER, writer.choices, bold)
        settings = {"form_title": instrument.title.ru, "form_id": instrument.key,
                    "version": str(instrument.version), "default_language": LANGUAGE_COLUMNS["ru"],
                    "sapat::kind": instrument.kind, **text_columns("sapat::title", instrument.title)}
        if instrument.audience:
            settings["sapat::audience"] = " ".join(instrument.audience)
        if instrument.grades is not None:
            settings["sapat::grades"] = " ".join(str(g) for g in instrument.grades) or "[]"
        if instrument.confidential is not None:
            settings["sapat::confidential"] = "yes" if instrument.confidential else "no"
        if instrument.respondent is not None:
            settings["sapat::respondent"] = instrument.respondent
        _write_sheet(workbook, "settings", list(settings), [settings], bold)
        if instrument.scales:
            rows = [{"key": s.key, **text_columns("title", s.title), **text_columns("description", s.description)}
                    for s in instrument.scales]
            order = (["key"] + [f"title::{LANGUAGE_COLUMNS[c]}" for c in LANGS]
                     + [f"description::{LANGUAGE_COLUMNS[c]}" for c in LANGS])
            _write_sheet(workbook, "sapat_scales", order, rows, bold)
        if instrument.sources:
            rows = [{"source": s} if isinstance(s, str) else {"source": s.cite, **text_columns("note", s.note)}
                    for s in instrument.sources]
            order = ["source"] + ([f"note::{LANGUAGE_COLUMNS[c]}" for c in LANGS]
                                  if any(not isinstance(s, str) for s in instrument.sources) else [])
            _write_sheet(workbook, "sapat_sources", order, rows, bold)
    finally:
        workbook.close()
