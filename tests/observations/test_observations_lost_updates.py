"""No lost updates in an observation's checklist (issue 16 §4): the observer's two devices (the
phone's offline draft and the laptop's page) save without undoing each other: the non-JS save
and the offline sync write only the fields changed on their page, and a field both changed
is refused (409) with the other value."""
import html
import json

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ObservationScore
from tests.factories.observations import make_observation, observation_protocols
from tests.form_pages import form_data
from tests.security.support import login_client


@pytest.fixture
def protocols(app):
    return observation_protocols()


def _scores(obs) -> dict:
    db.session.expire_all()
    return {s.item_key: (s.score, s.text) for s in db.session.scalars(
        select(ObservationScore).where(ObservationScore.observation_id == obs.id))}


def _checklist(client, obs) -> dict:
    data = form_data(client, f"/observations/{obs.id}")
    assert "_orig" in data
    return data


def test_a_stale_checklist_page_keeps_the_other_devices_scores(app, school, protocols):
    obs = make_observation(school, protocols, final=False, scores={"score-goal_stated": "1"})
    laptop, phone = login_client(app, school.user("deputy")), login_client(app, school.user("deputy"))
    stale = _checklist(laptop, obs)
    fresh = _checklist(phone, obs)
    fresh.update({"score-goal_stated": "2", "score-pacing": "2"})
    assert phone.post(f"/observations/{obs.id}/save", data=fresh).status_code == 303
    stale["note-prior_knowledge"] = "мало связи"  # the laptop adds a note on its old page
    assert laptop.post(f"/observations/{obs.id}/save", data=stale).status_code == 303
    scores = _scores(obs)
    assert scores["goal_stated"][0] == 2 and scores["pacing"][0] == 2
    assert scores["prior_knowledge"][1] == "мало связи"


def test_a_score_both_devices_changed_is_refused_with_the_other_value(app, school, protocols):
    obs = make_observation(school, protocols, final=False, scores={"score-goal_stated": "1"})
    laptop, phone = login_client(app, school.user("deputy")), login_client(app, school.user("deputy"))
    stale = _checklist(laptop, obs)
    base = json.loads(stale["_orig"])
    fresh = _checklist(phone, obs)
    fresh["score-goal_stated"] = "2"
    assert phone.post(f"/observations/{obs.id}/save", data=fresh).status_code == 303
    stale["score-goal_stated"] = "0"
    refused = laptop.post(f"/observations/{obs.id}/save", data=stale)
    assert refused.status_code == 409
    text = html.unescape(refused.get_data(as_text=True))
    assert 'stated clearly to students was changed meanwhile by another user to "Fully"' in text
    assert _scores(obs)["goal_stated"][0] == 2
    # The offline sync of the phone's old draft: the same rule.
    sync = laptop.post(f"/observations/{obs.id}/sync", json={
        "answers": {"score-goal_stated": "1", "score-pacing": "2"},
        "originals": {"score-goal_stated": base["score-goal_stated"], "score-pacing": base["score-pacing"]}})
    assert sync.status_code == 200 and sync.get_json()["values"]["score-pacing"] == "2"
    assert _scores(obs)["goal_stated"][0] == 2 and _scores(obs)["pacing"][0] == 2  # unchanged there: kept
    clash = laptop.post(f"/observations/{obs.id}/sync", json={
        "answers": {"score-goal_stated": "0"}, "originals": {"score-goal_stated": base["score-goal_stated"]}})
    assert clash.status_code == 409 and clash.get_json()["conflict"]
    assert _scores(obs)["goal_stated"][0] == 2


def test_a_refused_sync_names_each_field_with_both_values(app, school, protocols):
    """The phone is told what clashed, with both values as the page shows them, so it keeps its
    value and lets the observer choose (observations.js; the browser case is in
    test_browser_sync_conflicts.py)."""
    obs = make_observation(school, protocols, final=False, scores={"score-goal_stated": "1"})
    laptop, phone = login_client(app, school.user("deputy")), login_client(app, school.user("deputy"))
    base = json.loads(_checklist(phone, obs)["_orig"])
    page = _checklist(laptop, obs)
    page["score-goal_stated"] = "0"
    assert laptop.post(f"/observations/{obs.id}/save", data=page).status_code == 303
    clash = phone.post(f"/observations/{obs.id}/sync", json={
        "answers": {"score-goal_stated": "2", "score-pacing": "1"},
        "originals": {"score-goal_stated": base["score-goal_stated"], "score-pacing": base["score-pacing"]}})
    body = clash.get_json()
    assert clash.status_code == 409 and body["values"]["score-goal_stated"] == "0"
    assert [(c["name"], c["mine"], c["theirs"], c["mine_shown"], c["theirs_shown"]) for c in body["conflicts"]] == [
        ("score-goal_stated", "2", "0", "Fully", "Not observed")]
    assert _scores(obs)["goal_stated"][0] == 0 and "pacing" not in _scores(obs)  # nothing saved
