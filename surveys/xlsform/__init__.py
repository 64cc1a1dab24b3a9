"""XLSForm import and export: instruments authored in Excel (KoboToolbox, ODK, SurveyCTO).

    read_xlsform(source, **options) -> dict      the data dict of an instrument file (what a YAML
                                                 file gives); raises XLSFormError
    write_xlsform(instrument, target) -> None    any Instrument as an XLSForm .xlsx

Both are pure functions (no Flask, no database). `source` is a path or a binary stream of an
.xlsx; `target` a path or a writable binary stream. Reasons and notes are English `Message`s
whose templates are in the `surveys` catalogue: `translated(message, gettext)` gives them in
the reader's language.

The modules, by responsibility:

    errors.py       XLSFormProblem, XLSFormError, Refused, Message / N_ / translated
    sheets.py       the workbook: sheets, header rows (columns, languages), rows
    context.py      one reading's problems, notes, and texts in ky / ru / en
    expressions.py  relevant -> show_if, constraint -> ranges (an XPath subset)
    choices.py      the choices sheet; which item a select list makes (likert, yes_no, ...)
    rows.py         the columns every survey row may have (name, texts, required, relevant)
    questions.py    a question row -> an item (select, number, text, matrix)
    survey.py       the survey sheet -> sections (groups, notes, structure)
    reader.py       read_xlsform: settings, scales, sources, and schema problems -> rows
    export.py       an instrument -> survey and choices rows
    writer.py       write_xlsform: those rows -> the .xlsx

The reader uses openpyxl (read_only, data_only) directly rather than pyxform's parser
(xls2json.workbook_to_json): pyxform stops at the first error and its JSON keeps no row
numbers, while every refusal here names its row and all of them are reported at once; its
validation is ODK's (an XLSForm valid for ODK may still not fit Sapat). pyxform is used in the
tests, to check that what write_xlsform writes is an XLSForm ODK accepts. Like pyxform, the
reader stops a sheet after a run of empty rows (100 here) and reads 20 columns past the last
header (a value there is refused: it has no header).

What maps (XLSForm -> Sapat)
----------------------------
- settings: form_id -> key, version -> version (a whole number >= 1), form_title -> title (the
  same text in ky/ru/en: XLSForm has no translated title; `sapat::title::<language>` columns give
  one per language). The `key`, `version`, `title` and `kind` arguments override the sheet.
- `begin group` / `end group` at the top level -> a section (name -> key, label -> title,
  relevant -> the section's show_if); a note as the first row of a group -> the section's intro
  (a group hint is taken too); a note before any question -> the instrument's description.
  Questions outside any group form a section of their own (key `main`, or `part_N` when groups
  come between them) titled like the form.
- A group with appearance `table-list` whose rows are `select_one` over one scale list -> a
  matrix item (the rows are `select_one` rows named `<matrix>__<row>`; the prefix is dropped).
- `select_one L` -> likert when the list is a scale: names 1..k (k = 2..11) with appearance
  `likert`, or numeric labels, or labels recognised as an agreement / frequency / quality scale
  (in ky, ru or en); such labels also make a list of named options a scale, scored 1..k in list
  order. A list named `yes`/`no` whose labels say yes/no -> yes_no (Sapat's own yes/no texts).
  In an observation protocol (kind: observation) a list of whole-number names 0..100 (plus an
  optional `na`) -> criterion: each name is a level's score, its label the level's label, `na`
  means allow_na. Any other list -> single.
- `select_multiple L` -> multi; `integer` / `decimal` -> number; `text` -> text (appearance
  `multiline` -> multiline, otherwise a single line).
- required: yes/true/1 or no/false/0 (empty = no). Sapat leaves `required` unset where the
  column agrees with its own default (scored items required, text and multi optional).
- relevant -> show_if: `${x} = 'v'` and `selected(${x}, 'v')` -> equals; `${x} != 'v'` and
  `not(selected(${x}, 'v'))` -> not (Sapat also hides the item while x is unanswered; the exact
  form `${x} != '' and ${x} != 'v'` is what the export writes); an `or` of such equalities on
  one question -> in; `and` of any of these -> a list (all must hold). Numbers may be unquoted.
- constraint: `. >= a and . <= b` (also `>`/`<` on integers, `${self}` for `.`) -> min/max of a
  number; `string-length(.) <= n` -> max_length of a text; `count-selected(.) >= a` / `<= b`
  -> min_choices / max_choices of a multi.
- texts: `label`, `hint` (and the `sapat::` texts) per language column. Recognised spellings:
  `label::Kyrgyz (ky)`, `label::Russian (ru)`, `label::English (en)`, any `(code)` ky/ru/en, bare
  codes and names (`label::ky`, `label::English`, `label::Русский`, `label::Кыргызча`, ...) and
  the old single colon (`label:English`). A column without a language (`label`) is in the
  settings' default_language, or in the `default_language` argument.

Languages: Sapat keeps every text in ky, ru and en (schema.Text). By default a missing language
is refused: once per missing column (naming it, e.g. `label::Kyrgyz (ky)`), or per empty cell.
With `fallback="ru"` (or "ky", "en") every missing text is copied from that language (then from
any other present one) and the copy is reported in `notes`. A column in another language
(`label::French (fr)`) is refused: its texts would be lost.

What is refused (never silently dropped)
----------------------------------------
Every problem names the sheet, the row (as Excel numbers it), the column and the reason; all of
them are collected (XLSFormError.problems) before anything is returned. Refused: repeats and
loops, `calculate` and `calculation`, `choice_filter`, `default`, `read_only`, `parameters`,
`trigger`, media columns, `or_other`, select from files / external lists, `rank`, types Sapat
has no item for (date, time, geopoint, photo, audio, barcode, range, acknowledge, hidden, ...),
metadata other than start/end/today (deviceid, phonenumber, username, audit, ...), notes
anywhere but the start of the form or of a group, nested groups (except a table-list matrix),
`relevant` and `constraint` expressions outside the forms above, conditional `required`, texts
that insert answers (`${x}` in a label), names that are not Sapat keys (lowercase latin letters,
digits and _, starting with a letter, at most 60), numeric option names that are not a
recognisable scale, unknown columns, settings and types.

Ignored and reported in `notes` (a list you pass in): constraint_message, required_message and
guidance_hint (Sapat shows its own messages), display appearances (minimal, field-list,
horizontal, ...), start/end/today (Sapat records when an answer starts and is submitted), ODK
delivery settings (instance_name, submission_url, public_key, style, ...), KoboToolbox
bookkeeping columns (`$kuid`, `kobo--...`), sheets other than survey/choices/settings, unused
choice lists, the labels of a yes/no or `na` list (Sapat's own texts are shown).

Export (Sapat -> XLSForm)
-------------------------
survey, choices and settings sheets with `label::Kyrgyz (ky)`, `label::Russian (ru)`,
`label::English (en)` (and hint) columns, readable by ODK/KoboToolbox (pyxform converts it). Each
item becomes the nearest standard construct that read_xlsform maps back exactly:

    section     begin group / end group; intro -> a note as its first row
    single      select_one <key> (option scores in the choices column sapat_score)
    multi       select_multiple <key>; min/max choices -> count-selected(.) constraint
    likert      select_one over a list named 1..k, appearance likert
    matrix      begin group (appearance table-list) of select_one rows named <matrix>__<row>
    number      integer | decimal; min/max -> `. >= a and . <= b`
    text        text; max_length -> `string-length(.) <= n`; multiline -> appearance multiline
    yes_no      select_one over the list yes_no
    criterion   select_one over a list named by the level scores (plus `na` when allow_na),
                descriptors in the choices columns sapat_descriptor_ky / _ru / _en

What XLSForm cannot say goes into `sapat::` columns, which ODK ignores: sapat::scale,
sapat::reverse, sapat::left / sapat::right (poles, per language), sapat::allow_comment,
sapat::type (only where the list alone would map to another type), sapat::text = none /
sapat::labels = none (a bipolar item without a text / point labels: the XLSForm label shows the
poles), sapat::required = yes | no (Sapat's `required` where the required column cannot carry
it: set to the default value, or `false` on a multi with min_choices),
sapat::show_if (the condition as JSON where `relevant` cannot carry it exactly: a true/false
value, a one-element `in`); in settings sapat::kind, sapat::audience, sapat::grades,
sapat::confidential (yes / no), sapat::respondent (staff / student), sapat::title::<language>;
the sheets sapat_scales (key, title and description per language) and sapat_sources (source: the
reference as published; note per language: what the instrument takes from it). So export -> import
gives an equal Instrument (same content_hash).
"""
from surveys.xlsform.errors import Message, XLSFormError, XLSFormProblem, translated
from surveys.xlsform.reader import read_xlsform
from surveys.xlsform.sheets import LANGUAGE_COLUMNS
from surveys.xlsform.writer import write_xlsform

__all__ = ["read_xlsform", "write_xlsform", "XLSFormError", "XLSFormProblem", "LANGUAGE_COLUMNS", "Message",
           "translated"]
