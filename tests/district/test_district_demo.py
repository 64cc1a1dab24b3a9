"""`flask demo --district N`: a district of N small schools, its admin and specialist logins; the
specialist sees the schools side by side, and the figures are the schools' own."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import District, School, User
from app.security import Principal
from app.services.achievement.metrics import term_metrics
from app.services.district import demo
from app.services.district.periods import TermSpec, default_year, school_term
from tests.district.support import rows


def test_demo_district_flag(app, client):
    result = app.test_cli_runner().invoke(args=["demo", "--district", "3"])
    assert result.exit_code == 0, result.output
    assert "district-specialist@demo.sapat.kg" in result.output and "district-admin@demo.sapat.kg" in result.output
    district = db.session.scalar(select(District))
    schools = list(db.session.scalars(select(School).where(School.district_id == district.id).order_by(School.id)))
    assert len(schools) == 3
    assert db.session.scalar(select(func.count(User.id)).where(User.district_id == district.id)) == 2
    again = app.test_cli_runner().invoke(args=["demo", "--district", "3"])
    assert again.exit_code != 0 and "already exists" in again.output

    specialist = db.session.scalar(select(User).where(User.email == "district-specialist@demo.sapat.kg"))
    client.post("/login", data={"email": specialist.email, "password": demo.PASSWORD})
    page = client.get("/district/results?term=quarter-1").get_data(as_text=True)
    table = rows(page)
    year_name = default_year([s.id for s in schools])
    assert f'<option value="{year_name}" selected>' in page
    for school in schools:
        row = table[school.name]
        own = term_metrics(Principal.system(school.id), school_term(school.id, year_name, TermSpec("quarter", 1)).id,
                           "school")[0]
        assert own.n > 0
        assert row[0] == str(own.n) and row[1].startswith(f"{own.pass_rate:.1f} %")
    for url in ("/district/", "/district/indicators", "/district/surveys", "/district/rating"):
        assert client.get(url).status_code == 200


def test_a_district_and_its_first_admin_from_the_command_line(app, school, other_school, monkeypatch):
    runner = app.test_cli_runner()
    made = runner.invoke(args=["district", "create", "chui", "Чүй району", "--school", "beta"])
    assert made.exit_code == 0, made.output
    chui = db.session.scalar(select(District).where(District.code == "chui"))
    assert db.session.get(School, other_school.school.id).district_id == chui.id
    assert runner.invoke(args=["district", "create", "chui", "Again"]).exit_code == 1
    assert runner.invoke(args=["district", "create", "x", "X", "--school", "nope"]).exit_code == 1
    monkeypatch.setenv("SAPAT_PASSWORD", "a long district password")
    added = runner.invoke(args=["district", "add-user", "head@chui.kg", "--district", "chui", "--role",
                                "district_admin"])
    assert added.exit_code == 0, added.output
    head = db.session.scalar(select(User).where(User.email == "head@chui.kg"))
    assert (head.district_id, head.school_id, head.roles) == (chui.id, None, {"district_admin"})
    assert runner.invoke(args=["district", "add-user", "head@chui.kg", "--district", "chui", "--role",
                               "district_admin"]).exit_code == 1
    assert runner.invoke(args=["district", "add-user", "y@chui.kg", "--district", "nope", "--role",
                               "district_admin"]).exit_code == 1
