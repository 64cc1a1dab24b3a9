"""Learning results: the standard indicators on the 5-point scale, in SQL.

Every indicator is computed in SQL from the marks themselves (never by averaging
percentages), for any grouping:

    n       students with a mark (absent pupils are counted apart)
    pass    (n5 + n4 + n3) / n * 100            успеваемость / үлгүрүү
    quality (n5 + n4) / n * 100                 качество знаний / билим сапаты
    SOU     (100 n5 + 64 n4 + 36 n3 + 16 n2 + 7 n1) / n    степень обученности (Симонов)
    mean    the mean mark

With n = 0 the ratios are NULL (shown as a dash), never a division by zero. What a principal
sees is limited by access.visible; the pages' summaries and analyses are in analysis.py, the
marks grid in grid.py.
"""
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional, Union

from sqlalchemy import Float, Integer, and_, case, cast, func, literal_column, null, select, union_all

from app.extensions import db
from app.models import Assessment, ClassGroup, Mark, Subject, TeachingAssignment
from app.models.achievement import INTERNAL_KINDS
from app.security import Principal
from app.services.achievement.access import visible

METRIC_FIELDS = ("n", "n5", "n4", "n3", "n2", "n1", "absent", "pass_rate", "quality", "sou", "mean")


# --- metrics in SQL --------------------------------------------------------------------

@dataclass
class Metrics:
    keys: dict[str, Any]
    n: int = 0
    n5: int = 0
    n4: int = 0
    n3: int = 0
    n2: int = 0
    n1: int = 0
    absent: int = 0
    pass_rate: Optional[float] = None
    quality: Optional[float] = None
    sou: Optional[float] = None
    mean: Optional[float] = None

    def __getattr__(self, name):  # keys read like attributes: row.class_id
        keys = self.__dict__.get("keys", {})
        if name in keys:
            return keys[name]
        raise AttributeError(name)

    def rounded(self) -> dict[str, Any]:
        """The figures as shown on screen and written to workbooks."""
        return {
            "n": self.n, "n5": self.n5, "n4": self.n4, "n3": self.n3, "n2": self.n2, "n1": self.n1,
            "absent": self.absent,
            "pass_rate": _round(self.pass_rate, 1), "quality": _round(self.quality, 1),
            "sou": _round(self.sou, 1), "mean": _round(self.mean, 2),
        }


COUNT_FIELDS = ("n", "n5", "n4", "n3", "n2", "n1", "absent")


def from_counts(keys: dict[str, Any], n: int, n5: int, n4: int, n3: int, n2: int, n1: int,
                absent: int) -> Metrics:
    """The indicators of a group from its counts, with metrics_select's formulas: marks are
    1..5 (a CHECK constraint), so the mean is the counts' weighted sum over n."""
    m = Metrics(keys, n, n5, n4, n3, n2, n1, absent)
    if n:
        m.pass_rate = 100 * (n5 + n4 + n3) / n
        m.quality = 100 * (n5 + n4) / n
        m.sou = (100 * n5 + 64 * n4 + 36 * n3 + 16 * n2 + 7 * n1) / n
        m.mean = (5 * n5 + 4 * n4 + 3 * n3 + 2 * n2 + n1) / n
    return m


def rollup(rows: Iterable[Metrics], *names: str,
           groups_of: Optional[Callable[[Metrics], Iterable[tuple]]] = None) -> list[Metrics]:
    """Coarser groups from finer ones (e.g. class x subject -> class) by summing their exact
    counts, never by averaging percentages: every figure equals the one SQL computes from
    the marks of the coarser group. Saves a scan of the marks per grouping.

    A row's group is its own values of `names`, or the tuples `groups_of(row)` gives (none,
    one, or several: a class and subject taught by two teachers counts for both)."""
    sums: dict[tuple, list[int]] = {}
    for m in rows:
        keys = groups_of(m) if groups_of else (tuple(m.keys[name] for name in names),)
        counts = [getattr(m, field_name) for field_name in COUNT_FIELDS]
        for key in keys:
            total = sums.get(key)
            if total is None:
                sums[key] = list(counts)
            else:
                for index, count in enumerate(counts):
                    total[index] += count
    return [from_counts(dict(zip(names, key)), *counts) for key, counts in sums.items()]


def _round(value, digits):
    return None if value is None else round(float(value) + 0.0, digits)


def _count_columns(value, absent):
    def count(v):
        return func.coalesce(func.sum(case((value == v, 1), else_=0)), 0)

    return [
        func.count(value).label("n"), count(5).label("n5"), count(4).label("n4"), count(3).label("n3"),
        count(2).label("n2"), count(1).label("n1"),
        func.coalesce(func.sum(case((absent.is_(True), 1), else_=0)), 0).label("absent"),
        cast(func.avg(value), Float).label("mean"),
    ]


def metrics_select(keys: dict[str, Any], *where, schools: Union[int, Iterable[int]], joins: Iterable = (),
                   order_by: Iterable = ()):
    """SELECT keys..., n, n5..n1, absent, pass_rate, quality, sou, mean FROM mark JOIN assessment
    WHERE ... GROUP BY keys. `joins` are (target, onclause) pairs joined after assessment.

    `schools` (a school id, or the ids of a district's schools) is required and bound here, on
    assessment.school_id, so that no figure can count another school's marks by a forgotten
    condition. (mark.school_id is left to the callers whose plans need it, analysis.dynamics: bound
    everywhere, it can lead a planner to read a whole school's marks by that index instead of one
    term's assessments.)"""
    ids = [schools] if isinstance(schools, int) else list(schools)
    where = (*where, Assessment.school_id.in_(ids))
    columns = [col.label(name) for name, col in keys.items()]
    inner = select(*columns, *_count_columns(Mark.value, Mark.absent)).select_from(Mark).join(
        Assessment, Mark.assessment_id == Assessment.id)
    for target, onclause in joins:
        inner = inner.join(target, onclause)
    inner = inner.where(*where)
    if keys:
        inner = inner.group_by(*keys.values())
    sub = inner.subquery()
    c = sub.c
    n = func.nullif(c.n, 0)
    stmt = select(
        *[c[name] for name in keys], c.n, c.n5, c.n4, c.n3, c.n2, c.n1, c.absent,
        (cast(100 * (c.n5 + c.n4 + c.n3), Float) / n).label("pass_rate"),
        (cast(100 * (c.n5 + c.n4), Float) / n).label("quality"),
        (cast(100 * c.n5 + 64 * c.n4 + 36 * c.n3 + 16 * c.n2 + 7 * c.n1, Float) / n).label("sou"),
        c.mean,
    )
    order = [c[name] for name in order_by] if order_by else [c[name] for name in keys]
    return stmt.order_by(*order)


def run_metrics(stmt, keys: Iterable[str]) -> list[Metrics]:
    keys = list(keys)
    out = []
    for row in db.session.execute(stmt).mappings():
        m = Metrics(keys={k: row[k] for k in keys})
        for name in METRIC_FIELDS:
            value = row[name]
            if name in ("pass_rate", "quality", "sou", "mean"):
                value = None if value is None else float(value)
            else:
                value = int(value or 0)
            setattr(m, name, value)
        out.append(m)
    return out


# The groupings of the term-mark indicators; each maps a name to (keys, joins).
def teacher_join():
    return (TeachingAssignment, and_(TeachingAssignment.class_id == Assessment.class_id,
                                      TeachingAssignment.subject_id == Assessment.subject_id))


GROUPINGS = {
    "class_subject": lambda: ({"class_id": Assessment.class_id, "subject_id": Assessment.subject_id}, []),
    "class": lambda: ({"class_id": Assessment.class_id}, []),
    "grade": lambda: ({"grade": ClassGroup.grade}, [(ClassGroup, ClassGroup.id == Assessment.class_id)]),
    "ma": lambda: ({"ma_id": Subject.ma_id}, [(Subject, Subject.id == Assessment.subject_id)]),
    "subject": lambda: ({"subject_id": Assessment.subject_id}, []),
    "teacher": lambda: ({"teacher_id": TeachingAssignment.teacher_id}, [teacher_join()]),
    "school": lambda: ({}, []),
}


def term_metrics(principal: Principal, term_id: int, grouping: str, kinds=("term",)) -> list[Metrics]:
    """Indicators of a term's marks of the given kinds (term marks by default), grouped."""
    keys, joins = GROUPINGS[grouping]()
    stmt = metrics_select(
        keys, Assessment.term_id == term_id, Assessment.kind.in_(kinds),
        visible(principal, Assessment.class_id, Assessment.subject_id), schools=principal.school_id, joins=joins)
    return run_metrics(stmt, keys)


def assessment_metrics(school_id: int, assessment_ids: list[int]) -> dict[int, Metrics]:
    if not assessment_ids:
        return {}
    keys = {"assessment_id": Assessment.id}
    stmt = metrics_select(keys, Assessment.id.in_(assessment_ids), schools=school_id)
    return {m.assessment_id: m for m in run_metrics(stmt, keys)}


def all_metrics(school_id: int) -> dict[str, list[Metrics]]:
    """Every indicator of the school in one SQL statement: per assessment, and for every term
    per class x subject, class, grade, MA, subject, teacher and the whole school (term marks).

    The marks are counted once per assessment (the covering index ix_mark_metrics answers
    this without touching the table); class x subject x term counts sum those, and the
    roll-ups sum the class x subject counts. Sums of exact counts, never averages of
    percentages: every figure equals the one computed from the marks directly."""
    count_names = ("n", "n5", "n4", "n3", "n2", "n1", "absent", "total")

    hist = (select(Mark.assessment_id.label("aid"), Mark.value.label("value"), Mark.absent.label("absent"),
                   cast(func.count(), Integer).label("c"))
            .where(Mark.assessment_id.in_(select(Assessment.id).where(Assessment.school_id == school_id)))
            .group_by(Mark.assessment_id, Mark.value, Mark.absent).cte("hist"))
    hc = hist.c

    def count(v):
        return func.sum(case((hc.value == v, hc.c), else_=0))

    per_assessment = (
        select(hc.aid.label("aid"), func.sum(case((hc.value.is_not(None), hc.c), else_=0)).label("n"),
               count(5).label("n5"), count(4).label("n4"), count(3).label("n3"), count(2).label("n2"),
               count(1).label("n1"), func.sum(case((hc.absent.is_(True), hc.c), else_=0)).label("absent"),
               func.sum(func.coalesce(hc.value, 0) * hc.c).label("total"))
        .group_by(hc.aid).cte("per_assessment"))
    pa = per_assessment.c
    per_class_subject = (
        select(Assessment.term_id.label("term_id"), Assessment.class_id.label("class_id"),
               Assessment.subject_id.label("subject_id"), *[func.sum(pa[c]).label(c) for c in count_names])
        .select_from(per_assessment).join(Assessment, Assessment.id == pa.aid).where(Assessment.kind == "term")
        .group_by(Assessment.term_id, Assessment.class_id, Assessment.subject_id).cte("per_class_subject"))
    cs = per_class_subject.c

    def level(name, key_cols, *joins, source=per_class_subject, cols=cs):
        padded = list(key_cols) + [None] * (3 - len(key_cols))
        stmt = select(literal_column(f"'{name}'").label("level"),
                      *[(col if col is not None else null()).label(f"k{i}") for i, col in enumerate(padded)],
                      *[func.sum(cols[c]).label(c) for c in count_names]).select_from(source)
        for target, onclause in joins:
            stmt = stmt.join(target, onclause)
        return stmt.group_by(*key_cols)

    assessment_level = (
        select(literal_column("'assessment'").label("level"), pa.aid.label("k0"), null().label("k1"),
               null().label("k2"), *[pa[c] for c in count_names])
        .select_from(per_assessment).join(Assessment, Assessment.id == pa.aid)
        .where(Assessment.kind.in_(INTERNAL_KINDS)))
    parts = [
        assessment_level,
        level("class_subject", [cs.term_id, cs.class_id, cs.subject_id]),
        level("class", [cs.term_id, cs.class_id]),
        level("grade", [cs.term_id, ClassGroup.grade], (ClassGroup, ClassGroup.id == cs.class_id)),
        level("ma", [cs.term_id, Subject.ma_id], (Subject, Subject.id == cs.subject_id)),
        level("subject", [cs.term_id, cs.subject_id]),
        level("teacher", [cs.term_id, TeachingAssignment.teacher_id],
              (TeachingAssignment, and_(TeachingAssignment.class_id == cs.class_id,
                                        TeachingAssignment.subject_id == cs.subject_id))),
        level("school", [cs.term_id]),
    ]
    u = union_all(*parts).subquery()
    n = func.nullif(u.c.n, 0)
    stmt = select(
        u.c.level, u.c.k0, u.c.k1, u.c.k2,
        *[cast(u.c[c], Integer) for c in ("n", "n5", "n4", "n3", "n2", "n1", "absent")],
        (cast(100 * (u.c.n5 + u.c.n4 + u.c.n3), Float) / n).label("pass_rate"),
        (cast(100 * (u.c.n5 + u.c.n4), Float) / n).label("quality"),
        (cast(100 * u.c.n5 + 64 * u.c.n4 + 36 * u.c.n3 + 16 * u.c.n2 + 7 * u.c.n1, Float) / n).label("sou"),
        (cast(u.c.total, Float) / n).label("mean"),
    )
    names_of = {"assessment": ("assessment_id",), "class_subject": ("term_id", "class_id", "subject_id"),
                "class": ("term_id", "class_id"), "grade": ("term_id", "grade"), "ma": ("term_id", "ma_id"),
                "subject": ("term_id", "subject_id"), "teacher": ("term_id", "teacher_id"), "school": ("term_id",)}
    out: dict[str, list[Metrics]] = {name: [] for name in names_of}
    for row in db.session.execute(stmt):
        name = row[0]
        keys = names_of[name]
        out[name].append(Metrics(dict(zip(keys, row[1:4])), *row[4:]))
    return out


def python_metrics(rows: Iterable[tuple]) -> dict:
    """The baseline: the same counts by a plain Python loop over (group key, value, absent) rows,
    and the indicators from them with from_counts."""
    groups: dict = {}
    for key, value, absent in rows:
        g = groups.get(key)
        if g is None:
            g = groups[key] = [0, 0, 0, 0, 0, 0, 0]  # n, n1..n5, absent
        if absent:
            g[6] += 1
        if value is not None:
            g[0] += 1
            g[value] += 1
    out = {}
    for key, (n, n1, n2, n3, n4, n5, absent) in groups.items():
        m = from_counts({}, n, n5, n4, n3, n2, n1, absent)
        out[key] = {name: getattr(m, name) for name in ("n", "absent", "pass_rate", "quality", "sou", "mean")}
    return out
