"""The parents' page weighs little on a phone's data plan (issue 23): in Chromium, the first visit
to a class's link of the largest shipped parents' questionnaire transfers at most 15 KB
(headers included), and a visit to another class's link afterwards at most 6 KB: the static
files come from the browser's cache without a request. `make bench` reports the same figures
against a browser that refuses compression and caching (bench/bench_page_weight.py)."""
import pytest

from app.extensions import db
from bench.bench_page_weight import FIRST_LIMIT, REPEAT_LIMIT, measure_visits
from tests.factories.surveys import make_campaign

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["ky", "ru", "en"])
def test_first_and_repeat_visits_stay_within_their_limits(live_server, browser, school, lang):
    from app.services.core import instruments

    campaign = make_campaign(school)
    campaign.instrument_id = instruments.ensure_published("parent_satisfaction").id
    db.session.commit()
    first, other = (f"{live_server}/s/{t.slug}?lang={lang}" for t in campaign.targets[:2])
    visits = measure_visits(browser, first, other)
    assert visits["first"]["bytes"] <= FIRST_LIMIT, visits["first"]
    assert len(visits["first"]["parts"]) == 5  # the page, two style sheets, the script, the icon
    assert visits["repeat"]["bytes"] <= REPEAT_LIMIT, visits["repeat"]
    static = [p for p, n in visits["repeat"]["parts"].items() if p.startswith("static/") and n]
    assert static == [], visits["repeat"]  # nothing static is fetched again
    # The same visits without compression and cache weigh several times as much (the baseline).
    baseline = measure_visits(browser, first, other, baseline=True)
    assert baseline["first"]["bytes"] > 3 * visits["first"]["bytes"]
