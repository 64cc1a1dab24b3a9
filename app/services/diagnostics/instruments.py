"""The diagnostic instruments: instruments of kind `diagnostic` in the one instrument language
(surveys/), published as immutable Instrument rows, and how each feeds an indicator.

    SHIPPED              the keys of the shipped diagnostics (surveys/instruments/<key>.yaml)
    OUTCOME_ITEM         instrument key -> the single-choice item whose answer is the student's
                         outcome (a level, a group, a destination), kept on Diagnostic.outcome
    OUTCOME_BANDS        instrument key -> the levels computed from the points of a self-report
                         (no one states a level there): points_of(spec, answers), then the band
    RULES                indicator key -> Rule (which instruments, which outcomes count)
    ensure_instruments() {key: newest Instrument} of the shipped diagnostics, publishing changes
    diagnostic_instruments()  the newest version of every diagnostic instrument
    outcome_of(spec, answers) -> option key | None
"""
from dataclasses import dataclass
from typing import Any, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from app.extensions import db
from app.models import Instrument
from app.services.core import instruments
from surveys import scoring

SHIPPED = ("adaptation_grade1", "adaptation_grade5", "adaptation_grade10", "learning_skills", "upbringing_level", "health_groups",
           "graduate_destinations", "gifted_programme")

OUTCOME_ITEM = {"adaptation_grade1": "level", "adaptation_grade5": "level", "learning_skills": "level",
                "upbringing_level": "level", "health_groups": "pe_group", "graduate_destinations": "destination",
                "gifted_programme": "result"}

# Self-reports: (lowest points, outcome) from the highest band down; the labels of those outcomes.
# adaptation_grade10: the four levels of the adaptation scales of grades 1 and 5, by quarters of
# the points (surveys/instruments/adaptation_grade10.yaml).
OUTCOME_BANDS = {"adaptation_grade10": ((75.0, "high"), (50.0, "middle"), (25.0, "low"), (0.0, "maladapted"))}
BAND_LABELS = {"high": _l("High"), "middle": _l("Middle"), "low": _l("Low"),
               "maladapted": _l("Maladapted (needs support)")}


@dataclass(frozen=True)
class Rule:
    """An indicator computed from diagnostics. percent: favourable records / records · 100 over
    the records of `instruments` in the year; count (`favourable` None): the number of records."""

    indicator: str
    instruments: tuple[str, ...]
    favourable: Optional[tuple[str, ...]]

    @property
    def unit(self) -> str:
        return "count" if self.favourable is None else "percent"


RULES = {rule.indicator: rule for rule in (
    # Share of students adapted (high or middle level) among those diagnosed in grades 1, 5 and 10.
    Rule("adaptation", ("adaptation_grade1", "adaptation_grade5", "adaptation_grade10"), ("high", "middle")),
    # Share at high or middle level of the learning skills (Asmolov et al. 2008, three levels).
    Rule("uud_level", ("learning_skills",), ("high", "middle")),
    # Share at high or good level of upbringing (Kapustina's four levels).
    Rule("upbringing_level", ("upbringing_level",), ("high", "good")),
    # Share in the main physical-education group, from the medical check-up.
    Rule("health_main_group", ("health_groups",), ("main",)),
    # Share of grade 9 and 11 graduates who continue education (grade 10, college, university).
    Rule("continuing_education", ("graduate_destinations",), ("grade10", "college", "university")),
    # Number of students in the Gifted children programme (one record each).
    Rule("gifted_programme", ("gifted_programme",), None),
)}


def ensure_instruments() -> dict[str, Instrument]:
    """{key: the latest Instrument version} of each shipped diagnostic, publishing a file that is
    new or changed."""
    return {key: instruments.ensure_published(key) for key in SHIPPED}


def diagnostic_instruments() -> list[Instrument]:
    """The newest version of every diagnostic instrument (shipped or published by the school)."""
    newest = (select(Instrument.key, func.max(Instrument.version).label("version"))
              .where(Instrument.kind == "diagnostic").group_by(Instrument.key).subquery())
    stmt = select(Instrument).join(newest, and_(Instrument.key == newest.c.key,
                                                Instrument.version == newest.c.version))
    return list(db.session.scalars(stmt.order_by(Instrument.key)))


def newest(key: str) -> Optional[Instrument]:
    return instruments.latest(key, kind="diagnostic")


def points_of(spec, answers: dict[str, Any]) -> Optional[float]:
    """Points of a self-report, 0-100: sum(score - min) / sum(max - min) · 100 over the answered
    scored answers (reverse statements reversed first, surveys/scoring.py); None when none is
    answered."""
    got = span = 0.0
    for key, item, _scale, reverse, (lo, hi) in spec.scored():
        value = scoring.score(scoring.raw_value(item, answers.get(key)), lo, hi, reverse)
        if value is not None:
            got, span = got + value - lo, span + hi - lo
    return 100.0 * got / span if span else None


def outcome_of(spec, answers: dict[str, Any]) -> Optional[str]:
    """The option chosen on the instrument's outcome item, or for a self-report the band of its
    points (None without one or unanswered)."""
    if spec.key in OUTCOME_BANDS:
        points = points_of(spec, answers)
        if points is None:
            return None
        return next(outcome for lowest, outcome in OUTCOME_BANDS[spec.key] if points >= lowest - 1e-9)
    item = OUTCOME_ITEM.get(spec.key)
    value = answers.get(item) if item else None
    return str(value)[:60] if value not in (None, "") else None


def outcome_label(spec, outcome: Optional[str], lang: Optional[str]) -> str:
    if outcome and spec.key in OUTCOME_BANDS:
        return str(BAND_LABELS.get(outcome, outcome))
    item_key = OUTCOME_ITEM.get(spec.key)
    if not outcome or not item_key:
        return ""
    try:
        item = spec.item(item_key)
    except KeyError:
        return outcome
    return item.answer_label(outcome, lang)
