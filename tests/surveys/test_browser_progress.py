"""The survey's "Page N of M" counts only the pages the respondent's answers show (issue 23)."""
import pytest

from app.extensions import db
from tests.factories.surveys import make_campaign

pytestmark = pytest.mark.browser


def _step(page) -> str:
    return page.locator("section.part:not([hidden]) .step").inner_text()


def test_progress_leaves_out_the_page_the_answers_hide(live_server, phone, school):
    from app.services.core import instruments

    campaign = make_campaign(school)
    campaign.instrument_id = instruments.ensure_published("parent_satisfaction").id
    db.session.commit()
    page = phone
    page.goto(f"{live_server}/s/{campaign.targets[0].slug}?lang=en")
    assert _step(page) == "Page 1 of 7"  # the catering page shows only after "yes"
    assert page.locator("#eats_canteen-0").get_attribute("value") == "yes"
    page.locator('label[for="eats_canteen-0"]').click()
    assert _step(page) == "Page 1 of 8"
    page.locator('label[for="eats_canteen-1"]').click()  # "no"
    assert _step(page) == "Page 1 of 7"
