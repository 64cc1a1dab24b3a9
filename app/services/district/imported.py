"""The figures of schools of other installations, as their imported packages carry them, for the
district pages: which schools sent a package for a year, their term-mark counts summed in SQL by
any grouping (turned into figures with achievement.metrics.from_counts, the formulas of the
school's own pages), and their indicators and survey indices as sent."""
from typing import Optional

from sqlalchemy import func, select

from app.extensions import db
from app.models.district import PackageResult, RemoteSchool, SchoolPackage
from app.services.achievement.metrics import COUNT_FIELDS, Metrics, from_counts
from app.services.district.periods import TermSpec

GROUP_COLUMNS = {"remote_id": SchoolPackage.remote_school_id, "grade": PackageResult.grade,
                 "subject": PackageResult.subject}


def registered(district_id: int) -> list[RemoteSchool]:
    return list(db.session.scalars(select(RemoteSchool).where(RemoteSchool.district_id == district_id)
                                   .order_by(RemoteSchool.name, RemoteSchool.id)))


def packages(district_id: int) -> list:
    """Every imported package of the district with its school, by school then newest year."""
    return list(db.session.execute(
        select(RemoteSchool, SchoolPackage).join(SchoolPackage, SchoolPackage.remote_school_id == RemoteSchool.id)
        .where(RemoteSchool.district_id == district_id)
        .order_by(RemoteSchool.name, RemoteSchool.id, SchoolPackage.year_name.desc())).all())


def schools(district_id: Optional[int], year_name: Optional[str]) -> list[RemoteSchool]:
    """The remote schools with a package for the year."""
    if district_id is None or not year_name:
        return []
    return list(db.session.scalars(
        select(RemoteSchool).join(SchoolPackage, SchoolPackage.remote_school_id == RemoteSchool.id)
        .where(RemoteSchool.district_id == district_id, SchoolPackage.year_name == year_name)
        .order_by(RemoteSchool.name, RemoteSchool.id)))


def year_names(district_id: int) -> list[str]:
    return list(db.session.scalars(
        select(SchoolPackage.year_name).distinct().join(RemoteSchool, RemoteSchool.id == SchoolPackage.remote_school_id)
        .where(RemoteSchool.district_id == district_id)))


def terms(district_id: int, year_name: Optional[str]) -> list[TermSpec]:
    if not year_name:
        return []
    rows = db.session.execute(
        select(PackageResult.term_kind, PackageResult.term_number).distinct()
        .join(SchoolPackage, SchoolPackage.id == PackageResult.package_id)
        .join(RemoteSchool, RemoteSchool.id == SchoolPackage.remote_school_id)
        .where(RemoteSchool.district_id == district_id, SchoolPackage.year_name == year_name)).all()
    return [TermSpec(kind, number) for kind, number in rows]


def result_counts(remote_ids: list[int], year_name: str, spec: TermSpec, keys: tuple[str, ...]) -> list[Metrics]:
    """The packages' counts of the term summed by `keys` (names of GROUP_COLUMNS), as Metrics."""
    if not remote_ids:
        return []
    columns = [GROUP_COLUMNS[key].label(key) for key in keys]
    sums = [func.sum(getattr(PackageResult, name)).label(name) for name in COUNT_FIELDS]
    stmt = (select(*columns, *sums).select_from(PackageResult)
            .join(SchoolPackage, SchoolPackage.id == PackageResult.package_id)
            .where(SchoolPackage.remote_school_id.in_(remote_ids), SchoolPackage.year_name == year_name,
                   PackageResult.term_kind == spec.kind, PackageResult.term_number == spec.number))
    if keys:
        stmt = stmt.group_by(*[GROUP_COLUMNS[key] for key in keys])
    out = []
    for row in db.session.execute(stmt).mappings():
        if row["n"] is None:
            continue
        out.append(from_counts({key: row[key] for key in keys}, *(int(row[name] or 0) for name in COUNT_FIELDS)))
    return out


def package_of(remote_id: int, year_name: Optional[str]) -> Optional[SchoolPackage]:
    if not year_name:
        return None
    return db.session.scalar(select(SchoolPackage).where(SchoolPackage.remote_school_id == remote_id,
                                                         SchoolPackage.year_name == year_name))


def indicator_values(district_id: Optional[int], year_name: Optional[str]) -> dict[str, dict[int, dict]]:
    """indicator key -> remote school id -> {value, n, target, threshold, status} as sent."""
    out: dict[str, dict[int, dict]] = {}
    for remote in schools(district_id, year_name):
        package = package_of(remote.id, year_name)
        for row in package.payload.get("indicators", []):
            out.setdefault(row["key"], {})[remote.id] = row
    return out


def survey_values(district_id: Optional[int], year_name: Optional[str]) -> dict[str, dict[int, dict]]:
    """survey indicator key -> remote school id -> {closed, respondents, index, hidden_classes}."""
    out: dict[str, dict[int, dict]] = {}
    for remote in schools(district_id, year_name):
        package = package_of(remote.id, year_name)
        for row in package.payload.get("surveys", []):
            out.setdefault(row["key"], {})[remote.id] = row
    return out
