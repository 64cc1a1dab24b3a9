"""Learning results of the district's schools side by side: pass rate, quality of knowledge,
SOU and mean mark per school, by grade and by subject, and for the whole district, computed in
SQL from every term mark of the period (one scan, per school x grade x subject, summed up) with the achievement domain's formulas
(achievement.metrics.metrics_select), never by averaging schools' percentages. Subjects are
matched across schools by name. Each school's figure carries its n and, against the district's,
a flag from `stats` (above, below, or within noise). Schools of other installations (their
imported packages' counts, `imported`) stand beside the hosted ones and count in the district's
figure, which is computed from the summed counts."""
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import and_

from app.models import AcademicYear, Assessment, ClassGroup, Subject, Term
from app.services.achievement.metrics import COUNT_FIELDS, Metrics, from_counts, metrics_select, rollup, run_metrics
from app.services.district import imported, stats
from app.services.district.periods import TermSpec

FIGURES = ("pass_rate", "quality", "sou", "mean")


@dataclass
class Figure:
    """One school's (or the district's) learning results with each figure's interval and flag."""

    metrics: Metrics
    intervals: dict[str, Optional[stats.Interval]] = field(default_factory=dict)
    flags: dict[str, str] = field(default_factory=dict)


def _intervals(m: Metrics) -> dict[str, Optional[stats.Interval]]:
    counts = {5: m.n5, 4: m.n4, 3: m.n3, 2: m.n2, 1: m.n1}
    return {"pass_rate": stats.wilson(m.n5 + m.n4 + m.n3, m.n), "quality": stats.wilson(m.n5 + m.n4, m.n),
            "sou": stats.mean_interval(counts, stats.SOU_POINTS), "mean": stats.mean_interval(counts, stats.MARK_POINTS)}


def figure(m: Optional[Metrics], reference: Optional[Metrics] = None) -> Optional[Figure]:
    if m is None:
        return None
    intervals = _intervals(m)
    flags = {}
    for name in FIGURES:
        interval = intervals[name]
        value = getattr(reference, name) if reference is not None else None
        flags[name] = interval.compare(value) if interval is not None and reference is not None else "noise"
    return Figure(m, intervals, flags)


def _where(school_ids: list[int], year_name: str, spec: TermSpec):
    return (Assessment.school_id.in_(school_ids), Assessment.kind == "term", Term.kind == spec.kind,
            Term.number == spec.number, AcademicYear.name == year_name)


def _joins(*more):
    return [(Term, Term.id == Assessment.term_id),
            (AcademicYear, and_(AcademicYear.id == Term.year_id, AcademicYear.school_id == Assessment.school_id)),
            *more]


GROUPINGS = ("grade", "subject")  # the tables after the total, each by school


def _finest(school_ids, year_name, spec) -> list[Metrics]:
    """Counts per school x grade x subject name: one scan of the period's term marks, from which
    `rollup` sums every coarser grouping exactly (never by averaging percentages)."""
    keys = {"school_id": Assessment.school_id, "grade": ClassGroup.grade, "subject": Subject.name}
    joins = _joins((ClassGroup, ClassGroup.id == Assessment.class_id), (Subject, Subject.id == Assessment.subject_id))
    return run_metrics(metrics_select(keys, *_where(school_ids, year_name, spec), schools=school_ids, joins=joins), keys)


@dataclass
class Table:
    """Rows of a grouping (None: the whole period; a grade; a subject's name): the district's
    figure and each school's."""

    key: object
    district: Optional[Figure]
    schools: dict[int, Optional[Figure]]
    remote: dict[int, Optional[Figure]] = field(default_factory=dict)  # remote school id -> its figure


def _merged(a: Optional[Metrics], b: Optional[Metrics]) -> Optional[Metrics]:
    """The figures of two groups together, from their summed counts."""
    if a is None or b is None:
        return a or b
    return from_counts(a.keys, *(getattr(a, name) + getattr(b, name) for name in COUNT_FIELDS))


def learning_results(school_ids: list[int], year_name: Optional[str], spec: Optional[TermSpec],
                     remote_ids: tuple[int, ...] = ()) -> dict[str, list[Table]]:
    """{"total": [Table], "grade": [Table by grade], "subject": [Table by subject name]}; the
    schools hosted here (`school_ids`) and the remote schools with a package (`remote_ids`)."""
    out: dict[str, list[Table]] = {"total": [], "grade": [], "subject": []}
    if not (school_ids or remote_ids) or not year_name or spec is None:
        return out
    remote_ids = list(remote_ids)
    finest = _finest(school_ids, year_name, spec) if school_ids else []
    local = rollup(finest)
    total = _merged(next(iter(local), None), next(iter(imported.result_counts(remote_ids, year_name, spec, ())), None))
    per_school = {m.keys["school_id"]: m for m in rollup(finest, "school_id")}
    per_remote = {m.remote_id: m for m in imported.result_counts(remote_ids, year_name, spec, ("remote_id",))}
    out["total"].append(Table(None, figure(total), {sid: figure(per_school.get(sid), total) for sid in school_ids},
                              {rid: figure(per_remote.get(rid), total) for rid in remote_ids}))
    for name in GROUPINGS:
        whole = {m.keys[name]: m for m in rollup(finest, name)}
        for m in imported.result_counts(remote_ids, year_name, spec, (name,)):
            whole[m.keys[name]] = _merged(whole.get(m.keys[name]), m)
        parts = {(m.keys["school_id"], m.keys[name]): m for m in rollup(finest, "school_id", name)}
        remote_parts = {(m.remote_id, m.keys[name]): m
                        for m in imported.result_counts(remote_ids, year_name, spec, ("remote_id", name))}
        for key in sorted(whole):
            ref = whole[key]
            out[name].append(Table(key, figure(ref), {sid: figure(parts.get((sid, key)), ref) for sid in school_ids},
                                   {rid: figure(remote_parts.get((rid, key)), ref) for rid in remote_ids}))
    return out
