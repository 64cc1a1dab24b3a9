"""The demo command builds a realistic school on either database."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import ClassGroup, Enrollment, School, Subject, TeachingAssignment, User
from tests.conftest import do_login


def test_demo_builds_a_school_and_prints_logins(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--scale", "small", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "director@demo.sapat.kg" in result.output and "sapat-demo-2026" in result.output
    school = db.session.scalar(select(School))
    assert db.session.scalar(select(func.count(Subject.id))) == 20
    grades = db.session.scalars(select(ClassGroup.grade).where(ClassGroup.school_id == school.id)).all()
    assert set(grades) == set(range(1, 12))
    assert db.session.scalar(select(func.count(Enrollment.id))) > 200
    assert db.session.scalar(select(func.count(TeachingAssignment.id))) > 100
    # Kyrgyz names with Kyrgyz patronymics are there.
    names = db.session.scalars(select(User.full_name)).all()
    assert any(n.endswith(("уулу", "кызы")) for n in names)

    # A second run refuses, --if-empty is quiet, --replace rebuilds.
    assert runner.invoke(args=["demo"]).exit_code == 1
    assert runner.invoke(args=["demo", "--if-empty"]).exit_code == 0
    assert runner.invoke(args=["demo", "--replace"]).exit_code == 0
    assert db.session.scalar(select(func.count(School.id))) == 1

    # The printed login works and the director sees classes and teachers.
    director = db.session.scalar(select(User).where(User.email == "director@demo.sapat.kg"))
    response = do_login(client, director, "sapat-demo-2026")
    assert response.status_code == 302
    page = client.get("/admin/classes/").get_data(as_text=True)
    assert "7-А" in page and "11-А" in page


def test_create_user_command(app, school, monkeypatch):
    monkeypatch.setenv("SAPAT_PASSWORD", "a-long-password")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "new@alpha.sapat.kg", "--role", "deputy", "--school", "alpha"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "new@alpha.sapat.kg"))
    assert user.roles == {"deputy"} and user.check_password("a-long-password")
    again = runner.invoke(args=["create-user", "new@alpha.sapat.kg", "--role", "deputy"])
    assert again.exit_code == 1 and "already exists" in again.output
    bad = runner.invoke(args=["create-user", "x@alpha.sapat.kg", "--role", "janitor"])
    assert bad.exit_code != 0
