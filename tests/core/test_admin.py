"""Admin pages manage the school's structure, with the audit trail."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, ClassGroup, Subject, TeachingAssignment, User


def test_director_creates_a_class(client, school, login):
    login(school.user("admin"))
    response = client.post("/admin/classes/new", data={
        "year_id": school.year.id, "grade": 9, "letter": "В",
        "class_teacher_id": school.user("teacher").id})
    assert response.status_code == 303
    cls = db.session.scalar(select(ClassGroup).where(ClassGroup.grade == 9))
    assert cls.letter == "В" and cls.school_id == school.school.id
    assert cls.class_teacher_id == school.user("teacher").id
    log = db.session.scalar(select(AuditLog).where(AuditLog.entity == "class_group"))
    assert log.action == "create" and log.after["grade"] == 9 and log.user_id == school.user("admin").id


def test_bad_grade_is_refused_with_a_message(client, school, login):
    login(school.user("admin"))
    response = client.post("/admin/classes/new", data={"year_id": school.year.id, "grade": 12, "letter": "А"})
    assert response.status_code == 200
    assert "Number must be between 1 and 11" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ClassGroup.id))) == 2


def test_duplicate_class_is_refused(client, school, login):
    login(school.user("admin"))
    response = client.post("/admin/classes/new", data={"year_id": school.year.id, "grade": 7, "letter": "А"})
    assert "already exists" in response.get_data(as_text=True)


def test_class_with_students_cannot_be_deleted(client, school, login):
    login(school.user("admin"))
    cls = school.classes[0]
    response = client.post(f"/admin/classes/{cls.id}/delete", follow_redirects=True)
    assert "move them to another class first" in response.get_data(as_text=True)
    assert db.session.get(ClassGroup, cls.id) is not None


def test_subject_and_assignment_pages(client, school, login):
    login(school.user("admin"))
    client.post("/admin/subjects/new", data={"name": "Химия", "name_ru": "Химия", "ma_id": school.ma.id})
    subject = db.session.scalar(select(Subject).where(Subject.name == "Химия"))
    assert subject.ma_id == school.ma.id
    response = client.post("/admin/assignments/new", data={
        "teacher_id": school.user("teacher2").id, "subject_id": subject.id, "class_id": school.classes[0].id})
    assert response.status_code == 303
    assignment = db.session.scalar(select(TeachingAssignment).where(TeachingAssignment.subject_id == subject.id))
    assert assignment.year_id == school.year.id
    page = client.get(f"/admin/class/{school.classes[0].id}").get_data(as_text=True)
    assert "Химия" in page and school.user("teacher2").full_name in page


def test_director_creates_a_user_with_roles(client, school, login):
    login(school.user("admin"))
    response = client.post("/admin/users/new", data={
        "full_name": "Асанова Айгерим", "email": "Aigerim@School.kg", "roles": ["teacher", "class_teacher"],
        "locale": "ky", "active": "y", "password": "long-enough-1"})
    assert response.status_code == 303
    user = db.session.scalar(select(User).where(User.email == "aigerim@school.kg"))
    assert user.roles == {"teacher", "class_teacher"} and user.school_id == school.school.id
    log = db.session.scalar(select(AuditLog).where(AuditLog.entity == "user", AuditLog.action == "create"))
    assert "password_hash" not in log.after


def test_user_email_must_be_unique(client, school, login):
    login(school.user("admin"))
    response = client.post("/admin/users/new", data={
        "full_name": "X", "email": school.user("teacher").email, "roles": ["teacher"], "locale": "ky",
        "password": "long-enough-1"})
    assert "already exists" in response.get_data(as_text=True)


def test_director_cannot_drop_own_admin_role(client, school, login):
    admin = school.user("admin")
    login(admin)
    response = client.post(f"/admin/users/{admin.id}", data={
        "full_name": admin.full_name, "email": admin.email, "roles": ["teacher"], "locale": "en", "active": "y"})
    assert "cannot remove the director role" in response.get_data(as_text=True)


def test_only_one_current_year(client, school, login):
    login(school.user("admin"))
    client.post("/admin/years/new", data={"name": "2027-2028", "starts_on": "2027-09-01",
                                          "ends_on": "2028-05-31", "is_current": "y"})
    db.session.expire_all()
    assert not db.session.get(type(school.year), school.year.id).is_current


def test_term_dates_must_be_in_order(client, school, login):
    login(school.user("admin"))
    response = client.post("/admin/terms/new", data={"year_id": school.year.id, "kind": "semester", "number": 1,
                                                     "name": "S1", "starts_on": "2026-12-01", "ends_on": "2026-09-01"})
    assert "The end must be after the start" in response.get_data(as_text=True)
