"""Indicator values for a period: automatic ones computed, manual ones as entered; the
status against target and threshold; entering values; the variable part.

A manual indicator may also have a calculator (the diagnostics domain declares those of
adaptation, learning skills, upbringing, health, continuing education and gifted children):
where it finds records for the period, their value counts (basis "records") and no value may be
typed; where it finds none, the typed value counts (basis "entered")."""
from dataclasses import dataclass, replace
from typing import Optional

from sqlalchemy import select

from app.extensions import db
from app.models import AcademicYear, MethodicalAssociation, Term
from app.models.monitoring.indicators import Indicator, IndicatorTarget, IndicatorValue
from app.services.core import clock
from app.services.core import school as school_service
from app.services.core.audit import record as audit_record
from app.services.core.audit import snapshot
from app.services.monitoring.calculators import Period, Result, compute, shared_queries
from app.services.monitoring.catalogue import ensure_catalogue
from app.services.monitoring.labels import decimals

# Who reads the indicators (the monitoring dashboard, the catalogue, an indicator's page).
READERS = ("admin", "deputy", "mo_head", "expert", "psychologist")
MIN_GROUP = 5  # the default minimum group size of anonymous results (DESIGN)


def status(value: Optional[float], target: Optional[float], threshold: Optional[float], good: str) -> str:
    """'ok' (target met), 'warn' (between threshold and target), 'bad', or 'none' (no data or no target)."""
    if value is None or target is None:
        return "none"
    better = (lambda a, b: a >= b) if good == "higher" else (lambda a, b: a <= b)
    if better(value, target):
        return "ok"
    if threshold is not None and better(value, threshold):
        return "warn"
    return "bad"


@dataclass
class Row:
    indicator: Indicator
    value: Optional[float]
    n: Optional[int]
    previous: Optional[float]
    status: str
    entered: Optional[IndicatorValue] = None
    year_target: Optional[IndicatorTarget] = None  # the target kept for this (earlier) year
    basis: Optional[str] = None  # "computed", "records", "entered" or None (no value)
    previous_n: Optional[int] = None  # the people last year's value rests on

    @property
    def previous_part(self) -> "Row":
        """Last year's value as a row of its own, with its n: the disclosure rule (reports.suppress)
        withholds it on its own group, not on this year's."""
        return Row(self.indicator, self.previous, self.previous_n, None, "none")

    @property
    def target(self) -> Optional[float]:
        """The target that holds in the row's year (IndicatorTarget, else the indicator's)."""
        return self.year_target.target if self.year_target else self.indicator.target

    @property
    def threshold(self) -> Optional[float]:
        return self.year_target.threshold if self.year_target else self.indicator.threshold

    @property
    def change(self) -> Optional[float]:
        """value - previous, rounded as the value is shown (labels.decimals): a change that
        shows as 0.0 is no change ("same"), never "got better by 0.0"."""
        if self.value is None or self.previous is None:
            return None
        return round(self.value - self.previous, decimals(self.indicator.unit)) + 0.0

    @property
    def trend(self) -> str:
        """'up' when it got better, 'down' when worse, 'same' (no change as shown) or '' without data."""
        if self.change is None:
            return ""
        if self.change == 0:
            return "same"
        better = self.change > 0 if self.indicator.good == "higher" else self.change < 0
        return "up" if better else "down"


def indicators(school_id: int, direction: Optional[int] = None, active_only: bool = True) -> list[Indicator]:
    """The school's indicators (not those of a methodical association: services.monitoring.associations)."""
    ensure_catalogue(school_id)
    stmt = select(Indicator).where(Indicator.school_id == school_id, Indicator.ma_id.is_(None))
    if direction:
        stmt = stmt.where(Indicator.direction == direction)
    if active_only:
        stmt = stmt.where(Indicator.active.is_(True))
    return list(db.session.scalars(stmt.order_by(Indicator.direction, Indicator.invariant.desc(),
                                                 Indicator.position, Indicator.id)))


def _entered(school_id: int, indicator_ids, year_id: int, term_id: Optional[int]) -> dict[int, IndicatorValue]:
    stmt = select(IndicatorValue).where(IndicatorValue.school_id == school_id,
                                        IndicatorValue.indicator_id.in_(indicator_ids),
                                        IndicatorValue.year_id == year_id)
    stmt = stmt.where(IndicatorValue.term_id == term_id if term_id else IndicatorValue.term_id.is_(None))
    return {v.indicator_id: v for v in db.session.scalars(stmt)}


def value_of(indicator: Indicator, period: Period, entered: Optional[IndicatorValue]) -> Optional[Result]:
    """The value of an automatic indicator, or of a manual one: computed from records when its
    calculator finds any (basis "records"), else the typed value (basis "entered")."""
    if indicator.source == "auto":
        return compute(indicator.key, indicator.school_id, period)
    computed = compute(indicator.key, indicator.school_id, period)
    if computed is not None:
        return replace(computed, basis="records")
    if entered is not None:
        return Result(entered.value, basis="entered")
    return None


def computed_from_records(indicator: Indicator, year_id: int, term_id: Optional[int]) -> bool:
    """True when a manual indicator's value for the period comes from records (nothing may be typed)."""
    if indicator.source != "manual":
        return False
    year = db.session.get(AcademicYear, year_id)
    term = db.session.get(Term, term_id) if term_id else None
    period = Period.of_term(term) if term else Period.of_year(year)
    return compute(indicator.key, indicator.school_id, period) is not None


def evaluate(school_id: int, year: AcademicYear, direction: Optional[int] = None,
             term: Optional[Term] = None, items: Optional[list[Indicator]] = None) -> list[Row]:
    """Every indicator with its value for the year (or term), last year's value and the status."""
    items = items if items is not None else indicators(school_id, direction)
    ids = [i.id for i in items]
    period = Period.of_term(term) if term else Period.of_year(year)
    entered = _entered(school_id, ids, year.id, term.id if term else None)
    prev_year = school_service.previous_year(year)
    prev_entered = _entered(school_id, ids, prev_year.id, None) if prev_year else {}
    rows = []
    with shared_queries():
        _evaluate_into(rows, items, period, entered, prev_year, prev_entered, targets_of(ids, year.id))
    return rows


def _evaluate_into(rows, items, period, entered, prev_year, prev_entered, targets):
    for ind in items:
        result = value_of(ind, period, entered.get(ind.id))
        previous = value_of(ind, Period.of_year(prev_year), prev_entered.get(ind.id)) if prev_year else None
        value = result.value if result else None
        kept = targets.get(ind.id)
        target, threshold = (kept.target, kept.threshold) if kept else (ind.target, ind.threshold)
        rows.append(Row(ind, value, result.n if result else None, previous.value if previous else None,
                        status(value, target, threshold, ind.good), entered.get(ind.id), kept,
                        result.basis if result else None, previous.n if previous else None))


def targets_of(indicator_ids, year_id: int) -> dict[int, IndicatorTarget]:
    """indicator id -> the target kept for that year (indicators without one use their own)."""
    if not indicator_ids:
        return {}
    return {t.indicator_id: t for t in db.session.scalars(select(IndicatorTarget).where(
        IndicatorTarget.indicator_id.in_(indicator_ids), IndicatorTarget.year_id == year_id))}


def keep_past_targets(indicator: Indicator, old_target: Optional[float], old_threshold: Optional[float]) -> int:
    """Before an indicator's target or threshold changes: every year that ended before the
    school's current year and has no kept target keeps the old pair. Returns rows added."""
    current = school_service.current_year(indicator.school_id)
    if current is None or (old_target, old_threshold) == (indicator.target, indicator.threshold):
        return 0
    kept = set(db.session.scalars(select(IndicatorTarget.year_id).where(
        IndicatorTarget.indicator_id == indicator.id)))
    years = db.session.scalars(select(AcademicYear.id).where(
        AcademicYear.school_id == indicator.school_id, AcademicYear.ends_on < current.starts_on))
    added = [IndicatorTarget(school_id=indicator.school_id, indicator_id=indicator.id, year_id=y,
                             target=old_target, threshold=old_threshold) for y in years if y not in kept]
    db.session.add_all(added)
    return len(added)


def value_at(indicator: Indicator, year: AcademicYear, term: Optional[Term] = None) -> Optional[float]:
    """The indicator's value for a year or one of its terms (computed, or as entered), or None."""
    entered = _entered(indicator.school_id, [indicator.id], year.id, term.id if term else None).get(indicator.id)
    result = value_of(indicator, Period.of_term(term) if term else Period.of_year(year), entered)
    return result.value if result else None


def history(indicator: Indicator) -> list[tuple[AcademicYear, Optional[float], Optional[IndicatorValue]]]:
    """The indicator's value in every academic year of the school, oldest first."""
    years = list(db.session.scalars(select(AcademicYear).where(AcademicYear.school_id == indicator.school_id)
                                    .order_by(AcademicYear.starts_on)))
    out = []
    for year in years:
        entered = _entered(indicator.school_id, [indicator.id], year.id, None).get(indicator.id)
        result = value_of(indicator, Period.of_year(year), entered)
        out.append((year, result.value if result else None, entered))
    return out


def term_values(indicator: Indicator, year: AcademicYear) -> list[tuple[Term, Optional[float], Optional[IndicatorValue]]]:
    out = []
    for term in [t for t in year.terms if t.kind == "quarter"]:
        entered = _entered(indicator.school_id, [indicator.id], year.id, term.id).get(indicator.id)
        result = value_of(indicator, Period.of_term(term), entered)
        out.append((term, result.value if result else None, entered))
    return out


class ValueError_(ValueError):
    pass


# Who enters the values of manual indicators: the director and the deputies any; the
# psychologist and MO heads those they are responsible for (Indicator.responsible_role).
ENTERERS = ("admin", "deputy")
RESPONSIBLE_ENTERERS = ("psychologist", "mo_head")


def may_enter(principal, indicator: Indicator) -> bool:
    """Manual indicators take values from the director and the deputies, and from the role
    responsible for the indicator when it is the psychologist or an MO head (R5: each answers
    for their part of the programme); the others are computed. A methodical association's own
    indicator (ma_id) takes values from the director, the deputies and that association's head."""
    if indicator.source != "manual":
        return False
    if indicator.ma_id is not None and not principal.has_role(*ENTERERS):
        return principal.has_role("mo_head") and db.session.scalar(select(MethodicalAssociation.id).where(
            MethodicalAssociation.id == indicator.ma_id, MethodicalAssociation.head_id == principal.user_id)) is not None
    role = indicator.responsible_role
    return principal.has_role(*ENTERERS) or (role in RESPONSIBLE_ENTERERS and principal.has_role(role))


# Where an indicator's figures come from, for the "details" link of its page: the register
# its calculator counts (registers.<key>), or another domain's page (an endpoint).
_REGISTER_OF = {
    "olympiad": "students", "research_projects": "students", "creative_activity": "students",
    "injuries_per_100": "incidents", "offences": "incidents", "textbook_provision": "textbooks",
    "ict_per_classroom": "classrooms", "classrooms_compliant": "classrooms", "equipment_completeness": "classrooms",
    "club_enrolment": "clubs", "self_government": "selfgov", "support_cases_closed": "support",
}
_PAGE_OF = {
    "internal_external_gap": "achievement.compare", "lesson_quality": "observations.summary",
    "parent_satisfaction": "surveys.index", "student_satisfaction": "surveys.index", "psych_climate": "surveys.index",
    "pass_rate": "achievement.index", "quality": "achievement.index", "sou": "achievement.index",
    "mean_mark": "achievement.index", "failing_students": "achievement.index",
    "adaptation": "diagnostics.summary", "uud_level": "diagnostics.summary", "upbringing_level": "diagnostics.summary",
    "health_main_group": "diagnostics.summary", "continuing_education": "diagnostics.summary",
    "gifted_programme": "diagnostics.summary",
    "staff_stability": "staff.index", "qualification_category": "staff.index", "attestation_overdue": "staff.index",
    "work_programmes": "staff.index", "programmes_updated": "staff.index",
}
# Indicators counted from records of another kind than the diagnostics: what the value's basis names.
RECORDS_OF = {"staff_stability": "staff", "qualification_category": "staff", "attestation_overdue": "staff",
              "work_programmes": "programmes", "programmes_updated": "programmes"}


def register_of(indicator: Indicator) -> Optional[str]:
    """The key of the register an indicator is counted from (olympiad_* from the olympiads',
    automatic indicators of directions 2 and 4 from the teachers'), or None."""
    key = "olympiad" if indicator.key.startswith("olympiad") else indicator.key
    if key in _REGISTER_OF:
        return _REGISTER_OF[key]
    if indicator.source == "auto" and indicator.direction in (2, 4) and key not in _PAGE_OF:
        return "teachers"
    return None


def page_of(indicator: Indicator) -> Optional[str]:
    """The endpoint of another domain's page showing an indicator's figures, or None."""
    return _PAGE_OF.get(indicator.key)


def set_value(indicator: Indicator, year_id: int, term_id: Optional[int], value: float, note: Optional[str],
              evidence: Optional[str], user_id: int, remote_addr: Optional[str] = None) -> IndicatorValue:
    """Enter (or correct) a manual value for a period (the year, or one of its terms),
    audited in the same transaction. ValueError for a computed indicator or a term of
    another year."""
    if indicator.source != "manual":
        raise ValueError("automatic")
    if computed_from_records(indicator, year_id, term_id):
        raise ValueError("records")
    if term_id is not None:
        term = db.session.get(Term, term_id)
        if term is None or term.year_id != year_id:
            raise ValueError("term")
    existing = db.session.scalar(select(IndicatorValue).where(
        IndicatorValue.indicator_id == indicator.id, IndicatorValue.year_id == year_id,
        IndicatorValue.term_id == term_id if term_id else IndicatorValue.term_id.is_(None)))
    before = snapshot(existing) if existing else None
    if existing is None:
        existing = IndicatorValue(school_id=indicator.school_id, indicator_id=indicator.id, year_id=year_id,
                                  term_id=term_id, value=value)
        db.session.add(existing)
    existing.value, existing.note, existing.evidence, existing.entered_by_id = value, note, evidence, user_id
    existing.entered_at = clock.now()
    db.session.flush()
    audit_record("update" if before else "create", "indicator_value", existing.id, school_id=indicator.school_id,
                 user_id=user_id, before=before, after=snapshot(existing), remote_addr=remote_addr)
    return existing


def entered_values(indicator: Indicator, year_id: int) -> dict[str, str]:
    """{period key ("" for the whole year, else the term's id as text): the value entered now,
    as text} of a manual indicator in a year: the originals a value page carries, so that a
    save from a stale page never replaces a value someone else entered meanwhile."""
    rows = db.session.execute(select(IndicatorValue.term_id, IndicatorValue.value).where(
        IndicatorValue.indicator_id == indicator.id, IndicatorValue.year_id == year_id)).all()
    return {"" if term_id is None else str(term_id): f"{value:g}" for term_id, value in rows}
