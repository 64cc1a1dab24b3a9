"""The packages and averages pages and the results page with an imported school and the region's
averages, and the internal/external and observations pages, on a 360 px phone in Kyrgyz and
Russian: nothing wider than the screen."""
import pytest

from app.extensions import db
from app.models import DistrictAverage, User
from tests.conftest import browser_login, screenshot
from tests.district.support import marks
from tests.security.district import remote_package

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang,imported,region", [("ky", "киргизилген топтом", "Облус"),
                                                  ("ru", "импортированный пакет", "Область")])
def test_the_admin_reads_packages_and_averages_on_a_phone(live_server, phone, school, lang, imported, region):
    marks(school, [5, 4, 3, 2, 5, 4])
    district_id = school.extra["district"].id
    remote_package(district_id, "№3 орто мектеби (Ала-Бука)", code="ala-buka-3")
    db.session.add(DistrictAverage(district_id=district_id, year_name="2026-2027", level="region",
                                   measure="pass_rate", subject="", value=85.0, n=41200))
    db.session.add(DistrictAverage(district_id=district_id, year_name="2026-2027", level="country", measure="ort",
                                   subject="Математика", value=112.4, n=51000, source="Улуттук тестирлөө борбору"))
    admin = db.session.get(User, school.user("district_admin").id)
    admin.locale = lang
    db.session.commit()
    browser_login(phone, live_server, admin)
    phone.goto(f"{live_server}/district/results?year=2026-2027&term=quarter-1")
    text = phone.inner_text("main")
    assert imported in text and region in text and "112.4" in text
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(phone, f"district-results-imported-phone-{lang}")
    for path in ("/district/packages", "/district/averages?year=2026-2027"):
        phone.goto(f"{live_server}{path}")
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
        assert "ala-buka-3" in phone.inner_text("main") or "112.4" in phone.inner_text("main")
        screenshot(phone, f"district{path.split('?')[0].replace('/', '-')}-phone-{lang}")
    for path in ("/district/external", "/district/observations"):
        phone.goto(f"{live_server}{path}")
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
