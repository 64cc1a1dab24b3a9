"""A student's report card for parents (issue 19 part 4): term marks by quarter with their
change, the class's mean beside each (none where fewer than five of the class have a mark),
achievements and support steps; one A4 page each, the whole class at once; the class teacher
prints their own class, the administration any."""
import re
from datetime import date

from app.extensions import db
from app.models import Mark, SupportAction
from tests.factories.achievement import make_assessment
from tests.factories.monitoring import make_register_row


def _cells(page: str, subject: str) -> list[str]:
    row = re.search(rf"<tr><td>{subject}</td>(.*?)</tr>", page, re.S).group(1)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
            for cell in re.findall(r"<td class=\"num\">(.*?)</td>", row, re.S)]


def _small_class_marks(school):
    c7 = school.classes[0]
    maths, physics = school.subjects
    q1, q2 = school.terms[:2]
    make_assessment(school, cls=c7, subject=maths, term=q1, marks=[5, 4, 3, 2, 5, 4])
    make_assessment(school, cls=c7, subject=maths, term=q2, marks=[4, 4, 3, 3, 5, 4])
    make_assessment(school, cls=c7, subject=physics, term=q1, marks=[5, 3, None, None, None, None])
    return c7


def test_report_card_values_by_hand_for_a_small_class(client, login, school):
    c7 = _small_class_marks(school)
    pupil = school.students[c7.id][0]  # Student 7А 1: maths 5 then 4, physics 5
    make_register_row(school, "students", student_id=pupil.id, title="Math olympiad", level="district",
                      result="winner")
    db.session.add(SupportAction(school_id=school.school.id, student_id=pupil.id, term_id=school.terms[1].id,
                                 action="Extra lessons in fractions", parents_informed=True,
                                 contact_date=date(2026, 11, 20), created_by_id=school.user("class_teacher").id))
    db.session.commit()
    login(school.user("class_teacher"))
    page = client.get(f"/achievement/card/{pupil.id}").get_data(as_text=True)
    assert "Report card: Student 7А 1" in page and "Class 7-А" in page
    # Maths: Q1 5 (class 23/6 = 3.8), Q2 4 (class 23/6 = 3.8), no annual mark, change 4 - 5 = -1.
    assert _cells(page, "Математика") == ["5 class 3.8", "4 class 3.8", "—", "—", "—", "-1"]
    # Physics: only 2 of 7-А have a Q1 mark (< 5): the student's 5, no class mean.
    assert _cells(page, "Физика") == ["5 class *", "—", "—", "—", "—", "—"]
    # Mean term mark: Q1 (5 + 5) / 2 = 5.00, class (23 + 8) / 8 marks = 3.875 -> 3.88 (6 students);
    # Q2 4.00, class 23 / 6 = 3.83.
    foot = re.search(r"<tfoot>(.*?)</tfoot>", page, re.S).group(1)
    foot = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", foot))
    assert "5.00 class 3.88" in foot and "4.00 class 3.83" in foot
    assert "Math olympiad" in page and "district" in page and "winner" in page
    assert "Extra lessons in fractions" in page
    assert "@page{size:A4" in open("app/static/css/achievement.css").read()


def test_the_whole_class_prints_one_page_per_student_in_ky_and_ru(client, login, school):
    c7 = _small_class_marks(school)
    login(school.user("class_teacher"))
    page = client.get(f"/achievement/cards/{c7.id}").get_data(as_text=True)
    assert page.count('<article class="report-card">') == 6
    assert page.count("Report card: Student 7А") == 6
    for lang, words in (("ru", "Табель успеваемости"), ("ky", "Үлгүрүү табели")):
        text = client.get(f"/achievement/cards/{c7.id}?lang={lang}").get_data(as_text=True)
        assert words in text, lang


def test_report_card_access_by_role(app, client, login, school, other_school):
    c7, c8 = school.classes
    own, other = school.students[c7.id][0], school.students[c8.id][0]
    login(school.user("class_teacher"))  # class teacher of 7-А
    assert client.get(f"/achievement/card/{own.id}").status_code == 200
    assert f"/achievement/card/{own.id}?year_id=" in client.get(f"/achievement/student/{own.id}").get_data(as_text=True)
    assert client.get(f"/achievement/card/{other.id}").status_code == 403
    assert client.get(f"/achievement/cards/{c8.id}").status_code == 403
    listing = client.get("/achievement/cards").get_data(as_text=True)
    assert "7-А" in listing and "8-Б" not in listing
    foreign = other_school.students[other_school.classes[0].id][0]
    assert client.get(f"/achievement/card/{foreign.id}").status_code == 404
    assert client.get(f"/achievement/cards/{other_school.classes[0].id}").status_code == 404
    for role, status in (("admin", 200), ("deputy", 200), ("teacher", 403), ("mo_head", 403), ("expert", 403)):
        other_client = app.test_client()
        other_client.post("/login", data={"email": school.user(role).email, "password": "correct-horse-42"})
        assert other_client.get(f"/achievement/cards/{c8.id}").status_code == status, role


def test_a_mark_from_another_class_is_not_on_the_class_teachers_card(app, client, login, school):
    """A 7-А student's maths mark given in 8-Б before moving (outside the 7-А class teacher's
    scope, as on the student's page) is not on their card; the director's card shows it."""
    c7, c8 = school.classes
    pupil = school.students[c7.id][0]
    moved = make_assessment(school, cls=c8, marks=[3] * 6)
    db.session.add(Mark(school_id=school.school.id, assessment_id=moved.id, student_id=pupil.id, value=2))
    db.session.commit()
    login(school.user("class_teacher"))
    assert "Математика" not in client.get(f"/achievement/card/{pupil.id}").get_data(as_text=True)
    director = app.test_client()
    director.post("/login", data={"email": school.user("admin").email, "password": "correct-horse-42"})
    assert _cells(director.get(f"/achievement/card/{pupil.id}").get_data(as_text=True), "Математика")[0] == "2"  # 7-А has no maths mean
