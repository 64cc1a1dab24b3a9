"""The district pages on a 360 px phone in Kyrgyz and Russian: the specialist signs in, lands on
the district, opens the schools side by side; nothing is wider than the screen (wide tables
scroll inside their box)."""
import pytest

from app.extensions import db
from app.models import User
from tests.conftest import browser_login, screenshot
from tests.district.support import join, marks

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang,title", [("ky", "Райондун мектептеринин окуу жыйынтыктары"),
                                         ("ru", "Результаты обучения школ района")])
def test_specialist_reads_the_district_on_a_phone(live_server, phone, school, lang, title):
    bravo = join(school, "bravo", class_size=4)
    marks(school, [5, 4, 3, 2, 5, 4])
    marks(bravo, [3, 3, 2, 5])
    specialist = db.session.get(User, school.user("district_specialist").id)
    specialist.locale = lang
    db.session.commit()
    browser_login(phone, live_server, specialist)
    assert phone.url.endswith("/district/")
    assert "School bravo" in phone.inner_text("main") or "Школа bravo" in phone.inner_text("main")
    screenshot(phone, f"district-index-phone-{lang}")
    phone.goto(f"{live_server}/district/results?year=2026-2027&term=quarter-1")
    assert phone.inner_text("h1") == title
    assert "80.0 %" in phone.inner_text("table")  # the district's pass rate (tests/district/test_district_results.py)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(phone, f"district-results-phone-{lang}")
    for path in ("/district/rating", "/district/indicators", "/district/surveys"):
        phone.goto(f"{live_server}{path}")
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
    screenshot(phone, f"district-surveys-phone-{lang}")


@pytest.mark.parametrize("email", ["district-admin@demo.sapat.kg", "district-specialist@demo.sapat.kg"])
def test_every_district_page_of_the_demo_district_on_a_phone_in_kyrgyz(live_server, browser, email):
    """The school crawl (tests/security/test_browser_crawl.py) never signs in as a district role:
    the same checks on every page of the district's menu, in Kyrgyz at 360 px: no English word or
    internal key, no text running out of its box, nothing wider than the screen."""
    from sqlalchemy import select

    from app.services.district.demo import PASSWORD, build_district
    from tests.security.test_browser_crawl import PHONE, Crawl

    build_district(2)
    user = db.session.scalar(select(User).where(User.email == email))
    user.locale = "ky"
    db.session.commit()
    context = browser.new_context(viewport=PHONE, device_scale_factor=1)
    page = context.new_page()
    browser_login(page, live_server, user, PASSWORD)
    crawl = Crawl(live_server)
    menu = ["/district/"] + [crawl.local(a) for a in page.eval_on_selector_all(
        "main a[href^='/district/'], nav.nav a[href]", "links => links.map(a => a.href)")]
    menu = [u for u in dict.fromkeys(menu) if u and "workbook" not in u and "/schools/" not in u]
    assert len(menu) >= 8, menu
    for url in menu:
        response = page.goto(live_server + url)
        assert response.status < 400, url
        crawl.check_view(page, f"{email} {url}", "ky", PHONE["width"])
    screenshot(page, f"district-last-menu-page-phone-ky-{email.split('@')[0]}")
    context.close()
    assert crawl.faults == []
