"""Stored XSS: names and texts holding <script>, "><img onerror> and javascript: render
inert on every page that each role can reach.

The pages are every GET route of app.url_map (URL arguments filled as in the access
matrix), so feature pages are crawled as soon as they exist; features add their own
hostile objects with XSS_SEEDERS in tests/security/tables.py.
"""
from html.parser import HTMLParser

import pytest

from app.extensions import db
from tests.security.support import (
    build_url,
    login_client,
    routes,
    url_args,
)
from tests.security.tables import PAYLOADS, ROLES_UNDER_TEST, XSS_SEEDERS

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}


class _InertChecker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> event handler attribute")
            if name == "style":
                self.problems.append(f"<{tag} style=...> inline style (the CSP forbids it)")
            if name in URL_ATTRIBUTES and value.replace("\x00", "").replace(" ", "").startswith(
                    ("javascript:", "vbscript:", "data:text/html")):
                self.problems.append(f"<{tag} {name}={value[:40]!r}> script URL")
        if tag == "script":
            if not dict(attrs).get("src"):
                self.problems.append("<script> without src (inline script)")
            self._in_script = True
        if tag in ("iframe", "object", "embed", "base"):
            self.problems.append(f"<{tag}> element")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append("inline script content")


def assert_inert(html: str, where: str) -> None:
    checker = _InertChecker()
    checker.feed(html)
    checker.close()
    assert "<script>alert" not in html and "<img src=x onerror" not in html, f"{where}: raw payload in the page"
    assert not checker.problems, f"{where}: " + "; ".join(sorted(set(checker.problems)))


def _seed(school):
    for seeder in XSS_SEEDERS:
        seeder(school)
    db.session.commit()


def test_the_checker_catches_each_payload_when_unescaped():
    for payload in PAYLOADS:
        html = f'<p>{payload}</p><a href="{payload}">x</a>'
        try:
            assert_inert(html, "sample")
        except AssertionError:
            continue
        raise AssertionError(f"the checker missed {payload}")
    assert_inert('<p>&lt;script&gt;alert(1)&lt;/script&gt; javascript:alert(1)</p>'
                 '<script src="/static/js/x.js"></script>', "escaped sample")


@pytest.mark.one_run("sqlite", "escaping is done by the templates")
def test_hostile_names_render_inert_on_every_page_for_every_role(app, school):
    _seed(school)
    pages = 0
    shown = 0
    for role in ROLES_UNDER_TEST:
        client = app.test_client() if role == "anonymous" else login_client(app, school.users[role])
        for route in routes(app):
            if "GET" not in route.methods or route.endpoint == "static":
                continue
            url = build_url(app, route, url_args(route, school))
            response = client.get(url)
            assert response.status_code < 500, f"GET {url} as {role}: {response.status_code}"
            if not response.mimetype.startswith("text/html"):
                continue
            html = response.get_data(as_text=True)
            assert_inert(html, f"GET {url} as {role}")
            pages += 1
            shown += any(p.replace("<", "&lt;") in html for p in PAYLOADS)
    assert pages > 20
    # The payloads were really on the pages (escaped), not just absent.
    assert shown >= 5, shown


def test_hostile_values_through_the_forms_come_back_escaped(client, school, login):
    login(school.users["admin"])
    name = PAYLOADS[1] + PAYLOADS[0]
    response = client.post("/admin/users/new", data={
        "full_name": name, "email": "evil@x.kg", "roles": "teacher", "locale": "ky", "active": "y",
        "password": "long-enough-1"})
    assert response.status_code == 303
    html = client.get("/admin/users/").get_data(as_text=True)
    assert_inert(html, "users list")
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html or "&quot;&gt;&lt;img" in html
