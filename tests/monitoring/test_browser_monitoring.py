"""Real browser: the director opens the dashboard in Kyrgyz on a phone, opens an overdue
cyclogram item, and the printable annual report; no sideways scrolling at 360 px."""
from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services.core.demo import DEMO_PASSWORD, build_demo
from tests.conftest import browser_login, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app):
    ctx = build_demo("small", seed=7, today=date(2026, 11, 23))
    db.session.commit()
    return ctx


def test_director_dashboard_cyclogram_and_report_on_a_phone(live_server, phone, demo):
    page = phone
    director = db.session.scalar(select(User).where(User.email == "director@demo.sapat.kg"))
    browser_login(page, live_server, director, DEMO_PASSWORD)
    page.goto(f"{live_server}/monitoring/")
    assert page.locator("html").get_attribute("lang") == "ky"
    assert page.locator("section.card h2").count() >= 7
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "monitoring-dashboard-phone-ky")
    page.locator("#dir1").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot(page, "monitoring-dashboard-phone-ky").with_name("monitoring-dashboard-phone-ky-dir1.png")))
    overdue = page.locator("#overdue a")
    if overdue.count():
        overdue.first.click()
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto(f"{live_server}/cyclogram/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "monitoring-cyclogram-phone-ky")
    page.goto(f"{live_server}/monitoring/report?version=parents")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "monitoring-report-parents-phone-ky")
    page.emulate_media(media="print")
    assert page.locator("header.top").is_hidden()
    page.emulate_media(media="screen")


def test_register_form_on_a_tablet(live_server, tablet, demo):
    page = tablet
    deputy = db.session.scalar(select(User).where(User.email == "deputy@demo.sapat.kg"))
    browser_login(page, live_server, deputy, DEMO_PASSWORD)
    page.goto(f"{live_server}/registers/students/")
    screenshot(page, "monitoring-olympiads-tablet")
    page.goto(f"{live_server}/monitoring/note?direction=5")
    screenshot(page, "monitoring-note-tablet")
