"""Look-alike letters in every key a person types (issue 16 §6): a student code typed with
Cyrillic twins finds the stored Latin one and the other way round (marks and roster imports),
subject names, e-mail logins and campaign links alike; spaces and case do not matter."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import Mark, Student
from app.services.core.text import fold_key
from tests.conftest import do_login
from tests.factories import PASSWORD
from tests.factories.surveys import make_campaign
from tests.xlsx_helpers import make_xlsx

TWINS = str.maketrans({"a": "а", "p": "р", "А": "A", "e": "е", "o": "о"})  # Latin -> Cyrillic, Cyrillic А -> Latin


def test_fold_key_makes_twins_spaces_and_case_one_key():
    assert fold_key("аlрhа-7A-1") == fold_key("alpha-7А-1") == fold_key("  ALPHA-7А-1 ")
    assert fold_key("W  1") == fold_key("w 1") and fold_key("Мaтeмaтикa") == fold_key("Математика")


def test_a_marks_import_with_codes_and_a_subject_typed_with_look_alikes_finds_them(school, login, client):
    pupils = school.students[school.classes[0].id]
    assert "А" in pupils[0].code and "a" in pupils[0].code  # the stored code mixes Cyrillic and Latin
    rows = [["7-А", f" {s.code.translate(TWINS).upper()}  ", "Мaтeмaтикa", "1", "control", "15.10.2026", 5]
            for s in pupils]
    assert rows[0][1].strip() != pupils[0].code
    login(school.user("deputy"))
    response = client.post("/achievement/import", data={"file": (make_xlsx([
        ["class", "student_code", "subject", "term", "kind", "date", "mark"], *rows]), "marks.xlsx")},
        content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[-1500:]
    marked = set(db.session.scalars(select(Mark.student_id)))
    assert marked == {s.id for s in pupils}


def test_a_roster_row_typed_with_look_alikes_updates_the_stored_student(school, login, client):
    pupil = school.students[school.classes[0].id][0]
    count = db.session.scalar(select(func.count(Student.id)))
    login(school.user("admin"))
    response = client.post("/admin/roster", data={"file": (make_xlsx([
        ["class", "student_code", "full_name"], ["7-А", pupil.code.translate(TWINS), "Renamed Pupil"],
        ["7-А", "W-9", "New Pupil"], ["7-А", "w-9 ", "Same Pupil Again"]]), "roster.xlsx")},
        content_type="multipart/form-data")
    assert response.status_code == 422  # W-9 and "w-9 " are one code: the second row is a duplicate
    assert "duplicate code w-9 (already in row 3)" in response.get_data(as_text=True)
    response = client.post("/admin/roster", data={"file": (make_xlsx([
        ["class", "student_code", "full_name"], ["7-А", pupil.code.translate(TWINS), "Renamed Pupil"]]),
        "roster.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Student.id))) == count
    assert db.session.get(Student, pupil.id).full_name == "Renamed Pupil"
    assert db.session.get(Student, pupil.id).code == pupil.code  # the stored code is kept as it was


def test_a_login_typed_with_cyrillic_look_alikes_signs_in(school, client):
    user = school.user("admin")
    typed = user.email.replace("a", "а").upper()  # Cyrillic а, capitals
    assert typed.lower() != user.email
    response = client.post("/login", data={"email": typed, "password": PASSWORD})
    assert response.status_code == do_login(client.application.test_client(), user).status_code == 303


def test_a_campaign_link_typed_with_look_alikes_leads_to_the_link(school, client):
    campaign = make_campaign(school)
    target = campaign.targets[0]
    target.slug = "AeXoPy7c"
    db.session.commit()
    response = client.get("/s/АеХоРу7с")  # every letter Cyrillic
    assert response.status_code == 308 and response.headers["Location"].endswith("/s/AeXoPy7c")
    assert client.get(response.headers["Location"]).status_code == 200
