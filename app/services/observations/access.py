"""Who sees and does what with observations. One rule decides what a principal may see
(`visibility_clause`, a WHERE clause on Observation): the lists, and every figure computed
from observations (`counted`: the summaries, a teacher's dynamics, the profiles, the workbook),
so that no aggregate rests on an observation its reader could not open. The rest are the
rules of the pages.

- admin and deputy see every observation of the school; an expert sees the final ones;
- an MO head sees what they observed and the final observations of their MA's teachers (the
  subject belongs to the MA, or the teacher teaches one of its subjects);
- a teacher sees only their own final observations.
"""
from typing import Optional

from sqlalchemy import and_, func, or_, select

from app.extensions import db
from app.models import MethodicalAssociation, Observation, Subject, TeachingAssignment
from app.security import Principal

OBSERVER_ROLES = ("admin", "deputy", "mo_head")
MANAGERS = ("admin", "deputy")


def headed_ma_ids(user_id: int) -> list[int]:
    return list(db.session.scalars(select(MethodicalAssociation.id).where(MethodicalAssociation.head_id == user_id)))


def ma_teachers_clause(ma_ids: list[int]):
    """Observations of the MAs' teachers: the subject of an MA, or a teacher who teaches one."""
    ma_subjects = select(Subject.id).where(Subject.ma_id.in_(ma_ids))
    ma_teachers = select(TeachingAssignment.teacher_id).where(TeachingAssignment.subject_id.in_(ma_subjects))
    return or_(Observation.subject_id.in_(ma_subjects), Observation.teacher_id.in_(ma_teachers))


def visibility_clause(actor: Principal):
    """A WHERE clause on Observation for what the actor may see (always within the school)."""
    in_school = Observation.school_id == actor.school_id
    if actor.has_role(*MANAGERS):
        return in_school
    final = and_(Observation.status == "final", Observation.is_current.is_(True))
    clauses = [and_(Observation.teacher_id == actor.user_id, final)]
    if actor.has_role("expert"):
        clauses.append(final)
    if actor.has_role("mo_head"):
        mas = headed_ma_ids(actor.user_id)
        clauses.append(Observation.observer_id == actor.user_id)
        if mas:
            clauses.append(and_(final, ma_teachers_clause(mas)))
    return and_(in_school, or_(*clauses))


def counted(actor: Principal, year_id: Optional[int] = None) -> list:
    """Conditions for the observations whose scores count in the actor's figures: the current
    final versions among those the actor may see (`visibility_clause`), of the year if given."""
    conds = [visibility_clause(actor), Observation.status == "final", Observation.is_current.is_(True)]
    if year_id:
        conds.append(Observation.year_id == year_id)
    return conds


def can_see(actor: Principal, obs: Observation) -> bool:
    if obs.school_id != actor.school_id:
        return False
    return bool(db.session.scalar(select(func.count(Observation.id))
                                  .where(Observation.id == obs.id, visibility_clause(actor))))


def can_edit(actor: Principal, obs: Observation) -> bool:
    """Only the observer fills in their own draft."""
    return obs.status == "draft" and obs.observer_id == actor.user_id and actor.has_role(*OBSERVER_ROLES)


def can_amend(actor: Principal, obs: Observation) -> bool:
    """The current final version may be corrected by its observer or the school's management."""
    return obs.status == "final" and obs.is_current and actor.has_role(*OBSERVER_ROLES) and (
        obs.observer_id == actor.user_id or actor.has_role(*MANAGERS))


def can_acknowledge(actor: Principal, obs: Observation) -> bool:
    return obs.teacher_id == actor.user_id and obs.status == "final" and obs.is_current


def can_see_history(actor: Principal, obs: Observation) -> bool:
    """The audit trail of an observation: management and its observer."""
    return actor.has_role(*MANAGERS) or obs.observer_id == actor.user_id


def may_see_teacher(actor: Principal, teacher_id: int) -> bool:
    """A teacher's dynamics: themselves, management and experts, and an MO head for a teacher
    of whom they see a final observation."""
    if teacher_id == actor.user_id or actor.has_role("admin", "deputy", "expert"):
        return True
    return actor.has_role("mo_head") and bool(list_observations(actor, teacher_id=teacher_id, status="final", limit=1))


def list_observations(actor: Principal, *, year_id: Optional[int] = None, status: Optional[str] = None,
                      teacher_id: Optional[int] = None, limit: int = 200) -> list[Observation]:
    stmt = select(Observation).where(visibility_clause(actor))
    if year_id:
        stmt = stmt.where(Observation.year_id == year_id)
    if status in ("draft", "final"):
        stmt = stmt.where(Observation.status == status)
    if teacher_id:
        stmt = stmt.where(Observation.teacher_id == teacher_id)
    # Superseded finals stay reachable from the history of their amendment, not in lists.
    stmt = stmt.where(or_(Observation.is_current.is_(True), Observation.status == "draft"))
    return list(db.session.scalars(stmt.order_by(Observation.observed_on.desc(), Observation.id.desc()).limit(limit)))
