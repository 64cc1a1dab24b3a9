"""Who reaches what: a district's staff reach their own district's pages and no school page; a
school's users reach no district page; a district user never sees another district (its school's
id is a 404, its schools are not listed); the district admin creates schools with their
directors and district accounts, audited; an account belongs to a school or a district."""
import re

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import AuditLog, School, User
from tests.conftest import csrf_of, do_login
from tests.district.support import join

ONCE = re.compile(r'name="_once" value="([^"]+)"')
DISTRICT_PAGES = ("/district/", "/district/results", "/district/indicators", "/district/surveys", "/district/rating",
                  "/district/rating/weights")


def test_district_users_start_on_their_district_and_reach_no_school_page(client, login, school):
    login(school.user("district_specialist"))
    assert client.get("/").headers["Location"].endswith("/district/")
    for url in DISTRICT_PAGES + (f"/district/schools/{school.school.id}",):
        assert client.get(url).status_code == 200, url
    for url in ("/achievement/", "/monitoring/", "/surveys/", "/observations/", "/admin/", "/registers/students/",
                f"/profiles/class/{school.classes[0].id}"):
        assert client.get(url).status_code in (403, 404), url
    # The specialist changes nothing: the admin's pages are refused.
    assert client.get("/district/schools/new").status_code == 403
    assert client.get("/district/staff").status_code == 403


def test_school_users_reach_no_district_page(app, school):
    for role in ("admin", "deputy", "expert", "teacher"):
        client = app.test_client()
        do_login(client, school.user(role))
        for url in DISTRICT_PAGES + (f"/district/schools/{school.school.id}", "/district/staff"):
            assert client.get(url).status_code == 403, (role, url)


def test_a_district_user_never_sees_another_district(client, login, school, other_school):
    bravo = join(school, "bravo", class_size=2)
    login(school.user("district_admin"))
    assert client.get(f"/district/schools/{bravo.school.id}").status_code == 200
    assert client.get(f"/district/schools/{other_school.school.id}").status_code == 404
    assert client.get("/district/schools/987654321").status_code == 404
    no_district = School(code="lonely", name="Lonely school")
    db.session.add(no_district)
    db.session.commit()
    assert client.get(f"/district/schools/{no_district.id}").status_code == 404
    for url in DISTRICT_PAGES:
        page = client.get(url).get_data(as_text=True)
        assert "School beta" not in page and "Lonely school" not in page, url
    assert "School bravo" in client.get("/district/").get_data(as_text=True)
    # And the other district's specialist does not see this one's schools.
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/district/").get_data(as_text=True))})
    login(other_school.user("district_specialist"))
    assert client.get(f"/district/schools/{school.school.id}").status_code == 404
    assert "School alpha" not in client.get("/district/results").get_data(as_text=True)


def test_the_district_admin_creates_a_school_with_its_director(app, client, login, school):
    login(school.user("district_admin"))
    form = client.get("/district/schools/new").get_data(as_text=True)
    data = {"csrf_token": csrf_of(form), "_once": ONCE.search(form).group(1), "code": "n7", "name": "№7 мектеп",
            "name_ru": "Школа №7", "director_name": "Asel Isakova", "director_email": "Asel@n7.kg",
            "password": "seven long words for a password"}
    assert client.post("/district/schools/new", data=data).status_code == 303
    created = db.session.scalar(select(School).where(School.code == "n7"))
    assert created.district_id == school.extra["district"].id
    director = db.session.scalar(select(User).where(User.email == "asel@n7.kg"))
    assert director.school_id == created.id and director.district_id is None and director.roles == {"admin"}
    assert {(a.entity, a.school_id) for a in db.session.scalars(select(AuditLog).where(
        AuditLog.user_id == school.user("district_admin").id))} >= {("school", created.id)}
    assert "№7 мектеп" in client.get("/district/").get_data(as_text=True)
    # The director signs in to their own school only.
    director_client = app.test_client()
    assert do_login(director_client, director, "seven long words for a password").status_code == 303
    assert "№7 мектеп" in director_client.get("/").get_data(as_text=True)
    assert director_client.get("/district/").status_code == 403
    # A code in use is refused on its field, nothing is written.
    form = client.get("/district/schools/new").get_data(as_text=True)
    again = client.post("/district/schools/new", data={**data, "csrf_token": csrf_of(form),
                                                       "_once": ONCE.search(form).group(1),
                                                       "director_email": "other@n7.kg"})
    assert again.status_code == 200 and "A school with the code n7 already exists." in again.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "other@n7.kg")) is None


def test_the_district_admin_creates_district_staff(app, client, login, school):
    login(school.user("district_admin"))
    form = client.get("/district/staff").get_data(as_text=True)
    sent = client.post("/district/staff", data={
        "csrf_token": csrf_of(form), "_once": ONCE.search(form).group(1), "full_name": "Nurlan Osmonov",
        "email": "nurlan@district.kg", "role": "district_specialist", "password": "a long district password"})
    assert sent.status_code == 303
    user = db.session.scalar(select(User).where(User.email == "nurlan@district.kg"))
    assert user.school_id is None and user.district_id == school.extra["district"].id
    assert user.roles == {"district_specialist"}
    other = app.test_client()
    do_login(other, user, "a long district password")
    assert other.get("/district/results").status_code == 200
    # A school role is not offered and is refused.
    form = client.get("/district/staff").get_data(as_text=True)
    refused = client.post("/district/staff", data={
        "csrf_token": csrf_of(form), "_once": ONCE.search(form).group(1), "full_name": "X", "email": "x@d.kg",
        "role": "admin", "password": "a long district password"})
    assert refused.status_code == 200 and db.session.scalar(select(User).where(User.email == "x@d.kg")) is None


def test_an_account_belongs_to_a_school_or_a_district_never_both(school):
    district = school.extra["district"]
    for home in ({"school_id": school.school.id, "district_id": district.id}, {}):
        db.session.add(User(email=f"x{len(home)}@x.kg", full_name="X", password_hash="x", **home))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_a_district_user_changes_their_password_and_logs_out(client, login, school):
    user = school.user("district_specialist")
    login(user)
    form = client.get("/password").get_data(as_text=True)
    refused = client.post("/password", data={"csrf_token": csrf_of(form), "current_password": "correct-horse-42",
                                             "new_password": "District d-alpha", "confirm": "District d-alpha"})
    assert refused.status_code == 200  # made of the district's name: refused, not a 500
    changed = client.post("/password", data={"csrf_token": csrf_of(form), "current_password": "correct-horse-42",
                                             "new_password": "quiet orchard lantern 58",
                                             "confirm": "quiet orchard lantern 58"})
    assert changed.status_code == 303
    out = client.post("/logout", data={"csrf_token": csrf_of(client.get("/district/").get_data(as_text=True))})
    assert out.status_code == 303 and client.get("/district/").status_code == 302
