"""A teacher's class journal as an import file: one row per student (by name), one column per
piece of work, for one class, subject and term chosen on the upload page.

The header row names the name column ("Student", "ФИО", "Окуучу", ...; else the first column)
and each piece of work: a date (15.10.2026, 15.10, or a date cell) is a control work of that
day, a kind of work ("Term mark", "четвертная", "тест 20.10") that kind, dated or on the
term's last day. Names are matched within the class after folding case, ё/е, look-alike
letters and spaces (core.text.fold_name); a name that matches none or several students is
reported with its row, and nothing is written unless the whole file is valid. A blank cell
is no mark; н is absent. The template is the class's roster with the term's assessments
(if any) as columns: filled in and uploaded, it is this format.
"""
import io
import re
from datetime import date, datetime
from typing import IO, Any, Optional

from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from app.extensions import db
from app.models import Assessment, ClassGroup, Student, Subject, Term
from app.models.achievement import DEFAULT_MAX_SCORE
from app.services.achievement.grid import CellError, parse_cell
from app.services.achievement.imports import _KINDS, write_marks
from app.services.core import dates
from app.services.core.school import students_of_class
from app.services.core.text import fold_name
from app.services.core.xlsx_input import MAX_COLUMNS, MAX_ROWS, ImportReport, SpreadsheetError, text
from app.services.core.xlsx_output import SafeWorkbook
from app.services.core.xlsx_safety import BadCell, normalise_header, read_sheet, read_upload
from forms.achievement import KIND_LABELS

NAME_HEADERS = {"student", "name", "full name", "students", "ученик", "учащийся", "фио", "ф.и.о.",
                "фамилия имя", "фамилия, имя", "окуучу", "окуучунун аты жөнү", "аты жөнү", "аты-жөнү"}
NUMBER_HEADERS = {"№", "#", "no", "n", "nn", "№ п/п", "номер", "катар"}
DATE_IN_HEADER = re.compile(r"(\d{1,2})[./](\d{1,2})(?:[./](\d{4}|\d{2}))?")
CODE_IN_NAME = re.compile(r"^(.*?)\s*\(([^()]+)\)\s*$")
LANGUAGES = ("en", "ru", "ky")


def _kind_words() -> dict[str, str]:
    """Kinds of work as they may head a column: the long format's aliases and the app's own
    labels in every language (the template's headers are the labels)."""
    words = dict(_KINDS)
    for lang in LANGUAGES:
        with force_locale(lang):
            words.update({normalise_header(str(label)): kind for kind, label in KIND_LABELS.items()})
    return words


def _header_date(day: int, month: int, year: Optional[str], term: Term) -> date:
    """The date a header writes; a year of two digits is of this century (15.10.26), one of four
    as written (01.01.0001 is the year 1, refused by dates.check, never 2001)."""
    if year is not None:
        return date(int(year) + 2000 if len(year) == 2 else int(year), month, day)
    for candidate in (term.starts_on.year, term.ends_on.year):
        try:
            on = date(candidate, month, day)
        except ValueError:
            continue
        if term.starts_on <= on <= term.ends_on:
            return on
    return date(term.starts_on.year, month, day)


def read_column(header: Any, term: Term, kinds: dict[str, str]) -> tuple[str, date]:
    """A column's piece of work as (kind, date). Raises ValueError with the user's message."""
    if isinstance(header, datetime):
        header = header.date()
    if isinstance(header, date):
        kind, on = "control", dates.check(header)
    else:
        raw = text(header)
        found = DATE_IN_HEADER.search(raw)
        on = None
        if found:
            day, month, year = found.groups()
            try:
                on = _header_date(int(day), int(month), year, term)
            except ValueError:
                raise ValueError(_("'%(value)s' is not a date: write it as 15.10.2026", value=found.group(0))) from None
            dates.check(on, found.group(0))
            raw = (raw[:found.start()] + " " + raw[found.end():])
        words = normalise_header(re.sub(r"[()\[\],:;]", " ", raw))
        if not words:
            kind = "control"
        elif words in kinds:
            kind = kinds[words]
        else:
            raise ValueError(_("cannot tell which work '%(value)s' is: head the column with a date (15.10.2026) "
                               "or a kind of work (control, test, term mark ...)", value=text(header)[:40]))
        on = on or term.ends_on
    if not term.starts_on <= on <= term.ends_on:
        raise ValueError(_("the date %(date)s is outside the term %(term)s", date=on.strftime("%d.%m.%Y"),
                           term=term.label))
    return kind, on


def _column_name(index: int) -> str:
    return _("column %(column)s", column=get_column_letter(index + 1))


def _match(cell: str, by_name: dict[str, list[Student]], by_code: dict[str, Student]) -> list[Student]:
    """The students a name cell names: by folded name; "Name (code)" picks one of namesakes."""
    found = CODE_IN_NAME.match(cell)
    if found and fold_name(found.group(2)) in by_code:
        student = by_code[fold_name(found.group(2))]
        if fold_name(found.group(1)) in ("", fold_name(student.full_name)):
            return [student]
    return by_name.get(fold_name(cell), [])


def import_journal(stream: IO[bytes], *, cls: ClassGroup, subject: Subject, term: Term) -> ImportReport:
    """Check and (when the whole file is valid) write a class journal's marks in the caller's
    transaction. The caller has checked that the user may enter marks of (cls, subject)."""
    report = ImportReport(counts={"rows": 0, "assessments": 0, "created": 0, "updated": 0, "unchanged": 0},
                          tables=("assessment", "mark"))
    try:
        sheet = read_sheet(read_upload(stream), max_col=MAX_COLUMNS, max_rows=MAX_ROWS)
    except SpreadsheetError as error:
        report.add(0, None, str(error))
        return report
    # The header is the first row of two cells or more: a title line above it is left alone.
    start = next((i for i, (_n, values) in enumerate(sheet.rows if sheet else [])
                  if sum(text(v) != "" for v in values) >= 2), None)
    if start is None or start + 1 >= len(sheet.rows):
        report.add(0, None, _("The workbook has no students' rows under its header."))
        return report
    report.sheet = sheet.title
    header_row, header = sheet.rows[start]
    headers = [normalise_header(h) for h in header]
    name_at = next((i for i, h in enumerate(headers) if h in NAME_HEADERS), None)
    if name_at is None:
        name_at = next((i for i, h in enumerate(headers) if h and h not in NUMBER_HEADERS), 0)
    kinds = _kind_words()
    columns: dict[int, tuple[str, date]] = {}
    seen_work: dict[tuple[str, date], int] = {}
    rows = sheet.rows[start + 1:]
    for index in range(name_at + 1, max(len(v) for _n, v in sheet.rows[start:])):
        value = header[index] if index < len(header) else None
        if text(value) == "":
            if any(index < len(v) and text(v[index]) for _n, v in rows):
                report.add(header_row, _column_name(index), _("the column has marks but no header: write the date "
                                                              "or the kind of work"))
            continue
        try:
            work = read_column(value, term, kinds)
        except ValueError as error:
            report.add(header_row, _column_name(index), str(error))
            continue
        if work in seen_work:
            report.add(header_row, _column_name(index), _("the same work as %(column)s",
                                                          column=_column_name(seen_work[work])))
            continue
        seen_work[work] = index
        columns[index] = work
    if not columns and report.ok:
        report.add(header_row, None, _("The header row names no work: head each column with a date or a kind "
                                       "of work."))

    students = students_of_class(cls.id)
    by_name: dict[str, list[Student]] = {}
    for student in students:
        by_name.setdefault(fold_name(student.full_name), []).append(student)
    by_code = {fold_name(s.code): s for s in students}
    parsed, rows_of_student = [], {}
    for number, values in rows:
        name = text(values[name_at]) if name_at < len(values) else ""
        marks = {i: values[i] for i in columns
                 if i < len(values) and (isinstance(values[i], BadCell) or text(values[i]) != "")}
        if not name:
            if marks:
                report.add(number, _("name"), _("marks without a student's name"))
            continue
        found = _match(name, by_name, by_code)
        if not found:
            report.add(number, _("name"), _("no student named '%(name)s' in %(cls)s", name=name[:80], cls=cls.name))
            continue
        if len(found) > 1:
            report.add(number, _("name"), _("'%(name)s' matches %(count)d students of %(cls)s: add the code in "
                                            "brackets as the template does, e.g. %(example)s",
                                            name=name[:80], count=len(found), cls=cls.name,
                                            example=f"{found[0].full_name} ({found[0].code})"))
            continue
        student = found[0]
        if student.id in rows_of_student:
            report.add(number, _("name"), _("%(name)s is already in row %(row)d", name=student.full_name,
                                            row=rows_of_student[student.id]))
            continue
        rows_of_student[student.id] = number
        report.counts["rows"] += 1
        for index, raw in marks.items():
            kind, on = columns[index]
            if isinstance(raw, BadCell):  # an error value or a formula without a saved value
                report.add(number, _column_name(index), raw.message())
                continue
            try:
                value, score, absent = parse_cell(raw, kind, DEFAULT_MAX_SCORE.get(kind))
            except CellError as error:
                report.add(number, _column_name(index), str(error))
                continue
            # (the row's number; no points per task: a journal has a column per work, not per task)
            parsed.append(((cls.id, subject.id, term.id, kind, on, student.id), value, score, absent, number, None))
    if report.ok and not parsed:
        report.add(0, None, _("The file holds no marks."))
    if report.ok:
        write_marks(cls.school_id, parsed, report)
    return report


def journal_template(cls: ClassGroup, subject: Subject, term: Term) -> io.BytesIO:
    """The class's students (by name, namesakes with their code) and the term's assessments of
    the subject as columns (or one empty dated column to fill), in the page's language."""
    students = students_of_class(cls.id)
    names: dict[str, int] = {}
    for student in students:
        names[fold_name(student.full_name)] = names.get(fold_name(student.full_name), 0) + 1
    works = list(db.session.scalars(select(Assessment).where(
        Assessment.class_id == cls.id, Assessment.subject_id == subject.id, Assessment.term_id == term.id)
        .order_by(Assessment.date, Assessment.kind)))
    buffer = io.BytesIO()
    workbook = SafeWorkbook(buffer, {"in_memory": True})
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True})
    sheet = workbook.add_worksheet(f"{cls.name}"[:31])
    sheet.write_string(0, 0, _("Student"), bold)
    headers = [f"{KIND_LABELS[a.kind]} {a.date.strftime('%d.%m.%Y')}" for a in works] or [
        f"{KIND_LABELS['control']} {term.ends_on.strftime('%d.%m.%Y')}", str(KIND_LABELS["term"])]
    for col, title in enumerate(headers, start=1):
        sheet.write_string(0, col, title, bold)
    for row, student in enumerate(students, start=1):
        shown = student.full_name
        if names[fold_name(student.full_name)] > 1:
            shown = f"{student.full_name} ({student.code})"
        sheet.write_string(row, 0, shown)
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, len(headers), 16)
    sheet.freeze_panes(1, 1)
    notes = workbook.add_worksheet(_("notes")[:31])
    for row, line in enumerate([
        _("%(cls)s, %(subject)s, %(term)s: one row per student, one column per piece of work.",
          cls=cls.name, subject=subject.name, term=term.label),
        _("Head a column with a date (15.10.2026: a control work) or a kind of work and a date "
          "(Test 20.10.2026, Term mark)."),
        _("A mark is 1-5, н for absent; a blank cell is no mark. Nothing is saved unless every row is valid."),
    ]):
        notes.write_string(row, 0, line)
    notes.set_column(0, 0, 100)
    workbook.close()
    buffer.seek(0)
    return buffer
