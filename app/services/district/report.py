"""The district's printable report (A4, ky or ru), issued like the school's documents
(app.services.monitoring.issued): with a number, a date, an author and a version, its figures
(overview.collect, JSON) and its rendered HTML stored and never recomputed, so that it stays as
issued when marks or answers change later. Issuing it again makes the next version; the archive
lists every version by year."""
from datetime import date
from typing import Optional

from sqlalchemy import func, select

from app.extensions import db
from app.models import DistrictDocument
from app.services.core.audit import record
from app.services.core.text import is_db_id

LANGUAGES = ("ky", "ru")  # the languages the district's report is issued in


def next_version(district_id: int, year_name: str, lang: str) -> int:
    """1, 2 ...: the version the next issue of the year's report in `lang` gets."""
    return (db.session.scalar(select(func.max(DistrictDocument.version)).where(
        DistrictDocument.district_id == district_id, DistrictDocument.year_name == year_name,
        DistrictDocument.lang == lang)) or 0) + 1


def issue(*, district_id: int, year_name: str, lang: str, version: int, title: str, number: str, issued_on: date,
          author_id: Optional[int], author_name: str, figures: dict, html: str,
          remote_addr: Optional[str] = None) -> DistrictDocument:
    """Store the report as issued, audited in the same transaction (the HTML's length, not the
    HTML). Two issues of one version at once: the unique constraint refuses the second."""
    doc = DistrictDocument(district_id=district_id, year_name=year_name, lang=lang, version=version,
                           title=title[:300], number=number, issued_on=issued_on, author_id=author_id,
                           author_name=author_name[:200], figures=figures, html=html)
    db.session.add(doc)
    db.session.flush()
    record("issue", "district_document", doc.id, school_id=None, user_id=author_id,
           after={"year": year_name, "lang": lang, "version": version, "number": number,
                  "issued_on": issued_on.isoformat(), "html_chars": len(html)}, remote_addr=remote_addr)
    return doc


def archive(district_id: int) -> list[tuple[str, list[DistrictDocument]]]:
    """(year name, its documents by language and version), newest year first."""
    docs = db.session.scalars(select(DistrictDocument).where(DistrictDocument.district_id == district_id)
                              .order_by(DistrictDocument.year_name.desc(), DistrictDocument.lang,
                                        DistrictDocument.version)).all()
    out: list[tuple[str, list[DistrictDocument]]] = []
    for doc in docs:
        if not out or out[-1][0] != doc.year_name:
            out.append((doc.year_name, []))
        out[-1][1].append(doc)
    return out


def get(district_id: int, doc_id) -> Optional[DistrictDocument]:
    if not is_db_id(doc_id):
        return None
    doc = db.session.get(DistrictDocument, doc_id)
    return doc if doc is not None and doc.district_id == district_id else None


def versions(doc: DistrictDocument) -> list[DistrictDocument]:
    return list(db.session.scalars(select(DistrictDocument).where(
        DistrictDocument.district_id == doc.district_id, DistrictDocument.year_name == doc.year_name,
        DistrictDocument.lang == doc.lang).order_by(DistrictDocument.version)))
