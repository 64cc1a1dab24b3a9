"""The school's public report for parents and the community (issue 19 part 4, frozen as in
part 5): the year's main figures by direction, learning results by class, internal against
external results, survey indices, indicators with their targets and the measures taken, with
small groups withheld (`app.services.surveys.disclosure`).

The director (or a deputy) publishes it: every language's page is rendered at that moment and
stored as an issued document (kind "report", subject "public:<lang>", one version number for
all languages), and the school's `PublicReport` row points the stable address at that version.
Marks or answers changed later do not change the page until it is published again (a new
version); withdrawing makes the address answer 410 (gone)."""
import secrets
from datetime import date
from typing import Callable, Optional

from sqlalchemy import select

from app.extensions import db
from app.models import AcademicYear
from app.models.monitoring.measures import IssuedDocument, Measure, PublicReport
from app.services.achievement import public as learning
from app.services.core import clock
from app.services.core.audit import record as audit_record
from app.services.monitoring import issued, reports
from app.services.monitoring.indicators import MIN_GROUP

LANGS = ("ky", "ru", "en")
PUBLISHERS = issued.ISSUERS  # the director and the deputies
# Measures prompted by a named student are not published (their text may name the student).
PUBLIC_MEASURE_SOURCES = ("indicator", "note", "observation", "survey")


def subject(lang: str) -> str:
    return f"public:{lang}"


def page_of(school_id: int, create: bool = False) -> Optional[PublicReport]:
    """The school's public report row; made (withdrawn, with a new random address) when
    `create` and there is none yet."""
    row = db.session.scalar(select(PublicReport).where(PublicReport.school_id == school_id))
    if row is None and create:
        row = PublicReport(school_id=school_id, slug=secrets.token_urlsafe(12), status="withdrawn")
        db.session.add(row)
        db.session.flush()
    return row


def public_measures(school_id: int, year_id: int) -> list[Measure]:
    return list(db.session.scalars(select(Measure).where(
        Measure.school_id == school_id, Measure.year_id == year_id, Measure.status != "cancelled",
        Measure.source.in_(PUBLIC_MEASURE_SOURCES)).order_by(Measure.due_on, Measure.id)))


def figures(school_id: int, year: AcademicYear, lang: str, min_group: int = MIN_GROUP) -> dict:
    """What the public report shows for `year` (templates/monitoring/public/_body.html)."""
    blocks = reports.dashboard(school_id, year)
    school_total, classes = learning.class_results(school_id, year, min_group)
    return dict(blocks=blocks, school_total=school_total, classes=classes,
                external=learning.external_by_subject(school_id, year.id, lang, min_group),
                measures=public_measures(school_id, year.id), min_group=min_group,
                suppress=lambda row: reports.suppress(row, min_group))


def publish(*, school_id: int, year: AcademicYear, number: str, issued_on: date, author_id: int,
            author_name: str, render: Callable[[str, int], tuple[str, str, list]],
            remote_addr: Optional[str] = None) -> PublicReport:
    """Issue the next version of the year's public report in every language and publish it.
    `render(lang, version)` gives the language's title, HTML and stored figures."""
    version = max(issued.next_version(school_id, year.id, "report", subject(lang)) for lang in LANGS)
    for lang in LANGS:
        title, html, rows = render(lang, version)
        issued.issue(school_id=school_id, year_id=year.id, kind="report", subject=subject(lang), version=version,
                     title=title, number=number, issued_on=issued_on, author_id=author_id,
                     author_name=author_name, lang=lang, rows=rows, html=html, remote_addr=remote_addr)
    page = page_of(school_id, create=True)
    before = {"status": page.status, "year_id": page.year_id, "version": page.version}
    page.status, page.year_id, page.version = "published", year.id, version
    page.changed_at, page.changed_by_id = clock.now(), author_id
    audit_record("publish", "public_report", page.id, school_id=school_id, user_id=author_id, before=before,
                 after={"status": "published", "year_id": year.id, "version": version, "number": number},
                 remote_addr=remote_addr)
    return page


def withdraw(page: PublicReport, user_id: int, remote_addr: Optional[str] = None) -> None:
    """Take the page down: its address answers 410 until the report is published again."""
    before = {"status": page.status, "year_id": page.year_id, "version": page.version}
    page.status, page.changed_at, page.changed_by_id = "withdrawn", clock.now(), user_id
    audit_record("withdraw", "public_report", page.id, school_id=page.school_id, user_id=user_id, before=before,
                 after={**before, "status": "withdrawn"}, remote_addr=remote_addr)


def published(page: PublicReport, lang: str) -> Optional[IssuedDocument]:
    """The stored page of the published version in `lang` (else Kyrgyz, else Russian)."""
    if page.status != "published" or page.year_id is None or page.version is None:
        return None
    docs = {d.subject: d for d in db.session.scalars(select(IssuedDocument).where(
        IssuedDocument.school_id == page.school_id, IssuedDocument.year_id == page.year_id,
        IssuedDocument.kind == "report", IssuedDocument.version == page.version,
        IssuedDocument.subject.in_([subject(code) for code in LANGS])))}
    for code in (lang, "ky", "ru"):
        if subject(code) in docs:
            return docs[subject(code)]
    return None


def by_slug(slug: str) -> Optional[PublicReport]:
    if not slug or len(slug) > 24:
        return None
    return db.session.scalar(select(PublicReport).where(PublicReport.slug == slug))
