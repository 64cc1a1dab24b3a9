"""The learning results' part of the first screen, for the quarter under way
(`analysis.default_term`):

- a teacher's open marks work: each class and subject they teach (their teaching assignments)
  whose marks grid has empty cells (an enrolled student without a mark or an absence for an
  assessment of the quarter), and, from two weeks before the quarter ends, those without term
  marks;
- the students at risk of the classes `access.risk_classes` gives the person (every class for
  the whole-school roles, the class teacher's own), and how many of them have no support action
  recorded this quarter.
"""
from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select

from app.extensions import db
from app.i18n import localized_name
from app.models import (
    AcademicYear,
    Assessment,
    ClassGroup,
    Enrollment,
    Mark,
    Subject,
    SupportPlan,
    TeachingAssignment,
)
from app.security import Principal
from app.services.achievement import access, analysis
from app.services.core import clock
from app.services.core.today import Item

TERM_MARKS_WARNING = timedelta(days=14)


def open_marks(principal: Principal, year: AcademicYear) -> list[Item]:
    if principal.user_id is None:
        return []
    term = analysis.default_term(principal.school_id)
    if term is None or term.year_id != year.id:
        return []
    size = (select(func.count(Enrollment.id)).where(Enrollment.class_id == TeachingAssignment.class_id)
            .scalar_subquery())
    of_pair = and_(Assessment.term_id == term.id, Assessment.class_id == TeachingAssignment.class_id,
                   Assessment.subject_id == TeachingAssignment.subject_id)
    assessments = select(func.count(Assessment.id)).where(of_pair).scalar_subquery()
    term_marks = select(func.count(Assessment.id)).where(of_pair, Assessment.kind == "term").scalar_subquery()
    filled = (select(func.count(Mark.id)).join(Assessment, Mark.assessment_id == Assessment.id)
              .join(Enrollment, and_(Enrollment.student_id == Mark.student_id,
                                     Enrollment.class_id == Assessment.class_id))
              .where(of_pair, or_(Mark.value.is_not(None), Mark.score.is_not(None), Mark.absent.is_(True)))
              .scalar_subquery())
    rows = db.session.execute(
        select(ClassGroup, Subject, size, assessments, term_marks, filled)
        .select_from(TeachingAssignment)
        .join(ClassGroup, ClassGroup.id == TeachingAssignment.class_id)
        .join(Subject, Subject.id == TeachingAssignment.subject_id)
        .where(TeachingAssignment.school_id == principal.school_id, TeachingAssignment.year_id == year.id,
               TeachingAssignment.teacher_id == principal.user_id)
        .order_by(ClassGroup.grade, ClassGroup.letter, Subject.name)).all()
    term_ends_soon = clock.today(clock.school_zone(principal.school_id)) >= term.ends_on - TERM_MARKS_WARNING
    items = []
    for cls, subject, students, n_assessments, n_term, n_filled in rows:
        empty = students * n_assessments - n_filled
        missing_term = term_ends_soon and students and not n_term
        if empty <= 0 and not missing_term:
            continue
        details = []
        if empty > 0:
            details.append(_("%(n)s empty cells in the marks grid", n=empty))
        if missing_term:
            details.append(_("no term marks yet (the quarter ends %(date)s)", date=term.ends_on.strftime("%d.%m.%Y")))
        items.append(Item("marks", _("Marks: %(cls)s, %(subject)s", cls=cls.name, subject=localized_name(subject)),
                          max(empty, 0) or students, "achievement.grid",
                          {"class_id": cls.id, "subject_id": subject.id, "term": term.id}, "; ".join(details)))
    return items


def at_risk(principal: Principal, year: AcademicYear) -> list[Item]:
    if not principal.has_role(*access.RISK_READERS):
        return []
    term = analysis.default_term(principal.school_id)
    if term is None or term.year_id != year.id:
        return []
    classes = access.risk_classes(principal, year.id)
    rows = analysis.at_risk(principal, term, [c.id for c in classes])
    if not rows:
        return []
    planned = set(db.session.scalars(select(SupportPlan.student_id).where(
        SupportPlan.school_id == principal.school_id, SupportPlan.term_id == term.id,
        SupportPlan.status != "cancelled", SupportPlan.student_id.in_([row["student"].id for row in rows]))))
    without = sum(1 for row in rows if not row["actions"] and row["student"].id not in planned)
    return [Item("at_risk", _("Students at risk"), len(rows), "achievement.at_risk", {"term": term.id},
                 _("%(n)s of them without a support plan or action this quarter", n=without), alert=bool(without))]
