"""The pedagogical council's quarter report (issue 19 part 3): what the director brings to
the council at the end of a quarter, for the school or one class.

- Students by their term marks of the quarter (one SQL aggregate per student): straight-5
  (отличники), 4-and-5 (хорошисты), exactly one 3 (and no 2), two or more 3s, failing (at
  least one 2 or 1) and not assessed (no 2 but a term mark "н", or no term mark at all);
  the counts per class and for the school, and the names of each group.
- Pass rate, quality, SOU and mean by class, subject and teacher and in total, with
  metrics.metrics_select (the same SQL and formulas as every page), and the same figures of
  the previous quarter and of the same quarter last year beside them. A class is followed
  through its current students (as the dynamics page does): its figures in an earlier
  quarter are those of the students it has now.
- The per-task analysis of the quarter's control works (tasks.py).

Everything is limited by access.visible: a teacher's report counts their classes and
subjects only, the director's the whole school.
"""
from dataclasses import dataclass, field
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select

from app.extensions import db
from app.i18n import localized_name
from app.models import AcademicYear, Assessment, ClassGroup, Enrollment, Mark, Student, TeachingAssignment, Term
from app.security import Principal
from app.services.achievement import tasks
from app.services.achievement.access import visible, visible_pairs
from app.services.achievement.analysis import names, previous_quarter
from app.services.achievement.metrics import Metrics, metrics_select, run_metrics, teacher_join
from app.services.core import school as school_service

GROUPS = ("excellent", "good", "one_three", "threes", "failing", "not_assessed")
GROUP_LABELS = {"excellent": _l("Straight 5s"), "good": _l("4s and 5s"), "one_three": _l("With one 3"),
                "threes": _l("With two or more 3s"), "failing": _l("Failing (a 2)"),
                "not_assessed": _l("Not assessed")}
INDICATORS = (("pass_rate", _l("Pass rate"), 1), ("quality", _l("Quality"), 1), ("sou", _l("SOU"), 1),
              ("mean", _l("Mean mark"), 2))


def fmt(value: Optional[float], digits: int = 1) -> str:
    """A figure as printed: 1 decimal for percentages, 2 for the mean, a dash for none."""
    return "—" if value is None else f"{value:.{digits}f}"


def delta(now: Optional[float], before: Optional[float], digits: int = 1) -> str:
    """The change since an earlier figure: "+2.5", "−1.0", "0.0", or a dash."""
    if now is None or before is None:
        return "—"
    change = round(now - before, digits)
    if change == 0:
        return f"{0:.{digits}f}"
    return f"{'+' if change > 0 else '−'}{abs(change):.{digits}f}"


def count_delta(now: int, before: Optional[int]) -> str:
    if before is None:
        return "—"
    change = now - before
    return f"+{change}" if change > 0 else ("0" if change == 0 else f"−{-change}")


def group_of(count: int, lowest: Optional[int], threes: int, absent: int) -> str:
    """A student's group from their term marks: how many, the lowest, how many 3s, how many н."""
    if count and lowest is not None and lowest <= 2:
        return "failing"
    if absent or not count:
        return "not_assessed"
    if lowest == 5:
        return "excellent"
    if threes == 0:
        return "good"
    return "one_three" if threes == 1 else "threes"


@dataclass
class Pupil:
    id: int
    name: str
    class_id: int
    group: str


@dataclass
class Groups:
    """The students of a class (or the school) by group: counts and names."""

    students: int = 0
    names: dict[str, list[str]] = field(default_factory=lambda: {g: [] for g in GROUPS})

    def add(self, pupil: Pupil) -> None:
        self.students += 1
        self.names[pupil.group].append(pupil.name)

    def count(self, group: str) -> int:
        return len(self.names[group])

    def counts(self) -> dict[str, int]:
        return {g: self.count(g) for g in GROUPS}


@dataclass
class Row:
    """A line of the indicators' tables: this quarter, the previous one, last year's."""

    key: object
    label: str
    m: Metrics
    previous: Optional[Metrics] = None
    last_year: Optional[Metrics] = None


@dataclass
class QuarterReport:
    term: Term
    previous: Optional[Term]
    last_year: Optional[Term]
    cls: Optional[ClassGroup]
    partial: bool  # counted over the classes and subjects the principal sees, not the whole school
    classes: list[tuple[ClassGroup, Groups]]
    total: Groups
    total_previous: Optional[dict[str, int]]
    total_last_year: Optional[dict[str, int]]
    by_class: list[Row]
    by_subject: list[Row]
    by_teacher: list[Row]
    overall: Row
    works: list[tasks.WorkAnalysis]

    @property
    def subject_key(self) -> str:
        """The issued document's subject: one report per quarter and class (or school)."""
        return f"{self.term.id}:class:{self.cls.id}" if self.cls else f"{self.term.id}:school"

    def figures(self) -> list[dict]:
        """The report's figures as stored when it is issued."""
        def line(section, row):
            return {"section": section, "label": row.label, **row.m.rounded()}
        out = [{"section": "groups", "label": c.name, "students": g.students, **g.counts()} for c, g in self.classes]
        out.append({"section": "groups", "label": "total", "students": self.total.students, **self.total.counts()})
        for section, rows in (("class", self.by_class), ("subject", self.by_subject), ("teacher", self.by_teacher)):
            out.extend(line(section, r) for r in rows)
        out.append(line("total", self.overall))
        return out


def same_quarter_last_year(term: Term) -> Optional[Term]:
    if term.kind != "quarter":
        return None
    return db.session.scalar(
        select(Term).join(AcademicYear, Term.year_id == AcademicYear.id)
        .where(Term.school_id == term.school_id, Term.kind == "quarter", Term.number == term.number,
               AcademicYear.starts_on < term.year.starts_on)
        .order_by(AcademicYear.starts_on.desc()).limit(1))


def report_classes(principal: Principal, year_id: int) -> list[ClassGroup]:
    """The classes of the year whose results the principal sees (all for the whole-school roles)."""
    classes = school_service.classes_of_year(principal.school_id, year_id)
    if principal.everything:
        return classes
    seen = {c for c, _s in visible_pairs(principal, year_id)}
    return [c for c in classes if c.id in seen]


def pupils(principal: Principal, term_id: int, year_id: int, class_ids: list[int]) -> list[Pupil]:
    """The students of the classes (this year's enrolment) with their group by the term marks
    of `term_id` they have in the subjects the principal sees."""
    if not class_ids:
        return []
    # The marks are aggregated per student in SQL (one pass over the term's marks, the covering
    # index ix_mark_metrics), then matched with the enrolment: students without a term mark
    # count as not assessed. (As one outer join, SQLite recomputed the aggregate per student.)
    per_student = (
        select(Mark.student_id, func.count(Mark.value), func.min(Mark.value),
               func.sum(case((Mark.value == 3, 1), else_=0)), func.sum(case((Mark.absent.is_(True), 1), else_=0)))
        .join(Assessment, Assessment.id == Mark.assessment_id)
        .where(Assessment.school_id == principal.school_id, Assessment.term_id == term_id,
               Assessment.kind == "term", visible(principal, Assessment.class_id, Assessment.subject_id))
        .group_by(Mark.student_id))
    found = {sid: (int(count), lowest, int(threes or 0), int(absent or 0))
             for sid, count, lowest, threes, absent in db.session.execute(per_student)}
    enrolled = (select(Enrollment.class_id, Student.id, Student.full_name)
                .join(Student, Student.id == Enrollment.student_id)
                .where(Enrollment.school_id == principal.school_id, Enrollment.year_id == year_id,
                       Enrollment.class_id.in_(class_ids))
                .order_by(Student.full_name, Student.id))
    return [Pupil(sid, name, class_id, group_of(*found.get(sid, (0, None, 0, 0))))
            for class_id, sid, name in db.session.execute(enrolled)]


def _metrics(principal: Principal, term_id: int, grouping: str, year_id: int, class_ids: list[int],
             cls: Optional[ClassGroup]) -> dict:
    """Term-mark indicators of a term by class (the students' class this year), subject,
    teacher or in total; for a class's report, of its current students only."""
    where = [Assessment.school_id == principal.school_id, Assessment.term_id == term_id, Assessment.kind == "term",
             visible(principal, Assessment.class_id, Assessment.subject_id)]
    joins = []
    if grouping == "class":
        keys = {"class_id": Enrollment.class_id}
        joins.append((Enrollment, and_(Enrollment.student_id == Mark.student_id, Enrollment.year_id == year_id)))
        where.append(Enrollment.class_id.in_(class_ids))
    elif grouping == "subject":
        keys = {"subject_id": Assessment.subject_id}
    elif grouping == "teacher":
        keys = {"teacher_id": TeachingAssignment.teacher_id}
        joins.append(teacher_join())
    else:
        keys = {}
    if cls is not None and grouping != "class":
        where.append(Mark.student_id.in_(select(Enrollment.student_id).where(
            Enrollment.class_id == cls.id, Enrollment.year_id == year_id)))
    rows = run_metrics(metrics_select(keys, *where, schools=principal.school_id, joins=joins), keys)
    return {tuple(m.keys.values()): m for m in rows}


def build(principal: Principal, term: Term, cls: Optional[ClassGroup] = None) -> QuarterReport:
    """The quarter report of `term` for the school, or for `cls` (one of report_classes)."""
    year_id = term.year_id
    classes = report_classes(principal, year_id)
    if cls is not None:
        classes = [c for c in classes if c.id == cls.id]
    class_ids = [c.id for c in classes]
    previous, last_year = previous_quarter(term), same_quarter_last_year(term)

    by_class = {c.id: Groups() for c in classes}
    total = Groups()
    for pupil in pupils(principal, term.id, year_id, class_ids):
        by_class[pupil.class_id].add(pupil)
        total.add(pupil)

    def group_totals(other: Optional[Term]) -> Optional[dict[str, int]]:
        if other is None:
            return None
        counted = Groups()
        for pupil in pupils(principal, other.id, year_id, class_ids):
            counted.add(pupil)
        return counted.counts()

    lookup = names(principal.school_id)
    labels = {
        "class": lambda k: lookup["classes"][k[0]].name,
        "subject": lambda k: localized_name(lookup["subjects"][k[0]]),
        "teacher": lambda k: lookup["users"][k[0]].full_name,
        "total": lambda k: "",
    }
    sections = {}
    for grouping in ("class", "subject", "teacher", "total"):
        now = _metrics(principal, term.id, grouping, year_id, class_ids, cls)
        before = _metrics(principal, previous.id, grouping, year_id, class_ids, cls) if previous else {}
        year_ago = _metrics(principal, last_year.id, grouping, year_id, class_ids, cls) if last_year else {}
        rows = [Row(key, labels[grouping](key), m, before.get(key), year_ago.get(key)) for key, m in now.items()]
        sections[grouping] = sorted(rows, key=lambda r: r.label)
    order = {c.id: i for i, c in enumerate(classes)}
    sections["class"].sort(key=lambda r: order.get(r.key[0], 0))
    overall = sections["total"][0] if sections["total"] else Row((), "", Metrics({}))
    return QuarterReport(
        term=term, previous=previous, last_year=last_year, cls=cls, partial=not principal.everything,
        classes=[(c, by_class[c.id]) for c in classes], total=total,
        total_previous=group_totals(previous), total_last_year=group_totals(last_year),
        by_class=sections["class"], by_subject=sections["subject"], by_teacher=sections["teacher"],
        overall=overall, works=tasks.term_works(principal, term.id, class_ids))
