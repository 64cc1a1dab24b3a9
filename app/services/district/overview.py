"""The district's figures of a year gathered once, as plain JSON-safe data: what the district
workbook (workbook.py) writes and what the district report (report.py) prints and freezes.

Shape of `collect(...)`:

    {"district": name, "year": "2026-2027", "term": "quarter-1" or None, "term_label": str,
     "schools": [{"id", "name", "name_ru", "code"}],
     "learning": {"district": M or None, "schools": [M or None per school]},
         M = {"n", "pass_rate", "quality", "sou", "mean"} (n: marks; rates in %, mean in marks)
     "directions": {"1": [{"key", "name": {ky, ru, en}, "unit", "district": V, "schools": [V per school]}], ...},
         V = {"value", "n"} (None values: no figure or withheld by the school's own rules)
     "campaigns": [{"id", "title", "status", "scales": [{"key", "title": {ky, ru, en}}],
                    "district": C, "schools": [C or None per school]}],
         C = {"respondents", "withheld", "index", "scales": {key: [index, n]}}}

Learning figures come from every mark of the district (results.learning_results); an
indicator's district value pools the schools' values by their n: sum(value x n) / sum(n), which
is the pooled figure exactly when n is the figure's base (the marks of a pass rate, the
respondents of an index); counts and flags are summed. A school whose value the school's own
rules withhold adds nothing to the district's value, so the district row never holds it.
"""
from typing import Optional

from app.models import District
from app.services.district import access, campaigns, figures, periods, results
from app.services.district.periods import TermSpec

SUMMED_UNITS = ("count", "flag")


def _metrics(figure) -> Optional[dict]:
    if figure is None or not figure.metrics.n:
        return None
    m = figure.metrics
    return {"n": m.n, "pass_rate": m.pass_rate, "quality": m.quality, "sou": m.sou, "mean": m.mean}


def pooled(unit: str, values: list[dict]) -> dict:
    """The district's value of an indicator from the schools' {"value", "n"} (see the module)."""
    shown = [v for v in values if v and v["value"] is not None]
    if not shown:
        return {"value": None, "n": None}
    if unit in SUMMED_UNITS:
        return {"value": sum(v["value"] for v in shown), "n": len(shown)}
    based = [v for v in shown if v["n"]]
    total = sum(v["n"] for v in based)
    if not total:
        return {"value": None, "n": None}
    return {"value": sum(v["value"] * v["n"] for v in based) / total, "n": total}


def _campaign(dc, school_ids: list[int]) -> dict:
    data = campaigns.results(dc)
    by_school = {school.id: figure for school, _part, figure in data.schools}

    def one(f):
        if f is None:
            return None
        return {"respondents": f.respondents, "withheld": f.withheld, "index": f.index,
                "scales": {k: list(v) for k, v in f.scales.items()}}
    return {"id": dc.id, "title": dc.title, "status": dc.status,
            "scales": [{"key": key, "title": {lang: title.pick(lang) for lang in ("ky", "ru", "en")}}
                       for key, title in data.scales],
            "district": one(data.district), "schools": [one(by_school.get(sid)) for sid in school_ids]}


def year_campaigns(district_id: int, year_name: str) -> list:
    """The district's campaigns with a part in a school year of this name."""
    return [dc for dc in campaigns.campaigns_of(district_id)
            if any(p.year is not None and p.year.name == year_name for p in dc.parts)]


def collect(district: District, year_name: Optional[str], term: Optional[TermSpec]) -> dict:
    schools = access.schools(district.id)
    ids = [s.id for s in schools]
    out = {"district": district.name, "district_ru": district.name_ru, "year": year_name,
           "term": term.key if term else None, "term_label": str(term.label) if term else "",
           "schools": [{"id": s.id, "name": s.name, "name_ru": s.name_ru, "code": s.code} for s in schools],
           "learning": {"district": None, "schools": [None] * len(ids)}, "directions": {}, "campaigns": []}
    if not year_name:
        return out
    tables = results.learning_results(ids, year_name, term)
    if tables["total"]:
        total = tables["total"][0]
        out["learning"] = {"district": _metrics(total.district),
                           "schools": [_metrics(total.schools.get(sid)) for sid in ids]}
    years = {s.id: periods.school_year(s.id, year_name) for s in schools}
    items = figures.catalogue()
    rows = figures.indicator_rows(schools, years, [i["key"] for i in items])
    for item in items:
        per_school = []
        for sid in ids:
            row = rows[item["key"]].get(sid)
            per_school.append({"value": row.value, "n": row.n} if row is not None else {"value": None, "n": None})
        out["directions"].setdefault(str(item["direction"]), []).append(
            {"key": item["key"], "name": dict(item["name"]), "unit": item["unit"],
             "district": pooled(item["unit"], per_school), "schools": per_school})
    out["campaigns"] = [_campaign(dc, ids) for dc in year_campaigns(district.id, year_name)]
    return out
