"""Results: SQL aggregates against hand-computed values, suppression of small groups on screen and
in the workbook, the comparison with the previous campaign, and the export command."""
import io
import re
from datetime import datetime, timedelta, timezone

import openpyxl
import pytest

from app.extensions import db
from app.models import Campaign
from app.services.surveys import results as service
from tests.factories.surveys import answer, make_campaign

HEADER = 7  # header row of every table sheet (WorkbookWriter: title block, blank row, header)


def sheet_rows(workbook, name):
    ws = workbook[name]
    rows = list(ws.iter_rows(min_row=HEADER, values_only=True))
    header, body = rows[0], rows[1:]
    return header, [dict(zip(header, row)) for row in body]


def close(campaign) -> Campaign:
    campaign = db.session.get(Campaign, campaign.id)
    campaign.status = "closed"
    db.session.commit()
    return campaign


@pytest.fixture
def answered(school):
    """Class 7-А: three respondents; class 8-Б: one (below the minimum group size of 3, so 7-А
    is hidden too: the totals minus 7-А would give 8-Б back). Closed: results are published."""
    campaign = make_campaign(school, min_group_size=3)
    a, b = campaign.targets
    for first, second in [(5, 1), (4, 2), (3, 3)]:
        answer(campaign, a, {"a": str(first), "b": str(second), "kids": "no", "note": f"note {first}"})
    answer(campaign, b, {"a": "5", "b": "5", "kids": "yes", "howmany": "3"})
    return close(campaign)


def test_aggregates_equal_hand_computed_values(answered):
    r = service.results(answered)
    assert r.respondents == 4 and not r.suppressed
    items = {i.key: i for i in r.items}
    # a: 5, 4, 3, 5 -> mean 4.25, index (4.25 - 1) / 4 * 100 = 81.25, top-2 (4 or 5): 3 of 4 = 75 %
    assert items["a"].mean == pytest.approx(4.25) and items["a"].index == pytest.approx(81.25)
    assert items["a"].top2 == pytest.approx(75.0)
    # b is reverse-scored: raw 1, 2, 3, 5 -> scores 5, 4, 3, 1 -> mean 3.25
    assert items["b"].mean == pytest.approx(3.25) and items["b"].reverse
    assert [(o.key, o.count) for o in items["b"].options] == [("1", 1), ("2", 1), ("3", 1), ("4", 0), ("5", 1)]
    assert items["b"].options[0].pct == pytest.approx(25.0)
    assert items["howmany"].n == 1 and items["howmany"].mean == pytest.approx(3.0)
    assert (items["howmany"].base, items["howmany"].blank) == (1, 0)  # shown only to the one with kids
    assert [(o.key, o.count, o.pct) for o in items["kids"].options] == [("yes", 1, 25.0), ("no", 3, 75.0)]
    # Scale: respondents' means 5, 4, 3 (7-А) and (5 + 1) / 2 = 3 (8-Б) -> 3.75, index 68.75
    assert r.scales["sat"]["mean"] == pytest.approx(3.75) and r.scales["sat"]["index"] == pytest.approx(68.75)
    by_class = {c["label"]: c for c in r.classes}
    for label in ("7-А", "8-Б"):  # 8-Б is too small; 7-А is hidden so that the total cannot give 8-Б back
        assert by_class[label]["suppressed"] and by_class[label]["scales"]["sat"] is None
        assert by_class[label]["responses"] is None and by_class[label]["rate"] is None
    assert r.texts["note"] == ["note 3", "note 4", "note 5"]


def test_results_page_suppresses_small_classes_and_matches_the_workbook(client, school, login, answered):
    login(school.user("deputy"))
    page = client.get(f"/surveys/{answered.id}/results").get_data(as_text=True)
    assert "not shown: fewer than 3 respondents, or hidden so that a smaller class cannot be worked out" in page
    assert "<svg" in page and "style=" not in page
    row_a = re.search(r'<tr data-key="a">(.*?)</tr>', page, re.S).group(1)
    screen = re.findall(r'<td class="num">([^<]+)</td>', row_a)
    assert screen == ["4", "4.25", "81.2", "75.0"]
    classes = re.search(r'<table class="table" id="classes">(.*?)</table>', page, re.S).group(1)
    assert re.search(r'7-А</td><td class="num"><span class="suppressed">hidden</span></td><td class="num">6</td>'
                     r'<td class="num">—</td>', classes)

    response = client.get(f"/surveys/{answered.id}/export")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    _h, summary = sheet_rows(book, "Summary")
    a = next(r for r in summary if r["Key"] == "a")
    assert [a["n"], a["Mean"], a["Index 0-100"], a["Top-2, % of n"]] == [4, 4.25, 81.2, 75.0]
    assert [float(v) for v in screen[1:]] == [a["Mean"], a["Index 0-100"], a["Top-2, % of n"]]
    b = next(r for r in summary if r["Key"] == "b")
    assert [b["Option 1, % of base"], b["Option 4, % of base"], b["Base: saw the question"]] == [25.0, 0.0, 4]
    _h, classes = sheet_rows(book, "By class")
    first, second = classes[0], classes[1]
    for row, label in ((first, "7-А"), (second, "8-Б")):
        assert row["Class"] == label and row["Responses"] is None and row["Rate, %"] is None
        assert row["Satisfaction"] is None and row["Class size"] == 6
        assert row["Note"] == "not shown: fewer than 3 respondents, or hidden so that a smaller class cannot be worked out"
    header, raw = sheet_rows(book, "Answers")
    assert len(raw) == 4 and {"a", "b", "kids", "howmany", "note"} <= set(header)
    assert {r["Class"] for r in raw} == {""} or {r["Class"] for r in raw} == {None}
    assert sorted(r["a"] for r in raw) == [3, 4, 5, 5]


def test_everything_is_suppressed_below_the_minimum(client, school, login):
    campaign = make_campaign(school, min_group_size=5)
    answer(campaign, campaign.targets[0], {"a": "5", "b": "1", "kids": "no", "note": "Менин атым Айгерим"})
    close(campaign)
    login(school.user("admin"))
    page = client.get(f"/surveys/{campaign.id}/results").get_data(as_text=True)
    assert "results are not shown to protect anonymity" in page and "Айгерим" not in page
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/surveys/{campaign.id}/export").data))
    _h, summary = sheet_rows(book, "Summary")
    a = next(r for r in summary if r["Key"] == "a")
    assert a["n"] is None and a["Mean"] is None and a["Index 0-100"] is None
    _h, raw = sheet_rows(book, "Answers")
    assert raw[0]["Class"] == "fewer than 5 respondents: not shown" and len(raw) == 1
    assert "Айгерим" not in str([list(r) for ws in book for r in ws.iter_rows(values_only=True)])


def test_comparison_with_the_previous_campaign(school, answered):
    answered.created_at = datetime.now(timezone.utc) - timedelta(days=200)
    answered.status = "closed"
    db.session.commit()
    later = make_campaign(school, min_group_size=3, title="Later")
    for _ in range(3):
        answer(later, later.targets[0], {"a": "5", "b": "1", "kids": "no"})
    r = service.results(close(later))
    assert r.previous["campaign"].id == answered.id
    assert r.previous["scales"]["sat"] == pytest.approx(68.75) and r.scales["sat"]["index"] == pytest.approx(100.0)


def test_export_command(app, answered, tmp_path):
    runner = app.test_cli_runner()
    target = tmp_path / "campaign.xlsx"
    result = runner.invoke(args=["export", "campaign", str(answered.id), "-o", str(target)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(target)
    assert {"Summary", "Scales", "By class", "Answers", "Notes"} <= set(book.sheetnames)
    result = runner.invoke(args=["export", "campaign", "999", "-o", str(target)])
    assert result.exit_code == 1 and "No campaign with the id 999." in result.output


def test_formula_like_answers_stay_text(client, school, login):
    campaign = make_campaign(school, min_group_size=1)
    answer(campaign, campaign.targets[0], {"a": "5", "b": "1", "kids": "no", "note": "=HYPERLINK(\"http://x\")"})
    close(campaign)
    login(school.user("admin"))
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/surveys/{campaign.id}/export").data))
    _h, raw = sheet_rows(book, "Answers")
    assert raw[0]["note"] == '\'=HYPERLINK("http://x")'
    assert book["Answers"].cell(row=HEADER + 1, column=list(_h).index("note") + 1).data_type == "s"


@pytest.mark.parametrize("lang, words", [("ky", ["Сурамжылоолор", "Жыйынтыктар", "Класстар боюнча катышуу"]),
                                         ("ru", ["Анкетирование", "Результаты", "Охват по классам"])])
def test_staff_pages_in_kyrgyz_and_russian(client, school, login, answered, lang, words):
    user = school.user("psychologist")
    user.locale = lang
    db.session.commit()
    login(user)
    listing = client.get("/surveys/").get_data(as_text=True)
    detail = client.get(f"/surveys/{answered.id}").get_data(as_text=True)
    results = client.get(f"/surveys/{answered.id}/results").get_data(as_text=True)
    assert words[0] in listing and words[1] in detail and words[2] in results
    assert f'lang="{lang}"' in results


def test_a_new_instrument_version_does_not_change_given_answers(school, answered):
    import textwrap

    from app.services.core import instruments
    from surveys.loader import load_text
    from tests.factories.surveys import SMALL

    changed = textwrap.dedent(SMALL).replace('"Мектеп жагабы?"', '"Мектеп сизге жагабы?"').replace(
        "reverse: true, text", "reverse: false, text")
    v2 = instruments.publish(load_text(changed, "small.yaml"))
    db.session.commit()
    assert v2.created and v2.row.version == 2
    campaign = db.session.get(Campaign, answered.id)
    assert campaign.instrument.version == 1
    r = service.results(campaign)
    assert r.scales["sat"]["index"] == pytest.approx(68.75)  # still reverse-scored as in version 1
    assert next(i for i in r.items if i.key == "a").title("ky") == "Мектеп жагабы?"
