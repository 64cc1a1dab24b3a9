"""Real browser, 360 px: an MO head opens the association's page and its annual report on a
phone in Kyrgyz and issues the report; nothing scrolls sideways but the tables' own boxes."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.monitoring.measures import IssuedDocument
from tests.conftest import browser_login, screenshot
from tests.factories.achievement import make_assessment
from tests.factories.monitoring import make_register_row

pytestmark = pytest.mark.browser


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_association_on_a_phone(live_server, phone, school):
    make_assessment(school, cls=school.classes[0], subject=school.subjects[0], marks=[5, 4, 3, 2, 5, 4])
    make_assessment(school, cls=school.classes[1], subject=school.subjects[1], marks=[5, 5, 4, 3, 2, None])
    make_register_row(school, "teachers", teacher_id=school.user("mo_head").id, title="Баалоо боюнча курс",
                      kind="refresher_course")
    school.user("mo_head").locale = "ky"
    db.session.commit()
    page = phone
    browser_login(page, live_server, school.user("mo_head"))
    page.goto(f"{live_server}/monitoring/associations/{school.ma.id}")
    assert page.locator("html").get_attribute("lang") == "ky"
    assert "81.8 %" in page.locator("table.mo-results tr.total").inner_text()
    _fits(page)
    screenshot(page, "mo-page-phone-ky")
    page.goto(f"{live_server}/monitoring/associations/{school.ma.id}/report")
    page.click("details.issue summary")
    page.fill("#number", "МБ-1")
    page.fill("#issued_on", "2027-05-30")
    page.click("details.issue button.primary")
    page.wait_for_load_state()
    _fits(page)
    screenshot(page, "mo-report-issued-phone-ky")
    doc = db.session.scalar(select(IssuedDocument).where(IssuedDocument.kind == "mo"))
    assert doc is not None and doc.number == "МБ-1" and "Баалоо боюнча курс" in doc.html
