"""Real browser, 360 px, Kyrgyz: the deputy creates a measure with one click from a red
indicator of the dashboard, then issues the справка and opens it in the archive and beside
today's figures; no page scrolls sideways."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.monitoring.measures import IssuedDocument, Measure
from tests.conftest import browser_login, screenshot
from tests.factories.monitoring import indicator, make_indicator_value

pytestmark = pytest.mark.browser


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_measure_from_the_dashboard_and_an_issued_note_on_a_phone(live_server, phone, school):
    make_indicator_value(school, "catering_coverage", 50.0)
    ind = indicator(school, "catering_coverage")
    school.user("deputy").locale = "ky"
    db.session.commit()
    page = phone
    browser_login(page, live_server, school.user("deputy"))
    page.goto(f"{live_server}/monitoring/")
    assert page.locator("html").get_attribute("lang") == "ky"
    link = page.locator(f"a.new-measure[href*='indicator={ind.id}']")
    link.scroll_into_view_if_needed()
    link.click()
    page.wait_for_load_state()
    _fits(page)
    assert page.input_value("#value_before") in ("50", "50.0")
    page.fill("#action", "Экинчи тамактануу сменасын уюштуруу")
    page.select_option("#responsible_id", str(school.user("teacher").id))
    page.fill("#due_on", "2027-03-01")
    screenshot(page, "measure-form-phone-ky")
    page.click("button.primary")
    page.wait_for_load_state()
    _fits(page)
    screenshot(page, "measures-list-phone-ky")
    measure = db.session.scalar(select(Measure))
    assert measure.indicator_id == ind.id and measure.responsible_id == school.user("teacher").id
    page.goto(f"{live_server}/monitoring/measures/{measure.id}/status")
    _fits(page)
    screenshot(page, "measure-page-phone-ky")

    page.goto(f"{live_server}/monitoring/note?indicator={ind.id}")
    assert "Экинчи тамактануу сменасын уюштуруу" in page.locator("section.measures").inner_text()
    page.click("details.issue summary")
    page.fill("#number", "17-с")
    page.fill("#issued_on", "2026-11-05")
    page.click("details.issue button.primary")
    page.wait_for_load_state()
    _fits(page)
    screenshot(page, "issued-note-phone-ky")
    doc = db.session.scalar(select(IssuedDocument))
    assert doc.number == "17-с" and page.url.endswith(f"/monitoring/issued/{doc.id}")
    for url in ("/monitoring/issued/", f"/monitoring/issued/{doc.id}/compare"):
        page.goto(f"{live_server}{url}")
        _fits(page)
    screenshot(page, "issued-compare-phone-ky")
