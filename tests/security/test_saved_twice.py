"""Two requests that create the same unique thing at the same moment (two tabs with their own
pages, two people): both pass the check before the insert, the database lets one through. The
other gets a 409 page in the user's language that says nothing was saved, not a 500; the
database keeps the one row. Here another request creates the district specialist's account
between the page's check of the e-mail and its insert."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import User
from tests.conftest import csrf_of
from tests.races import another_request_first

EMAIL = "twice@district.sapat.kg"


def test_an_account_created_twice_at_once_is_a_409_not_a_500(app, client, login, school):
    login(school.user("district_admin"))
    page = client.get("/district/staff").get_data(as_text=True)
    district_id = school.extra["district"].id

    def other_tab(other):
        user = User(email=EMAIL, full_name="Other tab", district_id=district_id, school_id=None, locale="ky",
                    password_hash="")
        user.set_roles(["district_specialist"])
        other.add(user)

    with another_request_first(r'\s*INSERT INTO "?user"?\s*\(', other_tab) as fired:
        answer = client.post("/district/staff", data={
            "csrf_token": csrf_of(page), "full_name": "This tab", "email": EMAIL, "role": "district_specialist",
            "password": "a long unusual passphrase 7"})
    text = answer.get_data(as_text=True)
    assert fired and answer.status_code == 409, text[-1500:]
    assert "nothing was saved from this page" in text and "Traceback" not in text
    assert db.session.scalars(select(User.full_name).where(func.lower(User.email) == EMAIL)).all() == ["Other tab"]
