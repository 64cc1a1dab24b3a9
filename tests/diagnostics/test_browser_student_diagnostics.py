"""Real browser: a tenth-grader fills in their own adaptation questionnaire on a phone without
JavaScript, in Kyrgyz, with the code from their slip; the page says first that it is not
anonymous and who sees it."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Diagnostic
from app.security import Principal
from app.services.diagnostics import student_codes
from tests.conftest import screenshot
from tests.factories.diagnostics import diagnostic_instruments

pytestmark = pytest.mark.browser


def test_a_student_fills_in_their_adaptation_on_a_phone_in_kyrgyz(live_server, phone_nojs, school):
    instrument = diagnostic_instruments()["adaptation_grade10"]
    school.school.student_diagnostics = True
    by = Principal.of(school.user("class_teacher"))
    rnd = student_codes.start(by, school.classes[0], instrument)
    slips = student_codes.issue_codes(by, rnd, rnd.codes_version)
    db.session.commit()
    student, code = slips[0]
    page = phone_nojs
    page.goto(f"{live_server}/d/{rnd.slug}?lang=ky&code={code}")
    box = page.inner_text("#not-anonymous")
    assert "жашыруун ЭМЕС" in box and "класс жетекчиң" in box and student.full_name in box
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "student-diagnostic-phone-ky")
    # Large touch targets: each choice's label is at least 40 px high.
    assert page.locator("label[for=adapt__like-3]").bounding_box()["height"] >= 40
    for row in ("like", "workload", "ask_help", "belong", "friends", "mood", "choice", "goals"):
        page.click(f"label[for=adapt__{row}-2]")  # the third box: 3 points
    for row in ("demands", "anxious"):
        page.click(f"label[for=adapt__{row}-1]")  # 2 points, reversed: 3
    page.click("form button.primary")
    page.wait_for_selector("h1")
    assert "Рахмат" in page.inner_text("h1") or "/done" in page.url
    screenshot(page, "student-diagnostic-done-phone-ky")
    db.session.expire_all()
    record = db.session.scalar(select(Diagnostic).where(Diagnostic.student_id == student.id))
    # 10 statements at 3 points: 10 · 2 / 30 · 100 = 66.7 -> middle.
    assert (record.outcome, record.respondent) == ("middle", "student")


def test_printed_slips_keep_their_link_inside_the_slip(app, live_server, browser, school, monkeypatch):
    """On an A4 sheet three slips stand side by side; the link (the school's address and /d/<slug>)
    did not break and ran into the next slip, cut off at the page's edge."""
    from tests.conftest import browser_login

    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://sapat.balasagynmektebi.kg")

    instrument = diagnostic_instruments()["adaptation_grade10"]
    school.school.student_diagnostics = True
    teacher = school.user("class_teacher")
    rnd = student_codes.start(Principal.of(teacher), school.classes[0], instrument)
    db.session.commit()
    context = browser.new_context(viewport={"width": 794, "height": 1123}, locale="ky")
    page = context.new_page()
    browser_login(page, live_server, teacher)
    page.goto(f"{live_server}/diagnostics/class/{rnd.class_id}?instrument=adaptation_grade10")
    page.click("form[action$='/codes'] button")
    page.wait_for_selector(".slip")
    page.emulate_media(media="print")
    screenshot(page, "student-diagnostic-slips-a4")
    cut = page.evaluate("""() => [...document.querySelectorAll('.slip p')]
      .filter(p => p.scrollWidth > p.clientWidth + 1).map(p => p.textContent.trim())""")
    assert cut == []
    slip = page.locator(".slip").first.bounding_box()
    link = page.locator(".slip p", has_text="/d/").first.bounding_box()
    assert link["x"] + link["width"] <= slip["x"] + slip["width"]
    context.close()
