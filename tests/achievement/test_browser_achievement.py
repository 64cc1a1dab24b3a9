"""Real browser (issue 9 journey): a teacher types a control work's marks with the keyboard
on a tablet, the deputy sees the indicators on a phone and downloads the workbook."""
from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Mark
from tests.conftest import browser_login, screenshot
from tests.factories.achievement import make_assessment

pytestmark = pytest.mark.browser


def test_teacher_types_marks_with_the_keyboard_on_a_tablet(live_server, tablet, school):
    cls, maths, q1 = school.classes[0], school.subjects[0], school.terms[0]
    control = make_assessment(school, cls, maths, q1, kind="control", on=date(2026, 10, 15), topic="Дроби")
    students = school.students[cls.id]
    page = tablet
    browser_login(page, live_server, school.user("teacher"))
    page.goto(f"{live_server}/achievement/grid/{cls.id}/{maths.id}?term={q1.id}")
    first = page.locator(f"#m-{control.id}-{students[0].id}")
    first.click()
    # Type 5, Enter moves down; a wrong value is highlighted and blocks saving.
    for value in ["5", "4", "7"]:
        page.keyboard.type(value)
        page.keyboard.press("Enter")
    third = page.locator(f"#m-{control.id}-{students[2].id}")
    assert "invalid" in third.get_attribute("class")
    focused = page.evaluate("document.activeElement.id")
    assert focused == f"m-{control.id}-{students[3].id}", "Enter moves to the cell below"
    page.click("#save-marks")
    assert "1" in page.locator("#grid-status").inner_text()
    screenshot(page, "marks-grid-invalid-tablet")
    assert db.session.scalar(select(Mark.id).limit(1)) is None
    # Correct it, then paste the rest of the column as copied from a spreadsheet.
    third.click()
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    page.evaluate(
        """([id, text]) => {
            const el = document.getElementById(id);
            const data = new DataTransfer();
            data.setData('text/plain', text);
            el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        [f"m-{control.id}-{students[3].id}", "2\nн\n5\n"],
    )
    assert page.locator(f"#m-{control.id}-{students[4].id}").input_value() == "н"
    assert "invalid" not in (third.get_attribute("class") or "")
    page.click("#save-marks")
    page.wait_for_url(f"{live_server}/achievement/grid/**")
    assert page.locator(".flash-success").count() == 1
    screenshot(page, "marks-grid-saved-tablet")
    db.session.expire_all()
    marks = {m.student_id: m for m in db.session.scalars(select(Mark).where(Mark.assessment_id == control.id))}
    assert [marks[s.id].value for s in students] == [5, 4, 3, 2, None, 5]
    assert marks[students[4].id].absent
    # The column's indicators: 5 marks, 4 pass (80.0), 3 good (60.0).
    footer = page.locator("#marks-grid tfoot").inner_text()
    assert "80.0" in footer and "60.0" in footer
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 800


def test_deputy_sees_the_indicators_on_a_phone(live_server, phone, school):
    cls, maths, q1 = school.classes[0], school.subjects[0], school.terms[0]
    make_assessment(school, cls, maths, q1, [5, 4, 4, 3, 2, 5])
    page = phone
    browser_login(page, live_server, school.user("deputy"))
    page.goto(f"{live_server}/achievement/?term={q1.id}")
    row = page.locator('#summary tr[data-class="7-А"]').inner_text()
    assert "83.3" in row and "66.7" in row  # pass rate 5/6, quality 4/6
    assert page.locator("svg.chart").count() >= 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, "the page must not scroll sideways on a phone"
    screenshot(page, "achievement-summary-phone")
    page.goto(f"{live_server}/achievement/dynamics?class_id={cls.id}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "achievement-dynamics-phone")


def test_the_grid_works_without_javascript(live_server, phone_nojs, school):
    cls, maths, q1 = school.classes[0], school.subjects[0], school.terms[0]
    control = make_assessment(school, cls, maths, q1, kind="control", on=date(2026, 10, 15))
    students = school.students[cls.id]
    page = phone_nojs
    browser_login(page, live_server, school.user("teacher"))
    page.goto(f"{live_server}/achievement/grid/{cls.id}/{maths.id}?term={q1.id}")
    for student, value in zip(students, ["5", "5", "x", "4", "н", "3"]):
        page.fill(f"#m-{control.id}-{student.id}", value)
    page.click("#save-marks")
    assert page.locator("td.invalid").count() == 1
    assert page.locator(".flash-error").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "marks-grid-nojs-phone")
    assert db.session.scalar(select(Mark.id).limit(1)) is None
    page.fill(f"#m-{control.id}-{students[2].id}", "4")
    page.click("#save-marks")
    assert page.locator(".flash-success").count() == 1
    db.session.expire_all()
    assert len(db.session.scalars(select(Mark).where(Mark.assessment_id == control.id)).all()) == 6
