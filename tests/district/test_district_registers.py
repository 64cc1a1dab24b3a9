"""The registers' counts of the district's schools side by side (issue 21 §2), by hand: alpha
keeps two district-level olympiad entries (one winner, one participant) and an injury; bravo
one district-level prize-winner, two open lessons and no incident; a record of another year
and another district's school count nowhere. Counts only: no student's name is on the page."""
from datetime import date
from html import unescape

from app.extensions import db
from app.models import AcademicYear
from tests.district.support import join, rows
from tests.factories import make_school
from tests.factories.monitoring import make_register_row
from tests.security.support import login_client


def _section(page: str, title: str) -> dict[str, list[str]]:
    page = unescape(page)
    return rows(page[page.index(title):])


def test_registers_counts_per_school_by_hand(app, client, login, school):
    bravo = join(school, "bravo", class_size=4)
    make_register_row(school, "students")  # district level, winner
    make_register_row(school, "students", result="participant", title="Chemistry olympiad")
    make_register_row(school, "incidents")
    make_register_row(bravo, "students", result="prize_winner")
    make_register_row(bravo, "teachers")
    make_register_row(bravo, "teachers", title="Second open lesson")
    last_year = AcademicYear(school_id=school.school.id, name="2025-2026", starts_on=date(2025, 9, 1),
                             ends_on=date(2026, 5, 31))
    db.session.add(last_year)
    db.session.flush()
    make_register_row(school, "incidents", year_id=last_year.id, on_date=date(2026, 3, 1))
    gamma = make_school("gamma", class_size=3)  # another district
    make_register_row(gamma, "incidents")
    db.session.commit()

    login(school.user("district_specialist"))
    response = client.get("/district/registers?year=2026-2027")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    olympiads = _section(page, "Olympiads, competitions and projects")
    # columns: alpha, bravo, district
    assert olympiads["Students' results, district level: entries"] == ["2", "1", "3"]
    assert olympiads["of them winners and prize-winners"] == ["1", "1", "2"]
    teachers = _section(page, "Teachers' achievements")
    assert ["0", "2", "2"] in teachers.values()
    incidents = _section(page, "Injuries and offences")
    assert incidents["injury"] == ["1", "0", "1"] and incidents["offence"] == ["0", "0", "0"]
    student = school.students[school.classes[0].id][0]
    assert student.full_name not in page

    # A school's director reaches no district page; another district's specialist sees none of these schools.
    assert login_client(app, school.user("admin")).get("/district/registers").status_code == 403
    other = login_client(app, gamma.users["district_specialist"]).get("/district/registers?year=2026-2027")
    assert other.status_code == 200 and "bravo" not in other.get_data(as_text=True).lower()
