"""No lost updates on the user edit form (issue 16 §4), with two directors: a save from a stale
page writes only the fields its user changed; a field both changed is refused (409) with the
other value; a fresh page then saves knowingly."""
import html

from app.extensions import db
from app.models import User
from tests.factories import make_user
from tests.form_pages import form_data
from tests.security.support import login_client


def _two(app, school):
    second = make_user(school.school, "admin", f"admin2@{school.school.code}.sapat.kg", "Second Director")
    db.session.commit()
    return login_client(app, school.user("admin")), login_client(app, second)


def test_a_user_saved_from_a_stale_page_keeps_the_other_directors_change(app, school):
    teacher = school.user("teacher")
    director, other = _two(app, school)
    url = f"/admin/users/{teacher.id}"
    stale, mine = form_data(other, url), form_data(director, url)
    assert "_orig" in stale
    mine["locale"] = "en"
    assert director.post(url, data=mine).status_code == 302
    stale["full_name"] = "Renamed Teacher"
    assert other.post(url, data=stale).status_code == 302
    db.session.expire_all()
    saved = db.session.get(User, teacher.id)
    assert (saved.full_name, saved.locale) == ("Renamed Teacher", "en")


def test_a_user_field_both_directors_changed_is_refused_with_the_other_value(app, school):
    teacher = school.user("teacher")
    director, other = _two(app, school)
    url = f"/admin/users/{teacher.id}"
    stale, mine = form_data(other, url), form_data(director, url)
    mine["full_name"] = "Name One"
    assert director.post(url, data=mine).status_code == 302
    stale["full_name"] = "Name Two"
    refused = other.post(url, data=stale)
    text = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 409 and 'changed meanwhile by another user to "Name One"' in text
    db.session.expire_all()
    assert db.session.get(User, teacher.id).full_name == "Name One"
    again = form_data(other, url)
    again["full_name"] = "Name Two"
    assert other.post(url, data=again).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, teacher.id).full_name == "Name Two"
