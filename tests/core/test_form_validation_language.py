"""Form checks speak the page's language: Chromium has no Kyrgyz interface, so its own bubbles
("Please fill out this field.") would be English on a Kyrgyz page. Every posted form that holds
a required, min, max or pattern input carries `novalidate` and leaves the checks to the server,
which answers with Sapat's translated messages.

The walk opens the demo director's menu pages and the links on them (a few of each shape), then
the parent survey page; a browser check submits an empty required field in Kyrgyz."""
import re
from collections import defaultdict
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Campaign, User
from tests.conftest import browser_login
from tests.security.test_crawl import _links, _shape

CHECKED = ("required", "min", "max", "pattern", "minlength", "maxlength")


class _Forms(HTMLParser):
    """[(form attributes, [names of inputs with a browser check])] of one page."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[dict, list[str]]] = []
        self._open = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._open = (attrs, [])
            self.forms.append(self._open)
        elif tag in ("input", "select", "textarea") and self._open is not None:
            if attrs.get("type") not in ("hidden", "submit", "button") and any(a in attrs for a in CHECKED):
                self._open[1].append(attrs.get("name") or attrs.get("id") or tag)

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def browser_checked_forms(page: str) -> list[tuple[str, list[str]]]:
    """(action, checked inputs) of every posted form without novalidate that holds a checked input."""
    parser = _Forms()
    parser.feed(page)
    return [(attrs.get("action", ""), names) for attrs, names in parser.forms
            if (attrs.get("method") or "get").lower() == "post" and names and "novalidate" not in attrs]


def _walk(client, start: list[str], per_shape: int = 3) -> dict[str, str]:
    """url -> page for the start pages and the links on them (`per_shape` of each shape)."""
    pages, shapes = {}, defaultdict(int)
    queue = list(start)
    for _depth in range(2):
        found = []
        for url in queue:
            if url in pages:
                continue
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.content_type:
                continue
            pages[url] = response.get_data(as_text=True)
            for link in _links(pages[url], url):
                if link not in pages and shapes[_shape(link)] < per_shape and "/export" not in link:
                    shapes[_shape(link)] += 1
                    found.append(link)
        queue = found
    return pages


@pytest.mark.one_run("sqlite", "novalidate is in the templates")
def test_every_checked_post_form_leaves_the_checks_to_the_server(app, client):
    result = app.test_cli_runner().invoke(args=["demo", "--scale", "small", "--seed", "7"])
    assert result.exit_code == 0, result.output
    director = db.session.scalar(select(User).where(User.email == "director@demo.sapat.kg"))
    assert client.post("/login", data={"email": director.email, "password": "sapat-demo-2026"}).status_code == 303
    home = client.get("/").get_data(as_text=True)
    menu = ["/"] + _links(home, "/")
    pages = _walk(client, list(dict.fromkeys(menu)))
    campaign = db.session.scalar(select(Campaign).where(Campaign.status == "open"))
    survey = f"/s/{campaign.targets[0].slug}"
    anonymous = app.test_client()
    pages[survey] = anonymous.get(survey).get_data(as_text=True)

    checked = [url for url, page in pages.items() if re.search(r"<form[^>]*method=\"post\"", page)
               and any(names for _attrs, names in _parsed(page))]
    assert len(pages) > 80 and len(checked) > 10, (len(pages), checked)
    assert "/monitoring/public" in checked and survey in checked
    bad = {url: browser_checked_forms(page) for url, page in pages.items() if browser_checked_forms(page)}
    assert not bad, bad


def _parsed(page: str):
    parser = _Forms()
    parser.feed(page)
    return [(attrs, names) for attrs, names in parser.forms if (attrs.get("method") or "").lower() == "post"]


def test_parser_finds_a_form_without_novalidate():
    page = ('<form method="post"><input name="n" required></form><form method="post" novalidate>'
            '<input type="number" name="m" min="1"></form><form method="get"><input name="q" required></form>')
    assert browser_checked_forms(page) == [("", ["n"])]


@pytest.mark.browser
def test_an_empty_required_field_gets_the_kyrgyz_message_of_sapat(live_server, phone, school):
    school.user("admin").locale = "ky"
    db.session.commit()
    page = phone
    browser_login(page, live_server, school.user("admin"))
    page.goto(f"{live_server}/monitoring/public")
    assert page.locator("#number").get_attribute("required") is not None  # still told to assistive technology
    page.fill("#number", "")
    page.fill("#issued_on", "2027-06-10")
    # The browser does not stop the form with its own (English) bubble: the form is posted and
    # the server answers with the page again, its message in Kyrgyz.
    with page.expect_response(lambda r: r.request.method == "POST" and "/monitoring/public/publish" in r.url):
        page.click("button.primary")
    page.wait_for_load_state()
    text = page.locator("body").inner_text()
    assert "Бул талааны толтуруу милдеттүү." in text
    assert "Please fill" not in text
