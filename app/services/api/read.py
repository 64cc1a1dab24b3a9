"""What the read API serves, within a token's scope (`tokens.Scope`), through the services the
pages use, so that every figure is the one a page shows:

- schools and academic years of the scope;
- indicator values with target, threshold and status: `district.figures.indicator_rows`
  (the school's own monitoring programme, `monitoring.indicators.evaluate`);
- learning results of term marks (n, n5..n1, absent, pass rate, quality, SOU, mean) by school,
  class, grade or subject: `achievement.metrics.metrics_select` (formulas in its docstring), the
  district's figure from all the marks of the district's schools (`district.results`), never
  an average of percentages; a school token never gets a district figure;
- campaigns (title, questionnaire, audience, status, dates, minimum group; never codes, links or
  salts) and their scale indices as the results page publishes them (`surveys.results.
  scale_indices` under `surveys.disclosure`: nothing while open, only the respondents below
  the minimum group, hidden classes without figures).

No student appears: every figure is an aggregate. `NotFound` is raised for ids and periods
outside the scope (the view answers 404)."""
from __future__ import annotations

from typing import Optional

from sqlalchemy import and_, func, select

from app.extensions import db
from app.models import AcademicYear, Assessment, Campaign, ClassGroup, Instrument, School, Term
from app.services.achievement.metrics import Metrics, metrics_select, run_metrics
from app.services.api.tokens import Scope
from app.services.core.text import is_db_id
from app.services.district import figures, periods, results
from app.services.surveys import disclosure
from app.services.surveys import results as survey_results

GROUPINGS = ("school", "class", "grade", "subject")


class NotFound(LookupError):
    """An id or a period outside the token's scope, or one that does not exist."""


def schools(scope: Scope, school_id: Optional[int] = None) -> list[School]:
    """The scope's schools by name, or the one asked for (NotFound when it is not in the scope)."""
    if school_id is not None:
        if not scope.has(school_id):
            raise NotFound
        return [db.session.get(School, school_id)]
    if not scope.school_ids:
        return []
    return list(db.session.scalars(select(School).where(School.id.in_(scope.school_ids))
                                   .order_by(School.name, School.id)))


def years(scope: Scope, school_id: Optional[int] = None) -> list[AcademicYear]:
    """The academic years of the scope's schools (or one school), newest first."""
    ids = [s.id for s in schools(scope, school_id)]
    if not ids:
        return []
    return list(db.session.scalars(select(AcademicYear).where(AcademicYear.school_id.in_(ids))
                                   .order_by(AcademicYear.name.desc(), AcademicYear.school_id)))


def period(ids: list[int], year: Optional[str], term: Optional[str], with_term: bool = True):
    """(year name, TermSpec or None) of the request: the defaults of the district pages
    (`district.periods`); NotFound for a year or term none of the schools has."""
    names = periods.year_names(ids)
    year_name = year or periods.default_year(ids)
    if year and year not in names:
        raise NotFound
    if not with_term:
        return year_name, None
    spec = periods.TermSpec.parse(term) if term else periods.default_term(ids, year_name)
    if term and spec not in periods.terms(ids, year_name):
        raise NotFound
    return year_name, spec


def indicators(scope: Scope, school_id: Optional[int], year: Optional[str], lang: str) -> tuple[str, list[dict]]:
    """(year name, [{school_id, key, name, direction, unit, value, n, target, threshold,
    status, basis}]) for every catalogue indicator of each school's year of that name."""
    chosen = schools(scope, school_id)
    year_name, _spec = period([s.id for s in chosen], year, None, with_term=False)
    if not year_name:
        return year_name, []
    keys = [item["key"] for item in figures.catalogue()]
    rows = figures.indicator_rows(chosen, {s.id: periods.school_year(s.id, year_name) for s in chosen}, keys)
    out = []
    for school in chosen:
        for key in keys:
            row = rows[key].get(school.id)
            if row is None:
                continue
            indicator = row.indicator
            out.append({"school_id": school.id, "key": key,
                        "name": getattr(indicator, f"name_{lang}", None) or indicator.name_ru,
                        "direction": indicator.direction, "unit": indicator.unit, "good": indicator.good,
                        "value": row.value, "n": row.n, "target": row.target, "threshold": row.threshold,
                        "status": row.status, "basis": row.basis})
    return year_name, out


def _figures(m: Optional[Metrics]) -> dict:
    if m is None:
        return {"n": 0, "n5": 0, "n4": 0, "n3": 0, "n2": 0, "n1": 0, "absent": 0, "pass_rate": None,
                "quality": None, "sou": None, "mean": None}
    return m.rounded()


def _by_class(school_ids: list[int], year_name: str, spec: periods.TermSpec) -> list[Metrics]:
    keys = {"school_id": Assessment.school_id, "grade": ClassGroup.grade, "letter": ClassGroup.letter,
            "class_id": ClassGroup.id}
    where = (Assessment.school_id.in_(school_ids), Assessment.kind == "term", Term.kind == spec.kind,
             Term.number == spec.number, AcademicYear.name == year_name)
    joins = [(Term, Term.id == Assessment.term_id),
             (AcademicYear, and_(AcademicYear.id == Term.year_id, AcademicYear.school_id == Assessment.school_id)),
             (ClassGroup, ClassGroup.id == Assessment.class_id)]
    return run_metrics(metrics_select(keys, *where, schools=school_ids, joins=joins, order_by=("school_id", "grade", "letter", "class_id")), keys)


def learning_results(scope: Scope, school_id: Optional[int], year: Optional[str], term: Optional[str],
                     by: str) -> tuple[str, Optional[periods.TermSpec], list[dict]]:
    """(year name, term, rows): one row per school (school_id) and group of `by` (GROUPINGS),
    first the district's rows (school_id None) when a district token asks for all its schools.
    Each row: school_id, group (None | class name | grade | subject name), class_id (by class),
    n, n5..n1, absent, pass_rate, quality, sou (percent, 1 decimal), mean (2 decimals)."""
    chosen = schools(scope, school_id)
    ids = [s.id for s in chosen]
    year_name, spec = period(ids, year, term)
    if not year_name or spec is None:
        return year_name, spec, []
    out: list[dict] = []
    if by == "class":
        for m in _by_class(ids, year_name, spec):
            out.append({"school_id": m.keys["school_id"], "group": f"{m.keys['grade']}-{m.keys['letter']}", "class_id": m.keys["class_id"],
                        "grade": m.keys["grade"], **_figures(m)})
        return year_name, spec, out
    with_district = scope.kind == "district" and school_id is None
    tables = results.learning_results(ids, year_name, spec)["total" if by == "school" else by]
    for table in tables:
        if with_district:
            out.append({"school_id": None, "group": table.key, **_figures(table.district and table.district.metrics)})
    for school in chosen:
        for table in tables:
            figure = table.schools.get(school.id)
            out.append({"school_id": school.id, "group": table.key, **_figures(figure and figure.metrics)})
    return year_name, spec, out


def campaigns(scope: Scope, school_id: Optional[int], year: Optional[str], limit: int,
              offset: int) -> tuple[int, list[dict]]:
    """(how many, one page of) the scope's campaigns that are not drafts, newest first: id,
    school_id, title, questionnaire (key), audience, status, opens_on, closes_on, year,
    min_group_size, released (closed: figures may be shown, disclosure rule 4) and respondents
    (as the results page shows them: their number is never withheld, only figures are)."""
    ids = [s.id for s in schools(scope, school_id)]
    if not ids:
        return 0, []
    stmt = (select(Campaign, Instrument.key, AcademicYear.name)
            .join(Instrument, Instrument.id == Campaign.instrument_id)
            .outerjoin(AcademicYear, AcademicYear.id == Campaign.year_id)
            .where(Campaign.school_id.in_(ids), Campaign.status != "draft"))
    if year:
        stmt = stmt.where(AcademicYear.name == year)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    stmt = stmt.order_by(Campaign.created_at.desc(), Campaign.id.desc()).limit(limit).offset(offset)
    return total, [_campaign(c, key, name) for c, key, name in db.session.execute(stmt).all()]


def _campaign(c: Campaign, instrument_key: str, year_name: Optional[str]) -> dict:
    return {"id": c.id, "school_id": c.school_id, "title": c.title, "questionnaire": instrument_key,
            "audience": c.audience, "status": c.status, "opens_on": c.opens_on, "closes_on": c.closes_on,
            "year": year_name, "min_group_size": c.min_group_size,
            "released": disclosure.released(c), "respondents": survey_results.respondents_of(c.id)}


def survey_indices(scope: Scope, campaign_id: int) -> dict:
    """One campaign of the scope with its scale indices (0-100) overall and per class, as the
    results page publishes them; NotFound for a campaign outside the scope or a draft."""
    campaign = db.session.get(Campaign, campaign_id) if is_db_id(campaign_id) else None
    if campaign is None or not scope.has(campaign.school_id) or campaign.status == "draft":
        raise NotFound
    year_name = db.session.scalar(select(AcademicYear.name).where(AcademicYear.id == campaign.year_id)) \
        if campaign.year_id else None
    out = _campaign(campaign, campaign.instrument.key, year_name)
    scales, classes = survey_results.scale_indices(campaign)
    shown = out["released"] and not disclosure.below_minimum(out["respondents"], campaign.min_group_size)
    out["shown"] = shown
    out["scales"] = [{"key": key, "index": _r(s["index"]), "mean": _r(s["mean"], 2), "n": s["n"]}
                     for key, s in scales.items()]
    out["classes"] = [{"label": c["label"], "suppressed": c["suppressed"], "responses": c["responses"],
                       "expected": c["expected"], "rate": _r(c["rate"]), "rate_over": bool(c["rate_over"]),
                       "scales": [{"key": key, "index": _r(value)} for key, value in c["scales"].items()]}
                      for c in classes]
    return out


def _r(value, digits: int = 1):
    return None if value is None else round(float(value), digits)
