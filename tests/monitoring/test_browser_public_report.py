"""Real browser, 360 px: the director publishes the public report from a phone in Kyrgyz; a
parent opens its address without an account in Russian: no page scrolls sideways, the page
and everything it loads weigh little; the class teacher's report card fits a phone too."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.monitoring.measures import PublicReport
from tests.conftest import browser_login, screenshot
from tests.factories.achievement import make_assessment
from tests.factories.monitoring import make_indicator_value, make_measure

pytestmark = pytest.mark.browser


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def _shot(page, name: str) -> None:
    """The whole page, and the first screen as a phone shows it."""
    path = screenshot(page, name)
    page.screenshot(path=str(path.with_name(f"{name}-top.png")))


def _weight(page) -> int:
    """Bytes the page and its resources took (compressed, as sent)."""
    return page.evaluate("""() => performance.getEntriesByType('navigation').concat(
        performance.getEntriesByType('resource')).reduce((s, e) => s + (e.transferSize || e.encodedBodySize || 0), 0)""")


def test_publish_on_a_phone_and_a_parent_opens_the_page(live_server, phone, browser, school):
    make_assessment(school, cls=school.classes[0], marks=[5, 4, 3, 2, 5, 4])
    make_assessment(school, cls=school.classes[1], marks=[5, 2, None, None, None, None])
    make_indicator_value(school, "catering_coverage", 50.0)
    make_measure(school, action="Экинчи тамактануу сменасы")
    school.user("admin").locale = "ky"
    db.session.commit()
    page = phone
    browser_login(page, live_server, school.user("admin"))
    page.goto(f"{live_server}/monitoring/public")
    assert page.locator("html").get_attribute("lang") == "ky"
    page.fill("#number", "П-1")
    page.fill("#issued_on", "2027-06-10")
    page.click("button.primary")
    page.wait_for_load_state()
    _fits(page)
    _shot(page, "public-report-manage-phone-ky")
    report = db.session.scalar(select(PublicReport))
    assert report.status == "published" and page.locator("figure.qr svg").count() == 1

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ru", device_scale_factor=1)
    try:
        parent = context.new_page()
        parent.goto(f"{live_server}/r/{report.slug}")
        assert parent.locator("html").get_attribute("lang") == "ru"
        assert "Отчёт о качестве образования" in parent.locator("h1").inner_text()
        assert parent.locator("td.suppressed").count() >= 2  # both classes withheld
        _fits(parent)
        assert _weight(parent) < 60_000
        _shot(parent, "public-report-phone-ru")
        parent.click("nav.lang a:text('KY')")
        parent.wait_for_load_state()
        assert parent.locator("html").get_attribute("lang") == "ky"
        _fits(parent)
        _shot(parent, "public-report-phone-ky")
    finally:
        context.close()


def test_report_card_on_a_phone(live_server, phone, school):
    c7 = school.classes[0]
    make_assessment(school, cls=c7, marks=[5, 4, 3, 2, 5, 4])
    make_assessment(school, cls=c7, term=school.terms[1], marks=[4, 4, 3, 3, 5, 4])
    make_assessment(school, cls=c7, subject=school.subjects[1], marks=[5, 3, None, None, None, None])
    school.user("class_teacher").locale = "ru"
    db.session.commit()
    browser_login(phone, live_server, school.user("class_teacher"))
    phone.goto(f"{live_server}/achievement/card/{school.students[c7.id][0].id}")
    assert "Табель успеваемости" in phone.locator("h1").inner_text()
    _fits(phone)
    _shot(phone, "report-card-phone-ru")
