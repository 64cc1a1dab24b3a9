"""The API tokens page on a 360 px phone in Kyrgyz and Russian: a director makes a token, sees
it once in full, revokes it; nothing is wider than the screen."""
import pytest

from app.extensions import db
from app.models import User
from tests.conftest import browser_login, screenshot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang,title,revoked", [("ky", "API токендери", "кайтарылып алынган"),
                                                 ("ru", "Токены API", "отозван")])
def test_a_director_makes_and_revokes_a_token_on_a_phone(live_server, phone, school, lang, title, revoked):
    director = db.session.get(User, school.user("admin").id)
    director.locale = lang
    db.session.commit()
    browser_login(phone, live_server, director)
    phone.goto(f"{live_server}/api/tokens/")
    assert phone.inner_text("h1") == title
    phone.fill("#name", "Отчёт района")
    phone.click("form button.primary")
    phone.wait_for_selector("#new-token code")
    secret = phone.inner_text("#new-token code")
    assert secret.startswith("sapat_") and len(secret) == 46
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(phone, f"api-tokens-phone-{lang}")
    phone.click("#tokens button.danger")
    phone.wait_for_selector(".flash-success")
    assert revoked in phone.inner_text("#tokens") and phone.query_selector("#new-token") is None
