"""Observation results in SQL: totals of one observation, and summaries by criterion, section,
teacher (with dynamics by quarter), methodical association, purpose and observer.

Only the current final versions that the reader may see count (`access.counted`: the rule of
the lists, so a figure never rests on an observation its reader could not open); every
function takes the reader as a Principal (`Principal.system(school_id)` for the whole school).
A criterion's points are score - min and its
maximum max - min, so a rubric that starts at 1 counts like one that starts at 0:

    percentage = sum(score - min_score) / sum(max_score - min_score) · 100

over the criterion rows that have a score: a criterion answered "not applicable" has none, so
it is left out of the points, the maximum and the number of scores (n) alike.

A lesson observed jointly by several observers counts once in every summary (joint.py): per
criterion the observers' mean points and maximum, so its weight in a teacher's (section's,
MA's...) percentage is that of one lesson, and the counts are of lessons. Only
`observation_totals` and `totals_by_observation` are per observation (each observer's own).
"""
from typing import Optional

from sqlalchemy import and_, case, func, or_, select

from app.extensions import db
from app.models import (
    AcademicYear,
    Instrument,
    MethodicalAssociation,
    Observation,
    ObservationPlan,
    ObservationScore,
    Subject,
    Term,
    User,
    UserRole,
)
from app.models.school import term_label
from app.security import Principal
from app.services.observations import joint
from app.services.observations.access import OBSERVER_ROLES, counted, visibility_clause


def criterion_points():
    return func.sum(ObservationScore.score - ObservationScore.min_score)


def criterion_maximum():
    return func.sum(ObservationScore.max_score - ObservationScore.min_score)


def criterion_pct():
    return 100.0 * criterion_points() / func.nullif(criterion_maximum(), 0)


def scored_criteria():
    """The rows that count: criteria with a score (not unscored, not "not applicable")."""
    return and_(ObservationScore.item_kind == "criterion", ObservationScore.score.is_not(None))


def _criterion_rows():
    return select().select_from(ObservationScore).join(Observation, Observation.id == ObservationScore.observation_id) \
        .where(scored_criteria())


def observation_totals(obs: Observation) -> dict:
    """Total points, maximum and percentage, overall and per section."""
    rows = db.session.execute(
        select(ObservationScore.section_key, criterion_points(), criterion_maximum(), func.count())
        .where(ObservationScore.observation_id == obs.id, scored_criteria())
        .group_by(ObservationScore.section_key)).all()
    sections = {key: {"points": int(p or 0), "max": int(m or 0), "n": n,
                      "pct": round(100.0 * p / m, 1) if m else None} for key, p, m, n in rows}
    points = sum(s["points"] for s in sections.values())
    maximum = sum(s["max"] for s in sections.values())
    return {"points": points, "max": maximum, "pct": round(100.0 * points / maximum, 1) if maximum else None,
            "sections": sections}


def totals_by_observation(actor: Principal, year_id: Optional[int] = None) -> dict[int, tuple]:
    """{observation id: (points, max, pct)} for the counted observations, one SQL query."""
    stmt = (_criterion_rows().add_columns(ObservationScore.observation_id, criterion_points(), criterion_maximum(), criterion_pct())
            .where(*counted(actor, year_id)).group_by(ObservationScore.observation_id))
    return {oid: (int(p or 0), int(m or 0), round(pct, 1) if pct is not None else None)
            for oid, p, m, pct in db.session.execute(stmt).all()}


def by_teacher(actor: Principal, year_id: Optional[int]) -> list[dict]:
    """Per teacher: lessons observed (a joint lesson once) and the percentage of the maximum."""
    rows, items = joint.lesson_rows(counted(actor, year_id))
    stmt = (rows.add_columns(Observation.teacher_id, User.full_name, joint.lessons(items), joint.pct(items))
            .join(User, User.id == Observation.teacher_id)
            .group_by(Observation.teacher_id, User.full_name).order_by(User.full_name))
    return [{"teacher_id": t, "name": n, "count": c, "pct": _round(p)} for t, n, c, p in db.session.execute(stmt)]


def teacher_dynamics(actor: Principal, teacher_id: int) -> list[dict]:
    """Percentage by quarter and section for one teacher, over every year (SQL join on the
    quarter whose dates contain the observation date)."""
    rows, items = joint.lesson_rows(counted(actor))
    stmt = (rows.add_columns(Term.id, Term.number, Term.starts_on, AcademicYear.name, items.c.section_key,
                             joint.lessons(items), joint.pct(items))
            .join(Term, and_(Term.school_id == Observation.school_id, Term.kind == "quarter",
                             Observation.observed_on >= Term.starts_on, Observation.observed_on <= Term.ends_on))
            .join(AcademicYear, AcademicYear.id == Term.year_id)
            .where(Observation.teacher_id == teacher_id)
            .group_by(Term.id, Term.number, Term.starts_on, AcademicYear.name, items.c.section_key)
            .order_by(Term.starts_on))
    return [{"term_id": tid, "term": _term_label(number, yname), "starts_on": start, "section": sec, "count": c,
             "pct": _round(p)} for tid, number, start, yname, sec, c, p in db.session.execute(stmt)]


def teacher_overall_dynamics(actor: Principal, teacher_id: int) -> list[dict]:
    rows, items = joint.lesson_rows(counted(actor))
    stmt = (rows.add_columns(Term.id, Term.number, Term.starts_on, AcademicYear.name,
                             joint.lessons(items), joint.pct(items))
            .join(Term, and_(Term.school_id == Observation.school_id, Term.kind == "quarter",
                             Observation.observed_on >= Term.starts_on, Observation.observed_on <= Term.ends_on))
            .join(AcademicYear, AcademicYear.id == Term.year_id)
            .where(Observation.teacher_id == teacher_id)
            .group_by(Term.id, Term.number, Term.starts_on, AcademicYear.name).order_by(Term.starts_on))
    return [{"term_id": tid, "term": _term_label(number, yname), "count": c, "pct": _round(p)}
            for tid, number, _start, yname, c, p in db.session.execute(stmt)]


def by_ma(actor: Principal, year_id: Optional[int]) -> list[dict]:
    rows, items = joint.lesson_rows(counted(actor, year_id))
    stmt = (rows.add_columns(MethodicalAssociation.id, MethodicalAssociation.name, MethodicalAssociation.name_ru,
                             joint.lessons(items), joint.pct(items))
            .join(Subject, Subject.id == Observation.subject_id)
            .join(MethodicalAssociation, MethodicalAssociation.id == Subject.ma_id)
            .group_by(MethodicalAssociation.id, MethodicalAssociation.name, MethodicalAssociation.name_ru)
            .order_by(MethodicalAssociation.name))
    return [{"ma_id": i, "name": n, "name_ru": nr, "count": c, "pct": _round(p)}
            for i, n, nr, c, p in db.session.execute(stmt)]


def by_criterion(actor: Principal, year_id: Optional[int]) -> list[dict]:
    """Every criterion of every protocol over the counted observations, weakest first; count =
    lessons where it was scored, mean = mean of the lessons' (observers' mean) scores."""
    rows, items = joint.lesson_rows(counted(actor, year_id))
    stmt = (rows.add_columns(Instrument.key, items.c.section_key, items.c.item_key,
                             func.count(), func.avg(items.c.score), joint.pct(items))
            .join(Instrument, Instrument.id == Observation.instrument_id)
            .group_by(Instrument.key, items.c.section_key, items.c.item_key)
            .order_by(joint.pct(items), Instrument.key, items.c.item_key))
    return [{"protocol": k, "section": s, "item": i, "count": c, "mean": _round(m, 2), "pct": _round(p)}
            for k, s, i, c, m, p in db.session.execute(stmt)]


def by_section(actor: Principal, year_id: Optional[int]) -> list[dict]:
    rows, items = joint.lesson_rows(counted(actor, year_id))
    stmt = (rows.add_columns(Instrument.key, items.c.section_key, joint.lessons(items), joint.pct(items))
            .join(Instrument, Instrument.id == Observation.instrument_id)
            .group_by(Instrument.key, items.c.section_key)
            .order_by(Instrument.key, func.min(items.c.position)))
    return [{"protocol": k, "section": s, "count": c, "pct": _round(p)} for k, s, c, p in db.session.execute(stmt)]


def by_purpose(actor: Principal, year_id: Optional[int]) -> list[dict]:
    rows, items = joint.lesson_rows(counted(actor, year_id))
    stmt = (rows.add_columns(Observation.purpose, joint.lessons(items), joint.pct(items))
            .group_by(Observation.purpose).order_by(Observation.purpose))
    return [{"purpose": p, "count": c, "pct": _round(x)} for p, c, x in db.session.execute(stmt)]


def observers_vs_plan(actor: Principal, year_id: int) -> list[dict]:
    """Per observer: final observations made, drafts open (of those the actor may see), and
    the plan for the year."""
    school_id = actor.school_id
    done = func.sum(case((and_(Observation.status == "final", Observation.is_current.is_(True)), 1), else_=0))
    drafts = func.sum(case((Observation.status == "draft", 1), else_=0))
    made = (select(Observation.observer_id.label("observer_id"), done.label("done"), drafts.label("drafts"))
            .where(visibility_clause(actor), Observation.year_id == year_id)
            .group_by(Observation.observer_id).subquery())
    plan = (select(ObservationPlan.observer_id.label("observer_id"), ObservationPlan.planned.label("planned"))
            .where(ObservationPlan.school_id == school_id, ObservationPlan.year_id == year_id).subquery())
    observers = select(UserRole.user_id).where(UserRole.role.in_(OBSERVER_ROLES))
    stmt = (select(User.id, User.full_name, func.coalesce(made.c.done, 0), func.coalesce(made.c.drafts, 0),
                   plan.c.planned)
            .outerjoin(made, made.c.observer_id == User.id)
            .outerjoin(plan, plan.c.observer_id == User.id)
            .where(User.school_id == school_id,
                   or_(User.id.in_(observers), made.c.observer_id.is_not(None), plan.c.observer_id.is_not(None)))
            .order_by(User.full_name))
    result = []
    for uid, name, d, dr, planned in db.session.execute(stmt):
        result.append({"observer_id": uid, "name": name, "done": int(d or 0), "drafts": int(dr or 0),
                       "planned": planned, "pct": round(100.0 * d / planned, 1) if planned else None})
    return result


def counted_count(actor: Principal, year_id: Optional[int]) -> int:
    return db.session.scalar(select(func.count(Observation.id)).where(*counted(actor, year_id))) or 0


def _term_label(number: int, year_name: str) -> str:
    """Quarter 1 of "2025-2026" -> "1-чейрек 25/26" (in the current language, `term_label`)."""
    parts = year_name.split("-")
    short = "/".join(p[-2:] for p in parts) if len(parts) == 2 else year_name
    return f"{term_label('quarter', number)} {short}"


def _round(value, digits: int = 1):
    return None if value is None else round(float(value), digits)


