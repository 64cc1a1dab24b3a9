"""No lost updates on the user edit form (issue 16 §4), with two directors: a save from a stale
page writes only the fields its user changed; a field both changed is refused (409) with the
other value; a fresh page then saves knowingly."""
from app.extensions import db
from app.models import User
from tests.factories import make_user
from tests.form_pages import refused_with, save_from_stale_page, save_knowingly
from tests.security.support import login_client


def _two(app, school):
    second = make_user(school.school, "admin", f"admin2@{school.school.code}.sapat.kg", "Second Director")
    db.session.commit()
    return login_client(app, school.user("admin")), login_client(app, second)


def _saved(user_id) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def test_a_user_saved_from_a_stale_page_keeps_the_other_directors_change(app, school):
    teacher = school.user("teacher")
    director, other = _two(app, school)
    url = f"/admin/users/{teacher.id}"
    saved = save_from_stale_page(director, other, url, {"locale": "en"}, {"full_name": "Renamed Teacher"})
    assert saved.status_code == 303
    assert (_saved(teacher.id).full_name, _saved(teacher.id).locale) == ("Renamed Teacher", "en")


def test_a_user_field_both_directors_changed_is_refused_with_the_other_value(app, school):
    teacher = school.user("teacher")
    director, other = _two(app, school)
    url = f"/admin/users/{teacher.id}"
    refused = save_from_stale_page(director, other, url, {"full_name": "Name One"}, {"full_name": "Name Two"})
    assert refused_with(refused, "Name One")
    assert _saved(teacher.id).full_name == "Name One"
    assert save_knowingly(other, url, {"full_name": "Name Two"}) == 303
    assert _saved(teacher.id).full_name == "Name Two"
