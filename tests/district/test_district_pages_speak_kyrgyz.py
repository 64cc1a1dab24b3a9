"""A district's pages in Kyrgyz (issue 23 for the district roles, whom the school crawl does not
log in as): no English word and no internal key in what the district admin and the specialist
read. The averages page named its file's headers and measure keys (year, level, pass_rate ...)
and the packages page the operator's commands (flask district register-school ...) as Kyrgyz
prose; they stand in <code> now, as the school's import pages set theirs."""
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services.district import demo
from tests.page_text import visible_texts
from tests.security.test_browser_crawl import untranslated

LINK = re.compile(r'href="(/(?:district|api/tokens)/[^"#]*)"')


@pytest.mark.parametrize("email", ["district-admin@demo.sapat.kg", "district-specialist@demo.sapat.kg"])
def test_every_district_page_reads_in_kyrgyz(app, client, email):
    result = app.test_cli_runner().invoke(args=["demo", "--district", "2"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == email))
    client.post("/login", data={"email": user.email, "password": demo.PASSWORD})
    client.post("/language", data={"lang": "ky", "next": "/"})
    first = client.get("/district/").get_data(as_text=True)
    pages = list(dict.fromkeys(["/district/"] + [u.replace("&amp;", "&") for u in LINK.findall(first)]))
    assert "/district/averages" in pages or email.startswith("district-specialist")
    faults, opened = {}, 0
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        if "html" not in response.content_type:
            continue
        opened += 1
        found = untranslated(visible_texts(response.get_data(as_text=True)), "ky")
        if found:
            faults[url] = sorted(found)
    assert opened >= 10, pages
    assert faults == {}


def test_the_averages_help_names_its_headers_as_literals(app, client):
    app.test_cli_runner().invoke(args=["demo", "--district", "1"])
    client.post("/login", data={"email": "district-admin@demo.sapat.kg", "password": demo.PASSWORD})
    client.post("/language", data={"lang": "ky", "next": "/"})
    page = client.get("/district/averages").get_data(as_text=True)
    assert "<code>year</code>, <code>level</code>, <code>measure</code>" in page and "<code>pass_rate</code>" in page
    packages = client.get("/district/packages").get_data(as_text=True)
    assert "<code>flask district make-key</code>" in packages


def test_the_report_buttons_name_their_language_in_the_page_language(app, client):
    """The buttons read "Отчёт (кыргызча)" and "Отчёт (русский)" on a Kyrgyz page: a Russian word,
    and the district's catalogue alone spelt отчёт where the school's pages write отчет."""
    app.test_cli_runner().invoke(args=["demo", "--district", "1"])
    client.post("/login", data={"email": "district-specialist@demo.sapat.kg", "password": demo.PASSWORD})
    client.post("/language", data={"lang": "ky", "next": "/"})
    text = " ".join(visible_texts(client.get("/district/reports/").get_data(as_text=True)))
    assert "Отчет (кыргызча)" in text and "Отчет (орусча)" in text and "Excel китеби жана отчет" in text
    assert "русский" not in text and "отчёт" not in text.lower()
    client.post("/language", data={"lang": "ru", "next": "/"})
    text = " ".join(visible_texts(client.get("/district/reports/").get_data(as_text=True)))
    assert "Отчёт на кыргызском" in text and "Отчёт на русском" in text


def test_kyrgyz_spells_report_one_way_in_every_catalogue():
    from app.i18n_catalogs import areas, load

    spelt = {area: [m.id for m in load(area, "ky") if m.string and "тчёт" in str(m.string)] for area in areas()}
    assert {area: ids for area, ids in spelt.items() if ids} == {}
