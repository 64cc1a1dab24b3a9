"""Login, logout, lockout, rate limit, password change, roles and school scoping."""
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, User
from tests.factories import PASSWORD


def test_login_and_logout(client, school):
    user = school.user("teacher")
    response = client.post("/login", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 303 and response.location.endswith("/")
    assert client.get("/").status_code == 200
    assert client.post("/logout").status_code == 303
    assert client.get("/").status_code == 302  # back to the login page


def test_wrong_password_is_refused_with_a_message(client, school):
    client.set_cookie("lang", "en")
    response = client.post("/login", data={"email": school.user("teacher").email, "password": "nope"})
    assert response.status_code == 200
    assert "Wrong email or password" in response.get_data(as_text=True)


def test_repeated_failures_make_the_next_attempt_wait(app, client, school):
    """After LOGIN_MAX_FAILURES wrong passwords from one address the next attempt waits (30 s,
    then longer): even the right password is not checked meanwhile, and the answer is the
    same as for a wrong password (tests/security/test_sessions_accounts.py has the rest)."""
    client.set_cookie("lang", "ru")
    user = school.user("teacher")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/login", data={"email": user.email, "password": "bad"})
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200 and "Неверный email или пароль" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "lockout")) is not None


def test_login_is_rate_limited(app, client, school):
    statuses = [client.post("/login", data={"email": f"x{i}@y.z", "password": "p"}).status_code
                for i in range(12)]
    assert 429 in statuses


def test_open_redirect_is_not_followed(client, school):
    response = client.post("/login", data={"email": school.user("admin").email, "password": PASSWORD,
                                           "next": "https://evil.example/"})
    assert response.location.endswith("/") and "evil" not in response.location


def test_change_password_logs_out_other_sessions(app, client, school, login):
    user = school.user("teacher")
    login(user)
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": PASSWORD})
    assert other.get("/").status_code == 200
    response = client.post("/password", data={"current_password": PASSWORD, "new_password": "new-secret-99",
                                               "confirm": "new-secret-99"})
    assert response.status_code == 303
    assert client.get("/").status_code == 200  # this session stays
    assert other.get("/").status_code == 302  # the other one is logged out
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("new-secret-99")


def test_change_password_checks_the_current_one(client, school, login):
    login(school.user("teacher"))
    response = client.post("/password", data={"current_password": "wrong", "new_password": "new-secret-99",
                                              "confirm": "new-secret-99"})
    assert "The current password is wrong" in response.get_data(as_text=True)


def test_role_required_redirects_anonymous_and_forbids_wrong_role(client, school, login):
    response = client.get("/admin/classes/")
    assert response.status_code == 302 and "/login" in response.location
    login(school.user("teacher"))
    assert client.get("/admin/classes/").status_code == 403
    assert client.get("/admin/classes/new").status_code == 403


def test_deputy_reads_but_cannot_edit_structure(client, school, login):
    login(school.user("deputy"))
    assert client.get("/admin/classes/").status_code == 200
    assert client.get("/admin/classes/new").status_code == 403


def test_other_schools_objects_are_404(client, school, other_school, login):
    login(school.user("admin"))
    foreign_class = other_school.classes[0]
    assert client.get(f"/admin/class/{foreign_class.id}").status_code == 404
    assert client.get(f"/admin/classes/{foreign_class.id}").status_code == 404
    assert client.post(f"/admin/classes/{foreign_class.id}/delete").status_code == 404
    assert client.get(f"/admin/users/{other_school.user('teacher').id}").status_code == 404
    own = client.get("/admin/classes/").get_data(as_text=True)
    assert f"/admin/class/{school.classes[0].id}" in own
    assert f"/admin/class/{foreign_class.id}\"" not in own


def test_inactive_user_cannot_log_in(client, school):
    user = school.user("teacher")
    user.active = False
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
