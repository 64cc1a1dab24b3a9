"""Real browser at phone size: log in, switch to Kyrgyz, see the classes."""
import pytest

from tests.conftest import browser_login, screenshot

pytestmark = pytest.mark.browser


def test_director_logs_in_on_a_phone_and_switches_language(live_server, phone, school):
    page = phone
    page.goto(f"{live_server}/login")
    screenshot(page, "login-phone")
    browser_login(page, live_server, school.user("admin"))
    page.click("button[name=lang][value=ru]")
    page.goto(f"{live_server}/admin/classes/")
    assert "7-А" in page.content()
    page.click("button[name=lang][value=ky]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ky"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, "the page must not scroll sideways on a phone"
    screenshot(page, "classes-phone-ky")
