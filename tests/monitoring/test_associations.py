"""The methodical association level (issue 19 part 6): an association's page and annual
report. The learning figures are checked against a hand count on a small fixture:

Science (maths, physics; head `mo_head`), first quarter's term marks:
    maths 7-А (teacher):    5 4 3 2 5 4          n 6: n5 2, n4 2, n3 1, n2 1
    physics 8-Б (mo_head):  5 5 4 3 2 -          n 5: n5 2, n4 1, n3 1, n2 1
    history 7-А (Humanities, another association): 2 2 2 2 2 2   (must not count)
The association, from the marks: n 11, n5 4, n4 3, n3 2, n2 2
    pass rate 9/11 = 81.8 %   quality 7/11 = 63.6 %
    SOU (400 + 192 + 72 + 32)/11 = 696/11 = 63.3 %   mean 42/11 = 3.82
(averaging the subjects' percentages would give 81.7 % and 63.3 %: it is not done).
Maths 83.3 % / 66.7 % / 63.3 %, physics 80 % / 60 % / 63.2 %.
"""
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog
from app.models.monitoring.associations import AssociationYear
from app.models.monitoring.indicators import Indicator, IndicatorValue
from app.models.monitoring.measures import IssuedDocument
from app.security import Principal
from app.services.monitoring import associations as service
from tests.conftest import csrf_of
from tests.factories import make_other_association, make_user
from tests.factories.achievement import make_assessment
from tests.factories.monitoring import make_register_row


@pytest.fixture
def as_user(client, login):
    """Log the client out, then in as `user` (one client, several people in turn)."""
    def switch(user):
        client.post("/logout")
        return login(user)
    return switch


@pytest.fixture
def world(school):
    other = make_other_association(school)
    maths, physics = school.subjects
    make_assessment(school, cls=school.classes[0], subject=maths, marks=[5, 4, 3, 2, 5, 4])
    make_assessment(school, cls=school.classes[1], subject=physics, marks=[5, 5, 4, 3, 2, None])
    make_assessment(school, cls=school.classes[0], subject=other["history"], marks=[2, 2, 2, 2, 2, 2])
    head2 = make_user(school.school, ["mo_head", "teacher"], "head2@alpha.sapat.kg", "Humanities Head")
    other["ma"].head = head2
    db.session.commit()
    return {**other, "head2": head2}


def _total_row(page: str) -> str:
    return re.search(r'<table class="table mo-results">.*?<tr class="total">(.*?)</tr>', page, re.S).group(1)


def test_the_association_figures_match_a_hand_count(client, as_user, school, world):
    found = service.results(Principal.of(school.user("mo_head")), school.ma, service.Span(school.year, school.terms[0]))
    t = found.total
    assert (t.n, t.n5, t.n4, t.n3, t.n2) == (11, 4, 3, 2, 2)
    assert t.pass_rate == pytest.approx(900 / 11) and t.quality == pytest.approx(700 / 11)
    assert t.sou == pytest.approx(696 / 11) and t.mean == pytest.approx(42 / 11)
    assert [s.name for s, _m in found.subjects] == ["Математика", "Физика"]
    assert {u.email.split("@")[0]: round(m.pass_rate, 1) for u, m in found.teachers} == {"teacher": 83.3, "mo_head": 80.0}

    as_user(school.user("mo_head"))
    page = client.get(f"/monitoring/associations/{school.ma.id}?term_id={school.terms[0].id}").get_data(as_text=True)
    total = _total_row(page)
    assert re.findall(r'<td class="num">([^<]*)</td>', total)[:5] == ["11", "81.8 %", "63.6 %", "63.3 %", "3.82"]
    assert "История" not in page and "Historian" not in page  # another association's subject and teacher
    assert "83.3 %" in page and "80.0 %" in page  # maths, physics
    # The whole year (no annual marks): every quarter's term marks, here the first quarter's.
    year_page = client.get(f"/monitoring/associations/{school.ma.id}").get_data(as_text=True)
    assert "81.8 %" in _total_row(year_page)


def test_the_change_since_the_previous_quarter(client, as_user, school, world):
    # Second quarter: maths 7-А all 5 (pass 100 %, quality 100 %, SOU 100 %).
    make_assessment(school, term=school.terms[1], marks=[5, 5, 5, 5, 5, 5])
    as_user(school.user("deputy"))
    page = client.get(f"/monitoring/associations/{school.ma.id}?term_id={school.terms[1].id}").get_data(as_text=True)
    cells = re.findall(r"<td class=\"num\">(?:<span[^>]*>)?([^<]*)", _total_row(page))
    # n, pass, quality, SOU, mean, then the change: 100 - 81.8, 100 - 63.6, 100 - 63.3.
    assert cells[:5] == ["6", "100.0 %", "100.0 %", "100.0 %", "5.00"] and cells[5:8] == ["+18.2", "+36.4", "+36.7"]
    assert "Q1 2026-2027" in page


def test_who_sees_which_association(client, as_user, school, world, other_school):
    """The route x role matrix (tests/security) covers every role on the fixture's association;
    here: the director sees both associations, each head only their own, a teacher none, and
    another school's association is a 404."""
    science, humanities = school.ma.id, world["ma"].id
    as_user(school.user("admin"))
    assert [client.get(f"/monitoring/associations/{i}").status_code for i in (science, humanities)] == [200, 200]
    assert client.get(f"/monitoring/associations/{other_school.ma.id}").status_code == 404
    as_user(school.user("mo_head"))
    assert [client.get(f"/monitoring/associations/{i}").status_code for i in (science, humanities)] == [200, 404]
    as_user(world["head2"])
    assert [client.get(f"/monitoring/associations/{i}").status_code for i in (science, humanities)] == [404, 200]
    assert client.get(f"/monitoring/associations/{science}/report").status_code == 404
    assert client.post(f"/monitoring/associations/{science}/proposals", data={}).status_code in (400, 404)
    listing = client.get("/monitoring/associations/").get_data(as_text=True)
    assert "Humanities" in listing and "Science alpha" not in listing
    as_user(school.user("teacher"))
    assert client.get(f"/monitoring/associations/{science}").status_code == 403


def test_observations_achievements_and_courses_of_the_association(client, as_user, school, world):
    from tests.factories.observations import make_observation
    make_observation(school, teacher="teacher", score=2)
    make_observation(school, teacher=world["historian"], subject=None, cls=None, score=1)
    make_register_row(school, "teachers", teacher_id=school.user("teacher").id, title="Open lesson on fractions",
                      kind="open_lesson", level="district")
    make_register_row(school, "teachers", teacher_id=school.user("mo_head").id, title="Course on assessment",
                      kind="refresher_course")
    make_register_row(school, "teachers", teacher_id=world["historian"].id, title="Historian award", kind="competition")
    db.session.commit()
    as_user(school.user("mo_head"))
    page = client.get(f"/monitoring/associations/{school.ma.id}").get_data(as_text=True)
    observations = page[page.index('id="observations"'):page.index('id="achievements"')]
    assert "Teacher" in observations and "Historian" not in observations
    assert "Open lesson on fractions" in page and "Course on assessment" in page and "Historian award" not in page


def test_own_indicators_are_defined_entered_and_kept_to_the_association(client, as_user, school, world):
    as_user(school.user("mo_head"))
    url = f"/monitoring/associations/{school.ma.id}/indicators/new"
    form = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_of(form), "name_ky": "Лабораториялык иштер",
                                      "name_ru": "Лабораторные работы", "direction": "2", "unit": "percent",
                                      "periodicity": "year", "good": "higher", "target": "90", "threshold": "70",
                                      "active": "y", "position": "1"})
    assert response.status_code == 303
    item = db.session.scalar(select(Indicator).where(Indicator.ma_id == school.ma.id))
    assert item.key == f"ma{school.ma.id}_1" and item.target == 90 and item.responsible_role == "mo_head"
    # The head enters the value on the indicator's page.
    page = client.get(f"/monitoring/indicators/{item.id}").get_data(as_text=True)
    response = client.post(f"/monitoring/indicators/{item.id}",
                           data={"csrf_token": csrf_of(page), "term_id": "", "value": "75"})
    assert response.status_code == 303
    assert db.session.scalar(select(IndicatorValue.value).where(IndicatorValue.indicator_id == item.id)) == 75
    mo_page = client.get(f"/monitoring/associations/{school.ma.id}").get_data(as_text=True)
    assert "Лабораторные работы" in mo_page or "Lab" in mo_page or item.name_en in mo_page
    assert "75.0 %" in mo_page and "90.0 %" in mo_page
    # Not one of the school's indicators (catalogue), and not the other association's head's.
    assert item.name_en not in client.get("/monitoring/indicators/").get_data(as_text=True)
    as_user(world["head2"])
    assert client.get(f"/monitoring/associations/{school.ma.id}/indicators/{item.id}/edit").status_code == 404
    assert client.get(f"/monitoring/indicators/{item.id}").status_code == 404
    page = client.get("/monitoring/associations/").get_data(as_text=True)
    assert client.post(f"/monitoring/indicators/{item.id}", data={"csrf_token": csrf_of(page), "term_id": "",
                                                                  "value": "10"}).status_code == 404
    # The edit page of the association's head changes the target; last value kept.
    as_user(school.user("mo_head"))
    edit = f"/monitoring/associations/{school.ma.id}/indicators/{item.id}/edit"
    page = client.get(edit).get_data(as_text=True)
    data = {"csrf_token": csrf_of(page), "name_ky": item.name_ky, "name_ru": item.name_ru, "name_en": item.name_en,
            "direction": "2", "unit": "percent", "periodicity": "year", "good": "higher", "target": "80",
            "threshold": "70", "active": "y", "position": "1"}
    assert client.post(edit, data=data).status_code == 303
    db.session.refresh(item)
    assert item.target == 80


def test_proposals_are_written_audited_and_a_stale_page_is_refused(client, as_user, school, world):
    as_user(school.user("mo_head"))
    url = f"/monitoring/associations/{school.ma.id}/proposals"
    page = client.get(url).get_data(as_text=True)
    orig = re.search(r'name="_orig" value="([^"]*)"', page).group(0)
    assert client.post(url, data={"csrf_token": csrf_of(page), "proposals": "More lab work in grade 8."}).status_code == 303
    row = db.session.scalar(select(AssociationYear))
    assert row.proposals == "More lab work in grade 8." and row.updated_by_id == school.user("mo_head").id
    assert db.session.scalar(select(AuditLog).where(AuditLog.entity == "association_year")).action == "create"
    # A second tab still showing the empty text changes it to something else: refused.
    import html
    originals = html.unescape(re.search(r'value="([^"]*)"', orig).group(1))
    stale = client.post(url, data={"csrf_token": csrf_of(page), "proposals": "Other text", "_orig": originals})
    assert stale.status_code == 409 and "More lab work in grade 8." in stale.get_data(as_text=True)
    db.session.refresh(row)
    assert row.proposals == "More lab work in grade 8."


def _body(page: str) -> str:
    return page[page.index('<div class="issued-body">'):page.index("</main>")]


def test_an_issued_association_report_stays_identical_after_marks_change(client, as_user, school, world):
    db.session.add(AssociationYear(school_id=school.school.id, ma_id=school.ma.id, year_id=school.year.id,
                                   proposals="Open a robotics club."))
    db.session.commit()
    as_user(school.user("mo_head"))
    url = f"/monitoring/associations/{school.ma.id}/report?year_id={school.year.id}"
    report = client.get(url).get_data(as_text=True)
    assert "Open a robotics club." in report and "81.8 %" in report
    action = f"/monitoring/associations/{school.ma.id}/report/issue?year_id={school.year.id}"
    response = client.post(action, data={"csrf_token": csrf_of(report), "number": "МБ-1", "issued_on": "2027-05-30"})
    assert response.status_code == 303
    doc = db.session.scalar(select(IssuedDocument).where(IssuedDocument.kind == "mo"))
    assert (doc.subject, doc.version, doc.number, doc.author_id) == (f"ma:{school.ma.id}", 1, "МБ-1",
                                                                       school.user("mo_head").id)
    total = next(f for f in doc.figures if f["section"] == "total")
    assert total["n"] == 11 and round(total["pass_rate"], 1) == 81.8
    first = _body(client.get(f"/monitoring/issued/{doc.id}").get_data(as_text=True))
    assert "81.8 %" in first and "Open a robotics club." in first and "No. МБ-1 of 30.05.2027" in first

    # Marks change afterwards: physics 8-Б gets a second quarter of 2s; the proposals change.
    make_assessment(school, cls=school.classes[1], subject=school.subjects[1], term=school.terms[1],
                    marks=[2, 2, 2, 2, 2, 2])
    db.session.scalar(select(AssociationYear)).proposals = "Something else."
    db.session.commit()
    assert "81.8 %" not in _total_row(client.get(url).get_data(as_text=True))
    assert _body(client.get(f"/monitoring/issued/{doc.id}").get_data(as_text=True)) == first
    compare = client.get(f"/monitoring/issued/{doc.id}/compare").get_data(as_text=True)
    assert "changed" in compare and "81.8 %" in compare

    # A new issue is version 2; the archive lists both; the other association's head sees neither.
    report = client.get(url).get_data(as_text=True)
    client.post(action, data={"csrf_token": csrf_of(report), "number": "МБ-2", "issued_on": "2027-05-31"})
    assert [d.version for d in db.session.scalars(select(IssuedDocument).where(IssuedDocument.kind == "mo")
                                                  .order_by(IssuedDocument.version))] == [1, 2]
    archive = client.get("/monitoring/issued/").get_data(as_text=True)
    assert "МБ-1" in archive and "МБ-2" in archive
    as_user(world["head2"])
    assert "МБ-1" not in client.get("/monitoring/issued/").get_data(as_text=True)
    assert client.get(f"/monitoring/issued/{doc.id}").status_code == 404
    assert client.get(f"/monitoring/issued/{doc.id}/compare").status_code == 404


def test_the_page_and_report_in_each_language(client, as_user, school, world):
    as_user(school.user("mo_head"))
    for lang, words in (("ky", ("Методикалык бирикме", "Үлгүрүү", "Өнүгүү программасына сунуштар")),
                        ("ru", ("объединени", "Успеваемость", "Предложения в программу развития")),
                        ("en", ("ethodical association", "Pass rate", "Proposals to the development programme"))):
        school.user("mo_head").locale = lang
        db.session.commit()
        for url in (f"/monitoring/associations/{school.ma.id}", f"/monitoring/associations/{school.ma.id}/report"):
            page = client.get(url).get_data(as_text=True)
            assert f'lang="{lang}"' in page
            for word in words:
                assert word in page, (lang, url, word)
