"""One parent's one filling stores one response whatever the browser does (issue 16 §3), in
Chromium with JavaScript on and off: send, Back, send again; reload the sent page; a second
tab opened before sending; the draft after sending."""
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Response
from tests.factories.surveys import make_campaign

pytestmark = [pytest.mark.browser, pytest.mark.both_runs("back, reload, resend and a second tab: the database stores one response")]

CHOICES = {"a": "4", "b": "2", "kids": "no"}


def _stored(campaign) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Response.id)).where(Response.campaign_id == campaign.id))


def _choose(page):
    for name, value in CHOICES.items():
        radio = page.locator(f'input[name="{name}"][value="{value}"]')
        if radio.is_visible() or page.locator(f'label[for="{radio.get_attribute("id")}"]').is_visible():
            page.locator(f'label[for="{radio.get_attribute("id")}"]').click()


def _fill_and_send(page):
    """Answer the visible questions and send (with JavaScript: section by section)."""
    for _step in range(5):
        _choose(page)
        if page.locator("[data-send]").is_visible():
            page.click("[data-send]")
            page.wait_for_load_state()
            return
        page.click("[data-next]")
    raise AssertionError("no send button")


def _open_form(page) -> bool:
    return page.locator("[data-send]").count() > 0


@pytest.mark.parametrize("java_script", [True, False], ids=["js", "nojs"])
def test_back_reload_resend_and_a_second_tab_store_one_response(live_server, browser, school, java_script):
    campaign = make_campaign(school)
    url = f"{live_server}/s/{campaign.targets[0].slug}"
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ky",
                                  java_script_enabled=java_script)
    page, second_tab = context.new_page(), context.new_page()
    page.goto(url)
    second_tab.goto(url)  # a second tab with the questionnaire, opened before sending
    _fill_and_send(page)
    page.wait_for_url(re.compile(r".*/done"))
    assert _stored(campaign) == 1

    page.go_back()  # the browser asks the server again (no-store): the page says it is done
    page.wait_for_load_state()
    if _open_form(page):  # a browser that showed its old copy anyway: sending stores nothing
        _fill_and_send(page)
    assert page.locator("#already-answered").count() == 1 or "/done" in page.url
    assert _stored(campaign) == 1

    page.goto(url)  # reload / open the link again
    assert page.locator("#already-answered").count() == 1 and not _open_form(page)
    if java_script:  # no draft of this link is left on the phone to restore
        assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('sapat-draft:')).length") == 0

    _fill_and_send(second_tab)  # the other tab sends its own page later
    assert "/done" in second_tab.url
    assert _stored(campaign) == 1
    context.close()

    other_phone = browser.new_context(java_script_enabled=java_script).new_page()  # another parent
    other_phone.goto(url)
    _fill_and_send(other_phone)
    assert _stored(campaign) == 2
    other_phone.context.close()
