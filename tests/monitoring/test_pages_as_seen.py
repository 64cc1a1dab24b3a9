"""What a director or deputy reads on the monitoring pages of the demo school, in Kyrgyz: dates as
dd.mm.yyyy everywhere (the cyclogram, measures, registers, the associations' pages and the issued
documents showed 2026-11-16 while observations, diagnostics and surveys showed 16.11.2026); a list
of a register or of the staff records links back to the page it belongs to; the archive of
issued documents, while empty, links to the pages documents are issued from; the indicators'
catalogue shows an indicator's key as a literal."""
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services.core.demo import DEMO_PASSWORD, build_demo
from app.services.core.school import current_year
from tests.conftest import csrf_of
from tests.page_text import visible_texts
from tests.security.test_browser_crawl import untranslated

ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")
DAY = re.compile(r"\b\d\d\.\d\d\.20\d\d\b")


@pytest.fixture
def demo(app):
    build_demo("small", seed=7)
    db.session.commit()


def _as(client, email: str, lang: str = "ky"):
    user = db.session.scalar(select(User).where(User.email == email))
    client.post("/login", data={"email": user.email, "password": DEMO_PASSWORD})
    client.post("/language", data={"lang": lang, "next": "/"})


def _text(client, url: str) -> str:
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 200, url
    return " ".join(visible_texts(response.get_data(as_text=True)))


@pytest.mark.parametrize("lang", ["ky", "en"])
def test_dates_read_as_day_month_year_on_the_monitoring_pages(client, demo, lang):
    _as(client, "director@demo.sapat.kg", lang)
    associations = client.get("/monitoring/associations/").get_data(as_text=True)
    first_association = re.search(r'href="(/monitoring/associations/\d+)[^"]*"', associations).group(1)
    measures = client.get("/monitoring/measures", follow_redirects=True).get_data(as_text=True)
    first_measure = re.search(r'href="(/monitoring/measures/\d+/status)"', measures).group(1)
    for url in ("/monitoring/measures", first_measure, "/registers/teachers/", "/cyclogram/", "/cyclogram/mine",
                "/monitoring/", first_association):
        text = _text(client, url)
        assert not ISO_DATE.findall(text), (url, ISO_DATE.findall(text)[:3])
        assert DAY.search(text), url


def test_an_issued_document_shows_its_date_as_day_month_year(client, demo):
    _as(client, "director@demo.sapat.kg")
    director = db.session.scalar(select(User).where(User.email == "director@demo.sapat.kg"))
    year = current_year(director.school_id)
    page = client.get(f"/monitoring/report?year_id={year.id}").get_data(as_text=True)
    issued = client.post(f"/monitoring/issued/report?year_id={year.id}",
                         data={"csrf_token": csrf_of(page), "number": "12", "issued_on": "2026-11-30"}, follow_redirects=True)
    assert issued.status_code == 200
    archive = _text(client, "/monitoring/issued/")
    assert "30.11.2026" in archive and "2026-11-30" not in archive
    doc = re.search(r'href="(/monitoring/issued/\d+)"', client.get("/monitoring/issued/").get_data(as_text=True))
    shown = _text(client, doc.group(1))
    assert "30.11.2026" in shown and "2026-11-30" not in shown


def test_lists_link_back_and_the_empty_archive_points_to_where_documents_are_issued(client, demo):
    _as(client, "director@demo.sapat.kg")
    for url, back, label in (("/registers/teachers/", "/registers/", "Реестрлер"),
                             ("/staff/teachers/", "/staff/", "Кадрлар жана программалар"),
                             ("/admin/classes/", "/admin/", "Мектептин түзүмү")):
        page = client.get(url).get_data(as_text=True)
        assert re.search(rf'<a href="{back}(\?year_id=\d+)?">← {label}</a>', page), url
    archive = client.get("/monitoring/issued/").get_data(as_text=True)
    for href in ("/monitoring/", "/monitoring/report", "/achievement/quarter/", "/monitoring/associations/"):
        assert f'<li><a href="{href}">' in archive, href
    catalogue = client.get("/monitoring/indicators/").get_data(as_text=True)
    assert untranslated(visible_texts(catalogue), "ky") == set()
    client.post("/logout")
    _as(client, "mohead@demo.sapat.kg")
    archive = client.get("/monitoring/issued/").get_data(as_text=True)
    assert '<li><a href="/monitoring/associations/">' in archive
