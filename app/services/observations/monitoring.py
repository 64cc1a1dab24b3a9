"""What the observations domain gives the monitoring programme: observed lesson quality, the
cyclogram status of observation items, and the observed-lessons part of class and teacher
profiles.

- lesson_quality: points / maximum · 100 over every scored criterion of the final, current
  lesson observations of the period (aggregates.py: a criterion marked "not applicable" counts
  in neither); a lesson observed jointly counts once, with the observers' mean per criterion
  (joint.py), and n is the number of lessons.
"""
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, and_, cast, func, select

from app.extensions import db
from app.models import AcademicYear, Observation, Term
from app.models.school import term_label
from app.services.monitoring import profiles
from app.services.monitoring.calculators import CalculatorTable, Period, Result
from app.services.monitoring.labels import fmt
from app.services.monitoring.planning import item_window
from app.services.observations import joint
from app.services.observations.access import counted

CALCULATORS = CalculatorTable()


def _lesson_quality(school_id: int, period: Period) -> Optional[Result]:
    conds = [Observation.school_id == school_id, Observation.status == "final", Observation.is_current.is_(True),
             Observation.kind == "lesson", Observation.year_id == period.year_id]
    if period.term_id:
        conds += [Observation.observed_on >= period.starts_on, Observation.observed_on <= period.ends_on]
    rows, items = joint.lesson_rows(conds)
    p, m, n = db.session.execute(
        rows.add_columns(cast(joint.points(items), Float), cast(joint.maximum(items), Float),
                         joint.lessons(items))).one()
    if not m:
        return None
    return Result(100.0 * p / m, n)


def observation_state(item, year) -> Optional[str]:
    """An observation item: final observations in its months -> in progress (done is marked by hand
    or when its due date passes with observations made)."""
    if item.method != "observation":
        return None
    start, end = item_window(item, year)
    n = db.session.scalar(select(func.count(Observation.id)).where(
        Observation.school_id == item.school_id, Observation.status == "final", Observation.is_current.is_(True),
        Observation.observed_on >= start, Observation.observed_on <= end)) or 0
    return "in_progress" if n else None


CALCULATORS("lesson_quality")(_lesson_quality)


# --- profile sections (class and teacher) ---------------------------------------------------

def _observation_rows(viewer, conds):
    """Lesson quality by quarter over the lessons the viewer may see (access.counted: the rule
    of the observation lists; an MO head's class profile counts their association's lessons
    and their own, a teacher's their own)."""
    rows, items = joint.lesson_rows([*counted(viewer), Observation.kind == "lesson"])
    stmt = (rows.add_columns(Term.number, AcademicYear.name, joint.lessons(items), cast(joint.pct(items), Float))
            .join(Term, and_(Term.school_id == Observation.school_id, Term.kind == "quarter",
                             Observation.observed_on >= Term.starts_on, Observation.observed_on <= Term.ends_on))
            .join(AcademicYear, AcademicYear.id == Term.year_id)
            .where(*conds)
            .group_by(Term.id, Term.number, Term.starts_on, AcademicYear.name).order_by(Term.starts_on))
    return db.session.execute(stmt).all()


def _observation_section(rows):
    if not rows:
        return None
    return profiles.Section(_l("Observed lessons"), [_l("Quarter"), _l("Lessons observed"), _l("Quality, %")],
                            [[f"{term_label('quarter', number)} {year}", n, fmt(pct, "percent")] for number, year, n, pct in rows])


def class_observations(cls, viewer):
    return _observation_section(_observation_rows(viewer, [Observation.class_id == cls.id]))


def teacher_observations(teacher, viewer):
    return _observation_section(_observation_rows(viewer, [Observation.teacher_id == teacher.id]))
