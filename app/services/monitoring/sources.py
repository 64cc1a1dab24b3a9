"""Calculators that read the data of other features (marks, surveys, observations), by
calling their services. Each registers only when that feature exists in this installation;
without it the indicator shows "no data", never a made-up number.

Definitions (what the dashboard shows for a period):
- pass_rate, quality, sou, mean_mark: term marks of the term; for a year the annual marks,
  or, where no annual marks exist, every quarter mark of the year (achievement service).
- failing_students: students with a mark of 2 or lower among those marks.
- internal_external_gap: |mean internal (term) mark − mean external result on the 5-point
  scale| over the students who have both, weighted by students (achievement.compare_external).
- parent_satisfaction, student_satisfaction, psych_climate: the mean of the scale indices
  (0-100) of the year's latest non-draft campaign of the instrument; nothing when it has
  fewer respondents than the campaign's minimum group size.
- lesson_quality: points / maximum · 100 over every criterion of the final, current lesson
  observations of the period (observations service).
"""
from typing import Optional

from sqlalchemy import Float, and_, case, cast, func, or_, select

from app.extensions import db
from app.models import Term
from app.services.monitoring.calculators import Period, Result, calculator, memo
from app.services.monitoring.planning import DERIVERS

try:  # marks and achievement metrics (feature "marks")
    from app.models import Assessment, Mark
    from app.services.achievement import metrics as achievement
except ImportError:  # pragma: no cover - feature not installed
    achievement = None

try:  # survey campaigns (feature "surveys")
    from app.models import Campaign, Instrument, Response
    from app.services.surveys import campaigns as surveys
    from surveys import scoring
except ImportError:  # pragma: no cover
    surveys = None

try:  # lesson observations (feature "observations")
    from app.models import Observation, ObservationScore
    from app.services.observations import records as observations
except ImportError:  # pragma: no cover
    observations = None


# --- marks ---------------------------------------------------------------------------------

def _mark_conditions(school_id: int, period: Period) -> list:
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
        stmt = achievement.metrics_select({}, *_mark_conditions(school_id, period))
        rows = achievement.run_metrics(stmt, [])
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
    conds = _mark_conditions(school_id, period)
    total, failing = db.session.execute(
        select(func.count(func.distinct(Mark.student_id)),
               func.count(func.distinct(case((Mark.value <= 2, Mark.student_id)))))
        .join(Assessment, Mark.assessment_id == Assessment.id).where(*conds, Mark.value.is_not(None))).one()
    if not total:
        return None
    return Result(failing, total)


def _gap(school_id: int, period: Period) -> Optional[Result]:
    scope = achievement.Scope(school_id=school_id, everything=True)
    rows = achievement.compare_external(scope, period.year_id)
    n = sum(r["n"] for r in rows)
    if not n:
        return None
    internal = sum(r["internal"] * r["n"] for r in rows) / n
    external = sum(r["external"] * r["n"] for r in rows) / n
    return Result(abs(internal - external), n)


MARK_KEYS = {"pass_rate", "quality", "sou", "mean_mark", "failing_students", "internal_external_gap"}


def item_window(item, year):
    from app.services.monitoring.planning import month_date, months_of
    months = months_of(item)
    return month_date(year, months[0], 1), month_date(year, months[-1], 31)


def _marks_state(item, year) -> Optional[str]:
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


if achievement is not None:
    DERIVERS.append(_marks_state)
    for _key, _name in (("pass_rate", "pass_rate"), ("quality", "quality"), ("sou", "sou"), ("mean_mark", "mean")):
        calculator(_key)(_metric(_name))
    calculator("failing_students")(_failing)
    calculator("internal_external_gap")(_gap)


# --- surveys -------------------------------------------------------------------------------

SURVEY_INDICATORS = {"parent_satisfaction": "parent_satisfaction", "student_satisfaction": "student_lessons",
                     "psych_climate": "psychological_climate"}


def latest_campaign(school_id: int, instrument_key: str, period: Period):
    stmt = (select(Campaign).join(Instrument, Instrument.id == Campaign.instrument_id)
            .where(Campaign.school_id == school_id, Instrument.key == instrument_key, Campaign.status != "draft"))
    if period.term_id:
        stmt = stmt.where(func.coalesce(Campaign.closes_on, Campaign.opens_on) >= period.starts_on,
                          func.coalesce(Campaign.closes_on, Campaign.opens_on) <= period.ends_on)
    else:
        stmt = stmt.where(or_(Campaign.year_id == period.year_id,
                              and_(Campaign.year_id.is_(None), Campaign.opens_on >= period.starts_on,
                                   Campaign.opens_on <= period.ends_on)))
    return db.session.scalar(stmt.order_by((Campaign.status == "closed").desc(), Campaign.created_at.desc(),
                                           Campaign.id.desc()).limit(1))


def campaign_index(campaign) -> Optional[Result]:
    """The mean of the campaign's scale indices (0-100) and its respondents; None below the minimum group."""
    respondents = db.session.scalar(select(func.count(Response.id)).where(
        Response.campaign_id == campaign.id, Response.status == "complete")) or 0
    if respondents < max(campaign.min_group_size, 1):
        return None
    ranges = scoring.scale_ranges(campaign.instrument.spec)
    indices = [scoring.index(mean, *ranges.get(scale, (1, 5)))
               for scale, (mean, _n) in surveys.scale_means(campaign.id).items()]
    indices = [i for i in indices if i is not None]
    if not indices:
        return None
    return Result(sum(indices) / len(indices), respondents)


def _survey(instrument_key):
    def calc(school_id: int, period: Period) -> Optional[Result]:
        campaign = latest_campaign(school_id, instrument_key, period)
        return campaign_index(campaign) if campaign is not None else None
    return calc


def _campaign_state(item, year) -> Optional[str]:
    """A survey item of the cyclogram: a closed campaign of a linked instrument in the item's
    months -> done, an open one -> in progress."""
    if item.method != "survey":
        return None
    keys = [SURVEY_INDICATORS.get(k, k) for k in item.keys] + ([item.instrument] if item.instrument else [])
    if not keys:
        return None
    states = set(db.session.scalars(
        select(Campaign.status).join(Instrument, Instrument.id == Campaign.instrument_id)
        .where(Campaign.school_id == item.school_id, Instrument.key.in_(keys), Campaign.status != "draft",
               or_(Campaign.year_id == year.id, Campaign.year_id.is_(None)))))
    if "closed" in states:
        return "done"
    return "in_progress" if "open" in states else None


if surveys is not None:
    for _key, _instrument in SURVEY_INDICATORS.items():
        calculator(_key)(_survey(_instrument))
    DERIVERS.append(_campaign_state)


# --- observations ------------------------------------------------------------------------

def _lesson_quality(school_id: int, period: Period) -> Optional[Result]:
    points = func.sum(ObservationScore.score - ObservationScore.min_score)
    maximum = func.sum(ObservationScore.max_score - ObservationScore.min_score)
    conds = [Observation.school_id == school_id, Observation.status == "final", Observation.is_current.is_(True),
             Observation.kind == "lesson", Observation.year_id == period.year_id,
             ObservationScore.item_kind == "criterion", ObservationScore.score.is_not(None)]
    if period.term_id:
        conds += [Observation.observed_on >= period.starts_on, Observation.observed_on <= period.ends_on]
    p, m, n = db.session.execute(
        select(cast(points, Float), cast(maximum, Float), func.count(func.distinct(Observation.id)))
        .select_from(ObservationScore).join(Observation, Observation.id == ObservationScore.observation_id)
        .where(*conds)).one()
    if not m:
        return None
    return Result(100.0 * p / m, n)


def _observation_state(item, year) -> Optional[str]:
    """An observation item: final observations in its months -> in progress (done is marked by hand
    or when its due date passes with observations made)."""
    if item.method != "observation":
        return None
    start, end = item_window(item, year)
    n = db.session.scalar(select(func.count(Observation.id)).where(
        Observation.school_id == item.school_id, Observation.status == "final", Observation.is_current.is_(True),
        Observation.observed_on >= start, Observation.observed_on <= end)) or 0
    return "in_progress" if n else None


if observations is not None:
    calculator("lesson_quality")(_lesson_quality)
    DERIVERS.append(_observation_state)


# --- profile sections (class and teacher) ---------------------------------------------------

from flask_babel import lazy_gettext as _l  # noqa: E402

from app.services.monitoring import profiles  # noqa: E402
from app.services.monitoring.labels import fmt  # noqa: E402


def _scope(viewer):
    return achievement.Scope(school_id=viewer.school_id, user_id=viewer.user_id, everything=viewer.everything,
                             teacher="teacher" in viewer.roles, class_teacher="class_teacher" in viewer.roles,
                             ma_head="mo_head" in viewer.roles)


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


def _class_achievement(cls, viewer):
    return _achievement_section(achievement.dynamics(_scope(viewer), class_id=cls.id),
                                _l("The class's present students, followed back into last year's class; only the subjects you may see."))


def _teacher_achievement(teacher, viewer):
    return _achievement_section(achievement.dynamics(_scope(viewer), teacher_id=teacher.id))


def _observation_rows(conds):
    points = func.sum(ObservationScore.score - ObservationScore.min_score)
    maximum = func.sum(ObservationScore.max_score - ObservationScore.min_score)
    from app.models import AcademicYear
    stmt = (select(Term.name, AcademicYear.name, func.count(func.distinct(Observation.id)),
                   cast(100.0 * points / func.nullif(maximum, 0), Float))
            .select_from(ObservationScore).join(Observation, Observation.id == ObservationScore.observation_id)
            .join(Term, and_(Term.school_id == Observation.school_id, Term.kind == "quarter",
                             Observation.observed_on >= Term.starts_on, Observation.observed_on <= Term.ends_on))
            .join(AcademicYear, AcademicYear.id == Term.year_id)
            .where(Observation.status == "final", Observation.is_current.is_(True), Observation.kind == "lesson",
                   ObservationScore.item_kind == "criterion", ObservationScore.score.is_not(None), *conds)
            .group_by(Term.id, Term.name, Term.starts_on, AcademicYear.name).order_by(Term.starts_on))
    return db.session.execute(stmt).all()


def _observation_section(rows):
    if not rows:
        return None
    return profiles.Section(_l("Observed lessons"), [_l("Quarter"), _l("Lessons observed"), _l("Quality, %")],
                            [[f"{name} {year}", n, fmt(pct, "percent")] for name, year, n, pct in rows])


def _class_observations(cls, viewer):
    if not (viewer.everything or "mo_head" in viewer.roles):
        return None  # a class's lessons are many teachers' lessons: shown to managers only
    return _observation_section(_observation_rows([Observation.school_id == viewer.school_id,
                                                   Observation.class_id == cls.id]))


def _teacher_observations(teacher, viewer):
    return _observation_section(_observation_rows([Observation.school_id == viewer.school_id,
                                                   Observation.teacher_id == teacher.id]))


PROFILE_INSTRUMENTS = ["parent_satisfaction", "student_lessons"]


def _satisfaction_rows(school_id: int, class_ids) -> Optional[profiles.Section]:
    """Per campaign (parents' and students' surveys) and class: the index, hidden below the campaign's
    minimum group size."""
    if not class_ids:
        return None
    from app.models import CampaignClass
    targets = db.session.execute(
        select(Campaign, CampaignClass.id, CampaignClass.label)
        .join(CampaignClass, CampaignClass.campaign_id == Campaign.id)
        .join(Instrument, Instrument.id == Campaign.instrument_id)
        .where(Campaign.school_id == school_id, Campaign.status != "draft", CampaignClass.class_id.in_(class_ids),
               Instrument.key.in_(PROFILE_INSTRUMENTS))
        .order_by(Campaign.created_at, CampaignClass.label)).all()
    if not targets:
        return None
    counts = dict(db.session.execute(
        select(Response.target_id, func.count(Response.id))
        .where(Response.target_id.in_([t for _c, t, _l in targets]), Response.status == "complete")
        .group_by(Response.target_id)).all())
    rows = []
    for campaign, target_id, label in targets:
        n = counts.get(target_id, 0)
        if n < max(campaign.min_group_size, 1):
            rows.append([f"{campaign.title} · {label}", n, _l("too few to show")])
            continue
        ranges = scoring.scale_ranges(campaign.instrument.spec)
        means = surveys.scale_means(campaign.id, by_target=True)
        indices = [scoring.index(m, *ranges.get(scale, (1, 5))) for (t, scale), (m, _n) in means.items()
                   if t == target_id]
        indices = [i for i in indices if i is not None]
        rows.append([f"{campaign.title} · {label}", n, fmt(sum(indices) / len(indices)) if indices else "—"])
    return profiles.Section(_l("Parents' and students' satisfaction"), [_l("Survey and class"), _l("Respondents"),
                                                                        _l("Index 0-100")], rows)


def _class_satisfaction(cls, viewer):
    return _satisfaction_rows(viewer.school_id, [cls.id])


def _teacher_satisfaction(teacher, viewer):
    from app.models import TeachingAssignment
    class_ids = db.session.scalars(select(TeachingAssignment.class_id).where(
        TeachingAssignment.teacher_id == teacher.id, TeachingAssignment.school_id == viewer.school_id)).all()
    section = _satisfaction_rows(viewer.school_id, list(set(class_ids)))
    if section is not None:
        section.note = _l("Surveys are anonymous and answered per class: these are the classes this teacher teaches.")
    return section


if achievement is not None:
    profiles.CLASS_SECTIONS.insert(0, _class_achievement)
    profiles.TEACHER_SECTIONS.insert(0, _teacher_achievement)
if observations is not None:
    profiles.CLASS_SECTIONS.insert(1, _class_observations)
    profiles.TEACHER_SECTIONS.insert(1, _teacher_observations)
if surveys is not None:
    profiles.CLASS_SECTIONS.insert(2, _class_satisfaction)
    profiles.TEACHER_SECTIONS.insert(2, _teacher_satisfaction)
