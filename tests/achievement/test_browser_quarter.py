"""Real browser, 360 px: the quarter report in Russian and Kyrgyz, its print layout on A4, and
the teacher's per-task analysis page (points typed, the analysis recorded); no page scrolls
sideways."""
from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.monitoring.measures import Measure
from tests.achievement.test_quarter_report import _seed
from tests.conftest import browser_login, screenshot
from tests.factories.achievement import make_assessment, make_tasks

pytestmark = pytest.mark.browser


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_quarter_report_on_a_phone_and_in_print(live_server, phone, school):
    _seed(school)
    work = make_assessment(school, school.classes[0], school.subjects[0], school.terms[1], (5, 4, 3, 2, 4, "н"),
                           kind="control", on=date(2026, 12, 10), topic="Дроби")
    make_tasks(work, points=((2, 2, 1, 0, 2), (3, 1, 0, 0, 2), (1, 1, 1, 1, 0)),
               topics=("Дроби", "Уравнения", "Графики"))
    admin = school.user("admin")
    admin.locale = "ru"
    db.session.commit()
    page = phone
    browser_login(page, live_server, admin)
    page.goto(f"{live_server}/achievement/quarter/?term={school.terms[1].id}")
    assert page.locator("html").get_attribute("lang") == "ru"
    _fits(page)
    text = page.locator("article.quarter-report").inner_text()
    assert "Отличники (все «5») (1)" in text and "Student 7А 1" in text and "Уравнения" in text
    screenshot(page, "quarter-report-phone-ru")
    page.emulate_media(media="print")
    assert not page.locator("nav.subnav").is_visible()
    page.pdf(path=str(screenshot(page, "quarter-report-print-ru").with_suffix(".pdf")), format="A4")
    page.emulate_media(media="screen")

    admin.locale = "ky"
    db.session.commit()
    page.goto(f"{live_server}/achievement/quarter/?term={school.terms[1].id}&class_id={school.classes[0].id}")
    # The language is the account's: switch it with the page's language buttons.
    page.locator("form.lang button[value='ky']").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ky"
    assert "Эң жакшы окугандар" in page.locator("article.quarter-report").inner_text()
    _fits(page)
    screenshot(page, "quarter-report-class-phone-ky")


def test_a_teacher_types_points_and_records_the_analysis_on_a_phone(live_server, phone, school):
    work = make_assessment(school, marks=(5, 4, 3, 2, 4, "н"), kind="control", on=date(2026, 10, 15),
                           topic="Fractions")
    make_tasks(work, topics=("Fractions", "Equations", "Graphs"))
    teacher = school.user("teacher")
    teacher.locale = "ru"
    db.session.commit()
    page = phone
    browser_login(page, live_server, teacher)
    page.goto(f"{live_server}/achievement/tasks/{work.id}")
    _fits(page)
    first = school.students[school.classes[0].id][0]
    page.fill(f"input[name^='p-'][name$='-{first.id}'] >> nth=0", "2")
    page.click("#points-form button.primary")
    page.wait_for_load_state()
    page.fill("#analysis", "Задание 2 (уравнения) не решили 40 %.")
    page.fill("#correction", "Повторить уравнения на двух уроках.")
    page.fill("#due_on", "2026-11-30")
    page.locator("button.primary").last.click()
    page.wait_for_load_state()
    _fits(page)
    assert "Повторить уравнения" in page.content()
    screenshot(page, "control-work-tasks-phone-ru")
    measure = db.session.scalar(select(Measure))
    assert measure.source == "control_work" and measure.responsible_id == teacher.id
