"""The school nurse: fills in and reads the health-group diagnostic of every student of the
school and no other record; confidential instruments stay the psychologist's and the director's.
The role is an account role like the others (accounts page, constraint, migration 0024)."""
import textwrap
import uuid

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from app import create_app
from app.extensions import db
from app.models import AuditLog, Diagnostic, User
from app.services.core import instruments as instrument_service
from app.services.diagnostics.instruments import RULES
from app.services.monitoring.calculators import Period, compute
from config import TestingConfig
from surveys.loader import load_text
from tests.conftest import do_login
from tests.diagnostics.test_diagnostics_access import CONFIDENTIAL
from tests.factories.diagnostics import diagnostic_instruments, make_diagnostic

HEALTH = {"health_group": "g2", "pe_group": "main"}


def _client(app, user):
    client = app.test_client()
    assert do_login(client, user).status_code == 303
    return client


def test_the_nurse_fills_in_health_groups_in_every_class_and_it_counts(app, school):
    diagnostic_instruments()
    a, b = school.classes
    nurse = _client(app, school.user("nurse"))
    index = nurse.get("/diagnostics/").text
    assert "7-А" in index and "8-Б" in index  # every class, not only taught ones
    assert "Health group and physical-education group" in index and "level of upbringing" not in index
    for cls, pe_group in ((a, "main"), (b, "special")):
        pupil = school.students[cls.id][0]
        page = nurse.get(f"/diagnostics/class/{cls.id}/health_groups/{pupil.id}")
        assert page.status_code == 200
        response = nurse.post(f"/diagnostics/class/{cls.id}/health_groups/{pupil.id}",
                              data={"health_group": "g2", "pe_group": pe_group})
        assert response.status_code == 303
    rows = db.session.scalars(select(Diagnostic).order_by(Diagnostic.class_id)).all()
    assert [(r.outcome, r.filled_by_id) for r in rows] == [("main", school.user("nurse").id),
                                                           ("special", school.user("nurse").id)]
    assert db.session.scalar(select(AuditLog.user_id).where(AuditLog.entity == "diagnostic").limit(1)) == \
        school.user("nurse").id
    # 1 of 2 students in the main group: 50 %.
    found = compute("health_main_group", school.school.id, Period.of_year(school.year))
    assert RULES["health_main_group"].unit == "percent" and found.value == 50.0 and found.n == 2


def test_the_nurse_reads_health_records_only(app, school):
    diagnostic_instruments()
    a = school.classes[0]
    pupil = school.students[a.id][0]
    make_diagnostic(school, pupil)  # upbringing, by the class teacher
    make_diagnostic(school, pupil, "health_groups", HEALTH)
    nurse = _client(app, school.user("nurse"))
    page = nurse.get(f"/diagnostics/student/{pupil.id}").text
    assert "Health group and physical-education group" in page and "Main" in page
    assert "level of upbringing" not in page
    assert nurse.get(f"/diagnostics/class/{a.id}?instrument=upbringing_level").status_code == 404
    assert nurse.get(f"/diagnostics/class/{a.id}/upbringing_level/{pupil.id}").status_code == 404
    sheet = nurse.get(f"/diagnostics/class/{a.id}?instrument=health_groups").text
    assert pupil.full_name in sheet
    assert nurse.get("/diagnostics/summary").status_code == 403
    # The class teacher still sees both; the expert none.
    teacher_page = _client(app, school.user("class_teacher")).get(f"/diagnostics/student/{pupil.id}").text
    assert "level of upbringing" in teacher_page and "Health group" in teacher_page


def test_confidential_instruments_stay_the_psychologists_and_the_directors(app, school):
    row = instrument_service.publish(load_text(textwrap.dedent(CONFIDENTIAL), "anxiety_check.yaml")).row
    db.session.commit()
    diagnostic_instruments()
    a = school.classes[0]
    pupil = school.students[a.id][0]
    make_diagnostic(school, pupil, "anxiety_check", {"anxiety": "high"}, by="psychologist", instrument=row)
    nurse = _client(app, school.user("nurse"))
    assert "Anxiety screening" not in nurse.get(f"/diagnostics/student/{pupil.id}").text
    assert nurse.get(f"/diagnostics/class/{a.id}/anxiety_check/{pupil.id}").status_code == 404
    assert nurse.get(f"/diagnostics/class/{a.id}?instrument=anxiety_check").status_code == 404


def test_the_director_gives_a_user_the_nurse_role(app, school):
    admin = _client(app, school.user("admin"))
    form = admin.get("/admin/users/new").text
    assert 'value="nurse"' in form and "School nurse" in form
    response = admin.post("/admin/users/new", data={
        "full_name": "Медайым Айнура", "email": "nurse2@x.kg", "roles": ["nurse"], "locale": "ky", "active": "y",
        "password": "long-enough-1"})
    assert response.status_code == 303
    user = db.session.scalar(select(User).where(User.email == "nurse2@x.kg"))
    assert user.roles == {"nurse"}


@pytest.fixture
def fresh_url(database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path}/nurse.db"
        return
    import psycopg

    from tests.conftest import PG_ADMIN_URL

    name = f"sapat_nurse_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield database_url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_migration_0024_admits_the_nurse_role_on_a_populated_database(fresh_url):
    application = create_app(type("M", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": fresh_url}))
    with application.app_context():
        upgrade(revision="0019_diagnostics")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO school (id, code, name, created_at) VALUES (1, 's', 'S', '2026-09-01')"))
            conn.execute(text("INSERT INTO \"user\" (id, school_id, email, full_name, password_hash, locale, active, "
                              "session_version, created_at) VALUES (1, 1, 'n@x.kg', 'N', 'h', 'ky', true, 1, "
                              "'2026-09-01')"))
            conn.execute(text("INSERT INTO user_role (id, user_id, role) VALUES (1, 1, 'teacher')"))
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO user_role (id, user_id, role) VALUES (2, 1, 'nurse')"))
        with db.engine.connect() as conn:
            assert sorted(conn.execute(text("SELECT role FROM user_role")).scalars()) == ["nurse", "teacher"]
        downgrade(revision="0019_diagnostics")
        with db.engine.connect() as conn:
            assert list(conn.execute(text("SELECT role FROM user_role")).scalars()) == ["teacher"]
        db.engine.dispose()
