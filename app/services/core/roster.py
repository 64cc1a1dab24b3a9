"""Roster import: classes, students and enrolments of the current year from an .xlsx.

The whole file is checked first; rows are written only when every row is valid, in the
caller's transaction.
"""
import io
import re
from datetime import date
from typing import IO

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import ClassGroup, Enrollment, Student
from app.services.core import clock
from app.services.core.dates import DateOutOfRange
from app.services.core.text import fold_cyrillic, fold_key
from app.services.core.xlsx_input import (
    ImportReport,
    SpreadsheetError,
    parse_date,
    read_rows,
    template_workbook,
    text,
)

ROSTER_COLUMNS = {
    "class": ("класс", "сынып", "class name", "класс/сынып"),
    "student_code": ("code", "код", "код ученика", "окуучунун коду", "student code", "id"),
    "full_name": ("name", "фио", "ф.и.о.", "аты жөнү", "аты-жөнү", "full name", "окуучунун аты жөнү"),
    "gender": ("пол", "жынысы", "sex"),
    "birth_date": ("дата рождения", "туулган күнү", "birth date", "date of birth", "birthday"),
}
ROSTER_REQUIRED = ("class", "student_code", "full_name")

CLASS_PATTERN = re.compile(r"^(\d{1,2})\s*[-–—.]?\s*([^\W\d_])$", re.UNICODE)
GENDERS = {
    "m": "m", "male": "m", "м": "m", "муж": "m", "мужской": "m", "э": "m", "эркек": "m", "уул": "m",
    "f": "f", "female": "f", "ж": "f", "жен": "f", "женский": "f", "к": "f", "кыз": "f", "а": "f", "аял": "f",
}


def parse_class_name(value) -> tuple[int, str]:
    """'7-Б', '7Б', '7 б' -> (7, 'Б'); a Latin letter that looks Cyrillic is read as that
    letter ('7-A' with a Latin A -> (7, 'А')); raises ValueError for anything else."""
    match = CLASS_PATTERN.match(text(value))
    if not match:
        raise ValueError(value)
    grade = int(match.group(1))
    if not 1 <= grade <= 11:
        raise ValueError(value)
    return grade, fold_cyrillic(match.group(2).upper())


def students_by_code(school_id: int, keys) -> dict:
    """The school's students whose code, folded (text.fold_key), is one of `keys`: {key: Student}.
    A code typed with Cyrillic look-alikes, other case or extra spaces finds the stored one."""
    wanted = set(keys)
    ids = [sid for sid, code in db.session.execute(select(Student.id, Student.code).where(
        Student.school_id == school_id)) if fold_key(code) in wanted]
    found = db.session.scalars(select(Student).where(Student.id.in_(ids))) if ids else []
    return {fold_key(s.code): s for s in found}


def import_roster(stream: IO[bytes], *, school_id: int, year_id: int) -> ImportReport:
    report = ImportReport(counts={"created": 0, "updated": 0, "classes": 0, "rows": 0},
                          tables=("class_group", "student", "enrollment"))
    try:
        rows = read_rows(stream, ROSTER_COLUMNS, ROSTER_REQUIRED, report)
    except SpreadsheetError as error:
        report.add(0, None, str(error))
        return report

    seen_codes: dict[str, int] = {}
    parsed = []
    today = clock.today()
    for number, row in rows:
        class_raw, code, name = text(row.get("class")), text(row.get("student_code")), text(row.get("full_name"))
        try:
            grade, letter = parse_class_name(class_raw)
        except ValueError:
            report.add(number, "class", _("unknown class format '%(value)s': write it as 7-Б", value=class_raw))
            grade = letter = None
        if not code:
            report.add(number, "student_code", _("the student code is empty"))
        elif len(code) > 40:
            report.add(number, "student_code", _("the student code is longer than 40 characters"))
        elif fold_key(code) in seen_codes:
            report.add(number, "student_code", _("duplicate code %(code)s (already in row %(row)d)",
                                                 code=code, row=seen_codes[fold_key(code)]))
        else:
            seen_codes[fold_key(code)] = number
        if not name:
            report.add(number, "full_name", _("the name is empty"))
        elif len(name) > 200:
            report.add(number, "full_name", _("the name is longer than 200 characters"))
        gender_raw = text(row.get("gender")).lower()
        gender = GENDERS.get(gender_raw) if gender_raw else None
        if gender_raw and gender is None:
            report.add(number, "gender", _("unknown gender '%(value)s': use m or f (м / ж)", value=gender_raw))
        try:
            birth = parse_date(row.get("birth_date"))
            if birth and not (date(today.year - 25, 1, 1) <= birth <= today):
                raise ValueError(birth)
        except DateOutOfRange as error:
            report.add(number, "birth_date", str(error))
            birth = None
        except ValueError:
            report.add(number, "birth_date", _("bad date '%(value)s': write it as 31.12.2012",
                                               value=text(row.get("birth_date"))))
            birth = None
        parsed.append((grade, letter, code, name, gender, birth))

    report.counts["rows"] = len(parsed)
    if not parsed and not report.errors:
        report.add(0, None, _("The workbook has a header but no students."))
    if report.errors:
        return report

    classes = {
        (c.grade, c.letter): c
        for c in db.session.scalars(select(ClassGroup).where(
            ClassGroup.school_id == school_id, ClassGroup.year_id == year_id))
    }
    students = students_by_code(school_id, seen_codes)
    enrollments = {
        e.student_id: e for e in db.session.scalars(select(Enrollment).where(
            Enrollment.school_id == school_id, Enrollment.year_id == year_id))
    }
    for grade, letter, code, name, gender, birth in parsed:
        cls = classes.get((grade, letter))
        if cls is None:
            cls = ClassGroup(school_id=school_id, year_id=year_id, grade=grade, letter=letter)
            db.session.add(cls)
            classes[(grade, letter)] = cls
            report.counts["classes"] += 1
        student = students.get(fold_key(code))
        if student is None:
            student = Student(school_id=school_id, code=code, full_name=name, gender=gender, birth_date=birth)
            db.session.add(student)
            students[fold_key(code)] = student
            report.counts["created"] += 1
        else:
            if (student.full_name, student.gender, student.birth_date) != (name, gender, birth or student.birth_date):
                report.counts["updated"] += 1
            student.full_name, student.gender = name, gender
            student.birth_date = birth or student.birth_date
        db.session.flush()
        enrollment = enrollments.get(student.id)
        if enrollment is None:
            enrollment = Enrollment(school_id=school_id, year_id=year_id, student_id=student.id, class_id=cls.id)
            db.session.add(enrollment)
            enrollments[student.id] = enrollment
        else:
            enrollment.class_id = cls.id
    db.session.flush()
    return report


def roster_template() -> io.BytesIO:
    """A small workbook with the expected header, two example rows and notes."""
    examples = [("7-Б", "S-0001", "Асанов Бакыт Нурланович", "m", "14.03.2013"),
                ("7-Б", "S-0002", "Иванова Анна Сергеевна", "f", "02.11.2012")]
    notes = [
        _("One row per student. The first row is the header."),
        _("class: grade 1-11 and a letter, e.g. 7-Б."),
        _("student_code: the school's unique code of the student."),
        _("gender: m or f (м / ж); birth_date: 31.12.2012."),
        _("Headers may be written in Kyrgyz, Russian or English."),
    ]
    return template_workbook("roster", list(ROSTER_COLUMNS), examples, notes, {0: 12, 1: 12, 2: 36, 3: 14, 4: 14})
