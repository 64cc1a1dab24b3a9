"""Staff and programme records (000 §2.3, §2.5, §2.7): the figures computed from them by hand,
the fall-back to a typed value, the pages (list, add, edit, 409 on a stale page, audit,
highlighted overdue rows), who sees them, ky/ru/en."""
import html
from datetime import date, datetime, timezone

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog
from app.models.monitoring.indicators import Indicator
from app.models.monitoring.staff import ProgrammeDocument, StaffRecord
from app.services.core import clock
from app.services.monitoring import indicators as ind_service
from app.services.monitoring import staff
from app.services.monitoring.calculators import Period, compute
from app.services.monitoring.catalogue import ensure_catalogue
from tests.factories import make_user, make_year
from tests.form_pages import form_data
from tests.security.support import login_client


def _today_is(monkeypatch, day: date) -> None:
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(day.year, day.month, day.day, 6, 0, tzinfo=timezone.utc))


def _record(school, user, **values):
    fields = dict(category="none", education="higher_pedagogical", teaching_since=2010, hired_on=date(2015, 8, 25))
    row = StaffRecord(school_id=school.school.id, user_id=user.id, **{**fields, **values})
    db.session.add(row)
    return row


def _four_teachers(school):
    """teacher (highest, due 2026-05-01: overdue), teacher2 (first), class_teacher (second),
    mo_head (none, left 2027-01-15); one hired 2026-10-01 (after the year began)."""
    _record(school, school.user("teacher"), category="highest", next_attestation_on=date(2026, 5, 1))
    _record(school, school.user("teacher2"), category="first", next_attestation_on=date(2029, 5, 1))
    _record(school, school.user("class_teacher"), category="second")
    _record(school, school.user("mo_head"), category="none", left_on=date(2027, 1, 15))
    late = make_user(school.school, "teacher", "late@x.sapat.kg", "Late Hire")
    db.session.flush()
    _record(school, late, category="first", hired_on=date(2026, 10, 1))
    db.session.commit()


def test_staff_figures_by_hand(school, monkeypatch):
    _four_teachers(school)
    _today_is(monkeypatch, date(2027, 6, 15))
    year = Period.of_year(school.year)  # 2026-09-01 .. 2027-05-31, ended
    # Stability: 4 employed on 1 September (the late hire is not), 1 of them left: 3/4.
    result = compute("staff_stability", school.school.id, year)
    assert (result.value, result.n, result.basis) == (75.0, 4, "records")
    # On 31 May 2027: teacher, teacher2, class_teacher and the late hire (mo_head left);
    # first or highest: teacher, teacher2, the late hire: 3/4.
    assert compute("qualification_category", school.school.id, year).value == 75.0
    assert compute("attestation_overdue", school.school.id, year).value == 1  # the teacher, due 1 May 2026
    # The year not yet ended (today 1 December 2026): mo_head still works, 3 of 5.
    _today_is(monkeypatch, date(2026, 12, 1))
    assert compute("qualification_category", school.school.id, year).value == 60.0
    # Teaching experience is counted for any day from the year work began.
    record = db.session.scalar(select(StaffRecord).where(StaffRecord.user_id == school.user("teacher").id))
    assert staff.experience(record, date(2026, 9, 1)) == 16 and staff.experience(record, date(2009, 1, 1)) == 0


def test_stability_without_records_comes_from_assignments(school):
    before = make_year(school)  # 2025-2026 with nobody teaching: no value
    assert compute("staff_stability", school.school.id, Period.of_year(school.year)) is None
    assert before is not None
    assert compute("qualification_category", school.school.id, Period.of_year(school.year)) is None


def test_programme_register_three_years_and_work_programmes(school, monkeypatch):
    _today_is(monkeypatch, date(2027, 6, 15))
    sid = school.school.id
    maths, physics = school.subjects
    day = date(2027, 5, 31)
    period = Period(school.year.id, date(2026, 9, 1), day)
    docs = [
        ProgrammeDocument(school_id=sid, kind="development", title="Development 2020", approved_on=date(2020, 8, 30),
                          approved_by="Council"),
        ProgrammeDocument(school_id=sid, kind="development", title="Development 2025", approved_on=date(2025, 8, 30),
                          approved_by="Council"),  # replaces the 2020 one
        ProgrammeDocument(school_id=sid, kind="education", title="Education", approved_on=date(2023, 8, 30),
                          approved_by="Order 5"),  # older than 3 years on 31 May 2027: overdue
        ProgrammeDocument(school_id=sid, kind="work", title="Maths 7", subject_id=maths.id, grade=7,
                          approved_on=date(2026, 8, 28), approved_by="Director"),
        ProgrammeDocument(school_id=sid, kind="work", title="Physics 7", subject_id=physics.id, grade=7,
                          approved_on=date(2022, 8, 28), approved_by="Director"),  # overdue
    ]
    db.session.add_all(docs)
    db.session.commit()
    # latest of each (kind, subject, grade) on 31 May 2027: development 2025 ✓, education 2023 ✗,
    # maths ✓, physics ✗
    assert compute("programmes_updated", sid, period).value == 50.0
    # subjects taught: maths and physics; only maths has a current work programme
    assert compute("work_programmes", sid, period).value == 50.0
    assert staff.document_status(docs[0], day) == "replaced"
    assert staff.document_status(docs[1], day) == "current"
    assert staff.document_status(docs[2], day) == "overdue"
    assert staff.document_status(docs[4], day) == "overdue"
    assert staff.renew_by(docs[3]) == date(2029, 8, 28)
    # On 1 August 2026 (before the 2026 maths programme): development 2025 ✓, education 2023 ✓,
    # physics 2022-08-28 ✗ (maths not yet approved): 2 of 3; work programmes 0 of 2.
    august = Period(school.year.id, date(2026, 6, 1), date(2026, 8, 1))
    assert compute("programmes_updated", sid, august).value == round(200 / 3, 2)
    assert compute("work_programmes", sid, august).value == 0.0


def test_an_indicator_without_records_takes_the_typed_value_and_says_so(client, login, school):
    ensure_catalogue(school.school.id)
    db.session.commit()
    item = db.session.scalar(select(Indicator).where(Indicator.school_id == school.school.id,
                                                     Indicator.key == "qualification_category"))
    assert item.source == "manual" and item.unit == "percent"
    login(school.user("admin"))
    page = client.get(f"/monitoring/indicators/{item.id}").get_data(as_text=True)
    assert 'name="value"' in page  # nothing recorded: a value may be typed
    _four_teachers(school)
    page = html.unescape(client.get(f"/monitoring/indicators/{item.id}").get_data(as_text=True))
    assert "Computed from the staff records" in page and 'name="value"' not in page
    row = ind_service.evaluate(school.school.id, school.year, items=[item])[0]
    assert row.basis == "records"


def test_staff_pages_add_edit_audit_and_highlight(client, login, school):
    login(school.user("deputy"))
    teacher = school.user("teacher")
    response = client.post("/staff/teachers/new", data={
        "user_id": str(teacher.id), "category": "first", "education": "higher_pedagogical", "teaching_since": "2004",
        "last_attestation_on": "2019-04-01", "next_attestation_on": "2024-04-01", "hired_on": "2010-08-20"})
    assert response.status_code == 303
    record = db.session.scalar(select(StaffRecord))
    assert (record.user_id, record.category, record.teaching_since) == (teacher.id, "first", 2004)
    assert db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.entity == "staff_record")) == 1
    listing = client.get("/staff/teachers/").get_data(as_text=True)
    assert teacher.full_name in listing and 'class="overdue"' in listing and "first category" in listing
    assert "Teachers by qualification category" in listing  # the summary: one teacher of the first category
    again = client.post("/staff/teachers/new", data={"user_id": str(teacher.id), "category": "none",
                                                      "education": "secondary"})
    assert again.status_code == 200 and "already exists" in again.get_data(as_text=True)
    bad = client.post("/staff/teachers/new", data={"user_id": str(school.user("teacher2").id), "category": "none",
                                                    "education": "secondary", "hired_on": "2020-01-01",
                                                    "left_on": "2019-01-01"})
    assert bad.status_code == 200 and "cannot leave before" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count(StaffRecord.id))) == 1
    choices = client.get("/staff/teachers/new").get_data(as_text=True)
    assert school.user("psychologist").full_name not in choices  # teaching roles only
    doc = client.post("/staff/programmes/new", data={"kind": "work", "title": "Algebra 7", "subject_id": "",
                                                     "approved_on": "2026-08-28", "approved_by": "Order 12"})
    assert doc.status_code == 200 and "choose it" in doc.get_data(as_text=True)
    doc = client.post("/staff/programmes/new", data={"kind": "education", "title": "Education programme",
                                                     "subject_id": "", "approved_on": "2020-08-28",
                                                     "approved_by": "Order 12"})
    assert doc.status_code == 303
    page = client.get("/staff/programmes/").get_data(as_text=True)
    assert 'class="overdue"' in page and "28.08.2023" in page
    index = client.get("/staff/").get_data(as_text=True)
    assert "Programme documents updated within 3 years" in index


def test_stale_staff_edit_is_refused_with_409(app, school):
    record = _record(school, school.user("teacher"), category="second")
    db.session.commit()
    director, deputy = login_client(app, school.user("admin")), login_client(app, school.user("deputy"))
    url = f"/staff/teachers/{record.id}"
    stale, mine = form_data(deputy, url), form_data(director, url)
    mine["category"] = "first"
    assert director.post(url, data=mine).status_code == 303
    stale["category"] = "highest"
    refused = deputy.post(url, data=stale)
    assert refused.status_code == 409
    db.session.expire_all()
    assert db.session.get(StaffRecord, record.id).category == "first"


def test_who_sees_staff_records(client, login, school):
    expected = {"admin": (200, 200, 200), "deputy": (200, 200, 200), "mo_head": (200, 200, 403),
                "expert": (403, 200, 403), "teacher": (403, 403, 403), "class_teacher": (403, 403, 403),
                "psychologist": (403, 403, 403), "nurse": (403, 403, 403)}
    seen = {}
    for role in expected:
        client.post("/logout")
        login(school.user(role))
        seen[role] = tuple(client.get(url).status_code
                           for url in ("/staff/teachers/", "/staff/programmes/", "/staff/programmes/new"))
    assert seen == expected


def test_mo_head_reads_only_the_association_teachers(client, login, school):
    _record(school, school.user("teacher"), notes=None)  # maths teacher: maths is in the association
    outsider = make_user(school.school, "teacher", "art@x.sapat.kg", "Outside Artist")
    db.session.flush()
    _record(school, outsider)
    db.session.commit()
    login(school.user("mo_head"))
    page = client.get("/staff/teachers/").get_data(as_text=True)
    assert school.user("teacher").full_name in page and "Outside Artist" not in page
    assert client.get(f"/staff/teachers/{db.session.scalar(select(StaffRecord.id))}").status_code == 403


def test_staff_pages_in_three_languages(client, login, school):
    _record(school, school.user("teacher"), category="highest")
    user = school.user("admin")
    db.session.commit()
    login(user)
    for lang, words in (("ky", ("жогорку категория", "Кадрлардын эсеби")), ("ru", ("высшая категория", "Кадровый учёт")),
                        ("en", ("highest category", "Staff records"))):
        user.locale = lang
        db.session.commit()
        page = client.get("/staff/teachers/").get_data(as_text=True)
        assert all(word in page for word in words), lang


def test_annual_workbook_counts_staff_and_programmes(app, school, tmp_path, monkeypatch):
    import openpyxl

    _four_teachers(school)
    db.session.add(ProgrammeDocument(school_id=school.school.id, kind="education", title="Education",
                                     approved_on=date(2020, 8, 30), approved_by="Order 5"))
    db.session.commit()
    _today_is(monkeypatch, date(2027, 6, 15))
    path = tmp_path / "annual.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "annual", "--year", "2026-2027", "-o", str(path),
                                                "--lang", "en", "--school", school.school.code])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(path)["Registers"]
    rows = {r[0]: r[1] for r in sheet.iter_rows(min_row=8, values_only=True) if r and r[0]}
    # On 31 May 2027: highest 1 (teacher), first 2 (teacher2, the late hire), second 1, none 0 (mo_head left).
    assert (rows["Teachers: highest category"], rows["Teachers: first category"],
            rows["Teachers: second category"], rows["Teachers: without category"]) == (1, 2, 1, 0)
    assert rows["Teachers with an overdue attestation"] == 1
    assert (rows["Programme documents approved within 3 years"], rows["Programme documents older than 3 years"]) == (0, 1)
    assert school.user("teacher").full_name not in {c for r in sheet.iter_rows(values_only=True) for c in r}
