"""Observations of lessons, extracurricular events and parent meetings.

No request objects here: views pass the acting user as an Principal. Every change is audited
in the caller's transaction; the caller commits. Aggregates are SQL (sum/count/avg with
group_by) over ObservationScore rows of the current final observations.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Iterable, Mapping, Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select

from app.extensions import db
from app.security import Principal
from app.i18n import pick_text
from app.models import (
    AcademicYear,
    ClassGroup,
    Instrument,
    MethodicalAssociation,
    Observation,
    ObservationPlan,
    ObservationScore,
    Subject,
    TeachingAssignment,
    Term,
    User,
    UserRole,
)
from app.models.observations import PURPOSES
from app.services.core import audit as audit_service
from app.services.core.audit import snapshot

PURPOSE_LABELS = {
    "control": _l("Control (inspection)"),
    "methodical_help": _l("Methodical help"),
    "attestation": _l("Attestation"),
    "open_school": _l("Open lesson: school level"),
    "open_district": _l("Open lesson: district level"),
    "open_city": _l("Open lesson: city level"),
    "mentoring": _l("Mentoring a young teacher"),
}
KIND_LABELS = {
    "lesson": _l("Lesson"),
    "event": _l("Extracurricular event"),
    "parent_meeting": _l("Parent meeting"),
}
STATUS_LABELS = {"draft": _l("Draft"), "final": _l("Final")}
ACTION_LABELS = {"create": _l("started"), "update": _l("draft saved"), "finalize": _l("made final"),
                 "amend": _l("amendment started"), "acknowledge": _l("acknowledged by the teacher")}
# Which kind of observation a protocol records (by instrument key).
PROTOCOL_KINDS = {"lesson_observation": "lesson", "extracurricular_event": "event", "parent_meeting": "parent_meeting"}
# Text items whose answers are also kept on the observation itself for display and export.
SUMMARY_TEXT_ITEMS = ("strengths", "recommendations")
OBSERVER_ROLES = ("admin", "deputy", "mo_head")


class ObservationError(Exception):
    """A refusal with a message for the user (already translated)."""

    def __init__(self, message: str, errors: Optional[list[str]] = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or []


def _audit(actor: Principal, action: str, entity_id, before=None, after=None):
    audit_service.record(action, "observation", entity_id, school_id=actor.school_id, user_id=actor.user_id,
                         before=before, after=after, remote_addr=actor.remote_addr)


# --- protocols: a read-only view of an instrument definition ---------------------------

def _get(obj: Any, name: str, default=None):
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


@dataclass
class Level:
    score: int
    label: Any
    descriptor: Any


@dataclass
class Item:
    key: str
    type: str
    text: Any
    section_key: str
    position: int
    levels: list[Level] = field(default_factory=list)
    min_score: Optional[int] = None
    max_score: Optional[int] = None
    min: Optional[float] = None
    max: Optional[float] = None
    help: Any = None
    required: bool = False

    @property
    def is_criterion(self) -> bool:
        return self.type == "criterion"


@dataclass
class Section:
    key: str
    title: Any
    items: list[Item]

    @property
    def criteria(self) -> list[Item]:
        return [i for i in self.items if i.is_criterion]


@dataclass
class Protocol:
    key: str
    version: int
    title: Any
    description: Any
    sources: list
    sections: list[Section]

    @classmethod
    def from_definition(cls, definition: Any) -> "Protocol":
        """Read an instrument definition (a dict or the loader's pydantic model)."""
        if hasattr(definition, "model_dump"):
            definition = definition.model_dump()
        sections, position = [], 0
        for raw_section in _get(definition, "sections") or []:
            section_key = _get(raw_section, "key")
            items = []
            for raw in _get(raw_section, "items") or []:
                kind = _get(raw, "type")
                levels = []
                for raw_level in _get(raw, "levels") or []:
                    score = _get(raw_level, "score", _get(raw_level, "value"))
                    levels.append(Level(score=int(score), label=_get(raw_level, "label"),
                                        descriptor=_get(raw_level, "descriptor", _get(raw_level, "text"))))
                levels.sort(key=lambda lv: lv.score)
                item = Item(key=_get(raw, "key"), type=kind, text=_get(raw, "text"), section_key=section_key,
                            position=position, levels=levels, help=_get(raw, "help"),
                            required=bool(_get(raw, "required", False)),
                            min=_get(raw, "min"), max=_get(raw, "max"))
                if kind == "criterion":
                    scores = [lv.score for lv in levels]
                    item.min_score = _get(raw, "min_score", min(scores) if scores else None)
                    item.max_score = _get(raw, "max_score", max(scores) if scores else None)
                elif kind == "yes_no":
                    item.min_score, item.max_score = 0, 1
                items.append(item)
                position += 1
            sections.append(Section(key=section_key, title=_get(raw_section, "title"), items=items))
        return cls(key=_get(definition, "key"), version=int(_get(definition, "version", 1)),
                   title=_get(definition, "title"), description=_get(definition, "description"),
                   sources=list(_get(definition, "sources") or []), sections=sections)

    @property
    def items(self) -> list[Item]:
        return [i for s in self.sections for i in s.items]

    @property
    def criteria(self) -> list[Item]:
        return [i for i in self.items if i.is_criterion]

    def item(self, key: str) -> Optional[Item]:
        return next((i for i in self.items if i.key == key), None)


def protocol_of(instrument: Instrument) -> Protocol:
    return Protocol.from_definition(instrument.definition)


def protocols(school_id: Optional[int] = None) -> list[Instrument]:
    """The newest version of every observation protocol."""
    newest = (select(Instrument.key, func.max(Instrument.version).label("version"))
              .where(Instrument.kind == "observation").group_by(Instrument.key).subquery())
    stmt = select(Instrument).join(newest, and_(Instrument.key == newest.c.key,
                                                Instrument.version == newest.c.version))
    return list(db.session.scalars(stmt.order_by(Instrument.key)))


# --- who sees what ---------------------------------------------------------------------

def headed_ma_ids(user_id: int) -> list[int]:
    return list(db.session.scalars(select(MethodicalAssociation.id).where(MethodicalAssociation.head_id == user_id)))


def visibility_clause(actor: Principal):
    """A WHERE clause on Observation for what the actor may see (always within the school).

    Admin, deputy and expert see the school's observations (experts only final ones);
    an MO head sees what they observed and the final observations of their MA's teachers
    (subject of the MA, or a teacher who teaches a subject of the MA); a teacher sees only
    their own final observations."""
    in_school = Observation.school_id == actor.school_id
    if actor.has_role("admin", "deputy"):
        return in_school
    final = and_(Observation.status == "final", Observation.is_current.is_(True))
    clauses = [and_(Observation.teacher_id == actor.user_id, final)]
    if actor.has_role("expert"):
        clauses.append(final)
    if actor.has_role("mo_head"):
        mas = headed_ma_ids(actor.user_id)
        clauses.append(Observation.observer_id == actor.user_id)
        if mas:
            ma_subjects = select(Subject.id).where(Subject.ma_id.in_(mas))
            ma_teachers = select(TeachingAssignment.teacher_id).where(TeachingAssignment.subject_id.in_(ma_subjects))
            clauses.append(and_(final, or_(Observation.subject_id.in_(ma_subjects),
                                           Observation.teacher_id.in_(ma_teachers))))
    return and_(in_school, or_(*clauses))


def can_see(actor: Principal, obs: Observation) -> bool:
    if obs.school_id != actor.school_id:
        return False
    return bool(db.session.scalar(select(func.count(Observation.id))
                                  .where(Observation.id == obs.id, visibility_clause(actor))))


def can_edit(actor: Principal, obs: Observation) -> bool:
    return obs.status == "draft" and obs.observer_id == actor.user_id and actor.has_role(*OBSERVER_ROLES)


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
                      topic: Optional[str] = None, assignment_id: Optional[int] = None) -> Observation:
    """Create a draft. A teaching assignment, when given, fills teacher, class and subject."""
    if not actor.has_role(*OBSERVER_ROLES):
        raise ObservationError(_("Only the director, deputies and heads of methodical associations observe."))
    instrument = db.session.get(Instrument, int(instrument_id)) if instrument_id else None
    if instrument is None or instrument.kind != "observation":
        raise ObservationError(_("Choose an observation protocol."))
    if purpose not in PURPOSES:
        raise ObservationError(_("Choose the purpose of the observation."))
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
    kind = PROTOCOL_KINDS.get(instrument.key, "lesson")
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
                      is_current=True, revision=0)
    db.session.add(obs)
    db.session.flush()
    _audit(actor, "create", obs.id, after=snapshot(obs))
    return obs


# --- filling in the checklist ----------------------------------------------------------

def field_names(item: Item) -> dict[str, str]:
    return {"score": f"score-{item.key}", "note": f"note-{item.key}", "value": f"value-{item.key}"}


def _parse_int(raw: str) -> Optional[int]:
    try:
        return int(str(raw).strip())
    except (TypeError, ValueError):
        return None


def parse_answers(protocol: Protocol, data: Mapping[str, Any], lang: Optional[str] = None) -> tuple[dict, list[str]]:
    """Turn submitted fields into {item_key: {score, number, text}} for the items present in
    `data` (a section or a partial sync may carry only some). Returns (changes, errors)."""
    changes, errors = {}, []
    for item in protocol.items:
        names = field_names(item)
        label = pick_text(item.text, lang)
        change: dict[str, Any] = {}
        if item.type == "criterion":
            if names["score"] in data:
                raw = data[names["score"]]
                if raw in (None, ""):
                    change["score"] = None
                else:
                    score = _parse_int(raw)
                    allowed = [lv.score for lv in item.levels] or list(range(item.min_score, item.max_score + 1))
                    if score is None or score not in allowed:
                        errors.append(_("The score %(score)s for “%(criterion)s” is outside the rubric range "
                                        "%(min)d–%(max)d.", score=raw, criterion=label,
                                        min=item.min_score, max=item.max_score))
                        continue
                    change["score"] = score
            if names["note"] in data:
                change["text"] = (str(data[names["note"]] or "")).strip()[:4000] or None
        elif item.type == "yes_no":
            if names["value"] in data:
                raw = str(data[names["value"]] or "").strip().lower()
                if raw not in ("", "yes", "no", "1", "0"):
                    errors.append(_("Answer “%(item)s” with yes or no.", item=label))
                    continue
                change["score"] = None if raw == "" else int(raw in ("yes", "1"))
        elif item.type == "number":
            if names["value"] in data:
                raw = str(data[names["value"]] or "").strip().replace(",", ".")
                if raw == "":
                    change["number"] = None
                else:
                    try:
                        number = float(raw)
                    except ValueError:
                        errors.append(_("“%(item)s” must be a number.", item=label))
                        continue
                    low, high = item.min, item.max
                    if (low is not None and number < low) or (high is not None and number > high):
                        errors.append(_("“%(item)s” must be between %(min)s and %(max)s.", item=label,
                                        min=low if low is not None else "", max=high if high is not None else ""))
                        continue
                    change["number"] = number
        elif item.type == "text":
            if names["value"] in data:
                change["text"] = (str(data[names["value"]] or "")).strip()[:8000] or None
        if change:
            changes[item.key] = change
    return changes, errors


def save_answers(actor: Principal, obs: Observation, data: Mapping[str, Any], lang: Optional[str] = None) -> int:
    """Save the submitted part of a draft. All of it is checked first; on any error nothing
    is written and ObservationError lists the problems. Returns the number of items changed."""
    if obs.status != "draft":
        raise ObservationError(_("This observation is final and can no longer be changed. Make an amendment."))
    if obs.observer_id != actor.user_id:
        raise ObservationError(_("Only the observer can fill in this observation."))
    protocol = protocol_of(obs.instrument)
    changes, errors = parse_answers(protocol, data, lang)
    if errors:
        raise ObservationError(errors[0], errors)
    rows = {s.item_key: s for s in obs.scores}
    changed = 0
    before = {k: (r.score, r.number, r.text) for k, r in rows.items()}
    for key, change in changes.items():
        item = protocol.item(key)
        row = rows.get(key)
        if row is None:
            if all(v is None for v in change.values()):
                continue
            row = ObservationScore(school_id=obs.school_id, section_key=item.section_key, item_key=key,
                                   item_kind=item.type, position=item.position, min_score=item.min_score,
                                   max_score=item.max_score)
            obs.scores.append(row)
            rows[key] = row
        for attr, value in change.items():
            if getattr(row, attr) != value:
                setattr(row, attr, value)
                changed += 1
        if item.key in SUMMARY_TEXT_ITEMS and "text" in change:
            setattr(obs, item.key, change["text"])
    # Rows left with nothing in them are removed (a cleared answer).
    for key, row in list(rows.items()):
        if row.score is None and row.number is None and not row.text:
            obs.scores.remove(row)
    if changed:
        obs.revision = (obs.revision or 0) + 1
        obs.updated_at = datetime.now(timezone.utc)
        after = {k: (r.score, r.number, r.text) for k, r in rows.items() if r in obs.scores}
        _audit(actor, "update", obs.id,
               before={"revision": obs.revision - 1, "answers": {k: v for k, v in before.items() if after.get(k) != v}},
               after={"revision": obs.revision, "answers": {k: v for k, v in after.items() if before.get(k) != v}})
    db.session.flush()
    return changed


def progress(obs: Observation, protocol: Optional[Protocol] = None) -> dict:
    protocol = protocol or protocol_of(obs.instrument)
    scored = {s.item_key for s in obs.scores if s.item_kind == "criterion" and s.score is not None}
    total = len(protocol.criteria)
    done = sum(1 for c in protocol.criteria if c.key in scored)
    sections = {sec.key: (sum(1 for c in sec.criteria if c.key in scored), len(sec.criteria))
                for sec in protocol.sections}
    return {"done": done, "total": total, "pct": round(100 * done / total) if total else 100,
            "sections": sections}


def finalize(actor: Principal, obs: Observation, lang: Optional[str] = None) -> Observation:
    """Make a draft final (read-only). Every criterion must be scored. A finished amendment
    replaces the version it corrects in every report."""
    if obs.status != "draft":
        raise ObservationError(_("This observation is already final."))
    if obs.observer_id != actor.user_id:
        raise ObservationError(_("Only the observer can finish this observation."))
    protocol = protocol_of(obs.instrument)
    scored = {s.item_key for s in obs.scores if s.item_kind == "criterion" and s.score is not None}
    missing = [pick_text(c.text, lang) for c in protocol.criteria if c.key not in scored]
    if missing:
        raise ObservationError(_("Score every criterion before finishing; %(n)d left.", n=len(missing)), missing)
    before = snapshot(obs)
    obs.status = "final"
    obs.finalized_at = datetime.now(timezone.utc)
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
        strengths=obs.strengths, recommendations=obs.recommendations, revision=0)
    for row in obs.scores:
        new.scores.append(ObservationScore(
            school_id=row.school_id, section_key=row.section_key, item_key=row.item_key, item_kind=row.item_kind,
            position=row.position, score=row.score, min_score=row.min_score, max_score=row.max_score,
            number=row.number, text=row.text))
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
    obs.acknowledged_at = datetime.now(timezone.utc)
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
    from app.models import AuditLog

    ids = [str(i) for i in obs_ids]
    return list(db.session.scalars(select(AuditLog).where(AuditLog.entity == "observation",
                                                          AuditLog.entity_id.in_(ids))
                                   .order_by(AuditLog.created_at, AuditLog.id)))


# --- aggregates (SQL) --------------------------------------------------------------------

def _points():
    return func.sum(ObservationScore.score - ObservationScore.min_score)


def _maximum():
    return func.sum(ObservationScore.max_score - ObservationScore.min_score)


def _pct():
    return 100.0 * _points() / func.nullif(_maximum(), 0)


def _counted(school_id: int, year_id: Optional[int] = None, ma_ids: Optional[list[int]] = None):
    """Conditions for the observations that count: current final versions in the school."""
    conds = [Observation.school_id == school_id, Observation.status == "final", Observation.is_current.is_(True)]
    if year_id:
        conds.append(Observation.year_id == year_id)
    if ma_ids is not None:
        ma_subjects = select(Subject.id).where(Subject.ma_id.in_(ma_ids))
        ma_teachers = select(TeachingAssignment.teacher_id).where(TeachingAssignment.subject_id.in_(ma_subjects))
        conds.append(or_(Observation.subject_id.in_(ma_subjects), Observation.teacher_id.in_(ma_teachers)))
    return conds


def _criterion_rows():
    return select().select_from(ObservationScore).join(Observation, Observation.id == ObservationScore.observation_id) \
        .where(ObservationScore.item_kind == "criterion", ObservationScore.score.is_not(None))


def observation_totals(obs: Observation) -> dict:
    """Total points, maximum and percentage, overall and per section."""
    rows = db.session.execute(
        select(ObservationScore.section_key, _points(), _maximum(), func.count())
        .where(ObservationScore.observation_id == obs.id, ObservationScore.item_kind == "criterion",
               ObservationScore.score.is_not(None))
        .group_by(ObservationScore.section_key)).all()
    sections = {key: {"points": int(p or 0), "max": int(m or 0), "n": n,
                      "pct": round(100.0 * p / m, 1) if m else None} for key, p, m, n in rows}
    points = sum(s["points"] for s in sections.values())
    maximum = sum(s["max"] for s in sections.values())
    return {"points": points, "max": maximum, "pct": round(100.0 * points / maximum, 1) if maximum else None,
            "sections": sections}


def totals_by_observation(school_id: int, year_id: Optional[int] = None) -> dict[int, tuple]:
    """{observation id: (points, max, pct)} for the counted observations, one SQL query."""
    stmt = (_criterion_rows().add_columns(ObservationScore.observation_id, _points(), _maximum(), _pct())
            .where(*_counted(school_id, year_id)).group_by(ObservationScore.observation_id))
    return {oid: (int(p or 0), int(m or 0), round(pct, 1) if pct is not None else None)
            for oid, p, m, pct in db.session.execute(stmt).all()}


def by_teacher(school_id: int, year_id: Optional[int], ma_ids=None) -> list[dict]:
    stmt = (_criterion_rows()
            .add_columns(Observation.teacher_id, User.full_name,
                         func.count(func.distinct(Observation.id)), _pct())
            .join(User, User.id == Observation.teacher_id)
            .where(*_counted(school_id, year_id, ma_ids))
            .group_by(Observation.teacher_id, User.full_name).order_by(User.full_name))
    return [{"teacher_id": t, "name": n, "count": c, "pct": _round(p)} for t, n, c, p in db.session.execute(stmt)]


def teacher_dynamics(school_id: int, teacher_id: int) -> list[dict]:
    """Percentage by quarter and section for one teacher, over every year (SQL join on the
    quarter whose dates contain the observation date)."""
    stmt = (_criterion_rows()
            .add_columns(Term.id, Term.name, Term.starts_on, AcademicYear.name, ObservationScore.section_key,
                         func.count(func.distinct(Observation.id)), _pct())
            .join(Term, and_(Term.school_id == Observation.school_id, Term.kind == "quarter",
                             Observation.observed_on >= Term.starts_on, Observation.observed_on <= Term.ends_on))
            .join(AcademicYear, AcademicYear.id == Term.year_id)
            .where(*_counted(school_id), Observation.teacher_id == teacher_id)
            .group_by(Term.id, Term.name, Term.starts_on, AcademicYear.name, ObservationScore.section_key)
            .order_by(Term.starts_on))
    return [{"term_id": tid, "term": _term_label(tname, yname), "starts_on": start, "section": sec, "count": c,
             "pct": _round(p)} for tid, tname, start, yname, sec, c, p in db.session.execute(stmt)]


def teacher_overall_dynamics(school_id: int, teacher_id: int) -> list[dict]:
    stmt = (_criterion_rows()
            .add_columns(Term.id, Term.name, Term.starts_on, AcademicYear.name,
                         func.count(func.distinct(Observation.id)), _pct())
            .join(Term, and_(Term.school_id == Observation.school_id, Term.kind == "quarter",
                             Observation.observed_on >= Term.starts_on, Observation.observed_on <= Term.ends_on))
            .join(AcademicYear, AcademicYear.id == Term.year_id)
            .where(*_counted(school_id), Observation.teacher_id == teacher_id)
            .group_by(Term.id, Term.name, Term.starts_on, AcademicYear.name).order_by(Term.starts_on))
    return [{"term_id": tid, "term": _term_label(tname, yname), "count": c, "pct": _round(p)}
            for tid, tname, _start, yname, c, p in db.session.execute(stmt)]


def by_ma(school_id: int, year_id: Optional[int]) -> list[dict]:
    stmt = (_criterion_rows()
            .add_columns(MethodicalAssociation.id, MethodicalAssociation.name, MethodicalAssociation.name_ru,
                         func.count(func.distinct(Observation.id)), _pct())
            .join(Subject, Subject.id == Observation.subject_id)
            .join(MethodicalAssociation, MethodicalAssociation.id == Subject.ma_id)
            .where(*_counted(school_id, year_id))
            .group_by(MethodicalAssociation.id, MethodicalAssociation.name, MethodicalAssociation.name_ru)
            .order_by(MethodicalAssociation.name))
    return [{"ma_id": i, "name": n, "name_ru": nr, "count": c, "pct": _round(p)}
            for i, n, nr, c, p in db.session.execute(stmt)]


def by_criterion(school_id: int, year_id: Optional[int], ma_ids=None) -> list[dict]:
    """Every criterion of every protocol across the school, weakest first."""
    stmt = (_criterion_rows()
            .add_columns(Instrument.key, ObservationScore.section_key, ObservationScore.item_key,
                         func.count(), func.avg(1.0 * ObservationScore.score), _pct())
            .join(Instrument, Instrument.id == Observation.instrument_id)
            .where(*_counted(school_id, year_id, ma_ids))
            .group_by(Instrument.key, ObservationScore.section_key, ObservationScore.item_key)
            .order_by(_pct(), Instrument.key, ObservationScore.item_key))
    return [{"protocol": k, "section": s, "item": i, "count": c, "mean": _round(m, 2), "pct": _round(p)}
            for k, s, i, c, m, p in db.session.execute(stmt)]


def by_section(school_id: int, year_id: Optional[int], ma_ids=None) -> list[dict]:
    stmt = (_criterion_rows()
            .add_columns(Instrument.key, ObservationScore.section_key,
                         func.count(func.distinct(Observation.id)), _pct())
            .join(Instrument, Instrument.id == Observation.instrument_id)
            .where(*_counted(school_id, year_id, ma_ids))
            .group_by(Instrument.key, ObservationScore.section_key)
            .order_by(Instrument.key, func.min(ObservationScore.position)))
    return [{"protocol": k, "section": s, "count": c, "pct": _round(p)} for k, s, c, p in db.session.execute(stmt)]


def by_purpose(school_id: int, year_id: Optional[int], ma_ids=None) -> list[dict]:
    stmt = (_criterion_rows()
            .add_columns(Observation.purpose, func.count(func.distinct(Observation.id)), _pct())
            .where(*_counted(school_id, year_id, ma_ids))
            .group_by(Observation.purpose).order_by(Observation.purpose))
    return [{"purpose": p, "count": c, "pct": _round(x)} for p, c, x in db.session.execute(stmt)]


def observers_vs_plan(school_id: int, year_id: int) -> list[dict]:
    """Per observer: final observations made, drafts open, and the plan for the year."""
    done = func.sum(case((and_(Observation.status == "final", Observation.is_current.is_(True)), 1), else_=0))
    drafts = func.sum(case((Observation.status == "draft", 1), else_=0))
    made = (select(Observation.observer_id.label("observer_id"), done.label("done"), drafts.label("drafts"))
            .where(Observation.school_id == school_id, Observation.year_id == year_id)
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


def set_plan(actor: Principal, year_id: int, plans: Mapping[int, Optional[int]]) -> None:
    existing = {p.observer_id: p for p in db.session.scalars(
        select(ObservationPlan).where(ObservationPlan.school_id == actor.school_id, ObservationPlan.year_id == year_id))}
    for observer_id, planned in plans.items():
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


def counted_count(school_id: int, year_id: Optional[int], ma_ids=None) -> int:
    return db.session.scalar(select(func.count(Observation.id)).where(*_counted(school_id, year_id, ma_ids))) or 0


def _term_label(term_name: str, year_name: str) -> str:
    """"1-чейрек" of "2025-2026" -> "1-чейрек 25/26"."""
    parts = year_name.split("-")
    short = "/".join(p[-2:] for p in parts) if len(parts) == 2 else year_name
    return f"{term_name} {short}"


def _round(value, digits: int = 1):
    return None if value is None else round(float(value), digits)


def criterion_labels(lang: Optional[str] = None) -> dict[tuple[str, str], tuple[str, str]]:
    """{(protocol key, item key): (criterion text, section title)} from the newest protocol versions."""
    labels = {}
    for instrument in protocols():
        protocol = protocol_of(instrument)
        for section in protocol.sections:
            for item in section.items:
                labels[(protocol.key, item.key)] = (pick_text(item.text, lang), pick_text(section.title, lang))
            labels[(protocol.key, section.key)] = (pick_text(section.title, lang), pick_text(section.title, lang))
    return labels
