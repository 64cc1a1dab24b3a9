"""A student's report card for parents (issue 19 part 4), printed by the class teacher: the
student's term marks of the year by subject and quarter with the change since the previous
quarter, the class's mean beside each (withheld, by `app.services.surveys.disclosure`, where
fewer than the minimum group of the class's students have a mark), the annual mark, the
student's achievements from the registers and the support steps recorded for them.

Sapat keeps no attendance register (a mark's "absent" is absence from one assessment), so the
card shows none."""
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import Float, cast, func, select

from app.extensions import db
from app.models import AcademicYear, Assessment, ClassGroup, Enrollment, Mark, Student, Subject, SupportAction, Term
from app.models.monitoring.registers import StudentAchievement
from app.security import Principal
from app.services.achievement.access import student_view, visible
from app.services.monitoring.indicators import MIN_GROUP
from app.services.surveys import disclosure


@dataclass
class Cell:
    mark: Optional[int] = None
    absent: bool = False
    class_mean: Optional[float] = None  # None: no marks, or withheld
    withheld: bool = False


@dataclass
class Line:
    subject: Subject
    cells: list[Cell]
    annual: Optional[int] = None

    @property
    def change(self) -> Optional[int]:
        """The last quarter mark minus the one before it (quarters with a mark)."""
        marks = [c.mark for c in self.cells if c.mark is not None]
        return marks[-1] - marks[-2] if len(marks) >= 2 else None


@dataclass
class Card:
    student: Student
    cls: ClassGroup
    terms: list[Term]
    lines: list[Line]
    means: list[Optional[float]]  # the student's mean term mark by quarter
    class_means: list[Optional[float]]  # the class's, None where withheld or none
    achievements: list[StudentAchievement] = field(default_factory=list)
    support: list[SupportAction] = field(default_factory=list)


def quarters(year: AcademicYear) -> list[Term]:
    return sorted((t for t in year.terms if t.kind == "quarter"), key=lambda t: t.number)


def class_of(student_id: int, year_id: int) -> Optional[ClassGroup]:
    return db.session.scalar(select(ClassGroup).join(Enrollment, Enrollment.class_id == ClassGroup.id)
                             .where(Enrollment.student_id == student_id, Enrollment.year_id == year_id).limit(1))


def _class_means(cls: ClassGroup, term_ids: list[int], min_group: int):
    """(subject, term) -> mean term mark of the class, and term -> over every subject; withheld
    (None) below the minimum group of students with a mark."""
    def means(*keys):
        stmt = (select(*keys, cast(func.avg(Mark.value), Float), func.count(func.distinct(Mark.student_id)))
                .join(Assessment, Mark.assessment_id == Assessment.id)
                .where(Assessment.class_id == cls.id, Assessment.term_id.in_(term_ids), Assessment.kind == "term",
                       Mark.value.is_not(None)).group_by(*keys))
        return {tuple(row[:-2]): (None if disclosure.below_minimum(row[-1], min_group) else row[-2])
                for row in db.session.execute(stmt)}

    by_term = {key[0]: mean for key, mean in means(Assessment.term_id).items()}
    return means(Assessment.subject_id, Assessment.term_id), by_term


def card(principal: Principal, student: Student, cls: ClassGroup, year: AcademicYear,
         min_group: int = MIN_GROUP) -> Card:
    """The card as `principal` may print it: the student's marks the domain's rule shows them
    (`access.visible` as on the student's page: a class teacher their class's, not a mark the
    student got in another class)."""
    terms = quarters(year)
    term_ids = [t.id for t in terms]
    all_term_ids = [t.id for t in year.terms]
    rows = db.session.execute(
        select(Assessment.subject_id, Assessment.term_id, Assessment.kind, Mark.value, Mark.absent)
        .join(Mark, Mark.assessment_id == Assessment.id)
        .where(Mark.student_id == student.id, Assessment.school_id == student.school_id,
               Assessment.term_id.in_(all_term_ids), Assessment.kind.in_(("term", "annual")),
               visible(student_view(principal), Assessment.class_id, Assessment.subject_id))
        .order_by(Assessment.date, Assessment.id)).all()
    by_subject, by_term = _class_means(cls, term_ids, min_group)
    subject_ids = {r.subject_id for r in rows}
    subjects = sorted(db.session.scalars(select(Subject).where(Subject.id.in_(subject_ids))),
                      key=lambda s: s.name)
    lines = {}
    for subject in subjects:
        lines[subject.id] = Line(subject, [Cell(class_mean=by_subject.get((subject.id, t)),
                                                withheld=(subject.id, t) in by_subject
                                                and by_subject[(subject.id, t)] is None) for t in term_ids])
    for subject_id, term_id, kind, value, absent in rows:
        line = lines[subject_id]
        if kind == "annual":
            line.annual = value if value is not None else line.annual
        elif term_id in term_ids:
            cell = line.cells[term_ids.index(term_id)]
            cell.mark, cell.absent = (value, False) if value is not None else (cell.mark, absent and cell.mark is None)
    means = []
    for i in range(len(terms)):
        marks = [line.cells[i].mark for line in lines.values() if line.cells[i].mark is not None]
        means.append(sum(marks) / len(marks) if marks else None)
    achievements = list(db.session.scalars(select(StudentAchievement).where(
        StudentAchievement.student_id == student.id, StudentAchievement.year_id == year.id)
        .order_by(StudentAchievement.on_date)))
    support = list(db.session.scalars(select(SupportAction).join(Term, Term.id == SupportAction.term_id).where(
        SupportAction.student_id == student.id, Term.year_id == year.id)
        .order_by(Term.starts_on, SupportAction.id)))
    return Card(student, cls, terms, list(lines.values()), means, [by_term.get(t) for t in term_ids],
                achievements, support)


def class_cards(principal: Principal, cls: ClassGroup, min_group: int = MIN_GROUP) -> list[Card]:
    """Every student's card of the class (the batch print), by name."""
    students = db.session.scalars(select(Student).join(Enrollment, Enrollment.student_id == Student.id)
                                  .where(Enrollment.class_id == cls.id).order_by(Student.full_name)).all()
    return [card(principal, s, cls, cls.year, min_group) for s in students]
