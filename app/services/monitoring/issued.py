"""Issued documents (issue 19 part 5): a справка or the annual report is issued with a
number, a date and an author, and then kept as it was: its figures (JSON) and its rendered
HTML are stored and never recomputed. Issuing the same document again makes a new version;
the archive lists every version by year; `compare` puts the issued figures beside today's.
"""
from dataclasses import dataclass
from datetime import date
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.models import AcademicYear, ClassGroup, Term
from app.models.monitoring.indicators import Indicator
from app.models.monitoring.measures import IssuedDocument
from app.security import Principal
from app.services.achievement import quarter
from app.services.core.audit import record as audit_record
from app.services.monitoring.indicators import Row, evaluate

ISSUERS = ("admin", "deputy")  # the director and deputies sign справки and reports
READERS = ("admin", "deputy", "mo_head", "expert")  # the archive: as the reports' readers
# Kinds that name students and show every class and subject (the quarter report's lists of
# students by their marks): read by the whole-school roles only, as their live pages are
# (an MO head's quarter report counts the association's subjects, never the whole school's).
WHOLE_SCHOOL_KINDS = ("quarter",)


def may_read(principal: Principal, doc: IssuedDocument) -> bool:
    """May `principal` (a READER of the document's school) open this issued document?"""
    return doc.school_id == principal.school_id and (
        doc.kind not in WHOLE_SCHOOL_KINDS or principal.everything)


def figures(rows: list[Row], lang: str) -> list[dict]:
    """A document's figures as stored: one dict per indicator row (value, n, last year's
    value and target in the indicator's unit; status 'ok' / 'warn' / 'bad' / 'none')."""
    return [{"indicator_id": r.indicator.id, "key": r.indicator.key, "name": r.indicator.name_in(lang),
             "unit": r.indicator.unit, "value": r.value, "n": r.n, "previous": r.previous,
             "target": r.indicator.target, "status": r.status} for r in rows]


def next_version(school_id: int, year_id: int, kind: str, subject: str) -> int:
    """The version number the next issue of (year, kind, subject) gets: 1, 2 ..."""
    return (db.session.scalar(select(func.max(IssuedDocument.version)).where(
        IssuedDocument.school_id == school_id, IssuedDocument.year_id == year_id,
        IssuedDocument.kind == kind, IssuedDocument.subject == subject)) or 0) + 1


def issue(*, school_id: int, year_id: int, kind: str, subject: str, version: int, title: str, number: str,
          issued_on: date, author_id: Optional[int], author_name: str, lang: str, rows: list[dict], html: str,
          remote_addr: Optional[str] = None) -> IssuedDocument:
    """Store a document as issued (version: next_version, which the HTML shows), audited in
    the same transaction (the HTML is not copied into the audit log; its length is). Two
    issues of one version at once: the unique constraint refuses the second (IntegrityError)."""
    doc = IssuedDocument(school_id=school_id, year_id=year_id, kind=kind, subject=subject, version=version,
                         title=title[:300], number=number, issued_on=issued_on, author_id=author_id,
                         author_name=author_name[:200], lang=lang, figures=rows, html=html)
    db.session.add(doc)
    db.session.flush()
    audit_record("issue", "issued_document", doc.id, school_id=school_id, user_id=author_id,
                 after={"kind": kind, "subject": subject, "version": version, "number": number,
                        "issued_on": issued_on.isoformat(), "figures": len(rows), "html_chars": len(html)},
                 remote_addr=remote_addr)
    return doc


def archive(principal: Principal) -> list[tuple[AcademicYear, list[IssuedDocument]]]:
    """Every issued document of the principal's school they may read (`may_read`) by year
    (newest year first), each year's by kind, subject and version."""
    readable = [] if principal.everything else [IssuedDocument.kind.not_in(WHOLE_SCHOOL_KINDS)]
    docs = db.session.scalars(select(IssuedDocument).join(AcademicYear, IssuedDocument.year_id == AcademicYear.id)
                              .where(IssuedDocument.school_id == principal.school_id, *readable)
                              .order_by(AcademicYear.starts_on.desc(), IssuedDocument.kind, IssuedDocument.subject,
                                        IssuedDocument.version)).all()
    out: list[tuple[AcademicYear, list[IssuedDocument]]] = []
    for doc in docs:
        if not out or out[-1][0].id != doc.year_id:
            out.append((doc.year, []))
        out[-1][1].append(doc)
    return out


def versions(doc: IssuedDocument) -> list[IssuedDocument]:
    """Every version of the same document (the same year, kind and subject), oldest first."""
    return list(db.session.scalars(select(IssuedDocument).where(
        IssuedDocument.school_id == doc.school_id, IssuedDocument.year_id == doc.year_id,
        IssuedDocument.kind == doc.kind, IssuedDocument.subject == doc.subject).order_by(IssuedDocument.version)))


@dataclass
class Comparison:
    """One figure as issued beside today's value of the same indicator for the same year."""

    name: str
    unit: str
    issued: Optional[float]
    today: Optional[float]

    @property
    def changed(self) -> bool:
        return self.issued != self.today


def compare(doc: IssuedDocument) -> list[Comparison]:
    """The issued figures beside today's values (indicators deleted since: today is None)."""
    if doc.kind == "quarter":
        return compare_quarter(doc)
    ids = [f["indicator_id"] for f in doc.figures]
    items = list(db.session.scalars(select(Indicator).where(Indicator.school_id == doc.school_id,
                                                            Indicator.id.in_(ids))))
    today = {r.indicator.id: r.value for r in evaluate(doc.school_id, doc.year, items=items)} if items else {}
    return [Comparison(f["name"], f["unit"], f["value"], today.get(f["indicator_id"])) for f in doc.figures]


QUARTER_UNITS = {"pass_rate": "percent", "quality": "percent", "sou": "percent", "mean": "mean"}


def compare_quarter(doc: IssuedDocument) -> list[Comparison]:
    """A quarter report's figures beside the same report built today for the whole school's
    view (its subject "<term id>:school" or "<term id>:class:<id>"): each group's count per
    class, and pass rate, quality, SOU and mean per class, subject, teacher and in total."""
    parts = doc.subject.split(":")
    term = db.session.get(Term, int(parts[0]))
    cls = db.session.get(ClassGroup, int(parts[2])) if len(parts) == 3 else None
    if term is None or term.school_id != doc.school_id or (len(parts) == 3 and cls is None):
        return []
    report = quarter.build(Principal(doc.school_id, None, frozenset({"admin"})), term, cls)
    today = {(f["section"], f["label"]): f for f in report.figures()}
    out = []
    for f in doc.figures:
        now = today.get((f["section"], f["label"]), {})
        label = _("Total") if f["label"] in ("total", "") else f["label"]
        if f["section"] == "groups":
            for key in quarter.GROUPS:
                out.append(Comparison(f"{label}: {quarter.GROUP_LABELS[key]}", "count", f.get(key), now.get(key)))
        else:
            for key, name, _digits in quarter.INDICATORS:
                out.append(Comparison(f"{label}: {name}", QUARTER_UNITS[key], f.get(key), now.get(key)))
    return out
