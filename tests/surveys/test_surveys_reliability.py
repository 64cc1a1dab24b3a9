"""Cronbach's alpha and item-total r of a closed campaign's scales, on the results page and in the
workbook, against hand computations (issue 20, part 3)."""
import io
import re

import openpyxl
import pytest

from app.extensions import db
from app.models import Campaign
from app.services.surveys import consistency
from tests.factories.surveys import answer, make_campaign
from tests.surveys.test_surveys_results import sheet_rows

# Scale "sat" = a and b (b reverse: score = 6 - raw). Five respondents' scores (a, b):
# (5, 4) (4, 4) (3, 2) (2, 3) (1, 1).
#   var(a) = (4 + 1 + 0 + 1 + 4) / 4 = 2.5;  var(b) = (1.44 + 1.44 + 0.64 + 0.04 + 3.24) / 4 = 1.7
#   totals 9, 8, 5, 5, 2 (mean 5.8): var = (10.24 + 4.84 + 0.64 + 0.64 + 14.44) / 4 = 7.7
#   alpha = 2 / 1 * (1 - (2.5 + 1.7) / 7.7) = 7 / 7.7 = 0.9090...
#   with 2 items each item's rest-total is the other item: r = cov / (sd_a sd_b)
#   cov = (2.4 + 1.2 + 0 - 0.2 + 3.6) / 4 = 1.75;  r = 1.75 / sqrt(2.5 * 1.7) = 0.8489
CONSISTENT = [(5, 4), (4, 4), (3, 2), (2, 3), (1, 1)]
# a and b move against each other (hand computation in the low test).
LOW = [(5, 2), (1, 4), (3, 3), (4, 1), (2, 5)]


def _campaign(school, pairs, status="closed"):
    campaign = make_campaign(school, min_group_size=5)
    target = campaign.targets[0]
    campaign.status = "open"
    db.session.commit()
    for a, b in pairs:
        answer(campaign, target, {"a": str(a), "b": str(6 - b), "kids": "no"})
    campaign = db.session.get(Campaign, campaign.id)
    campaign.status = status
    db.session.commit()
    return campaign


def test_alpha_and_item_total_equal_the_hand_computation(school):
    campaign = _campaign(school, CONSISTENT)
    [scale] = consistency.campaign_reliability(campaign)
    assert scale.key == "sat" and scale.n == 5
    assert scale.alpha == pytest.approx(7 / 7.7)
    assert scale.reading == "excellent" and not scale.low
    assert [it.key for it in scale.items] == ["a", "b"] and scale.items[1].reverse
    assert [it.item_total for it in scale.items] == pytest.approx([1.75 / (2.5 * 1.7) ** 0.5] * 2)


def test_low_alpha_gets_a_note_on_the_page_and_in_the_workbook(client, school, login):
    # scores a: 5 1 3 4 2 (var 2.5), b: 2 4 3 1 5 (var 2.5), totals 7 5 6 5 7 (mean 6, var 4/4 = 1)
    # alpha = 2 * (1 - 5 / 1) = -8; r(a, b) = cov / 2.5, cov = (2*-1 + -2*1 + 0 + 1*-2 + -1*2) / 4 = -2 -> -0.8
    campaign = _campaign(school, LOW)
    [scale] = consistency.campaign_reliability(campaign)
    assert scale.alpha == pytest.approx(-8.0) and scale.low and scale.reading == "low"
    assert [it.item_total for it in scale.items] == pytest.approx([-0.8, -0.8])
    assert all(it.weak for it in scale.items)

    login(school.user("deputy"))
    page = client.get(f"/surveys/{campaign.id}/results").get_data(as_text=True)
    row = re.search(r'<tr data-scale="sat">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]+)</td>', row) == ["2", "5", "-8.00"]
    assert "low (below 0.7)" in row
    assert 'class="flash flash-warning low-alpha" data-scale="sat"' in page
    item = re.search(r'<tr data-item-total="b">(.*?)</tr>', page.split('id="item-total"')[1], re.S).group(1)
    assert "-0.80" in item and "weak item" in item

    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/surveys/{campaign.id}/export").data))
    _h, rows = sheet_rows(book, "Reliability")
    assert rows[0]["Scale"] == "Satisfaction" and rows[0]["Respondents"] == 5
    assert rows[0]["Cronbach's alpha"] == -8.0 and rows[0]["Reading"].startswith("low (below 0.7). Alpha below 0.7")
    assert [r["Item-total correlation"] for r in rows[1:]] == [-0.8, -0.8]


def test_page_and_workbook_agree_for_a_consistent_scale(client, school, login):
    campaign = _campaign(school, CONSISTENT)
    login(school.user("deputy"))
    page = client.get(f"/surveys/{campaign.id}/results").get_data(as_text=True)
    row = re.search(r'<tr data-scale="sat">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]+)</td>', row) == ["2", "5", "0.91"] and "excellent" in row
    assert "low-alpha" not in page
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/surveys/{campaign.id}/export").data))
    _h, rows = sheet_rows(book, "Reliability")
    assert rows[0]["Cronbach's alpha"] == 0.91 and rows[0]["Reading"] == "excellent"
    assert [r["Question"] for r in rows[1:]] == ["Do you like the school?", "e"]
    assert [r["Item-total correlation"] for r in rows[1:]] == [0.85, 0.85]


@pytest.mark.parametrize("status, pairs", [("open", CONSISTENT), ("closed", CONSISTENT[:4])])
def test_no_alpha_while_open_or_below_the_minimum_group(client, school, login, status, pairs):
    campaign = _campaign(school, pairs, status=status)
    assert consistency.campaign_reliability(campaign) is None
    login(school.user("deputy"))
    page = client.get(f"/surveys/{campaign.id}/results").get_data(as_text=True)
    assert 'id="reliability"' not in page
    if status == "open":  # an open campaign shows no figures at all (disclosure over time)
        assert "results will be shown when it is closed" in page
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/surveys/{campaign.id}/export").data))
    _h, rows = sheet_rows(book, "Reliability")
    assert rows[0]["Question"].startswith("Reliability is computed when the campaign is closed")
