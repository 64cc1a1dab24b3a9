"""Who may change which register rows, and what profiles show of the registers (issue 17): an
MO head edits and deletes the achievements of their association's teachers only and no
student's; a psychologist the support cases they opened; the registers' counts on a profile
are for the registers' readers, the class teacher of the class and the teacher themself; a
manual indicator takes values from the director, the deputies and its responsible role."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.monitoring.registers import StudentAchievement, SupportCase, TeacherAchievement
from tests.factories import make_other_association
from tests.factories.monitoring import indicator, make_register_row


@pytest.fixture
def rows(school):
    other = make_other_association(school)
    rows = {
        "ma_teacher": make_register_row(school, "teachers", title="Maths open lesson"),  # `teacher`: maths (Science)
        "history_award": make_register_row(school, "teachers", teacher_id=other["historian"].id, title="History award"),
        "student": make_register_row(school, "students", title="Maths olympiad"),
        "own_case": make_register_row(school, "support", reason="Own case"),
        "other_case": make_register_row(school, "support", reason="Other case",
                                        psychologist_id=other["psychologist2"].id),
    }
    db.session.commit()
    return {**rows, **other}


def _relogin(client, login, user):
    client.post("/logout")
    return login(user)


def _exists(model, row_id) -> bool:
    db.session.expire_all()
    return db.session.get(model, row_id) is not None


def _teacher_form(teacher_id, title="Renamed"):
    return {"teacher_id": str(teacher_id), "kind": "open_lesson", "level": "", "result": "", "title": title,
            "on_date": "2026-10-11", "details": ""}


def test_an_mo_head_changes_only_their_associations_teachers_achievements(client, login, school, rows):
    hist, own = rows["history_award"], rows["ma_teacher"]
    own_id = own.id
    login(school.user("mo_head"))
    listing = client.get("/registers/teachers/").get_data(as_text=True)
    assert "History award" in listing and "Maths open lesson" in listing  # MO heads read the register
    assert f'/registers/teachers/{own.id}"' in listing and f'/registers/teachers/{hist.id}"' not in listing
    assert client.get(f"/registers/teachers/{hist.id}").status_code == 404
    assert client.post(f"/registers/teachers/{hist.id}", data=_teacher_form(rows["historian"].id)).status_code == 404
    assert client.post(f"/registers/teachers/{hist.id}/delete").status_code == 404
    assert _exists(TeacherAchievement, hist.id) and db.session.get(TeacherAchievement, hist.id).title == "History award"
    form = client.get(f"/registers/teachers/{own.id}").get_data(as_text=True)
    assert "Historian" not in form and school.user("teacher").full_name in form
    # Moving the own row to another association's teacher, or adding one for them: refused.
    moved = client.post(f"/registers/teachers/{own.id}", data=_teacher_form(rows["historian"].id))
    assert moved.status_code == 200 and "Not a valid choice" in moved.get_data(as_text=True)
    added = client.post("/registers/teachers/new", data=_teacher_form(rows["historian"].id, "Sneaked in"))
    assert added.status_code == 200
    assert db.session.scalar(select(func.count(TeacherAchievement.id))) == 2
    assert db.session.get(TeacherAchievement, own.id).teacher_id == school.user("teacher").id
    # Their own association's teacher: edited and deleted.
    assert client.post(f"/registers/teachers/{own.id}", data=_teacher_form(school.user("teacher").id)).status_code == 303
    assert client.post(f"/registers/teachers/{own_id}/delete").status_code == 303
    assert not _exists(TeacherAchievement, own_id)


@pytest.mark.parametrize("role", ["admin", "deputy"])
def test_the_director_and_deputies_change_every_achievement(client, login, school, rows, role):
    award, olympiad = rows["history_award"].id, rows["student"].id
    login(school.user(role))
    assert client.get(f"/registers/teachers/{award}").status_code == 200
    assert client.post(f"/registers/teachers/{award}/delete").status_code == 303
    assert client.post(f"/registers/students/{olympiad}/delete").status_code == 303
    assert not _exists(TeacherAchievement, award) and not _exists(StudentAchievement, olympiad)


def test_an_mo_head_changes_no_students_achievement(client, login, school, rows):
    login(school.user("mo_head"))
    assert "Maths olympiad" in client.get("/registers/students/").get_data(as_text=True)
    assert client.get("/registers/students/new").status_code == 403
    assert client.get(f"/registers/students/{rows['student'].id}").status_code == 403
    assert client.post(f"/registers/students/{rows['student'].id}/delete").status_code == 403
    assert _exists(StudentAchievement, rows["student"].id)


def test_a_psychologist_sees_and_changes_only_their_own_cases(client, login, school, rows):
    own, other = rows["own_case"], rows["other_case"]
    other_id = other.id
    login(school.user("psychologist"))
    listing = client.get("/registers/support/").get_data(as_text=True)
    assert "Own case" in listing and "Other case" not in listing
    assert client.get(f"/registers/support/{other.id}").status_code == 404
    assert client.post(f"/registers/support/{other.id}/delete").status_code == 404
    assert _exists(SupportCase, other.id)
    assert client.get(f"/registers/support/{own.id}").status_code == 200
    _relogin(client, login, school.user("admin"))
    listing = client.get("/registers/support/").get_data(as_text=True)
    assert "Own case" in listing and "Other case" in listing
    assert client.post(f"/registers/support/{other_id}/delete").status_code == 303
    assert not _exists(SupportCase, other_id)


def test_a_new_case_belongs_to_its_psychologist(client, login, school, rows):
    login(rows["psychologist2"])
    student = school.students[school.classes[0].id][1]
    assert client.post("/registers/support/new", data={"student_id": str(student.id), "opened_on": "2026-10-02",
                                                       "reason": "New case", "status": "open"}).status_code == 303
    _relogin(client, login, school.user("psychologist"))
    assert "New case" not in client.get("/registers/support/").get_data(as_text=True)


def _sections(client, url) -> str:
    return client.get(url).get_data(as_text=True)


def test_register_counts_on_profiles_follow_the_registers_readers(client, login, school, rows):
    """Olympiads and incidents of 7-А: the class teacher of 7-А sees them on the class profile,
    a teacher of the class does not (registers are not theirs to read); a teacher sees their
    own achievements on their own profile."""
    make_register_row(school, "incidents")
    db.session.commit()
    c7 = school.classes[0]
    login(school.user("class_teacher"))
    page = _sections(client, f"/monitoring/profiles/class/{c7.id}")
    assert "Olympiads, competitions and projects" in page and "Injuries and offences" in page
    _relogin(client, login, school.user("teacher"))
    page = _sections(client, f"/monitoring/profiles/class/{c7.id}")
    assert "Olympiads, competitions and projects" not in page and "Injuries and offences" not in page
    page = _sections(client, f"/monitoring/profiles/teacher/{school.user('teacher').id}")
    assert "Professional achievements" in page
    _relogin(client, login, school.user("mo_head"))
    page = _sections(client, f"/monitoring/profiles/class/{c7.id}")
    assert "Olympiads, competitions and projects" in page


def test_a_manual_indicator_takes_values_from_its_responsible_role(client, login, school):
    adaptation, catering = indicator(school, "adaptation"), indicator(school, "catering_coverage")
    db.session.commit()
    assert (adaptation.responsible_role, catering.responsible_role) == ("psychologist", "admin")
    value = {"value": "80", "term_id": "", "note": "", "evidence": ""}
    login(school.user("psychologist"))
    assert client.post(f"/monitoring/indicators/{adaptation.id}", data=value).status_code == 303
    assert client.post(f"/monitoring/indicators/{catering.id}", data=value).status_code == 403
    assert 'name="value"' not in client.get(f"/monitoring/indicators/{catering.id}").get_data(as_text=True)
    _relogin(client, login, school.user("deputy"))
    assert client.post(f"/monitoring/indicators/{catering.id}", data=value).status_code == 303
    # A variable indicator the director gives to MO heads.
    catering.responsible_role = "mo_head"
    db.session.commit()
    _relogin(client, login, school.user("mo_head"))
    assert client.post(f"/monitoring/indicators/{catering.id}", data=value).status_code == 303
    assert client.post(f"/monitoring/indicators/{adaptation.id}", data=value).status_code == 403
