"""Agreement of observers on jointly observed lessons, and each observer's calibration (issue 20).

    joint_lessons(actor, year_id) -> list[JointLesson]     lessons with 2+ counted observations
    lesson_of(actor, obs) -> JointLesson | None             the joint lesson an observation belongs to
    lesson_stats(lesson) -> Stats                            agreement on one lesson's criteria
    by_criterion(lessons) -> list[dict]                      per criterion over the joint lessons
    overall(lessons) -> Stats                                every criterion of every joint lesson
    calibration(lessons) -> list[dict]                       per observer against the others

Joint lessons are joint.py's (same teacher, class, subject, kind and date by different
observers, or linked); only the observations the reader may see count (access.counted). The
unit is a PAIR of ratings: for every two observers of a lesson and every criterion both scored
(a criterion one of them marked N/A is left out), their two levels. With n such pairs
(surveys/reliability.py, formulas and sources there):

    exact agreement     = #(a == b) / n                    (World Bank Teach: exact agreement)
    within one level    = #(|a - b| <= 1) / n              (Teach: agreement within one point)
    weighted kappa      = 1 - sum w_ij o_ij / sum w_ij p_i q_j,  w_ij = (i - j)^2 / (k - 1)^2
                          (Cohen 1968, quadratic weights; scikit-learn's cohen_kappa_score)

Kappa is Cohen's, for TWO observers: it is computed over the pairs of lessons observed by
exactly two (rater a = the observation made first, by id), over the categories min..max of the
rubrics involved; a lesson with three or more observers adds to exact and within-one agreement
and gives Fleiss' kappa instead:

    Fleiss' kappa       = (P - P_e) / (1 - P_e), P = mean agreement of the observers on a
                          criterion, P_e = sum of the squared shares of each level
                          (Fleiss 1971; reliability.fleiss_kappa)

over the criteria of the lessons with three or more observers (a criterion is one thing rated by
every observer of its lesson who scored it; unweighted: levels are categories). Calibration of an observer: over the lessons they observed jointly, each of their scores
paired with each other observer's score on the same criterion; mean difference = mean(own -
other) in levels (> 0: they score higher than their colleagues), exact, within one and kappa
(own as rater a). Shares are 0..1 here; pages and workbook show percentages.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from itertools import combinations
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import Instrument, Observation, ObservationScore, User
from app.security import Principal
from app.services.observations import joint
from app.services.observations.access import counted
from surveys import reliability


@dataclass(frozen=True)
class Stats:
    n: int  # rated pairs
    exact: Optional[float] = None  # share 0..1
    within_one: Optional[float] = None
    kappa: Optional[float] = None  # None: undefined, or no lesson with exactly two observers
    mean_difference: Optional[float] = None  # calibration only: mean(own - other), levels
    fleiss: Optional[float] = None  # Fleiss' kappa over the lessons with three or more observers


@dataclass
class JointLesson:
    lesson_id: int
    protocol: str  # instrument key
    teacher: str
    observed_on: object  # date
    observations: list[tuple[int, int, str]] = field(default_factory=list)  # (obs id, observer id, name)
    scores: dict[str, dict[int, Optional[int]]] = field(default_factory=dict)  # criterion -> obs id -> score
    ranges: dict[str, tuple[int, int]] = field(default_factory=dict)  # criterion -> (min, max)
    sections: dict[str, str] = field(default_factory=dict)  # criterion -> section key
    order: list[str] = field(default_factory=list)  # criteria in protocol order

    def pairs(self, item_key: Optional[str] = None) -> list[tuple[int, int, str, Optional[int], Optional[int]]]:
        """(observer a, observer b, criterion, level a, level b) for every two observations
        (in id order) and every criterion (or one)."""
        keys = [item_key] if item_key else self.order
        return [(oa[1], ob[1], key, self.scores[key].get(oa[0]), self.scores[key].get(ob[0]))
                for oa, ob in combinations(sorted(self.observations), 2) for key in keys if key in self.scores]

    def mean(self, key: str) -> Optional[float]:
        values = [v for v in self.scores.get(key, {}).values() if v is not None]
        return statistics.fmean(values) if values else None


def joint_lessons(actor: Principal, year_id: Optional[int] = None, conds=()) -> list[JointLesson]:
    """Lessons with two or more counted observations, with every observer's criterion scores
    (None for N/A or not scored), in date order. One query."""
    lessons = joint.lesson_map([*counted(actor, year_id), *conds])
    observer, teacher = aliased(User), aliased(User)
    rows = db.session.execute(
        select(lessons.c.lesson_id, Observation.id, Observation.observer_id, observer.full_name, Instrument.key,
               teacher.full_name, Observation.observed_on, ObservationScore.section_key, ObservationScore.item_key,
               ObservationScore.score, ObservationScore.min_score, ObservationScore.max_score)
        .join(Observation, Observation.id == lessons.c.obs_id)
        .join(Instrument, Instrument.id == Observation.instrument_id)
        .join(observer, observer.id == Observation.observer_id)
        .join(teacher, teacher.id == Observation.teacher_id)
        .join(ObservationScore, ObservationScore.observation_id == Observation.id)
        .where(lessons.c.observers >= 2, ObservationScore.item_kind == "criterion")
        .order_by(Observation.observed_on, lessons.c.lesson_id, Observation.id, ObservationScore.position)).all()
    found: dict[int, JointLesson] = {}
    for lid, oid, obs_by, name, key, tname, on, section, item, score, lo, hi in rows:
        lesson = found.get(lid)
        if lesson is None:
            lesson = found[lid] = JointLesson(lid, key, tname, on)
        if not any(o[0] == oid for o in lesson.observations):
            lesson.observations.append((oid, obs_by, name))
        if item not in lesson.scores:
            lesson.order.append(item)
            lesson.sections[item] = section
        lesson.scores.setdefault(item, {})[oid] = score
        if lo is not None and hi is not None:
            old = lesson.ranges.get(item, (lo, hi))
            lesson.ranges[item] = (min(old[0], lo), max(old[1], hi))
    return list(found.values())


def lesson_of(actor: Principal, obs: Observation) -> Optional[JointLesson]:
    """The joint lesson of a counted observation (None when it was observed alone, or is not a
    current final version)."""
    if not (obs.status == "final" and obs.is_current):
        return None
    return next((lesson for lesson in joint_lessons(actor, obs.year_id)
                 if any(o[0] == obs.id for o in lesson.observations)), None)


def _categories(lessons: list[JointLesson], keys=None) -> list[int]:
    spans = [rng for lesson in lessons for key, rng in lesson.ranges.items() if keys is None or key in keys]
    if not spans:
        return []
    return list(range(min(lo for lo, _hi in spans), max(hi for _lo, hi in spans) + 1))


def _stats(all_pairs, kappa_pairs, categories, many=()) -> Stats:
    """Exact and within-one over `all_pairs` ((a, b) levels), kappa over `kappa_pairs`, Fleiss'
    kappa over `many` (each criterion's levels from three or more observers)."""
    agreed = reliability.agreement([a for a, _b in all_pairs], [b for _a, b in all_pairs]) if all_pairs else None
    kappa = reliability.weighted_kappa([a for a, _b in kappa_pairs], [b for _a, b in kappa_pairs], categories) \
        if kappa_pairs and categories else None
    fleiss = reliability.fleiss_kappa(many, categories) if many and categories else None
    if agreed is None:
        return Stats(0)
    return Stats(agreed.n, agreed.exact, agreed.within_one, kappa, fleiss=fleiss)


def _collect(lessons: list[JointLesson], item_key: Optional[str] = None):
    """(every pair, the pairs of two-observer lessons, the criteria of lessons of 3+ observers
    as lists of levels)."""
    every, two, many = [], [], []
    for lesson in lessons:
        pairs = [(a, b) for _oa, _ob, _k, a, b in lesson.pairs(item_key) if a is not None and b is not None]
        every += pairs
        if len(lesson.observations) == 2:
            two += pairs
        elif len(lesson.observations) >= 3:
            keys = [item_key] if item_key else lesson.order
            many += [[v for v in lesson.scores[key].values() if v is not None] for key in keys if key in lesson.scores]
    return every, two, many


def lesson_stats(lesson: JointLesson) -> Stats:
    """Agreement on one lesson: its criteria's pairs (kappa when two observers, Fleiss' kappa
    when three or more)."""
    every, two, many = _collect([lesson])
    return _stats(every, two, _categories([lesson]), many)


def overall(lessons: list[JointLesson]) -> Stats:
    every, two, many = _collect(lessons)
    return _stats(every, two, _categories(lessons), many)


def by_criterion(lessons: list[JointLesson]) -> list[dict]:
    """[{"protocol", "section", "item", "lessons", "stats"}] per criterion scored in a joint
    lesson, in protocol order."""
    keys: dict[tuple[str, str], str] = {}
    for lesson in lessons:
        for key in lesson.order:
            keys.setdefault((lesson.protocol, key), lesson.sections[key])
    out = []
    for (protocol, key), section in keys.items():
        mine = [lesson for lesson in lessons if lesson.protocol == protocol and key in lesson.scores]
        every, two, many = _collect(mine, key)
        out.append({"protocol": protocol, "section": section, "item": key, "lessons": len(mine),
                    "stats": _stats(every, two, _categories(mine, {key}), many)})
    return out


def calibration(lessons: list[JointLesson]) -> list[dict]:
    """[{"observer_id", "name", "lessons", "stats"}] per observer of a joint lesson, by name:
    their scores against each other observer's on the same criteria (Stats.mean_difference =
    mean(own - other); kappa with own as rater a)."""
    names: dict[int, str] = {}
    pairs: dict[int, list[tuple[int, int]]] = {}
    count: dict[int, int] = {}
    for lesson in lessons:
        for _oid, who, name in lesson.observations:
            names[who] = name
            count[who] = count.get(who, 0) + 1
        for a_by, b_by, _key, a, b in lesson.pairs():
            if a is not None and b is not None:
                pairs.setdefault(a_by, []).append((a, b))
                pairs.setdefault(b_by, []).append((b, a))
    categories = _categories(lessons)
    out = []
    for who, name in sorted(names.items(), key=lambda item: item[1]):
        mine = pairs.get(who, [])
        base = _stats(mine, mine, categories)
        diff = statistics.fmean(a - b for a, b in mine) if mine else None
        out.append({"observer_id": who, "name": name, "lessons": count[who],
                    "stats": Stats(base.n, base.exact, base.within_one, base.kappa, diff)})
    return out
