"""Figures passed upward between installations: a school's installation exports a signed package
for a year (`build_payload`, `export_package`); the district's installation registers the
school's public key (`register_school`) and imports its packages (`import_package`).

Import order: the file's size and JSON; the signature present; the sending school registered in
this district; the Ed25519 signature over the payload's canonical bytes (package_format); then
the schema; then the time it was made (within core.dates' 1900-2199, not after tomorrow). Each
refusal is a PackageError with a translated message and writes nothing. The same package again
(same SHA-256 of the payload) changes nothing; a newer package of the same school and year
replaces the older one (its counts deleted and written again), an older one is refused. Every
registration and import is audited."""
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

from flask_babel import gettext as _
from pydantic import ValidationError
from sqlalchemy import delete, select

from app.extensions import db
from app.models import AcademicYear, Assessment, ClassGroup, District, School, Subject, Term
from app.models.district import PackageResult, RemoteSchool, SchoolPackage
from app.services.achievement.metrics import metrics_select, run_metrics
from app.services.core import clock, dates
from app.services.core.audit import record
from app.services.district import package_format as fmt

FUTURE_SLACK = timedelta(days=1)  # a package "made" later than that would lock out every real one after it


class PackageError(ValueError):
    """A refused package or key; the message is translated and says what to do."""


# --- the school's side: export ---------------------------------------------------------------

RESULT_KEYS = {"term_kind": Term.kind, "term_number": Term.number, "grade": ClassGroup.grade,
               "class_letter": ClassGroup.letter, "subject": Subject.name}


def _results(school_id: int, year_id: int) -> list[dict]:
    """Term-mark counts by term, class and subject of the school's year, in SQL."""
    stmt = metrics_select(RESULT_KEYS, Assessment.school_id == school_id, Assessment.kind == "term",
                          Term.year_id == year_id, schools=school_id,
                          joins=[(Term, Term.id == Assessment.term_id), (ClassGroup, ClassGroup.id == Assessment.class_id),
                                 (Subject, Subject.id == Assessment.subject_id)])
    return [{**m.keys, "n": m.n, "n5": m.n5, "n4": m.n4, "n3": m.n3, "n2": m.n2, "n1": m.n1, "absent": m.absent}
            for m in run_metrics(stmt, RESULT_KEYS)]


def _indicators(school: School, year: AcademicYear) -> list[dict]:
    from app.services.district import figures

    keys = [item["key"] for item in figures.catalogue()]
    rows = figures.indicator_rows([school], {school.id: year}, keys)
    out = []
    for key in keys:
        row = rows[key].get(school.id)
        if row is not None:
            out.append({"key": key, "value": row.value, "n": row.n, "target": row.target, "threshold": row.threshold,
                        "status": row.status})
    return out


def _surveys(school: School, year: AcademicYear) -> list[dict]:
    from app.services.district import figures

    out = []
    for key, by_school in figures.survey_rows([school], {school.id: year}).items():
        f = by_school.get(school.id)
        if f is not None:
            out.append({"key": key, "closed": f.respondents is not None, "respondents": f.respondents,
                        "index": f.index if f.shown else None, "hidden_classes": f.hidden_classes})
    return out


def build_payload(school: School, year_name: str) -> dict:
    """The payload of the school's package for the year named `year_name` (PackageError when the
    school has no such year). Figures only: no names, ids of students or free text."""
    year = db.session.scalar(select(AcademicYear).where(AcademicYear.school_id == school.id,
                                                        AcademicYear.name == year_name))
    if year is None:
        raise PackageError(_("The school %(code)s has no academic year %(year)s.", code=school.code, year=year_name))
    payload = {"format": fmt.FORMAT, "version": fmt.VERSION, "made_at": clock.now().isoformat(),
               "school": {"code": school.code, "name": school.name, "name_ru": school.name_ru},
               "year": year_name, "results": _results(school.id, year.id),
               "indicators": _indicators(school, year), "surveys": _surveys(school, year)}
    fmt.Payload.model_validate(payload)  # what is sent is what the district accepts
    return payload


def export_package(school: School, year_name: str, private_pem: bytes) -> bytes:
    """The signed package file's bytes (audited as an export of the school)."""
    payload = build_payload(school, year_name)
    data = fmt.sign(payload, private_pem)
    record("export", "district.package", None, school_id=school.id, user_id=None,
           after={"year": year_name, "digest": fmt.digest(payload)})
    return data


# --- the district's side: registration and import ---------------------------------------------

def register_school(district: District, *, code: str, name: str, name_ru: Optional[str], public_key: str,
                    user_id: Optional[int]) -> RemoteSchool:
    """Register (or give a new key to) a school of another installation; flushed and audited."""
    if fmt.public_key(public_key) is None:
        raise PackageError(_("This is not a school's public key: expected the 44 characters that "
                             "`flask district make-key` prints."))
    if db.session.scalar(select(School.id).where(School.code == code, School.district_id == district.id)):
        raise PackageError(_("The school %(code)s is hosted on this installation: it needs no package.", code=code))
    remote = db.session.scalar(select(RemoteSchool).where(RemoteSchool.district_id == district.id,
                                                          RemoteSchool.code == code))
    holder = db.session.scalar(select(RemoteSchool.code).where(
        RemoteSchool.district_id == district.id, RemoteSchool.public_key == public_key.strip(), RemoteSchool.code != code))
    if holder is not None:  # one key for two schools: either could send the other's figures
        raise PackageError(_("This public key is already registered for the school %(code)s: each school has its "
                             "own key.", code=holder))
    before = {"public_key": remote.public_key, "name": remote.name} if remote else None
    if remote is None:
        remote = RemoteSchool(district_id=district.id, code=code)
        db.session.add(remote)
    remote.name, remote.name_ru, remote.public_key = name, name_ru or None, public_key.strip()
    db.session.flush()
    record("update" if before else "create", "district.remote_school", remote.id, school_id=None, user_id=user_id,
           before=before, after={"code": code, "name": name, "public_key": remote.public_key,
                                 "district": district.code})
    return remote


@dataclass
class Imported:
    package: SchoolPackage
    status: str  # "created", "replaced" or "unchanged"


def _envelope(data: bytes) -> tuple[dict, str]:
    if len(data) > fmt.MAX_BYTES:
        raise PackageError(_("The file is larger than %(mb)d MB: it is not a school's package.",
                             mb=fmt.MAX_BYTES // (1024 * 1024)))
    try:
        envelope = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        envelope = None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("payload"), dict):
        raise PackageError(_("This file is not a school's package: it was changed or damaged, or it is another "
                             "file. Nothing was imported."))
    signature = envelope.get("signature")
    if not isinstance(signature, str) or not signature.strip():
        raise PackageError(_("The package is not signed: a package is imported only with its school's signature. "
                             "Nothing was imported."))
    return envelope["payload"], signature


def import_package(district: District, data: bytes, *, user_id: Optional[int],
                   remote_addr: Optional[str] = None) -> Imported:
    """Verify and store a package for the district (flushed, not committed); PackageError when refused."""
    payload, signature = _envelope(data)
    school = payload.get("school")
    code = school.get("code") if isinstance(school, dict) else None
    remote = db.session.scalar(select(RemoteSchool).where(RemoteSchool.district_id == district.id,
                                                          RemoteSchool.code == code)) if isinstance(code, str) else None
    if remote is None:
        raise PackageError(_("The package comes from a school that is not registered in this district (%(code)s): "
                             "register the school's public key first. Nothing was imported.", code=str(code)[:40]))
    key = fmt.public_key(remote.public_key)
    if key is None or not fmt.verified(payload, signature, key):
        raise PackageError(_("The package's signature does not match the key registered for the school %(code)s: "
                             "the package was changed after it was signed, or another key signed it. Nothing was "
                             "imported.", code=remote.code))
    try:
        parsed = fmt.Payload.model_validate(payload)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or first["msg"].removeprefix("Value error, ")
        raise PackageError(_("The package is signed but does not follow the package format (%(where)s). "
                             "Nothing was imported.", where=where)) from None
    if not dates.in_range(parsed.made_at):
        raise PackageError(_("The package says it was made on %(when)s, outside %(min)s-%(max)s: the clock of the "
                             "school's installation is wrong. Set it right and export the package again. Nothing "
                             "was imported.", when=dates.shown(parsed.made_at), min=dates.shown(dates.DATE_MIN),
                             max=dates.shown(dates.DATE_MAX)))
    if parsed.made_at > clock.now() + FUTURE_SLACK:
        raise PackageError(_("The package says it was made on %(when)s, later than now: the clock of the school's "
                             "installation is wrong. Set it right and export the package again. Nothing was "
                             "imported.", when=parsed.made_at.date().isoformat()))
    digest = fmt.digest(payload)
    package = db.session.scalar(select(SchoolPackage).where(SchoolPackage.remote_school_id == remote.id,
                                                            SchoolPackage.year_name == parsed.year))
    if package is not None and package.digest == digest:
        return Imported(package, "unchanged")
    if package is not None and package.made_at >= parsed.made_at:
        raise PackageError(_("A newer package of the school %(code)s for %(year)s is already imported: this one "
                             "is older and was not imported.", code=remote.code, year=parsed.year))
    before = {"made_at": package.made_at.isoformat(), "digest": package.digest} if package else None
    if package is None:
        package = SchoolPackage(remote_school_id=remote.id, year_name=parsed.year)
        db.session.add(package)
    else:
        db.session.execute(delete(PackageResult).where(PackageResult.package_id == package.id))
    package.made_at, package.digest, package.imported_at, package.imported_by_id = (
        parsed.made_at, digest, clock.now(), user_id)
    package.payload = {"indicators": [row.model_dump() for row in parsed.indicators],
                       "surveys": [row.model_dump() for row in parsed.surveys]}
    remote.name, remote.name_ru = parsed.school.name, parsed.school.name_ru
    db.session.flush()
    db.session.add_all([PackageResult(package_id=package.id, **row.model_dump()) for row in parsed.results])
    db.session.flush()
    record("update" if before else "create", "district.package", package.id, school_id=None, user_id=user_id,
           remote_addr=remote_addr, before=before,
           after={"school": remote.code, "year": parsed.year, "made_at": parsed.made_at.isoformat(), "digest": digest,
                  "rows": len(parsed.results)})
    return Imported(package, "replaced" if before else "created")


def message(done: Imported) -> str:
    """What the page or the command says after an import."""
    remote = db.session.get(RemoteSchool, done.package.remote_school_id)
    names = {"school": remote.code, "year": done.package.year_name}
    if done.status == "unchanged":
        return _("This package of %(school)s for %(year)s is already imported: nothing was changed.", **names)
    if done.status == "replaced":
        return _("The package of %(school)s for %(year)s replaced the older one.", **names)
    return _("The package of %(school)s for %(year)s is imported.", **names)
