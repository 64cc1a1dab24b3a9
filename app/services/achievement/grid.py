"""The marks grid of a class, subject and term: reading it, checking typed cells (marks 1-5,
scores of external works, н for absent) and saving all of them or none; new columns
(assessments). The same cell rules read imported workbooks (imports.py)."""
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Optional

from flask_babel import gettext as _
from sqlalchemy import case, select

from app.extensions import db
from app.models import EXTERNAL_KINDS, Assessment, ClassGroup, Enrollment, Mark, Student, Subject, Term
from app.models.achievement import DEFAULT_MAX_SCORE
from app.services.achievement.analysis import default_term
from app.services.achievement.metrics import Metrics, assessment_metrics

ABSENT_WORDS = {"н", "n", "нб", "nb", "-", "—"}


@dataclass
class Grid:
    cls: ClassGroup
    subject: Subject
    term: Term
    students: list[Student]
    assessments: list[Assessment]
    marks: dict[tuple[int, int], Mark]
    metrics: dict[int, Metrics] = field(default_factory=dict)

    def shown(self, assessment: Assessment, student: Student) -> str:
        mark = self.marks.get((assessment.id, student.id))
        if mark is None:
            return ""
        if mark.absent:
            return "н"
        if mark.score is not None:
            return f"{mark.score:g}"
        return str(mark.value)


def grid_term(school_id: int, cls: ClassGroup, term: Optional[Term]) -> Optional[Term]:
    """The term a class's grid shows: the one asked for when it is of the class's year, else
    the school's default term when that is (None: the grid cannot be shown)."""
    for candidate in (term, default_term(school_id)):
        if candidate is not None and candidate.year_id == cls.year_id:
            return candidate
    return None


def load_grid(school_id: int, cls: ClassGroup, subject: Subject, term: Term) -> Grid:
    students = list(db.session.scalars(
        select(Student).join(Enrollment, Enrollment.student_id == Student.id)
        .where(Enrollment.class_id == cls.id, Student.school_id == school_id).order_by(Student.full_name)))
    assessments = list(db.session.scalars(
        select(Assessment).where(Assessment.school_id == school_id, Assessment.class_id == cls.id,
                                 Assessment.subject_id == subject.id, Assessment.term_id == term.id)
        .order_by(case((Assessment.kind == "term", 1), else_=0), Assessment.date, Assessment.id)))
    marks = {}
    if assessments:
        for mark in db.session.scalars(select(Mark).where(Mark.assessment_id.in_([a.id for a in assessments]))):
            marks[(mark.assessment_id, mark.student_id)] = mark
    grid = Grid(cls, subject, term, students, assessments, marks)
    grid.metrics = assessment_metrics(school_id, [a.id for a in assessments if not a.is_external])
    return grid


class CellError(ValueError):
    pass


@dataclass
class _Student:
    id: int


def parse_cell(raw: Any, assessment_kind: str, max_score: Optional[float]):
    """A typed value -> (value, score, absent). Blank, н, n mean absent. Raises CellError."""
    text_value = "" if raw is None else str(raw).strip()
    if isinstance(raw, float) and raw.is_integer():
        text_value = str(int(raw))
    if text_value.lower() in ABSENT_WORDS or text_value == "":
        return None, None, True
    if assessment_kind in EXTERNAL_KINDS:
        try:
            score = float(text_value.replace(",", "."))
        except ValueError:
            raise CellError(_("'%(value)s' is not a score: type a number or н for absent", value=text_value[:20])) from None
        top = max_score or DEFAULT_MAX_SCORE.get(assessment_kind, 100.0)
        if not 0 <= score <= top:
            raise CellError(_("the score %(value)s is outside 0-%(max)s", value=f"{score:g}", max=f"{top:g}"))
        return None, score, False
    if text_value in ("1", "2", "3", "4", "5"):
        return int(text_value), None, False
    raise CellError(_("'%(value)s' is not a mark: type 1-5, or н for absent", value=text_value[:20]))


@dataclass
class GridSave:
    errors: dict[tuple[int, int], str]
    changes: dict[int, dict]  # assessment id -> {"before": {...}, "after": {...}}

    @property
    def ok(self) -> bool:
        return not self.errors


def _meaning(text: Any, assessment: Assessment):
    """What a cell's text means, for comparing an original with a typed or stored value: None
    for blank (no mark), the parsed (value, score, absent) when valid, else the text itself."""
    text = "" if text is None else str(text).strip()
    if text == "":
        return None
    try:
        return parse_cell(text, assessment.kind, assessment.max_score)
    except CellError:
        return text


def save_grid(grid: Grid, cells: dict[tuple[int, int], str],
              originals: Optional[dict[tuple[int, int], str]] = None) -> GridSave:
    """Check every cell; write nothing if any is invalid, else upsert the marks in the caller's
    transaction. Only cells that were sent are read (a POST without cells changes nothing). A
    column left entirely blank stays without marks; a blank cell in a column with marks means
    absent.

    With `originals` (the value of each cell when the page was served), only the cells whose
    typed value differs from their original are written, so a save from a stale page never
    changes what its user did not change; a cell that someone else changed meanwhile to
    another value is a conflict ("changed meanwhile to ..."), and nothing is saved."""
    errors: dict[tuple[int, int], str] = {}
    parsed: dict[tuple[int, int], tuple] = {}
    for assessment in grid.assessments:
        column = {s.id: cells[(assessment.id, s.id)] for s in grid.students if (assessment.id, s.id) in cells}
        if originals is not None:
            changed = {sid: raw for sid, raw in column.items()
                       if _meaning(raw, assessment) != _meaning(originals.get((assessment.id, sid), ""), assessment)}
            if changed:  # blank cells still without a mark become absent, as in any column with marks
                changed.update({sid: raw for sid, raw in column.items() if str(raw or "").strip() == ""
                                and (assessment.id, sid) not in grid.marks})
            for sid, raw in changed.items():
                original = _meaning(originals.get((assessment.id, sid), ""), assessment)
                current_text = grid.shown(assessment, _Student(sid))
                current = _meaning(current_text, assessment)
                if current != original and current != _meaning(raw, assessment):
                    errors[(assessment.id, sid)] = _(
                        'changed meanwhile by another user to "%(value)s": check it and save again',
                        value=current_text or "-")
            column = changed
        has_existing = any((assessment.id, s.id) in grid.marks for s in grid.students)
        if not has_existing and all(str(v or "").strip() == "" for v in column.values()):
            continue
        for student_id, raw in column.items():
            if (assessment.id, student_id) in errors:
                continue
            try:
                parsed[(assessment.id, student_id)] = parse_cell(raw, assessment.kind, assessment.max_score)
            except CellError as error:
                errors[(assessment.id, student_id)] = str(error)
    if errors:
        return GridSave(errors, {})
    changes: dict[int, dict] = {}
    for (assessment_id, student_id), (value, score, absent) in parsed.items():
        mark = grid.marks.get((assessment_id, student_id))
        new = {"value": value, "score": score, "absent": absent}
        if mark is not None:
            old = {"value": mark.value, "score": mark.score, "absent": mark.absent}
            if old == new:
                continue
            mark.value, mark.score, mark.absent = value, score, absent
        else:
            old = None
            mark = Mark(school_id=grid.cls.school_id, assessment_id=assessment_id, student_id=student_id, **new)
            db.session.add(mark)
            grid.marks[(assessment_id, student_id)] = mark
        change = changes.setdefault(assessment_id, {"before": {}, "after": {}})
        change["before"][str(student_id)] = old
        change["after"][str(student_id)] = new
    db.session.flush()
    return GridSave({}, changes)


def create_assessment(school_id: int, cls: ClassGroup, subject: Subject, term: Term, *, kind: str,
                      on: Optional[date], topic: str, max_score: Optional[float], user_id: Optional[int]):
    """Create (or find, when the same class, subject, term, kind and date exist) an assessment."""
    on = on or term.ends_on
    existing = db.session.scalar(select(Assessment).where(
        Assessment.class_id == cls.id, Assessment.subject_id == subject.id, Assessment.term_id == term.id,
        Assessment.kind == kind, Assessment.date == on))
    if existing is not None:
        return existing, False
    if kind in EXTERNAL_KINDS and not max_score:
        max_score = DEFAULT_MAX_SCORE[kind]
    assessment = Assessment(school_id=school_id, class_id=cls.id, subject_id=subject.id, term_id=term.id,
                            kind=kind, date=on, topic=(topic or "").strip() or None,
                            max_score=max_score if kind in EXTERNAL_KINDS or kind == "test" else None,
                            created_by_id=user_id)
    db.session.add(assessment)
    db.session.flush()
    return assessment, True
