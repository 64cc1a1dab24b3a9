"""Real browser at 360 px: the class teacher opens a support plan from the early-warning list
on a phone (in Kyrgyz), adds a step and a contact with the parents; no page scrolls sideways."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ParentContact, SupportPlan, SupportStep
from tests.achievement.test_warning import build
from tests.conftest import browser_login, screenshot

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_class_teacher_opens_and_keeps_a_plan_on_a_phone(live_server, phone, school):
    s7, _s8, q2 = build(school)
    school.user("class_teacher").locale = "ky"
    db.session.commit()
    page = phone
    browser_login(page, live_server, school.user("class_teacher"))
    page.goto(f"{live_server}/achievement/warnings?term={q2.id}")
    assert "Эрте эскертүү" in page.locator("h1").inner_text()
    assert page.locator("section.risk").count() == 4
    _no_sideways_scroll(page)
    screenshot(page, "early-warning-phone")
    page.locator(f"#s{s7[0].id} button.primary").click()
    page.wait_for_url(f"{live_server}/achievement/support/**")
    page.locator("#steps summary").click()
    page.fill("#step-what", "Кошумча сабактар")
    page.fill("#step-due_on", "2026-12-15")
    page.locator("#steps button.primary").click()
    page.wait_for_url(f"{live_server}/achievement/support/**")
    page.locator("#contacts summary").click()
    page.fill("#contact-held_on", "2026-12-02")
    page.select_option("#contact-form", "phone")
    page.fill("#contact-outcome", "Апасы үй тапшырмасын текшерет")
    page.locator("#contacts button.primary").click()
    page.wait_for_url(f"{live_server}/achievement/support/**")
    assert "Кошумча сабактар" in page.content() and "Апасы үй тапшырмасын текшерет" in page.content()
    _no_sideways_scroll(page)
    screenshot(page, "support-plan-phone")
    db.session.expire_all()
    assert db.session.scalar(select(SupportPlan.student_id)) == s7[0].id
    assert db.session.scalar(select(SupportStep.what)) == "Кошумча сабактар"
    assert db.session.scalar(select(ParentContact.form)) == "phone"
    page.goto(f"{live_server}/achievement/student/{s7[0].id}")
    _no_sideways_scroll(page)
    screenshot(page, "student-warnings-phone")
