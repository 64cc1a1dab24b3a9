"""CSRF: every POST route of the URL map refuses a request without a token with 400 and
changes nothing; the same request with the page's token is accepted."""
import re

import pytest

from tests.security.support import (
    build_url,
    diff_tables,
    login_client,
    routes,
    snapshot_tables,
    url_args,
    user_roles,
)
from tests.security.tables import CSRF_EXEMPT, CSRF_SAMPLE_DATA, ROLES_UNDER_TEST


def _post_routes(app):
    return [r for r in routes(app) if "POST" in r.methods]


def _user_for(route, school):
    """A user who may use the route (anonymous for public routes)."""
    if route.public:
        return None
    for role in ROLES_UNDER_TEST[1:]:
        user = school.users[role]
        if user_roles(user) & set(route.allowed_roles):
            return user
    pytest.fail(f"no user in the school fixture may use {route.endpoint}")


@pytest.mark.one_run("sqlite", "the token is checked before any view reads the database")
def test_every_post_without_token_is_refused_and_changes_nothing(app, school, monkeypatch):
    checked = []
    problems = []
    clients = {}  # one logged-in client per user (the login itself is rate-limited)
    for route in _post_routes(app):
        if route.endpoint in CSRF_EXEMPT:
            continue
        user = _user_for(route, school)
        key = None if user is None else user.id
        if key not in clients:
            clients[key] = app.test_client() if user is None else login_client(app, user)
        client = clients[key]
        monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
        url = build_url(app, route, url_args(route, school))
        data = CSRF_SAMPLE_DATA.get(route.endpoint, lambda s: {})(school)
        before = snapshot_tables()
        response = client.post(url, data=data)
        after = snapshot_tables()
        monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
        checked.append(route.endpoint)
        if response.status_code != 400:
            problems.append(f"POST {url}: expected 400, got {response.status_code}")
        changes = diff_tables(before, after)
        if changes:
            problems.append(f"POST {url} without a token changed: {'; '.join(changes)}")
    assert not problems, "\n".join(problems)
    assert "admin.user_new" in checked and "auth.logout" in checked


def test_the_refusal_is_a_translated_page(app, school, monkeypatch):
    client = app.test_client()
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/login", data={"email": "a@b.kg", "password": "x"}, headers={"Accept-Language": "ru"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        from flask_babel import gettext

        expected = gettext("The form has expired or was sent from elsewhere. Reload the page and try again.")
    assert expected in body
    assert 'lang="ru"' in body and "Traceback" not in body


def test_a_post_with_the_pages_token_is_accepted(app, school, monkeypatch):
    """The refusal above is about the token, not about the form."""
    client = login_client(app, school.users["admin"])
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = client.get("/admin/users/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "the form has no csrf_token field"
    data = CSRF_SAMPLE_DATA["admin.user_new"](school) | {"csrf_token": token.group(1)}
    before = snapshot_tables()
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 303
    assert len(snapshot_tables()["user"]) == len(before["user"]) + 1


def test_csrf_exempt_routes_are_declared_with_a_reason(app):
    for endpoint, reason in CSRF_EXEMPT.items():
        assert endpoint in app.view_functions, f"CSRF_EXEMPT names a missing endpoint {endpoint}"
        assert len(reason) > 10
