"""Observations of lessons, extracurricular events and parent meetings: starting one, saving the
checklist, finishing, amending, acknowledging, the history, and the observers' plan.

No request objects here: views pass the acting user as a Principal and the submitted fields as
a mapping (request.form, or the JSON of an offline draft). The fields are parsed by the
instrument language (surveys/answers.py, the items' own `parse`), the same parsing as
questionnaires. Every change is audited in the caller's transaction; the caller commits.
"""
from datetime import date
from typing import Any, Iterable, Mapping, Optional

from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.extensions import db
from app.i18n import pick_text
from app.models import (
    AcademicYear,
    AuditLog,
    ClassGroup,
    Instrument,
    Observation,
    ObservationPlan,
    ObservationScore,
    Subject,
    TeachingAssignment,
    User,
    UserRole,
)
from app.models.observations import PURPOSES
from app.security import Principal
from app.services.core import audit as audit_service
from app.services.core import clock
from app.services.core.audit import snapshot
from app.services.observations import answers as stored
from app.services.observations.access import OBSERVER_ROLES, can_see
from app.services.observations.protocols import kind_of, protocol_of
from surveys.answers import CHECKLIST, parse_submission

# Text items whose answers are also kept on the observation itself for display and export.
SUMMARY_TEXT_ITEMS = ("strengths", "recommendations")

__all__ = ["ObservationError", "acknowledge", "amend", "assignments", "audit_trail", "finalize", "history",
           "progress", "protocol_of", "save_answers", "set_plan", "start_observation", "teacher_choices"]


class ObservationError(Exception):
    """A refusal with a message for the user (already translated)."""

    def __init__(self, message: str, errors: Optional[list[str]] = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or []


def _audit(actor: Principal, action: str, entity_id, before=None, after=None):
    audit_service.record(action, "observation", entity_id, school_id=actor.school_id, user_id=actor.user_id,
                         before=before, after=after, remote_addr=actor.remote_addr)


# --- starting an observation -----------------------------------------------------------

def teacher_choices(school_id: int) -> list[User]:
    """Active staff who teach (or hold a teaching assignment)."""
    teaches = select(TeachingAssignment.teacher_id).where(TeachingAssignment.school_id == school_id)
    teacher_role = select(UserRole.user_id).where(UserRole.role.in_(("teacher", "class_teacher")))
    return list(db.session.scalars(
        select(User).where(User.school_id == school_id, User.active.is_(True),
                           or_(User.id.in_(teaches), User.id.in_(teacher_role))).order_by(User.full_name)))


def assignments(school_id: int, year_id: int) -> list[TeachingAssignment]:
    return list(db.session.scalars(
        select(TeachingAssignment).join(User, User.id == TeachingAssignment.teacher_id)
        .join(ClassGroup, ClassGroup.id == TeachingAssignment.class_id)
        .where(TeachingAssignment.school_id == school_id, TeachingAssignment.year_id == year_id)
        .order_by(User.full_name, ClassGroup.grade, ClassGroup.letter)))


def _school_object(model, obj_id, school_id):
    if obj_id in (None, ""):
        return None
    obj = db.session.get(model, int(obj_id))
    if obj is None or obj.school_id != school_id:
        raise ObservationError(_("The chosen record does not belong to this school."))
    return obj


def start_observation(actor: Principal, *, instrument_id: int, teacher_id: int, observed_on: date, purpose: str,
                      year_id: int, class_id: Optional[int] = None, subject_id: Optional[int] = None,
                      topic: Optional[str] = None, assignment_id: Optional[int] = None,
                      joint_with_id: Optional[int] = None) -> Observation:
    """Create a draft. A teaching assignment, when given, fills teacher, class and subject.
    `joint_with_id`: a colleague's observation of the same lesson (one the actor may see, by
    another observer, with a protocol of the same kind); its teacher, class, subject and date
    are taken, and the two count as one lesson (joint.py). Raises ObservationError."""
    if not actor.has_role(*OBSERVER_ROLES):
        raise ObservationError(_("Only the director, deputies and heads of methodical associations observe."))
    instrument = db.session.get(Instrument, int(instrument_id)) if instrument_id else None
    if instrument is None or instrument.kind != "observation":
        raise ObservationError(_("Choose an observation protocol."))
    if purpose not in PURPOSES:
        raise ObservationError(_("Choose the purpose of the observation."))
    joint = _joint_target(actor, joint_with_id, instrument)
    if joint is not None:
        teacher_id, class_id, subject_id, observed_on = joint.teacher_id, joint.class_id, joint.subject_id, \
            joint.observed_on
        assignment_id = None
    if assignment_id:
        assignment = _school_object(TeachingAssignment, assignment_id, actor.school_id)
        teacher_id, class_id, subject_id = assignment.teacher_id, assignment.class_id, assignment.subject_id
    teacher = _school_object(User, teacher_id, actor.school_id)
    if teacher is None:
        raise ObservationError(_("Choose the teacher who is observed."))
    cls = _school_object(ClassGroup, class_id, actor.school_id)
    subject = _school_object(Subject, subject_id, actor.school_id)
    year = _school_object(AcademicYear, year_id, actor.school_id)
    if year is None:
        raise ObservationError(_("The school has no academic year yet."))
    kind = kind_of(instrument)
    if subject is None and cls is not None and kind == "lesson":
        # Pre-fill the subject from the teacher's assignment in that class when there is exactly one.
        subjects = list(db.session.scalars(select(TeachingAssignment.subject_id).where(
            TeachingAssignment.teacher_id == teacher.id, TeachingAssignment.class_id == cls.id)))
        if len(subjects) == 1:
            subject = db.session.get(Subject, subjects[0])
    obs = Observation(school_id=actor.school_id, instrument_id=instrument.id, year_id=year.id, kind=kind,
                      observer_id=actor.user_id, teacher_id=teacher.id, class_id=cls.id if cls else None,
                      subject_id=subject.id if subject else None, observed_on=observed_on,
                      topic=(topic or "").strip() or None, purpose=purpose, status="draft", version=1,
                      is_current=True, revision=0,
                      joint_with_id=(joint.joint_with_id or joint.id) if joint is not None else None)
    db.session.add(obs)
    db.session.flush()
    _audit(actor, "create", obs.id, after=snapshot(obs))
    return obs


def _joint_target(actor: Principal, obs_id, instrument: Instrument) -> Optional[Observation]:
    if obs_id in (None, ""):
        return None
    target = _school_object(Observation, obs_id, actor.school_id)
    if not can_see(actor, target) or target.observer_id == actor.user_id \
            or kind_of(target.instrument) != kind_of(instrument):
        raise ObservationError(_("A joint observation joins a colleague's observation of the same kind that "
                                 "you may see."))
    return target


# --- filling in the checklist ----------------------------------------------------------

def _state(row) -> tuple:
    return (row.score, row.number, row.text) + (("n/a",) if row.not_applicable else ())


def save_answers(actor: Principal, obs: Observation, data: Mapping[str, Any], lang: Optional[str] = None) -> int:
    """Save the submitted part of a draft: the checklist's fields present in `data` (named as
    surveys.answers.CHECKLIST names them; a section or an offline sync may carry only some).
    All of it is checked first; on any refused value nothing is written and ObservationError
    lists the problems. Returns the number of values changed."""
    if obs.status != "draft":
        raise ObservationError(_("This observation is final and can no longer be changed. Make an amendment."))
    if obs.observer_id != actor.user_id:
        raise ObservationError(_("Only the observer can fill in this observation."))
    spec = protocol_of(obs.instrument)
    submission = parse_submission(spec, data, CHECKLIST, partial=True)
    if submission.errors:
        problems = submission.messages(lang)
        raise ObservationError(problems[0], problems)
    rows = {s.item_key: s for s in obs.scores}
    before = {k: _state(r) for k, r in rows.items()}
    changed = 0
    for section, position, item in spec.placed():
        for key in item.answer_keys():
            change: dict[str, Any] = {}
            if key in submission.answers:
                change.update(stored.columns(item, key, submission.answers[key]))
            if key == item.key and item.key in submission.comments:
                change["text"] = submission.comments[item.key]
            if not change:
                continue
            row = rows.get(key)
            if row is None:
                if all(v is None or v is False for v in change.values()):
                    continue
                low, high = stored.score_range(item)
                row = ObservationScore(school_id=obs.school_id, section_key=section.key, item_key=key,
                                       item_kind=item.type, position=position, min_score=low, max_score=high,
                                       not_applicable=False)
                obs.scores.append(row)
                rows[key] = row
            for attr, value in change.items():
                if getattr(row, attr) != value:
                    setattr(row, attr, value)
                    changed += 1
            if item.key in SUMMARY_TEXT_ITEMS and "text" in change:
                setattr(obs, item.key, change["text"])
    # Rows left with nothing in them are removed (a cleared answer).
    for row in list(rows.values()):
        if row.score is None and row.number is None and not row.text and not row.not_applicable:
            obs.scores.remove(row)
    if changed:
        obs.revision = (obs.revision or 0) + 1
        obs.updated_at = clock.now()
        after = {k: _state(r) for k, r in rows.items() if r in obs.scores}
        _audit(actor, "update", obs.id,
               before={"revision": obs.revision - 1, "answers": {k: v for k, v in before.items() if after.get(k) != v}},
               after={"revision": obs.revision, "answers": {k: v for k, v in after.items() if before.get(k) != v}})
    db.session.flush()
    return changed


def _settled(obs: Observation) -> set[str]:
    """Criteria that have a score or are marked not applicable."""
    return {s.item_key for s in obs.scores if s.item_kind == "criterion"
            and (s.score is not None or s.not_applicable)}


def progress(obs: Observation, protocol=None) -> dict:
    """Criteria scored (or marked not applicable) of all, overall and per section."""
    protocol = protocol or protocol_of(obs.instrument)
    done_keys = _settled(obs)
    criteria = protocol.criteria
    done = sum(1 for c in criteria if c.key in done_keys)
    sections = {sec.key: (sum(1 for c in sec.criteria if c.key in done_keys), len(sec.criteria))
                for sec in protocol.sections}
    return {"done": done, "total": len(criteria), "pct": round(100 * done / len(criteria)) if criteria else 100,
            "sections": sections}


def finalize(actor: Principal, obs: Observation, lang: Optional[str] = None) -> Observation:
    """Make a draft final (read-only). Every criterion must be scored, or marked not applicable
    where the protocol allows it. A finished amendment replaces the version it corrects in
    every report."""
    if obs.status != "draft":
        raise ObservationError(_("This observation is already final."))
    if obs.observer_id != actor.user_id:
        raise ObservationError(_("Only the observer can finish this observation."))
    protocol = protocol_of(obs.instrument)
    done = _settled(obs)
    missing = [pick_text(c.text, lang) for c in protocol.criteria if c.key not in done]
    if missing:
        raise ObservationError(_("Score every criterion before finishing; %(n)d left.", n=len(missing)), missing)
    before = snapshot(obs)
    obs.status = "final"
    obs.finalized_at = clock.now()
    obs.is_current = True
    if obs.amends_id:
        previous = db.session.get(Observation, obs.amends_id)
        if previous is not None:
            previous.is_current = False
    obs.revision = (obs.revision or 0) + 1
    db.session.flush()
    _audit(actor, "finalize", obs.id, before=before, after=snapshot(obs))
    return obs


def amend(actor: Principal, obs: Observation, reason: str) -> Observation:
    """Start a corrected version of a final observation. The final one stays unchanged (and
    counts) until the amendment is finished; the audit log records who, when and why."""
    if obs.status != "final" or not obs.is_current:
        raise ObservationError(_("Only the current final version can be amended."))
    if obs.observer_id != actor.user_id and not actor.has_role("admin", "deputy"):
        raise ObservationError(_("Only the observer or the school's management can amend an observation."))
    reason = (reason or "").strip()
    if not reason:
        raise ObservationError(_("Give the reason for the amendment."))
    existing = db.session.scalar(select(Observation).where(Observation.amends_id == obs.id,
                                                           Observation.status == "draft"))
    if existing is not None:
        return existing
    new = Observation(
        school_id=obs.school_id, instrument_id=obs.instrument_id, year_id=obs.year_id, kind=obs.kind,
        observer_id=actor.user_id, teacher_id=obs.teacher_id, class_id=obs.class_id, subject_id=obs.subject_id,
        observed_on=obs.observed_on, topic=obs.topic, purpose=obs.purpose, status="draft",
        version=obs.version + 1, amends_id=obs.id, is_current=False, amendment_reason=reason[:2000],
        strengths=obs.strengths, recommendations=obs.recommendations, revision=0, joint_with_id=obs.joint_with_id)
    for row in obs.scores:
        new.scores.append(ObservationScore(
            school_id=row.school_id, section_key=row.section_key, item_key=row.item_key, item_kind=row.item_kind,
            position=row.position, score=row.score, min_score=row.min_score, max_score=row.max_score,
            number=row.number, text=row.text, not_applicable=row.not_applicable))
    db.session.add(new)
    db.session.flush()
    _audit(actor, "amend", new.id, before={"amends": obs.id, "version": obs.version},
           after={"version": new.version, "reason": new.amendment_reason})
    return new


def acknowledge(actor: Principal, obs: Observation, comment: Optional[str]) -> Observation:
    if obs.teacher_id != actor.user_id:
        raise ObservationError(_("Only the observed teacher can acknowledge an observation."))
    if obs.status != "final" or not obs.is_current:
        raise ObservationError(_("Only a final observation can be acknowledged."))
    before = {"acknowledged_at": obs.acknowledged_at and obs.acknowledged_at.isoformat(),
              "teacher_comment": obs.teacher_comment}
    obs.acknowledged_at = clock.now()
    obs.teacher_comment = (comment or "").strip()[:4000] or None
    db.session.flush()
    _audit(actor, "acknowledge", obs.id, before=before,
           after={"acknowledged_at": obs.acknowledged_at.isoformat(), "teacher_comment": obs.teacher_comment})
    return obs


def history(obs: Observation) -> list[Observation]:
    """Every version of the chain this observation belongs to, oldest first."""
    first = obs
    while first.amends_id:
        first = db.session.get(Observation, first.amends_id)
    chain, current = [first], first
    while True:
        nxt = db.session.scalar(select(Observation).where(Observation.amends_id == current.id)
                                .order_by(Observation.id).limit(1))
        if nxt is None:
            return chain
        chain.append(nxt)
        current = nxt


def audit_trail(obs_ids: Iterable[int]) -> list:
    ids = [str(i) for i in obs_ids]
    return list(db.session.scalars(select(AuditLog).where(AuditLog.entity == "observation",
                                                          AuditLog.entity_id.in_(ids))
                                   .order_by(AuditLog.created_at, AuditLog.id)))


# --- the observers' plan -------------------------------------------------------------------

def set_plan(actor: Principal, year_id: int, plans: Mapping[int, Optional[int]]) -> None:
    existing = {p.observer_id: p for p in db.session.scalars(
        select(ObservationPlan).where(ObservationPlan.school_id == actor.school_id, ObservationPlan.year_id == year_id))}
    for planned in plans.values():
        if planned is not None and planned < 0:
            raise ObservationError(_("A plan cannot be negative."))
    changes = {}
    for observer_id, planned in plans.items():
        row = existing.get(observer_id)
        if planned is None:
            if row is not None:
                db.session.delete(row)
                changes[observer_id] = None
            continue
        if row is None:
            db.session.add(ObservationPlan(school_id=actor.school_id, year_id=year_id, observer_id=observer_id,
                                           planned=planned))
            changes[observer_id] = planned
        elif row.planned != planned:
            row.planned = planned
            changes[observer_id] = planned
    if changes:
        audit_service.record("update", "observation_plan", year_id, school_id=actor.school_id,
                             user_id=actor.user_id, after={str(k): v for k, v in changes.items()},
                             remote_addr=actor.remote_addr)
    db.session.flush()
