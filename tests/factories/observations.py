"""Lesson observations on the small test school, through the observations service (as the
checklist pages store them)."""
from datetime import date
from typing import Optional

from app.extensions import db
from app.security import Principal
from app.services.observations import records
from app.services.observations.protocols import ensure_protocols


def observation_protocols() -> dict:
    """The shipped protocols (instrument rows shared by every school), committed."""
    found = ensure_protocols()
    db.session.commit()
    return found


def criterion_answers(protocol, score: int = 2, **overrides) -> dict:
    """The checklist's form data: every criterion at `score`, or at overrides[criterion key]."""
    return {f"score-{c.key}": str(overrides.get(c.key, score)) for c in protocol.criteria}


def make_observation(school, protocols: Optional[dict] = None, *, key: str = "lesson_observation",
                     observer: str = "deputy", teacher: str = "teacher", observed_on: date = date(2026, 10, 5),
                     purpose: str = "control", cls: Optional[int] = 0, subject: Optional[int] = 0, topic: str = "Дроби",
                     score: int = 2, overrides: Optional[dict] = None, scores: Optional[dict] = None,
                     fill: bool = True, final: bool = True):
    """An observation of `teacher` by `observer` (fixture roles, or users) with protocol `key`,
    of the fixture's class and subject number `cls` and `subject` (or a class / subject; None:
    none). With `fill`, the
    checklist is saved with `scores` (form data as posted) or else every criterion at `score`
    (`overrides`: criterion key -> score); with `final`, it is finalized. Committed."""
    protocols = protocols or observation_protocols()
    def person(who):
        return school.user(who) if isinstance(who, str) else who

    def pick(choice, objects):
        return None if choice is None else (objects[choice] if isinstance(choice, int) else choice).id

    actor = Principal.of(person(observer))
    obs = records.start_observation(
        actor, instrument_id=protocols[key].id, teacher_id=person(teacher).id, observed_on=observed_on,
        purpose=purpose, year_id=school.year.id, class_id=pick(cls, school.classes),
        subject_id=pick(subject, school.subjects), topic=topic)
    if fill:
        protocol = records.protocol_of(protocols[key])
        records.save_answers(actor, obs, scores if scores is not None else
                             criterion_answers(protocol, score, **(overrides or {})))
    if final:
        records.finalize(actor, obs)
    db.session.commit()
    return obs
