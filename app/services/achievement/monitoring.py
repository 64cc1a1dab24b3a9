"""What the achievement domain gives the monitoring programme: the indicators computed from
marks, the cyclogram status of its items, and the achievement part of class and teacher profiles.

Definitions (what the dashboard shows for a period):
- pass_rate, quality, sou, mean_mark: term marks of the term; for a year the annual marks,
  or, where no annual marks exist, every quarter mark of the year (metrics.metrics_select).
- failing_students: students with a mark of 2 or lower among those marks.
- internal_external_gap: |mean internal (term) mark − mean external result on the 5-point
  scale| over the students who have both, weighted by students (metrics.compare_external).
- failure_prevention (prevention of academic failure, monitoring regulation §2.16.2): the
  students flagged by early warning in a quarter (the school's rules, warning.flagged_ids)
  who have a support plan of that quarter / the students flagged · 100; for a year the
  (student, quarter) pairs of its quarters. No student flagged: no value.
"""
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from app.extensions import db
from app.models import Assessment, Mark, SupportPlan, Term
from app.security import Principal
from app.services.achievement import analysis, metrics, warning
from app.services.monitoring import profiles
from app.services.monitoring.calculators import CalculatorTable, Period, Result, memo
from app.services.monitoring.labels import fmt
from app.services.monitoring.planning import item_window

CALCULATORS = CalculatorTable()


def mark_conditions(school_id: int, period: Period) -> list:
    """Which marks count: the term's term marks; for a year its annual marks, else all quarter marks."""
    if period.term_id:
        return [Assessment.school_id == school_id, Assessment.term_id == period.term_id, Assessment.kind == "term"]
    year_terms = select(Term.id).where(Term.year_id == period.year_id)
    base = [Assessment.school_id == school_id, Assessment.term_id.in_(year_terms)]
    has_annual = db.session.scalar(select(func.count(Assessment.id)).where(*base, Assessment.kind == "annual"))
    quarters = select(Term.id).where(Term.year_id == period.year_id, Term.kind == "quarter")
    if has_annual:
        return base + [Assessment.kind == "annual"]
    return [Assessment.school_id == school_id, Assessment.term_id.in_(quarters), Assessment.kind == "term"]


def _school_metrics(school_id: int, period: Period):
    def query():
        stmt = metrics.metrics_select({}, *mark_conditions(school_id, period), schools=school_id)
        rows = metrics.run_metrics(stmt, [])
        return rows[0] if rows and rows[0].n else None
    return memo(("marks", school_id, period), query)


def _metric(name):
    def calc(school_id: int, period: Period) -> Optional[Result]:
        m = _school_metrics(school_id, period)
        if m is None or getattr(m, name) is None:
            return None
        return Result(getattr(m, name), m.n)
    return calc


def _failing(school_id: int, period: Period) -> Optional[Result]:
    conds = mark_conditions(school_id, period)
    total, failing = db.session.execute(
        select(func.count(func.distinct(Mark.student_id)),
               func.count(func.distinct(case((Mark.value <= 2, Mark.student_id)))))
        .join(Assessment, Mark.assessment_id == Assessment.id).where(*conds, Mark.value.is_not(None))).one()
    if not total:
        return None
    return Result(failing, total)


def _gap(school_id: int, period: Period) -> Optional[Result]:
    rows = analysis.compare_external(Principal.system(school_id), period.year_id)
    n = sum(r["n"] for r in rows)
    if not n:
        return None
    internal = sum(r["internal"] * r["n"] for r in rows) / n
    external = sum(r["external"] * r["n"] for r in rows) / n
    return Result(abs(internal - external), n)


MARK_KEYS = {"pass_rate", "quality", "sou", "mean_mark", "failing_students", "internal_external_gap"}


for _key, _name in (("pass_rate", "pass_rate"), ("quality", "quality"), ("sou", "sou"), ("mean_mark", "mean")):
    CALCULATORS(_key)(_metric(_name))
CALCULATORS("failing_students")(_failing)
CALCULATORS("internal_external_gap")(_gap)


@CALCULATORS("failure_prevention")
def _prevention(school_id: int, period: Period) -> Optional[Result]:
    """Flagged students with a support plan / flagged students · 100 (see the module's docstring)."""
    if period.term_id:
        terms = [db.session.get(Term, period.term_id)]
    else:
        terms = list(db.session.scalars(select(Term).where(Term.year_id == period.year_id, Term.kind == "quarter")))
    principal = Principal.system(school_id)
    flagged = with_plan = 0
    for term in terms:
        if term is None or term.kind != "quarter" or db.session.scalar(
                select(Assessment.id).where(Assessment.term_id == term.id).limit(1)) is None:
            continue  # a quarter without any work flags nobody: its rules are not run
        ids = list(warning.flagged_ids(principal, term))
        if not ids:
            continue
        flagged += len(ids)
        with_plan += db.session.scalar(select(func.count(SupportPlan.id)).where(
            SupportPlan.school_id == school_id, SupportPlan.term_id == term.id, SupportPlan.status != "cancelled",
            SupportPlan.student_id.in_(ids))) or 0
    if not flagged:
        return None
    return Result(100 * with_plan / flagged, flagged)


# --- the cyclogram ----------------------------------------------------------------------------

def marks_state(item, year) -> Optional[str]:
    """A control-work item with control works dated in its months, or a results item with term
    (or annual) marks dated in its months, is done."""
    if item.method == "control_work":
        kinds = ("control", "test")
    elif MARK_KEYS.intersection(item.keys):
        kinds = ("term", "semester", "annual")
    else:
        return None
    start, end = item_window(item, year)
    n = db.session.scalar(select(func.count(Assessment.id)).where(
        Assessment.school_id == item.school_id, Assessment.kind.in_(kinds),
        Assessment.date >= start, Assessment.date <= end)) or 0
    return "done" if n else None


# --- profile sections (class and teacher) ---------------------------------------------------

def _achievement_section(rows, note=None):
    if not rows:
        return None
    table = [[f"{r['term'].name} {r['term'].year.name}", r["m"].n, fmt(r["m"].pass_rate, "percent"),
              fmt(r["m"].quality, "percent"), fmt(r["m"].sou, "percent"), fmt(r["m"].mean, "mean")]
             for r in rows if r["term"].kind == "quarter"]
    if not table:
        return None
    return profiles.Section(_l("Achievement (term marks)"),
                            [_l("Quarter"), _l("Marks"), _l("Pass rate"), _l("Quality"), _l("SOU"), _l("Mean mark")],
                            table, note)


def class_achievement(cls, viewer):
    return _achievement_section(analysis.dynamics(viewer, class_id=cls.id),
                                _l("The class's present students, followed back into last year's class; only the subjects you may see."))


def teacher_achievement(teacher, viewer):
    return _achievement_section(analysis.dynamics(viewer, teacher_id=teacher.id))
