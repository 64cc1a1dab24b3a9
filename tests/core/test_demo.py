"""The demo command builds a realistic school on either database."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    ClassGroup,
    Diagnostic,
    DiagnosticCode,
    DiagnosticRound,
    Enrollment,
    School,
    Subject,
    TeachingAssignment,
    User,
)
from app.models.monitoring.associations import AssociationYear
from app.models.monitoring.measures import Measure
from app.models.monitoring.staff import StaffRecord
from app.models.school import MethodicalAssociation
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
    # The measure made from a control work's analysis stores no text of the command line's
    # language: its page names the work in the reader's ("7-А, Алгебра, 19.10.2026 текшерүү иши").
    measures = db.session.scalars(select(Measure).where(Measure.source == "control_work")).all()
    assert measures and all(m.source_ref is None for m in measures)
    do_login(client, db.session.scalar(select(User).where(User.email == "director@demo.sapat.kg")), "sapat-demo-2026")
    page = client.get(f"/monitoring/measures/{measures[0].id}/status?lang=ky").get_data(as_text=True)
    assert "текшерүү иши" in page and "control work" not in page
    client.post("/logout")

    # A second run refuses, --if-empty is quiet, --replace rebuilds.
    assert runner.invoke(args=["demo"]).exit_code == 1
    assert runner.invoke(args=["demo", "--if-empty"]).exit_code == 0
    assert runner.invoke(args=["demo", "--replace"]).exit_code == 0
    assert db.session.scalar(select(func.count(School.id))) == 1

    # The printed login works and the director sees classes and teachers.
    director = db.session.scalar(select(User).where(User.email == "director@demo.sapat.kg"))
    response = do_login(client, director, "sapat-demo-2026")
    assert response.status_code == 303
    page = client.get("/admin/classes/").get_data(as_text=True)
    assert "7-А" in page and "11-А" in page

    # A new user finds the staff records, the associations' own data and a students' round filled.
    records = db.session.scalars(select(StaffRecord)).all()
    assert len(records) > 20 and all("teacher" in r.user.roles for r in records)
    assert records[0].user.full_name in client.get("/staff/teachers/?lang=ru").get_data(as_text=True)
    assert "жумушчу программа" in client.get("/staff/programmes/?lang=ru").get_data(as_text=True)
    ma = db.session.scalar(select(MethodicalAssociation).order_by(MethodicalAssociation.id))
    report = client.get(f"/monitoring/associations/{ma.id}/report?lang=ky").get_data(as_text=True)
    kept = db.session.scalar(select(AssociationYear).where(AssociationYear.ma_id == ma.id)
                             .order_by(AssociationYear.year_id.desc()).limit(1))  # this year's
    assert kept.proposals and kept.proposals in report
    assert "МБнын мугалимдеринин ачык сабактары" in report  # the association's own indicator
    rnd = db.session.scalar(select(DiagnosticRound))
    assert rnd.status == "open" and rnd.instrument_key == "adaptation_grade10"
    spent = db.session.scalar(select(func.count(DiagnosticCode.id)).where(DiagnosticCode.used.is_(True)))
    assert spent >= 2 and db.session.scalar(select(func.count(Diagnostic.id)).where(
        Diagnostic.respondent == "student")) == spent
    sheet = client.get(f"/diagnostics/class/{rnd.class_id}?instrument=adaptation_grade10&lang=en").get_data(as_text=True)
    assert "student-round" in sheet and f"answers received: {spent}" in sheet


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
