"""read_xlsform: an XLSForm .xlsx -> the data dict of a Sapat instrument file.

The settings sheet gives key, version, title and kind (the arguments override it); the sheets
sapat_scales and sapat_sources (written by the export) give scales and sources; choices.py reads
the choices sheet, survey.py the survey sheet. Every problem of every sheet is collected before
XLSFormError is raised; schema problems found afterwards by surveys.loader.validate_data get the
sheet and row their part of the data was read from.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional, Union

from surveys.kinds import KIND_NAMES
from surveys.loader import InstrumentError, validate_data
from surveys.texts import KEY_PATTERN, LANGS, Problem, Text
from surveys.xlsform.choices import read_choices
from surveys.xlsform.context import Context
from surveys.xlsform.errors import N_, Refused, XLSFormError, XLSFormProblem
from surveys.xlsform.sheets import Row, Sheet, is_kobo, language_code, load_workbook
from surveys.xlsform.survey import read_survey

_IGNORED_SETTINGS = {"instance_name", "submission_url", "public_key", "style", "omit_instanceid",
                     "auto_send", "auto_delete", "namespaces", "clean_text_values", "allow_choice_duplicates",
                     "name", "prefix", "delimiter"}
_SETTINGS = {"form_title", "title", "form_id", "version", "default_language", "sapat::kind", "sapat::audience",
             "sapat::grades", "sapat::title", "sapat::confidential", "sapat::respondent"}
_SHEETS = ("survey", "choices", "settings", "sapat_scales", "sapat_sources")


def read_xlsform(source, *, key: Optional[str] = None, version: Optional[int] = None,
                 title: Union[None, str, dict, Text] = None, kind: Optional[str] = None,
                 default_language: Optional[str] = None, fallback: Optional[str] = None,
                 notes: Optional[list] = None, filename: Optional[str] = None) -> dict:
    """Convert an XLSForm .xlsx into the data dict of a Sapat instrument (as a YAML file gives).

    source            a path (str / Path), bytes, or a binary stream of the .xlsx
    key, version      override settings form_id / version (both needed when settings lack them)
    title             override form_title: a str (all languages) or {ky, ru, en}
    kind              'survey' (default) or 'observation'; overrides settings sapat::kind
    default_language  ky | ru | en: the language of columns without one (`label`, `hint`) when
                      settings has no default_language
    fallback          ky | ru | en: fill missing languages from this one (see the package doc);
                      None (default) refuses missing languages
    notes             a list to which what was ignored is appended (one line each)
    filename          the name used in messages (default: the file's name)

    Returns the data dict, already checked by surveys.loader.validate_data (so a caller may pass
    it to validate_data again or store it as a file). Raises XLSFormError (an InstrumentError)
    listing every problem with sheet, row, column and reason; schema problems found by
    validate_data are given the row they come from. Reasons and notes are English Messages
    (surveys/xlsform/errors.py) that the app can translate.
    """
    if filename is None:
        filename = Path(source).name if isinstance(source, (str, Path)) else "<xlsform>"
    if default_language is not None and default_language not in LANGS:
        raise ValueError(f"default_language must be one of {LANGS}")
    if fallback is not None and fallback not in LANGS:
        raise ValueError(f"fallback must be one of {LANGS}")
    try:
        sheets = load_workbook(source)
    except Refused as error:
        raise XLSFormError(filename, [XLSFormProblem("workbook", None, None, error.reason)]) from None
    if "survey" not in sheets:
        raise XLSFormError(filename, [XLSFormProblem("workbook", None, None, N_("no 'survey' sheet"))])
    settings = sheets.get("settings")
    settings_row = next((r for r in settings.rows if not r.blank()), None) if settings else None
    lang_setting = settings.get(settings_row, "default_language") if settings_row else ""
    ctx = Context(filename, sheets, default_language, fallback, "survey")
    if lang_setting:
        code = language_code(lang_setting)
        if code is None:
            ctx.refuse(settings.title, settings_row.number, "default_language",
                       N_("'%(language)s' is not a language of Sapat (ky, ru, en)", language=lang_setting))
        ctx.default_language = code
    data: dict[str, Any] = {}
    _read_settings(ctx, settings, settings_row, data, key=key, version=version, title=title, kind=kind)
    ctx.kind = data.get("kind", "survey")
    for name, sheet in sheets.items():
        if name not in _SHEETS and (sheet.rows or sheet.headers):
            ctx.note(N_("sheet '%(sheet)s' ignored: not part of an XLSForm that Sapat reads", sheet=sheet.title))
    for name in _SHEETS:
        for row in sheets[name].rows if name in sheets else []:
            if -1 in row.cells:
                ctx.refuse(sheets[name].title, row.number, None,
                           N_("a value (%(value)s) in a column without a header", value=repr(row.cells[-1][:40])))
    lists = read_choices(ctx, sheets.get("choices"))
    _read_scales_and_sources(ctx, sheets, data)
    read_survey(ctx, sheets["survey"], lists, data)
    for name, ch in lists.items():
        if not ch.used:
            ctx.note(N_("choices: list '%(list)s' (row %(row)s) is used by no question: ignored", list=name,
                        row=ch.choices[0].row if ch.choices else "?"))
    if notes is not None:
        notes.extend(ctx.notes)
    if ctx.problems:
        order = {"workbook": 0, "settings": 1, "survey": 2, "choices": 3}
        ctx.problems.sort(key=lambda p: (order.get(p.sheet.lower(), 4), p.row or 0))
        raise XLSFormError(filename, ctx.problems)
    try:
        validate_data(data, filename)
    except InstrumentError as error:
        raise XLSFormError(filename, [_locate(ctx, p) for p in error.problems]) from None
    return data


_PATH_COLUMNS = {"key": "name", "text": "label", "title": "label", "help": "hint", "show_if": "relevant",
                 "required": "required", "min": "constraint", "max": "constraint", "max_length": "constraint",
                 "min_choices": "constraint", "max_choices": "constraint", "scale": "sapat::scale",
                 "reverse": "sapat::reverse", "options": "type", "labels": "type", "points": "type",
                 "left": "sapat::left", "right": "sapat::right", "levels": "type", "score": "sapat_score",
                 "version": "version", "kind": "sapat::kind", "audience": "sapat::audience",
                 "grades": "sapat::grades", "description": "label", "confidential": "sapat::confidential",
                 "respondent": "sapat::respondent"}


def _locate(ctx: Context, problem: Problem) -> XLSFormProblem:
    """A schema problem (path inside the data dict) -> the sheet and row it was read from."""
    path = problem.path
    best = ""
    for candidate in ctx.locations:
        if (path == candidate or path.startswith((candidate + ".", candidate + "["))) \
                and len(candidate) > len(best):
            best = candidate
    sheet, row = ctx.locations.get(best, ("settings", None))
    fields = [p for p in re.split(r"[.\[\]]", path[len(best):]) if p and not p.isdigit()]
    column = next((_PATH_COLUMNS[f] for f in fields if f in _PATH_COLUMNS), None)
    reason = problem.reason if not path else N_("%(reason)s (%(path)s)", reason=problem.reason, path=path)
    return XLSFormProblem(sheet, row, column, reason)


def _read_settings(ctx: Context, settings: Optional[Sheet], row: Optional[Row], data: dict, *, key, version, title,
                   kind):
    sheet_name = settings.title if settings else "settings"
    number = row.number if row else None
    ctx.locations[""] = (sheet_name, number)
    if settings and row:
        for i, header in enumerate(settings.headers):
            value = row.cells.get(i, "").strip()
            if not value or not header.raw or header.base in _SETTINGS:
                continue
            if header.base in _IGNORED_SETTINGS or is_kobo(header):
                ctx.note(N_("settings: %(column)s ignored (delivery setting of ODK / KoboToolbox)", column=header.raw))
            else:
                ctx.refuse(sheet_name, number, header.raw, N_("unknown setting '%(column)s'", column=header.raw))
    get = (lambda base: settings.get(row, base)) if settings and row else (lambda base: "")
    form_id = key if key is not None else get("form_id")
    if not form_id:
        ctx.refuse(sheet_name, number, "form_id", N_("no form_id: give the instrument key"))
    elif not re.fullmatch(KEY_PATTERN, form_id) or len(form_id) > 60:
        ctx.refuse(sheet_name, number, "form_id", N_("'%(key)s' is not a Sapat key (lowercase latin letters, digits "
                                                     "and _, starting with a letter); pass key=...", key=form_id))
    data["key"] = form_id
    if version is not None:
        data["version"] = version
    else:
        raw = get("version")
        if not raw:
            data["version"] = 1
        elif re.fullmatch(r"[1-9]\d{0,8}", raw):
            data["version"] = int(raw)
        else:
            ctx.refuse(sheet_name, number, "version", N_("'%(version)s' is not a whole number from 1 (Sapat numbers "
                                                         "versions 1, 2, 3...); pass version=...", version=raw))
            data["version"] = 1
    kind_value = kind or get("sapat::kind") or "survey"
    if kind_value not in KIND_NAMES:
        ctx.refuse(sheet_name, number, "sapat::kind", N_("'%(kind)s' is not survey, observation or diagnostic",
                                                         kind=kind_value))
    data["kind"] = kind_value
    if title is not None:
        data["title"] = ({c: title for c in LANGS} if isinstance(title, str) else
                         title.model_dump() if isinstance(title, Text) else dict(title))
    else:
        titles = ctx.texts(settings, row, "sapat::title", required=False) if settings and row else None
        form_title = get("form_title") or get("title")
        if titles:
            data["title"] = titles
        elif form_title:
            data["title"] = {c: form_title for c in LANGS}
            ctx.note(N_("settings: form_title is used as the title in ky, ru and en (XLSForm has one title)"))
        else:
            ctx.refuse(sheet_name, number, "form_title", N_("no form_title: give the instrument title"))
    audience = get("sapat::audience")
    if audience:
        data["audience"] = audience.split()
    grades = get("sapat::grades")
    if grades:
        if grades == "[]":
            data["grades"] = []
        elif re.fullmatch(r"\d+(\s+\d+)*", grades):
            data["grades"] = [int(g) for g in grades.split()]
        else:
            ctx.refuse(sheet_name, number, "sapat::grades", N_("grades are whole numbers separated by spaces"))
    confidential = get("sapat::confidential").lower()
    if confidential in ("yes", "true"):
        data["confidential"] = True
    elif confidential in ("no", "false"):
        data["confidential"] = False
    elif confidential:
        ctx.refuse(sheet_name, number, "sapat::confidential", N_("sapat::confidential is yes or no"))
    respondent = get("sapat::respondent")
    if respondent:
        data["respondent"] = respondent  # the schema names the allowed values (staff, student)
    if settings:
        ctx.check_text_columns(settings, {"sapat::title"})


def _read_scales_and_sources(ctx: Context, sheets: dict[str, Sheet], data: dict):
    scales = sheets.get("sapat_scales")
    if scales:
        ctx.check_text_columns(scales, {"title", "description"})
        out = []
        for row in scales.rows:
            if row.blank():
                continue
            entry = {"key": scales.get(row, "key"), "title": ctx.texts(scales, row, "title", required=True)}
            description = ctx.texts(scales, row, "description", required=False)
            if description:
                entry["description"] = description
            ctx.locations[f"scales[{len(out)}]"] = (scales.title, row.number)
            out.append(entry)
        if out:
            data["scales"] = out
    sources = sheets.get("sapat_sources")
    if sources:
        ctx.check_text_columns(sources, {"note"})
        column = sources.columns("source")
        out = []
        for row in sources.rows:
            value = row.cells.get(column[0], "") if column else ""
            note = ctx.texts(sources, row, "note", required=False)
            if value.strip():
                ctx.locations[f"sources[{len(out)}]"] = (sources.title, row.number)
                out.append({"cite": value, "note": note} if note else value)
            elif note:
                ctx.refuse(sources.title, row.number, "source", N_("a note without its source"))
        if out:
            data["sources"] = out
