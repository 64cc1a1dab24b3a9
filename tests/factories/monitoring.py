"""Monitoring data on the small test school: indicator values, register rows, cyclogram items."""
from datetime import date
from typing import Optional

from sqlalchemy import select

from app.extensions import db
from app.models.monitoring import registers
from app.models.monitoring.indicators import Indicator, IndicatorValue
from app.models.monitoring.measures import IssuedDocument, Measure, PublicReport
from app.models.monitoring.planning import CyclogramItem
from app.services.monitoring import planning
from app.services.monitoring.catalogue import ensure_catalogue


def indicator(school, key: str = "catering_coverage") -> Indicator:
    """An indicator of the shipped catalogue (given to the school on first use)."""
    ensure_catalogue(school.school.id)
    db.session.flush()
    return db.session.scalar(select(Indicator).where(Indicator.school_id == school.school.id, Indicator.key == key))


def make_indicator_value(school, key: str = "catering_coverage", value: float = 90.0, *, year=None, term=None,
                         note: Optional[str] = None, evidence: Optional[str] = None,
                         by: Optional[str] = "deputy") -> IndicatorValue:
    """A value of a manual indicator for a year (default: the fixture's) or one of its terms,
    entered by the fixture user `by`; flushed."""
    row = IndicatorValue(school_id=school.school.id, indicator_id=indicator(school, key).id,
                         year_id=(year or school.year).id, term_id=term.id if term else None, value=value,
                         note=note, evidence=evidence, entered_by_id=school.user(by).id if by else None)
    db.session.add(row)
    db.session.flush()
    return row


def _register_defaults(school, key: str) -> tuple[type, dict]:
    year, c7 = school.year, school.classes[0]
    student, maths = school.students[c7.id][0], school.subjects[0]
    return {
        "teachers": (registers.TeacherAchievement, dict(
            year_id=year.id, teacher_id=school.user("teacher").id, on_date=date(2026, 10, 10), kind="open_lesson",
            level="district", title="Open lesson")),
        "students": (registers.StudentAchievement, dict(
            year_id=year.id, student_id=student.id, on_date=date(2026, 11, 20), kind="olympiad", level="district",
            result="winner", title="Math olympiad", subject_id=maths.id)),
        "incidents": (registers.Incident, dict(
            year_id=year.id, class_id=c7.id, on_date=date(2026, 10, 1), kind="injury", description="Fell in PE",
            measures="First aid")),
        "classrooms": (registers.Classroom, dict(
            year_id=year.id, name="101", ict_units=3, meets_requirements=True, equipment_percent=80, notes="Projector")),
        "textbooks": (registers.TextbookProvision, dict(
            year_id=year.id, grade=7, subject_id=maths.id, needed=10, available=8)),
        "clubs": (registers.Club, dict(year_id=year.id, name="Chess", enrolled=6, leader="Coach")),
        "selfgov": (registers.SelfGovernmentActivity, dict(
            year_id=year.id, on_date=date(2026, 10, 3), body="Council", title="Clean-up day", participants=20)),
        "support": (registers.SupportCase, dict(
            year_id=year.id, student_id=student.id, opened_on=date(2026, 9, 20), reason="Adaptation",
            status="open", psychologist_id=school.user("psychologist").id)),
    }[key]


REGISTER_KEYS = ("teachers", "students", "incidents", "classrooms", "textbooks", "clubs", "selfgov", "support")


def make_register_row(school, key: str, **values):
    """A row of the register `key` (as in app/views/monitoring/registers.py) of the fixture's
    year, with plausible values that `values` override; added, not flushed."""
    model, defaults = _register_defaults(school, key)
    row = model(school_id=school.school.id, **{**defaults, **values})
    db.session.add(row)
    return row


def make_register_rows(school) -> dict:
    """One row in every register (key -> row), committed."""
    rows = {key: make_register_row(school, key) for key in REGISTER_KEYS}
    db.session.commit()
    return rows


def make_cyclogram_item(school, year=None, **values) -> CyclogramItem:
    """An item of a year's cyclogram (default: the fixture's year; the cyclogram is made on
    first use): a climate survey in October, direction 7, due 31 October, unless `values`
    say otherwise; flushed."""
    cyc = planning.get_cyclogram(school.school.id, (year or school.year).id, create=True)
    fields = dict(month_from=10, month_to=10, object="Climate survey", direction=7, method="survey",
                  form="periodic", due_on=date(2026, 10, 31))
    item = CyclogramItem(school_id=school.school.id, cyclogram=cyc, **{**fields, **values})
    db.session.add(item)
    db.session.flush()
    return item


def make_measure(school, key: str = "catering_coverage", **values) -> Measure:
    """A measure of the fixture's year on the indicator `key`, assigned to `teacher` and due
    1 March 2027, unless `values` say otherwise; flushed."""
    fields = dict(year_id=school.year.id, source="indicator", indicator_id=indicator(school, key).id,
                  value_before=50.0, action="Agree a second catering shift", responsible_id=school.user("teacher").id,
                  due_on=date(2027, 3, 1), status="planned", created_by_id=school.user("deputy").id)
    measure = Measure(school_id=school.school.id, **{**fields, **values})
    db.session.add(measure)
    db.session.flush()
    return measure


def make_issued_document(school, **values) -> IssuedDocument:
    """An issued справка (version 1, No. 1-с) of the fixture's year with one figure; flushed."""
    ind = indicator(school, "catering_coverage")
    fields = dict(year_id=school.year.id, kind="note", subject=f"indicator:{ind.id}", version=1,
                  title="Hot meals", number="1-с", issued_on=date(2026, 11, 5), author_id=school.user("deputy").id,
                  author_name="Deputy", lang="en", html="<article class=\"report\"><h1>Analytic note</h1></article>",
                  figures=[{"indicator_id": ind.id, "key": ind.key, "name": "Hot meals", "unit": "percent",
                            "value": 50.0, "n": None, "previous": None, "target": 100.0, "status": "bad"}])
    doc = IssuedDocument(school_id=school.school.id, **{**fields, **values})
    db.session.add(doc)
    db.session.flush()
    return doc


def make_public_report(school, status: str = "published", slug: str = "") -> PublicReport:
    """The school's public report published at version 1 of the fixture's year (one stored
    page per language, No. P-1), or withdrawn after it; flushed. A school that published
    already keeps its report (returned as it is)."""
    existing = db.session.scalar(select(PublicReport).where(PublicReport.school_id == school.school.id))
    if existing is not None:
        return existing
    for lang in ("ky", "ru", "en"):
        make_issued_document(school, kind="report", subject=f"public:{lang}", lang=lang, number="P-1",
                             title="Report for parents and the community",
                             html=f"<article class=\"report\"><h1>Public report ({lang})</h1></article>")
    report = PublicReport(school_id=school.school.id, slug=slug or f"pub-{school.school.code}-7Kq2xZ9w",
                          year_id=school.year.id, version=1, status=status, changed_by_id=school.user("admin").id)
    db.session.add(report)
    db.session.flush()
    return report
