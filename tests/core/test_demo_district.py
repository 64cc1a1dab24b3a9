"""`demo --scale district` (issue 22 §4): several demo schools in one installation, each with
its own logins, built with bulk inserts (COPY on PostgreSQL); and the bulk insert itself."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import Answer, District, Mark, School, Student, User
from app.services.core import demo
from app.services.core.bulk import bulk_insert
from tests.conftest import do_login


def test_a_district_of_schools_with_their_own_logins(app, client, monkeypatch):
    # The district's schools at the small school's size, so that the test takes seconds.
    monkeypatch.setitem(demo.SCALES, "district", demo.SCALES["small"])
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--scale", "district", "--schools", "3", "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert "(3/3: demo-03)" in result.output and "director@demo.sapat.kg" in result.output
    assert "s02 ... s03" in result.output
    codes = set(db.session.scalars(select(School.code)))
    assert codes == {"balasagyn", "demo-02", "demo-03"}
    per_school = dict(db.session.execute(select(Student.school_id, func.count(Student.id))
                                         .group_by(Student.school_id)).all())
    assert sorted(per_school.values()) == [168, 168, 168]  # 11 classes of 14 and last year's 14 graduates
    marks = dict(db.session.execute(select(Mark.school_id, func.count(Mark.id)).group_by(Mark.school_id)).all())
    assert len(marks) == 3 and min(marks.values()) > 10_000

    # The second school's director logs in and sees only that school.
    director = db.session.scalar(select(User).where(User.email == "director@s02.demo.sapat.kg"))
    assert do_login(client, director, demo.DEMO_PASSWORD).status_code == 303
    page = client.get("/admin/classes/").get_data(as_text=True)
    assert "7-А" in page
    other = db.session.scalar(select(Student).join(School).where(School.code == "demo-03"))
    assert client.get(f"/achievement/student/{other.id}").status_code == 404

    # The schools make one district, whose specialist sees all three side by side.
    district = db.session.scalar(select(District).where(District.code == "demo-district"))
    assert {s.code for s in db.session.scalars(select(School).where(School.district_id == district.id))} == codes
    assert "district-specialist@demo.sapat.kg" in result.output
    specialist = db.session.scalar(select(User).where(User.email == "district-specialist@demo.sapat.kg"))
    district_client = app.test_client()
    assert do_login(district_client, specialist, demo.DEMO_PASSWORD).status_code == 303
    side_by_side = district_client.get("/district/results").get_data(as_text=True)
    assert all(name in side_by_side for name in ("№2 орто мектеп", "№3 орто мектеп"))

    # --replace removes every school of the district, and the district, before building again.
    result = runner.invoke(args=["demo", "--replace"])
    assert result.exit_code == 0, result.output
    assert set(db.session.scalars(select(School.code))) == {"balasagyn"}
    assert db.session.scalar(select(func.count(District.id))) == 0


def test_schools_goes_only_with_the_district_scale(app):
    result = app.test_cli_runner().invoke(args=["demo", "--schools", "3"])
    assert result.exit_code != 0 and "--schools goes with --scale district" in result.output
    assert db.session.scalar(select(func.count(School.id))) == 0


def test_bulk_insert_writes_what_an_insert_writes(app, school):
    """On PostgreSQL through COPY, on SQLite through INSERT: missing keys are NULL, a Python-side
    default (the answer's random key, if it has one) is filled per row."""
    from tests.factories.achievement import make_assessment

    assessment = make_assessment(school)
    students = school.students[assessment.class_id][:3]
    rows = [{"school_id": school.school.id, "assessment_id": assessment.id, "student_id": students[0].id, "value": 5,
             "absent": False},
            {"school_id": school.school.id, "assessment_id": assessment.id, "student_id": students[1].id, "absent": True},
            {"school_id": school.school.id, "assessment_id": assessment.id, "student_id": students[2].id, "score": 120.0,
             "absent": False}]
    assert bulk_insert(Mark, rows) == 3
    db.session.commit()
    stored = sorted(db.session.execute(select(Mark.student_id, Mark.value, Mark.score, Mark.absent)
                                       .where(Mark.assessment_id == assessment.id)).all())
    assert stored == sorted([(students[0].id, 5, None, False), (students[1].id, None, None, True),
                             (students[2].id, None, 120.0, False)])
    assert bulk_insert(Answer, []) == 0
