"""Real browser, 360 px, Kyrgyz: the deputy records a teacher's category and attestation, adds a
programme document older than 3 years (highlighted), and reads the figures; no page scrolls
sideways."""
from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.monitoring.staff import ProgrammeDocument, StaffRecord
from tests.conftest import browser_login, screenshot

pytestmark = pytest.mark.browser


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_staff_and_programme_records_on_a_phone(live_server, phone, school):
    school.user("deputy").locale = "ky"
    db.session.commit()
    page = phone
    browser_login(page, live_server, school.user("deputy"))
    page.goto(f"{live_server}/staff/teachers/new")
    assert page.locator("html").get_attribute("lang") == "ky"
    _fits(page)
    page.select_option("#user_id", str(school.user("teacher").id))
    page.select_option("#category", "highest")
    page.fill("#teaching_since", "2005")
    page.fill("#last_attestation_on", "2020-03-01")
    page.fill("#next_attestation_on", "2025-03-01")
    screenshot(page, "staff-form-phone-ky")
    page.click("button.primary")
    page.wait_for_load_state()
    _fits(page)
    record = db.session.scalar(select(StaffRecord))
    assert (record.category, record.teaching_since) == ("highest", 2005)
    assert page.locator("tr.overdue").count() == 1 and "жогорку категория" in page.content()
    screenshot(page, "staff-list-phone-ky")
    db.session.add(ProgrammeDocument(school_id=school.school.id, kind="development", title="Өнүктүрүү программасы",
                                     approved_on=date(2021, 8, 30), approved_by="Педкеңеш"))
    db.session.commit()
    page.goto(f"{live_server}/staff/programmes/")
    _fits(page)
    assert page.locator("tr.overdue").count() == 1
    screenshot(page, "programmes-list-phone-ky")
    page.goto(f"{live_server}/staff/")
    _fits(page)
    assert page.locator("#staff-figures li").count() == 5
    screenshot(page, "staff-index-phone-ky")
    page.screenshot(path="/tmp/i19-staff-index-ky.png", full_page=True)
