"""Real browser: the class teacher fills in a student's level of upbringing on a phone, in
Kyrgyz; the class page shows the student's level and the class figure."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Diagnostic, User
from tests.conftest import browser_login, screenshot
from tests.factories.diagnostics import diagnostic_instruments

pytestmark = pytest.mark.browser


def test_class_teacher_fills_in_a_diagnostic_on_a_phone_in_kyrgyz(live_server, phone, school):
    diagnostic_instruments()
    teacher = db.session.get(User, school.user("class_teacher").id)
    teacher.locale = "ky"
    db.session.commit()
    cls = school.classes[0]
    student = school.students[cls.id][0]
    browser_login(phone, live_server, teacher)
    phone.goto(f"{live_server}/diagnostics/class/{cls.id}/upbringing_level/{student.id}")
    assert "Окуучунун тарбиялуулук деңгээли" in phone.inner_text("h1")
    assert "Окууга болгон мамилеси" in phone.inner_text("#diagnostic-form")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(phone, "diagnostic-fill-phone-ky")
    # Each score is a large touch target: the label of a choice is at least 40 px high.
    assert phone.locator("label[for=diligence-2]").bounding_box()["height"] >= 40
    for key, choice in [("diligence", 2), ("responsibility", 2), ("respect", 1), ("nature", 2), ("civic", 1)]:
        phone.click(f"label[for={key}-{choice}]")
    phone.click("label[for=level-1]")  # Жакшы (good)
    phone.click("#diagnostic-form button.primary")
    phone.wait_for_selector("#class-students")
    assert "Жакшы" in phone.inner_text("#class-students")
    assert "100.0 %" in phone.inner_text("#class-figure")  # 1 student, good: 1 / 1 · 100
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(phone, "diagnostic-class-phone-ky")
    db.session.expire_all()
    record = db.session.scalar(select(Diagnostic).where(Diagnostic.student_id == student.id))
    assert record.outcome == "good" and record.filled_by_id == teacher.id


def test_the_nurse_fills_in_health_groups_and_the_summary_shows_associations_on_a_phone_in_russian(
        live_server, phone, school):
    diagnostic_instruments()
    nurse = db.session.get(User, school.user("nurse").id)
    nurse.locale = "ru"
    db.session.commit()
    cls = school.classes[1]  # 8-Б: not a class the nurse teaches; the nurse sees every class
    student = school.students[cls.id][0]
    browser_login(phone, live_server, nurse)
    phone.goto(f"{live_server}/diagnostics/class/{cls.id}/health_groups/{student.id}")
    assert "Группа здоровья и физкультурная группа" in phone.inner_text("h1")
    phone.click("label[for=health_group-1]")  # II
    phone.click("label[for=pe_group-0]")  # Основная
    phone.click("#diagnostic-form button.primary")
    phone.wait_for_selector("#class-students")
    assert "Основная" in phone.inner_text("#class-students")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(phone, "diagnostic-nurse-class-phone-ru")
    db.session.expire_all()
    record = db.session.scalar(select(Diagnostic).where(Diagnostic.student_id == student.id))
    assert (record.outcome, record.filled_by_id) == ("main", nurse.id)

    deputy = db.session.get(User, school.user("deputy").id)
    deputy.locale = "ru"
    db.session.commit()
    phone.context.clear_cookies()
    browser_login(phone, live_server, deputy)
    phone.goto(f"{live_server}/diagnostics/summary")
    block = phone.inner_text("#ind-health_main_group")
    assert "Методическое объединение" in block and "100.0 %" in block
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(phone, "diagnostic-summary-phone-ru")
