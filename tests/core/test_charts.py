"""Charts colour by meaning, never by position, and name answers as readers see them."""
import re

from app import charts
from app.extensions import db
from app.models import Campaign
from tests.factories.surveys import answer, make_campaign


def _fills(svg: str) -> list[str]:
    return re.findall(r'<rect x="[^"]+" y="0" width="[^"]+" height="16" fill="(#[0-9a-f]{6})">', svg)


def test_answer_shares_are_coloured_by_rank_and_unordered_answers_stay_neutral():
    ordered = str(charts.shares([charts.Share("bad", 50, 0.0), charts.Share("good", 50, 1.0)]))
    assert _fills(ordered) == [charts.SCALE[0], charts.SCALE[-1]]  # red for the worst, green for the best
    turned = str(charts.shares([charts.Share("good", 50, 1.0), charts.Share("bad", 50, 0.0)]))
    assert _fills(turned) == [charts.SCALE[-1], charts.SCALE[0]]  # the colour follows the answer, not its place
    plain = _fills(str(charts.shares([charts.Share("mother", 50), charts.Share("father", 50)])))
    assert set(plain) <= set(charts.NEUTRAL) and not set(plain) & {charts.SCALE[0], charts.SCALE[-1]}


def test_values_are_coloured_by_level():
    svg = str(charts.hbars([("low", 20.0), ("mid", 60.0), ("high", 90.0), ("hidden", None)], title="t"))
    fills = re.findall(r'fill="(#[0-9a-f]{6})"/>', svg)
    assert [f for f in fills if f != charts.MEANING["track"]] == [
        charts.MEANING["poor"], charts.MEANING["fair"], charts.MEANING["good"]]
    assert "—" in svg


def test_results_page_names_answers_in_the_readers_language(client, school, login):
    campaign = make_campaign(school, min_group_size=1)
    target = campaign.targets[0]
    for value in ("5", "1"):
        answer(campaign, target, {"a": value, "b": "3", "kids": "yes" if value == "5" else "no"})
    db.session.get(Campaign, campaign.id).status = "closed"  # figures are published at close
    admin = school.user("admin")
    admin.locale = "ru"
    db.session.commit()
    login(admin)
    page = client.get(f"/surveys/{db.session.get(Campaign, campaign.id).id}/results").get_data(as_text=True)
    tooltips = re.findall(r"<title>([^<]*): \d+%</title>", page)
    assert "Да" in tooltips and "Нет" in tooltips
    assert not {"yes", "no", "1", "5"} & set(tooltips)
    # yes/no outside any scale is neither good nor bad: no red or green for it
    kids_row = page[page.index('data-key="kids"'):]
    kids_row = kids_row[:kids_row.index("</tr>")]
    assert charts.SCALE[0] not in kids_row and charts.SCALE[-1] not in kids_row
