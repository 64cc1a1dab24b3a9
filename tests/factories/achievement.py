"""Marks on the small test school: assessments (a column of the marks grid) with their marks."""
from datetime import date
from typing import Optional, Sequence

from sqlalchemy import select

from app.extensions import db
from app.models import Assessment, AssessmentTask, Enrollment, Mark, TaskScore


def make_assessment(school, cls=None, subject=None, term=None, marks: Sequence = (), *, kind: str = "term",
                    on: Optional[date] = None, topic: Optional[str] = None,
                    max_score: Optional[float] = None) -> Assessment:
    """An assessment of a class, subject and term (default: 7-А, maths, the first quarter),
    dated `on` (default: the term's last day), committed with `marks` aligned with the class's
    students: 1-5, "н" (absent), a float (the score of an external work) or None (no mark)."""
    cls = cls or school.classes[0]
    subject = subject or school.subjects[0]
    term = term or school.terms[0]
    assessment = Assessment(school_id=school.school.id, class_id=cls.id, subject_id=subject.id, term_id=term.id,
                            kind=kind, date=on or term.ends_on, topic=topic, max_score=max_score)
    db.session.add(assessment)
    db.session.flush()
    for student, value in zip(school.students[cls.id], marks):
        if value is None:
            continue
        mark = Mark(school_id=school.school.id, assessment_id=assessment.id, student_id=student.id)
        if value == "н":
            mark.absent = True
        elif isinstance(value, float):
            mark.score = value
        else:
            mark.value = value
        db.session.add(mark)
    db.session.commit()
    return assessment


def make_tasks(assessment: Assessment, maxima: Sequence[float] = (2, 3, 1), points: Sequence[Sequence] = (),
               topics: Sequence[Optional[str]] = ()) -> list[AssessmentTask]:
    """Tasks of a control work with their maximum points, and points per student: `points`
    has one row per task aligned with the class's students (None: did not write); committed."""
    tasks = [AssessmentTask(school_id=assessment.school_id, assessment_id=assessment.id, number=n, max_points=top,
                            topic=topics[n - 1] if n <= len(topics) else None)
             for n, top in enumerate(maxima, start=1)]
    db.session.add_all(tasks)
    db.session.flush()
    students = db.session.scalars(select(Enrollment.student_id).where(Enrollment.class_id == assessment.class_id)
                                  .order_by(Enrollment.student_id)).all()
    for task, row in zip(tasks, points):
        for student_id, value in zip(students, row):
            if value is not None:
                db.session.add(TaskScore(school_id=assessment.school_id, task_id=task.id, student_id=student_id,
                                         points=value))
    db.session.commit()
    return tasks
