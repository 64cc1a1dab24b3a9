"""The offline sync never drops the phone's value (issue 16 §4), in Chromium: the observer
scores two criteria on the phone without a connection while the laptop saves other values for
both; back online the sync is refused (409), the phone keeps its values and shows each field
with both values; "Keep mine" then saves the phone's, "Take the saved one" the laptop's."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ObservationScore
from tests.conftest import ARTIFACTS, browser_login
from tests.factories.observations import make_observation, observation_protocols
from tests.form_pages import form_data
from tests.security.support import login_client

pytestmark = [pytest.mark.browser, pytest.mark.both_runs("the database's versions decide a conflicting sync")]


def _scores(obs_id) -> dict:
    db.session.expire_all()
    return {s.item_key: s.score for s in db.session.scalars(
        select(ObservationScore).where(ObservationScore.observation_id == obs_id))}


def test_a_conflicting_offline_sync_keeps_the_phones_values_and_shows_both(app, live_server, phone, school):
    protocols = observation_protocols()
    obs = make_observation(school, protocols, final=False, scores={"score-goal_stated": "1", "score-pacing": "1"})
    browser_login(phone, live_server, school.user("deputy"))
    phone.goto(f"{live_server}/observations/{obs.id}")
    phone.context.set_offline(True)
    phone.click("label[for=s-goal_stated-2]")
    phone.click("label[for=s-pacing-2]")
    phone.locator("#obs-sync.offline").wait_for()

    laptop = login_client(app, school.user("deputy"))  # the same observer's laptop, online
    page = form_data(laptop, f"/observations/{obs.id}")
    page.update({"score-goal_stated": "0", "score-pacing": "0"})
    assert laptop.post(f"/observations/{obs.id}/save", data=page).status_code == 303

    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    panel = phone.locator("#obs-conflicts")
    panel.wait_for(state="visible", timeout=10000)
    assert panel.locator("li").count() == 2
    text = panel.inner_text()
    assert panel.get_attribute("data-mine") in text and panel.get_attribute("data-theirs") in text
    stored = phone.evaluate(f"JSON.parse(localStorage.getItem('sapat-observation-{obs.id}'))")
    assert stored["answers"]["score-goal_stated"] == "2" and stored["answers"]["score-pacing"] == "2"
    scores = _scores(obs.id)
    assert (scores["goal_stated"], scores["pacing"]) == (0, 0)  # nothing of the phone's was saved
    panel.scroll_into_view_if_needed()
    path = ARTIFACTS / "screenshots" / "observation-sync-conflict-phone-screen.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(path), full_page=False)

    # After a reload the conflict is still shown: the values wait on the phone.
    phone.reload()
    panel.wait_for(state="visible")
    assert phone.is_checked("#s-goal_stated-2")

    panel.locator("li").nth(1).locator("button[data-choice=take]").click()  # pacing: the laptop's 0
    assert phone.is_checked("#s-pacing-0")
    panel.locator("li").first.locator("button[data-choice=keep]").click()
    panel.wait_for(state="hidden")
    phone.locator("#obs-sync.ok").wait_for(timeout=10000)
    scores = _scores(obs.id)
    assert (scores["goal_stated"], scores["pacing"]) == (2, 0)
