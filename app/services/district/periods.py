"""The period a district page shows: every school keeps its own academic years and terms, so a
district compares the years of one name ("2026-2027") and, in them, the terms of one kind and
number (quarter 2)."""
from collections import Counter
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import func, select

from app.extensions import db
from app.models import AcademicYear, Assessment, Term
from app.models.school import TERM_KINDS, term_label
from app.services.core.text import whole


@dataclass(frozen=True)
class TermSpec:
    kind: str
    number: int

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.number}"

    @property
    def label(self) -> str:
        return term_label(self.kind, self.number)

    @classmethod
    def parse(cls, raw: Optional[str]) -> Optional["TermSpec"]:
        kind, _, number = (raw or "").partition("-")
        n = whole(number)
        if kind in TERM_KINDS and n is not None and 0 < n < 100:
            return cls(kind, n)
        return None


def year_names(school_ids: list[int]) -> list[str]:
    """The names of the schools' years, newest first."""
    if not school_ids:
        return []
    return sorted(set(db.session.scalars(select(AcademicYear.name).where(AcademicYear.school_id.in_(school_ids)))),
                  reverse=True)


def default_year(school_ids: list[int]) -> Optional[str]:
    """The current year of most schools (ties: the newest), else the newest year."""
    current = Counter(db.session.scalars(select(AcademicYear.name).where(
        AcademicYear.school_id.in_(school_ids), AcademicYear.is_current.is_(True)))) if school_ids else Counter()
    if current:
        return max(current, key=lambda name: (current[name], name))
    names = year_names(school_ids)
    return names[0] if names else None


def terms(school_ids: list[int], year_name: Optional[str]) -> list[TermSpec]:
    if not school_ids or not year_name:
        return []
    rows = db.session.execute(select(Term.kind, Term.number).distinct().join(AcademicYear, AcademicYear.id == Term.year_id)
                              .where(Term.school_id.in_(school_ids), AcademicYear.name == year_name)).all()
    return sorted((TermSpec(k, n) for k, n in rows), key=lambda t: (TERM_KINDS.index(t.kind), t.number))


def default_term(school_ids: list[int], year_name: Optional[str]) -> Optional[TermSpec]:
    """The latest term of the year that has term marks in any of the schools, else the first."""
    if not school_ids or not year_name:
        return None
    row = db.session.execute(
        select(Term.kind, Term.number).join(AcademicYear, AcademicYear.id == Term.year_id)
        .join(Assessment, Assessment.term_id == Term.id)
        .where(Term.school_id.in_(school_ids), AcademicYear.name == year_name, Assessment.kind == "term")
        .group_by(Term.kind, Term.number).order_by(func.max(Term.ends_on).desc()).limit(1)).first()
    if row:
        return TermSpec(row[0], row[1])
    found = terms(school_ids, year_name)
    return found[0] if found else None


def school_year(school_id: int, year_name: str) -> Optional[AcademicYear]:
    return db.session.scalar(select(AcademicYear).where(AcademicYear.school_id == school_id,
                                                        AcademicYear.name == year_name))


def school_term(school_id: int, year_name: str, spec: TermSpec) -> Optional[Term]:
    return db.session.scalar(select(Term).join(AcademicYear, AcademicYear.id == Term.year_id).where(
        Term.school_id == school_id, AcademicYear.name == year_name, Term.kind == spec.kind,
        Term.number == spec.number))
