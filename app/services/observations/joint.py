"""Joint observations: one lesson observed by two or more observers counts ONCE (issue 20).

Two counted observations are of the same lesson when they have the same teacher, class,
subject, kind and date and DIFFERENT observers, or when one was started as joint with the other
(`Observation.joint_with_id`: it then takes the other's teacher, class, subject, kind and date as
its lesson, whatever its own header says). An observer who saw the same class twice that day saw
two lessons: each observer's 1st observation of that key belongs to one lesson, their 2nd to a
second one, and so on (in order of id).

    lesson_map(conds) -> subquery (obs_id, lesson_id, observers)
        lesson_id  the smallest observation id of the lesson (its representative: teacher,
                   class, subject, purpose... of the lesson are read from that observation)
        observers  how many counted observations the lesson has (1 = observed alone)
    lesson_items(conds) -> subquery (lesson_id, section_key, item_key, points, maximum, score,
                                     position, raters)
        per lesson and criterion, the MEAN over the observers who scored it:
            points  = mean(score - min_score)      maximum = mean(max_score - min_score)
            score   = mean(score)                  raters  = number of observers who scored it

so that a lesson's percentage is sum(points) / sum(maximum) · 100 with each criterion counted
once (the observers' mean), and a teacher's percentage weights a joint lesson like any other.
A criterion that one observer scored and another marked N/A is the scorer's score.
`conds` are WHERE conditions on Observation, normally access.counted(...): both subqueries see
only what the reader may see. Window functions (row_number, min over a partition): SQLite >= 3.25
and PostgreSQL.
"""
from typing import Optional

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import Observation, ObservationScore
from app.services.core.text import whole
from app.services.observations import access


def _lesson_key() -> list:
    """The columns that identify a lesson: the linked observation's when there is one."""
    target = aliased(Observation, name="joint_target")
    linked = Observation.joint_with_id.is_not(None)
    cols = [case((linked, getattr(target, name)), else_=getattr(Observation, name)).label(name)
            for name in ("teacher_id", "class_id", "subject_id", "kind", "observed_on")]
    return cols, target


def lesson_map(conds):
    """(obs_id, lesson_id, observers) for every observation meeting `conds` (see the module)."""
    key, target = _lesson_key()
    keyed = (select(Observation.id.label("obs_id"), Observation.observer_id.label("observer_id"), *key)
             .outerjoin(target, target.id == Observation.joint_with_id)
             .where(*conds).subquery("keyed"))
    key_cols = [keyed.c[c.name] for c in key]
    nth = func.row_number().over(partition_by=[*key_cols, keyed.c.observer_id], order_by=keyed.c.obs_id)
    numbered = select(keyed.c.obs_id, *key_cols, nth.label("nth")).subquery("numbered")
    partition = [numbered.c[c.name] for c in key] + [numbered.c.nth]
    return select(numbered.c.obs_id,
                  func.min(numbered.c.obs_id).over(partition_by=partition).label("lesson_id"),
                  func.count().over(partition_by=partition).label("observers")).subquery("lessons")


def lesson_items(conds):
    """Per lesson and scored criterion: the observers' mean points, maximum and score."""
    lessons = lesson_map(conds)
    return (select(lessons.c.lesson_id, ObservationScore.section_key, ObservationScore.item_key,
                   func.avg(1.0 * (ObservationScore.score - ObservationScore.min_score)).label("points"),
                   func.avg(1.0 * (ObservationScore.max_score - ObservationScore.min_score)).label("maximum"),
                   func.avg(1.0 * ObservationScore.score).label("score"),
                   func.min(ObservationScore.position).label("position"),
                   func.count().label("raters"))
            .join(ObservationScore, ObservationScore.observation_id == lessons.c.obs_id)
            .where(and_(ObservationScore.item_kind == "criterion", ObservationScore.score.is_not(None)))
            .group_by(lessons.c.lesson_id, ObservationScore.section_key, ObservationScore.item_key)
            .subquery("lesson_items"))


def lesson_rows(conds):
    """A select over lesson_items joined to each lesson's representative Observation; add
    columns, joins and GROUP BY to it. Returns (select, items subquery)."""
    items = lesson_items(conds)
    return select().select_from(items).join(Observation, Observation.id == items.c.lesson_id), items


def points(items):
    return func.sum(items.c.points)


def maximum(items):
    return func.sum(items.c.maximum)


def pct(items):
    return 100.0 * func.sum(items.c.points) / func.nullif(func.sum(items.c.maximum), 0)


def lessons(items):
    """Number of distinct lessons in a group."""
    return func.count(func.distinct(items.c.lesson_id))


def joinable(principal, raw) -> Optional[Observation]:
    """The observation a new one joins (?joint=ID, then the hidden field), if the principal
    sees it; None for anything else."""
    obs_id = whole(raw)
    if obs_id is None:
        return None
    obs = db.session.get(Observation, obs_id)
    return obs if obs is not None and access.can_see(principal, obs) else None
