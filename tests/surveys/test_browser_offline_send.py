"""A parent who presses "Send answers" with no connection (a phone out of coverage) stays on the
questionnaire with a message in their language and the answers kept; once the connection is back
one more press stores one response. Before, the browser's own English error page replaced it."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Response
from tests.factories.surveys import make_campaign

pytestmark = [pytest.mark.browser, pytest.mark.both_runs("a send kept while offline is stored once when it goes")]


def test_sending_without_a_connection_keeps_the_page_and_says_so_in_kyrgyz(live_server, phone, school):
    campaign = make_campaign(school)
    page = phone
    page.goto(f"{live_server}/s/{campaign.targets[0].slug}?lang=ky")
    for name in ("a", "b"):
        page.locator(f'input[name="{name}"]').first.check(force=True)
    page.locator('input[name="kids"]').last.check(force=True)
    page.locator("button[data-next]").click()
    page.fill('textarea[name="note"], input[name="note"]', "Рахмат")
    page.context.set_offline(True)
    page.locator("button[data-send]").click()
    offline = page.locator("[data-offline]")
    offline.wait_for(state="visible", timeout=15_000)  # the failed send's handler, however slow the machine
    assert "Байланыш жок" in offline.inner_text()
    assert page.url.startswith(live_server) and "/done" not in page.url
    assert page.locator('textarea[name="note"], input[name="note"]').input_value() == "Рахмат"
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Response.id))) == 0

    page.context.set_offline(False)
    offline.wait_for(state="hidden", timeout=15_000)  # the browser's "online" event
    page.locator("button[data-send]").click()
    page.wait_for_url("**/done**")
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Response.id))) == 1
