"""Importing marks and external results from an .xlsx file.

Header: class, student_code, subject, term, kind, date, mark (Kyrgyz, Russian or English
names). Every row is checked first; nothing is written unless the whole file is valid.
Assessments are found by (class, subject, term, kind, date) and marks by (assessment,
student), so importing the same file twice changes nothing.
"""
import io
from typing import IO, Optional

from flask_babel import gettext as _
from sqlalchemy import func, insert, select, update

from app.extensions import db
from app.models import (
    Assessment,
    ClassGroup,
    Enrollment,
    Mark,
    Subject,
    TeachingAssignment,
    Term,
)
from app.models.achievement import DEFAULT_MAX_SCORE
from app.services.achievement import tasks as work_tasks
from app.services.achievement.grid import CellError, parse_cell
from app.services.core.dates import DateOutOfRange
from app.services.core.roster import parse_class_name, students_by_code
from app.services.core.text import fold_key, whole
from app.services.core.xlsx_input import (
    ImportReport,
    SpreadsheetError,
    parse_date,
    read_rows,
    template_workbook,
    text,
)

MARK_COLUMNS = {
    "class": ("класс", "сынып", "class name"),
    "student_code": ("code", "код", "код ученика", "окуучунун коду", "student code", "id"),
    "subject": ("предмет", "сабак", "предмет/сабак"),
    "term": ("четверть", "период", "чейрек", "мөөнөт", "period", "quarter"),
    "kind": ("вид", "вид работы", "түрү", "иштин түрү", "type"),
    "date": ("дата", "күнү", "дата работы"),
    "mark": ("оценка", "балл", "баа", "упай", "score", "result", "результат", "жыйынтык"),
    "tasks": ("задания", "баллы по заданиям", "тапшырмалар", "тапшырмалар боюнча упай", "points per task"),
}
MARK_REQUIRED = ("class", "student_code", "subject", "term", "mark")

KIND_ALIASES = {
    "control": ("control", "control work", "контрольная", "контрольная работа", "кр", "к/р", "текшерүү иши",
                "текшерүү"),
    "test": ("test", "тест", "зачет", "зачёт"),
    "term": ("term", "term mark", "четвертная", "четвертная оценка", "чейректик", "чейректик баа", "итоговая"),
    "semester": ("semester", "полугодие", "полугодовая", "жарым жылдык"),
    "annual": ("annual", "year", "годовая", "жылдык"),
    "ort": ("ort", "орт", "общереспубликанское тестирование", "жрт"),
    "nts": ("nts", "нцт", "нтш", "национальное тестирование", "улуттук тестирлөө"),
    "external": ("external", "other", "diagnostic", "диагностика", "другое", "башка"),
}
_KINDS = {alias.lower(): key for key, aliases in KIND_ALIASES.items() for alias in (key, *aliases)}


def _find_term(value, terms: list[Term]) -> Optional[Term]:
    raw = text(value).lower()
    for term in terms:
        if raw in (term.name.lower(), str(term.id)):
            return term
    if whole(raw) is not None:
        quarters = [t for t in terms if t.kind == "quarter" and t.number == whole(raw)]
        return quarters[0] if quarters else None
    for prefix in ("q", "к", "ч"):
        if raw.startswith(prefix) and whole(raw[1:]) is not None:
            quarters = [t for t in terms if t.kind == "quarter" and t.number == whole(raw[1:])]
            return quarters[0] if quarters else None
    return None


def import_marks(stream: IO[bytes], *, school_id: int, year_id: int,
                 teacher_id: Optional[int] = None) -> ImportReport:
    """Check and (when every row is valid) write marks of the year in the caller's transaction.
    With `teacher_id`, rows outside that teacher's own classes and subjects are refused."""
    report = ImportReport(counts={"rows": 0, "assessments": 0, "created": 0, "updated": 0, "unchanged": 0},
                          tables=("assessment", "mark"))
    try:
        rows = read_rows(stream, MARK_COLUMNS, MARK_REQUIRED, report)
    except SpreadsheetError as error:
        report.add(0, None, str(error))
        return report
    if not rows:
        if report.ok:
            report.add(0, None, _("The workbook has a header but no marks."))
        return report

    classes = {(c.grade, c.letter): c for c in db.session.scalars(
        select(ClassGroup).where(ClassGroup.school_id == school_id, ClassGroup.year_id == year_id))}
    subjects = {}
    for s in db.session.scalars(select(Subject).where(Subject.school_id == school_id)):
        for name in (s.name, s.name_ru):
            if name:
                subjects[fold_key(name)] = s
    terms = list(db.session.scalars(select(Term).where(Term.year_id == year_id).order_by(Term.starts_on)))
    students = students_by_code(school_id, {fold_key(text(r.get("student_code"))) for _n, r in rows})
    enrolled = {sid: cid for sid, cid in db.session.execute(select(Enrollment.student_id, Enrollment.class_id).where(
        Enrollment.school_id == school_id, Enrollment.year_id == year_id))}
    allowed = None
    if teacher_id is not None:
        allowed = set(tuple(r) for r in db.session.execute(select(TeachingAssignment.class_id, TeachingAssignment.subject_id).where(
            TeachingAssignment.teacher_id == teacher_id, TeachingAssignment.year_id == year_id)).all())

    parsed = []
    seen: dict[tuple, int] = {}
    for number, row in rows:
        ok = True
        cls = None
        try:
            grade, letter = parse_class_name(row.get("class"))
            cls = classes.get((grade, letter))
            if cls is None:
                report.add(number, "class", _("there is no class %(value)s this year", value=text(row.get("class"))))
                ok = False
        except ValueError:
            report.add(number, "class", _("unknown class format '%(value)s': write it as 7-Б",
                                          value=text(row.get("class"))))
            ok = False
        code = text(row.get("student_code"))
        student = students.get(fold_key(code))
        if student is None:
            report.add(number, "student_code", _("no student with the code '%(value)s'", value=code))
            ok = False
        elif cls is not None and enrolled.get(student.id) != cls.id:
            report.add(number, "student_code", _("the student %(code)s is not in the class %(cls)s",
                                                 code=code, cls=cls.name))
            ok = False
        subject = subjects.get(fold_key(text(row.get("subject"))))
        if subject is None:
            report.add(number, "subject", _("unknown subject '%(value)s'", value=text(row.get("subject"))))
            ok = False
        term = _find_term(row.get("term"), terms)
        if term is None:
            report.add(number, "term", _("unknown term '%(value)s': write the term's name or the quarter number 1-4",
                                         value=text(row.get("term"))))
            ok = False
        kind_raw = text(row.get("kind")).lower()
        kind = _KINDS.get(kind_raw) if kind_raw else "term"
        if kind is None:
            report.add(number, "kind", _("unknown kind '%(value)s': use control, test, term, semester, annual, "
                                         "ort, nts or other", value=kind_raw))
            ok = False
        try:
            on = parse_date(row.get("date"))
        except DateOutOfRange as error:
            report.add(number, "date", str(error))
            ok = False
            on = None
        except ValueError:
            report.add(number, "date", _("bad date '%(value)s': write it as 31.12.2026", value=text(row.get("date"))))
            ok = False
            on = None
        if on is None and term is not None:
            on = term.ends_on
        if term is not None and on is not None and not (term.starts_on <= on <= term.ends_on):
            report.add(number, "date", _("the date %(date)s is outside the term %(term)s",
                                         date=on.strftime("%d.%m.%Y"), term=term.label))
            ok = False
        value = score = None
        absent = False
        if kind is not None:
            try:
                value, score, absent = parse_cell(row.get("mark"), kind, DEFAULT_MAX_SCORE.get(kind))
            except CellError as error:
                report.add(number, "mark", str(error))
                ok = False
        task_cells = None
        if text(row.get("tasks")):
            try:
                task_cells = work_tasks.parse_task_cell(row.get("tasks"))
            except CellError as error:
                report.add(number, "tasks", str(error))
                ok = False
            if kind not in work_tasks.TASK_KINDS:
                report.add(number, "tasks", _("points per task are for control works and tests"))
                ok = False
        if ok and allowed is not None and (cls.id, subject.id) not in allowed:
            report.add(number, "class", _("you do not teach %(subject)s in %(cls)s", subject=subject.name,
                                          cls=cls.name))
            ok = False
        if not ok:
            continue
        key = (cls.id, subject.id, term.id, kind, on, student.id)
        if key in seen:
            report.add(number, "student_code", _("the same mark is already in row %(row)d", row=seen[key]))
            continue
        seen[key] = number
        parsed.append((key, value, score, absent, number, task_cells))
    report.counts["rows"] = len(rows)
    if report.errors:
        return report

    write_marks(school_id, parsed, report)
    return report


def write_marks(school_id: int, parsed: list, report: ImportReport) -> None:
    """Write checked marks: `parsed` holds ((class, subject, term, kind, date, student), value,
    score, absent, row number, points per task or None); assessments are found or created, marks created, corrected or left as they
    are (counted in the report). The long format and the class journal both end here."""
    assessments, earlier = _assessments_for(school_id, {key[:5] for key, *_rest in parsed}, report)
    work_tasks.import_points(school_id, [(number, assessments[key[:5]], key[5], cells)
                                         for key, _v, _s, _a, number, cells in parsed if cells], report)
    if report.errors:
        return report
    existing = {}  # (assessment, student) -> (mark id, value, score, absent)
    for start in range(0, len(earlier), 5000):  # only assessments that existed before may have marks
        existing.update({(aid, sid): (mid, value, score, absent) for mid, aid, sid, value, score, absent in
                         db.session.execute(select(Mark.id, Mark.assessment_id, Mark.student_id, Mark.value,
                                                   Mark.score, Mark.absent)
                                            .where(Mark.assessment_id.in_(earlier[start:start + 5000])))})
    new_marks, changed = [], []
    for (class_id, subject_id, term_id, kind, on, student_id), value, score, absent, _n, _t in parsed:
        assessment = assessments[(class_id, subject_id, term_id, kind, on)]
        mark = existing.get((assessment.id, student_id))
        if mark is None:
            new_marks.append({"school_id": school_id, "assessment_id": assessment.id, "student_id": student_id,
                              "value": value, "score": score, "absent": absent})
        elif mark[1:] == (value, score, absent):
            report.counts["unchanged"] += 1
        else:
            changed.append({"id": mark[0], "value": value, "score": score, "absent": absent})
    # Plain rows instead of an ORM object per mark: a term's marks of a whole school are tens
    # of thousands of rows.
    if new_marks:
        db.session.execute(insert(Mark), new_marks)
    if changed:
        db.session.execute(update(Mark), changed)
    report.counts["created"], report.counts["updated"] = len(new_marks), len(changed)
    db.session.flush()


def _assessments_for(school_id: int, keys: set[tuple], report: ImportReport) -> tuple[dict[tuple, Assessment], list[int]]:
    """The assessments (class, subject, term, kind, date) the rows name: those that exist in
    one query, the others created in one flush; and the ids of those that existed."""
    found = {}
    if keys:
        for assessment in db.session.scalars(select(Assessment).where(
                Assessment.school_id == school_id, Assessment.class_id.in_({k[0] for k in keys}),
                Assessment.term_id.in_({k[2] for k in keys}))):
            key = (assessment.class_id, assessment.subject_id, assessment.term_id, assessment.kind, assessment.date)
            if key in keys:
                found[key] = assessment
    created = [Assessment(school_id=school_id, class_id=class_id, subject_id=subject_id, term_id=term_id,
                          kind=kind, date=on, max_score=DEFAULT_MAX_SCORE.get(kind))
               for class_id, subject_id, term_id, kind, on in sorted(keys - found.keys())]
    earlier = [assessment.id for assessment in found.values()]
    db.session.add_all(created)
    db.session.flush()
    report.counts["assessments"] += len(created)
    for assessment in created:
        found[(assessment.class_id, assessment.subject_id, assessment.term_id, assessment.kind,
               assessment.date)] = assessment
    return found, earlier


# The template's header row in the app's words (docs/glossary.yaml: "Класс", "Предмет").
TEMPLATE_HEADERS = {
    "en": ["class", "student_code", "subject", "term", "kind", "date", "mark"],
    "ru": ["класс", "код ученика", "предмет", "четверть", "вид работы", "дата", "оценка"],
    "ky": ["класс", "окуучунун коду", "предмет", "чейрек", "иштин түрү", "күнү", "баа"],
}


def marks_template(lang: str = "en") -> io.BytesIO:
    """A header-only workbook (in the user's language) and notes: example rows would name a class
    and codes of no real school; the class journal's template (journal.py) is filled from the roster."""
    headers = TEMPLATE_HEADERS.get(lang) or TEMPLATE_HEADERS["en"]
    lines = [
        _("One row per student and piece of work. The first row is the header."),
        _("class: e.g. 7-Б; student_code: the code from the roster; subject: its name as in Sapat."),
        _("term: the quarter number 1-4 of the current year, or the term's name."),
        _("kind: control, test, term, semester, annual, ort, nts or other; blank means a term mark."),
        _("date: 31.12.2026; blank means the last day of the term."),
        _("mark: 1-5; blank or н for absent; for ort, nts and other the score as a number."),
        _("tasks (optional, control works and tests): the points of each task, 2; 1; 0, or with each "
          "task's maximum 2/2; 1/3; 0/1 (needed while the work has no tasks)."),
        _("Headers may be written in Kyrgyz, Russian or English. Nothing is saved unless every row is valid."),
    ]
    return template_workbook("marks", headers, [], lines, {col: 14 for col in range(7)})


def count_marks(school_id: int) -> int:
    return db.session.scalar(select(func.count(Mark.id)).where(Mark.school_id == school_id)) or 0
