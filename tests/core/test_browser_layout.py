"""Layout on a phone (issue 23): the menu takes one line, and no tile, heading or cell text
runs out of its box in Kyrgyz at 360 px."""
import pytest

from tests.conftest import browser_login, screenshot

pytestmark = pytest.mark.browser

OVERFLOWING = """() => [...document.querySelectorAll('.tile, h1, h2, th, td, .card p, label')]
  .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible')
  .map(e => e.textContent.trim().slice(0, 40))"""


def test_director_home_on_a_phone_in_kyrgyz(live_server, phone, school):
    page = phone
    browser_login(page, live_server, school.user("admin"))
    page.goto(f"{live_server}/")
    screenshot(page, "layout-home-phone-ky")
    menu = page.locator("nav.nav").bounding_box()
    assert menu["height"] < 60, menu  # one scrolling line, not a block of links
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate(OVERFLOWING) == []
    page.goto(f"{live_server}/admin/")
    assert page.evaluate(OVERFLOWING) == []
