"""Learning results as published to parents and the community (the public report, issue 19
part 4): the year's pass rate, quality, SOU and mean mark for the school and by class, and
internal against external results by subject. Small groups are withheld by the rule of
`app.services.surveys.disclosure`: a class whose marks rest on fewer than the minimum group of
students is hidden, and so is the next smallest class while the hidden ones together hold
fewer (the school's total minus the shown classes would give them back)."""
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import func, select

from app.extensions import db
from app.models import AcademicYear, Assessment, ClassGroup, Mark, Subject
from app.security import Principal
from app.services.achievement import analysis, metrics
from app.services.achievement.monitoring import mark_conditions
from app.services.monitoring.calculators import Period
from app.services.surveys import disclosure


@dataclass
class Group:
    """One published line: a label (a class, a subject or the school), the students it rests
    on, its figures (None when withheld) and whether it is withheld."""

    label: str
    students: int
    figures: Optional[dict]
    hidden: bool = False


def class_results(school_id: int, year: AcademicYear, min_group: int) -> tuple[Optional[Group], list[Group]]:
    """The school's results of the year (annual marks, else every quarter's term marks: the
    indicators' definition) and each class's, with small classes withheld."""
    conds = mark_conditions(school_id, Period.of_year(year))
    keys = {"class_id": Assessment.class_id}
    by_class = {m.class_id: m for m in metrics.run_metrics(metrics.metrics_select(keys, *conds, schools=school_id), keys)}
    students = dict(db.session.execute(
        select(Assessment.class_id, func.count(func.distinct(Mark.student_id)))
        .join(Mark, Mark.assessment_id == Assessment.id)
        .where(*conds, Mark.value.is_not(None)).group_by(Assessment.class_id)).all())
    classes = db.session.scalars(select(ClassGroup).where(ClassGroup.id.in_(list(students)))
                                 .order_by(ClassGroup.grade, ClassGroup.letter)).all()
    counts = {c.id: students[c.id] for c in classes}
    hidden = disclosure.hidden_groups(counts, min_group)
    rows = [Group(c.name, counts[c.id], None if c.id in hidden else by_class[c.id].rounded(), c.id in hidden)
            for c in classes]
    total_students = db.session.scalar(
        select(func.count(func.distinct(Mark.student_id))).join(Assessment, Mark.assessment_id == Assessment.id)
        .where(*conds, Mark.value.is_not(None))) or 0
    if not total_students:
        return None, rows
    school = metrics.run_metrics(metrics.metrics_select({}, *conds, schools=school_id), [])[0]
    small = disclosure.below_minimum(total_students, min_group)
    return Group("", total_students, None if small else school.rounded(), small), rows


def external_by_subject(school_id: int, year_id: int, lang: str, min_group: int) -> list[Group]:
    """Per subject with external results (ORT, NTS ...): the students with both, the mean of
    their term marks and of their external results on the 5-point scale; a subject resting on
    fewer than the minimum group is withheld."""
    sums: dict[int, list[float]] = {}
    for r in analysis.compare_external(Principal.system(school_id), year_id):
        s = sums.setdefault(r["subject"].id, [0, 0.0, 0.0])
        s[0] += r["n"]
        s[1] += r["internal"] * r["n"]
        s[2] += r["external"] * r["n"]
    subjects = {s.id: s for s in db.session.scalars(select(Subject).where(Subject.id.in_(list(sums))))}
    out = []
    for subject_id, (n, internal, external) in sums.items():
        subject = subjects[subject_id]
        label = subject.name_ru if lang == "ru" and subject.name_ru else subject.name
        hidden = disclosure.below_minimum(n, min_group)
        figures = None if hidden else {"internal": round(internal / n, 2), "external": round(external / n, 2)}
        out.append(Group(label, n, figures, hidden))
    return sorted(out, key=lambda g: g.label)
