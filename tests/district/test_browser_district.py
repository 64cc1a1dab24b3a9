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
