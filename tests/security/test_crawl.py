"""No dead ends: every link on every menu page, for every role of the demo school.

The rule (issue 23): a link, button or tile shown to a role opens for that role; what a role
cannot open is not shown. The crawl logs in as each demo login, opens the home page and every
menu entry and home tile (the "menu pages"), and follows every link on them; any answer of
403, 404 or 500 fails with the page that showed the link. Links of one shape (digits replaced)
are followed up to `PER_SHAPE` times, so that the director's hundreds of class and teacher
links cost seconds, not minutes.
"""
import re
from collections import defaultdict
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import User
from tests.conftest import do_login

DEMO_PASSWORD = "sapat-demo-2026"
PER_SHAPE = 2
LINK = re.compile(r'<a\b[^>]*\bhref="([^"#]+)"')
NAV = re.compile(r'<nav class="nav">(.*?)</nav>', re.S)
TILES = re.compile(r'<nav class="tiles">(.*?)</nav>', re.S)


@pytest.fixture
def demo_logins(app):
    result = app.test_cli_runner().invoke(args=["demo", "--scale", "small", "--seed", "7"])
    assert result.exit_code == 0, result.output
    return list(dict.fromkeys(re.findall(r"(\S+@demo\.sapat\.kg)", result.output)))


def _links(page: str, base: str) -> list[str]:
    found = []
    for href in LINK.findall(page):
        parts = urlsplit(urljoin("http://localhost" + base, href.replace("&amp;", "&")))
        if parts.netloc != "localhost" or parts.path.startswith("/static/"):
            continue
        found.append(parts.path + ("?" + parts.query if parts.query else ""))
    return found


def _shape(url: str) -> str:
    return re.sub(r"\d+", "N", url)


def crawl(client, per_shape: int = PER_SHAPE) -> tuple[list[str], list[tuple[int, str, str]]]:
    """(menu pages, [(status, url, page that showed it)]) for the logged-in client; links of one
    shape are followed `per_shape` times."""
    home = client.get("/")
    assert home.status_code == 200
    page = home.get_data(as_text=True)
    menu = ["/"] + [u for block in NAV.findall(page) + TILES.findall(page) for u in _links(block, "/")]
    menu = list(dict.fromkeys(menu))
    seen, shapes, dead = set(menu), defaultdict(int), []
    for url in menu:
        response = client.get(url)
        if response.status_code >= 400:
            dead.append((response.status_code, url, "/"))
            continue
        if "html" not in response.content_type:
            continue
        for link in _links(response.get_data(as_text=True), url):
            if link in seen or shapes[_shape(link)] >= per_shape:
                continue
            seen.add(link)
            shapes[_shape(link)] += 1
            status = client.get(link).status_code
            if status >= 400:
                dead.append((status, link, url))
    return menu, dead


@pytest.mark.one_run("postgres", "the SQLite run opens every menu page in Chromium")
def test_every_link_on_every_menu_page_opens_for_every_role(app, demo_logins):
    assert len(demo_logins) == 8  # the eight roles of app.models.ROLES
    report = {}
    for email in demo_logins:
        client = app.test_client()
        user = db.session.scalar(select(User).where(User.email == email))
        assert do_login(client, user, DEMO_PASSWORD).status_code == 303
        menu, dead = crawl(client)
        assert len(menu) > 3, (email, menu)
        if dead:
            report[email] = dead
    assert report == {}


def _menu_of(app, email) -> tuple[str, str]:
    client = app.test_client()
    user = db.session.scalar(select(User).where(User.email == email))
    assert do_login(client, user, DEMO_PASSWORD).status_code == 303
    return client, client.get("/").get_data(as_text=True)


def test_the_named_dead_ends_are_gone(app, demo_logins):
    # The class teacher's results page offers only the grids they may open (their own lessons).
    client, _home = _menu_of(app, "classteacher@demo.sapat.kg")
    page = client.get("/achievement/").get_data(as_text=True)
    grids = [u for u in _links(page, "/achievement/") if u.startswith("/achievement/grid/")]
    assert grids and all(client.get(u).status_code == 200 for u in grids)
    # The psychologist: no annual report link on the dashboard, no "Observations" in the menu,
    # and the dashboard is not called the director's.
    client, home = _menu_of(app, "psychologist@demo.sapat.kg")
    assert "/observations/" not in NAV.search(home).group(1)
    client.post("/language", data={"lang": "en"})
    page = client.get("/monitoring/").get_data(as_text=True)
    assert "/monitoring/report" not in page
    assert "Monitoring dashboard" in page and "Director&#39;s dashboard" not in page
    for email in ("mohead@demo.sapat.kg", "expert@demo.sapat.kg"):
        client, home = _menu_of(app, email)
        assert "Director&#39;s dashboard" not in home
    client, home = _menu_of(app, "director@demo.sapat.kg")
    assert "Director&#39;s dashboard" in home or "Директордун" in home
