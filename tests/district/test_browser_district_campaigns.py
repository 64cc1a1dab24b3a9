"""District campaigns, the workbook page and the report on a 360 px phone in Kyrgyz and Russian:
the specialist creates a campaign across both schools, opens and closes it, reads its results and
the printable report; nothing is wider than the screen (wide tables scroll inside their box)."""
import pytest

from app.extensions import db
from app.models import User
from tests.conftest import browser_login, screenshot
from tests.district.support import join, marks

pytestmark = pytest.mark.browser

NARROW = "document.documentElement.scrollWidth <= window.innerWidth + 1"


@pytest.mark.parametrize("lang,heading", [("ky", "Жаңы райондук сурамжылоо"), ("ru", "Новое анкетирование района")])
def test_specialist_runs_a_district_campaign_on_a_phone(live_server, phone, school, lang, heading):
    from tests.factories.surveys import small_instrument

    small_instrument()
    bravo = join(school, "bravo", class_size=4)
    marks(school, [5, 4, 3, 2, 5, 4])
    marks(bravo, [3, 3, 2, 5])
    specialist = db.session.get(User, school.user("district_specialist").id)
    specialist.locale = lang
    db.session.commit()
    browser_login(phone, live_server, specialist)
    phone.goto(f"{live_server}/district/campaigns/new")
    assert phone.inner_text("h1") == heading
    assert phone.evaluate(NARROW)
    screenshot(phone, f"district-campaign-new-phone-{lang}")
    phone.fill("input[name=title]", "Parents 2026")
    phone.click("button.primary")
    assert "/district/campaigns/" in phone.url and phone.inner_text("h1") == "Parents 2026"
    phone.click("form button.primary")  # open in every school
    phone.wait_for_load_state()
    assert phone.evaluate(NARROW)
    screenshot(phone, f"district-campaign-phone-{lang}")
    phone.click("form button.danger")  # close in every school
    phone.wait_for_load_state()
    assert phone.evaluate(NARROW)
    phone.goto(f"{live_server}/district/reports/")
    assert phone.evaluate(NARROW)
    screenshot(phone, f"district-reports-phone-{lang}")
    phone.goto(f"{live_server}/district/reports/preview?year=2026-2027&lang={lang}")
    assert "80.0" in phone.inner_text("main")  # the district's pass rate (test_district_results.py)
    assert phone.evaluate(NARROW)
    screenshot(phone, f"district-report-phone-{lang}")
