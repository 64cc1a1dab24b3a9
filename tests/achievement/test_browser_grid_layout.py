"""The marks grid's column headers wrap, so a tablet shows three works side by side (issue 23)."""
from datetime import date

import pytest

from tests.conftest import browser_login, screenshot
from tests.factories.achievement import make_assessment

pytestmark = pytest.mark.browser


def test_three_works_fit_a_tablet_in_kyrgyz(live_server, tablet, school):
    cls, maths, q1 = school.classes[0], school.subjects[0], school.terms[0]
    for day, kind in ((1, "control"), (8, "test"), (15, "control")):
        make_assessment(school, cls, maths, q1, [5, 4], kind=kind, on=date(2026, 10, day),
                        topic="Бөлчөктөрдү кошуу жана кемитүү")
    make_assessment(school, cls, maths, q1, [5, 4])
    page = tablet
    browser_login(page, live_server, school.user("teacher"))
    page.goto(f"{live_server}/achievement/grid/{cls.id}/{maths.id}?term={q1.id}")
    screenshot(page, "grid-headers-tablet-ky")
    width = page.evaluate("window.innerWidth")
    rights = page.evaluate("[...document.querySelectorAll('#marks-grid thead th')].map(t => t.getBoundingClientRect().right)")
    assert len(rights) == 5 and max(rights) <= width, (rights, width)
