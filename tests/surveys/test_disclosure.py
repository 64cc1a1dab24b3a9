"""Disclosure control (issue 16, part 1): the named cases with their right values, on every
output (results page in two languages, campaign workbook, annual workbook, class profile,
indicator). The property-based test is in test_disclosure_property.py."""
import io
import re

import openpyxl
import pytest

from app.extensions import db
from app.models import Campaign
from app.services.core import clock
from app.services.surveys import disclosure
from app.services.surveys import monitoring as survey_monitoring
from app.services.surveys import results as service
from tests.factories.surveys import answer
from tests.surveys.disclosure_support import answer_all, close, everything, five_campaign, more_classes
from tests.surveys.test_surveys_results import sheet_rows


@pytest.fixture
def named_case(school):
    """The issue's case: minimum group 5; six parents of 7-А answer 4 to everything, two of 8-Б 1.
    Respondents' scale means: 7-А (4·4 + 2) / 5 = 3.6, 8-Б (4·1 + 5) / 5 = 1.8, all (6·3.6 + 2·1.8) / 8 = 3.15."""
    campaign = five_campaign(school)
    a, b = campaign.targets
    answer_all(campaign, a, 4, 6)
    answer_all(campaign, b, 1, 2)
    return close(campaign)


def test_complementary_suppression_of_the_named_case(named_case):
    r = service.results(named_case)
    assert r.respondents == 8 and r.shown
    assert r.scales["res"]["mean"] == pytest.approx(3.15) and r.scales["res"]["index"] == pytest.approx(53.75)
    # 8-Б alone is too small; 7-А is hidden too, else (8 x 3.15 - 6 x 3.6) / 2 = 1.8 gives 8-Б back.
    for c in r.classes:
        assert c["suppressed"] and c["responses"] is None and c["rate"] is None and c["scales"]["res"] is None


def test_the_named_case_on_every_output(client, school, login, named_case):
    login(school.user("deputy"))
    pages = {lang: client.get(f"/surveys/{named_case.id}/results?lang={lang}").get_data(as_text=True)
             for lang in ("en", "ru", "ky")}
    for page in pages.values():
        classes = re.search(r'<table class="table" id="classes">(.*?)</table>', page, re.S).group(1)
        assert "65.0" not in classes and "20.0" not in classes  # 7-А's and 8-Б's indices
        assert ">6<" not in classes.replace('<td class="num">6</td><td class="num">—', "")  # 7-А's count
        assert "53.8" in page  # the whole campaign, n = 8
    numbers = {lang: sorted(re.findall(r">\s*(\d+\.\d+)\s*<", page)) for lang, page in pages.items()}
    assert numbers["en"] == numbers["ru"] == numbers["ky"]  # the other language's page gives nothing more

    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/surveys/{named_case.id}/export").data))
    _h, by_class = sheet_rows(book, "By class")
    assert [(c["Responses"], c["Rate, %"], c["Results"]) for c in by_class] == [(None, None, None)] * 2
    _h, scales = sheet_rows(book, "Scales")
    assert scales[0]["Mean"] == 3.15
    _h, raw = sheet_rows(book, "Answers")
    assert len(raw) == 8 and not any(r["Class"] for r in raw)  # no row says which class it came from

    from app.services.exports.annual import Context
    from app.services.surveys.annual import SECTION
    fetched = SECTION.fetch(Context(school_id=school.school.id, school_name="", year_id=school.year.id, year_name="",
                                    prev_id=None, prev_name=None, lang="en"))
    assert all(c["scales"]["res"] is None and c["responses"] is None for c in fetched[0]["classes"])
    assert fetched[0]["overall"]["res"] == pytest.approx(53.75)

    profile = survey_monitoring.class_satisfaction(school.classes[0], school.user("deputy"))
    assert profile.rows == [["Parents · 7-А", "—", "too few to show"]]


def test_a_third_class_is_shown_when_the_hidden_ones_are_enough(school):
    """7-А 6 parents (shown), 8-Б 2 and 9-В 3 (both below 5, together 5): nothing else is hidden,
    and the rows of the hidden classes carry no class in the raw sheet."""
    classes = more_classes(school, 3)
    campaign = five_campaign(school, classes)
    a, b, c = campaign.targets
    answer_all(campaign, a, 4, 6)
    answer_all(campaign, b, 1, 2)
    answer_all(campaign, c, 5, 3)
    r = service.results(close(campaign))
    shown = {x["label"]: x["scales"]["res"] for x in r.classes}
    assert shown == {"7-А": pytest.approx(65.0), "8-Б": None, "9-В": None}
    hidden = {x["target"].id for x in r.classes if x["suppressed"]}
    rows = list(service.raw_rows(r.campaign, hidden))
    assert sorted(t is None for _n, t, _v in rows) == [False] * 6 + [True] * 5


def test_hidden_groups_rule():
    assert disclosure.hidden_groups({"a": 6, "b": 2}, 5) == {"a", "b"}
    assert disclosure.hidden_groups({"a": 6, "b": 2, "c": 3}, 5) == {"b", "c"}
    assert disclosure.hidden_groups({"a": 9, "b": 6, "c": 2, "d": 0}, 5) == {"b", "c"}  # the smallest shown one
    assert disclosure.hidden_groups({"a": 6, "b": 0}, 5) == set()  # no respondents: nothing to protect
    assert disclosure.hidden_groups({"a": 6, "b": 7}, 5, also={"b"}) == {"b"}  # b alone is no small group


def test_multi_choice_percentages_are_of_those_who_saw_it(client, school, login):
    """10 respondents, 2 chose an option of the optional multi item, 8 chose nothing: 20.0 % of 10."""
    campaign = five_campaign(school, school.classes[:1])
    target = campaign.targets[0]
    answer(campaign, target, everything(3, help=["x"]))
    answer(campaign, target, everything(3, help=["x"]))
    answer_all(campaign, target, 3, 8)
    campaign = close(campaign)
    item = next(i for i in service.results(campaign).items if i.key == "help")
    assert (item.n, item.base, item.blank) == (2, 10, 8)
    assert [(o.key, o.count, o.pct) for o in item.options] == [("x", 2, 20.0), ("y", 0, 0.0)]
    login(school.user("deputy"))
    page = client.get(f"/surveys/{campaign.id}/results").get_data(as_text=True)
    row = re.search(r'<tr data-key="help">(.*?)</tr>', page, re.S).group(1)
    assert "Ex: 2 (20.0%)" in row and "% of 10 who saw the question; none chosen: 8" in row and "100.0" not in row
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/surveys/{campaign.id}/export").data))
    _h, summary = sheet_rows(book, "Summary")
    row = next(r for r in summary if r["Key"] == "help")
    assert [row["n"], row["Base: saw the question"], row["None chosen"], row["Option 1, % of base"]] == [2, 10, 8, 20.0]


def test_an_open_campaign_shows_no_figures_until_it_is_closed(client, school, login):
    """Saving the page before and after one known parent sends tells nothing: while the
    campaign is open no figure is shown (the page says so); closed, they are."""
    campaign = five_campaign(school, school.classes[:1])
    target = campaign.targets[0]
    answer_all(campaign, target, 4, 5)
    login(school.user("deputy"))

    def figures():
        page = client.get(f"/surveys/{campaign.id}/results").get_data(as_text=True)
        assert "Results are shown only after the campaign is closed" in page
        page = re.sub(r'<strong id="respondents">\d+</strong>', "", page)
        return page, re.sub(r"<td class=\"num\">[\d.]+</td>", "", page.split("id=\"classes\"")[1])

    before, before_classes = figures()
    answer(campaign, target, everything(1, note="my answers"))
    after, after_classes = figures()
    assert "The campaign is open: results will be shown when it is closed." in after
    assert 'data-key="q1"' not in after and "my answers" not in after
    assert before_classes == after_classes
    assert survey_monitoring.campaign_index(db.session.get(Campaign, campaign.id)) is None
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/surveys/{campaign.id}/export").data))
    _h, summary = sheet_rows(book, "Summary")
    assert all(r["n"] is None and r["Mean"] is None for r in summary if r["Key"])
    _h, raw = sheet_rows(book, "Answers")
    assert len(raw) == 1 and "when the campaign is closed" in raw[0]["Class"]

    close(campaign)
    page = client.get(f"/surveys/{campaign.id}/results").get_data(as_text=True)
    assert 'data-key="q1"' in page and "my answers" in page
    assert survey_monitoring.campaign_index(db.session.get(Campaign, campaign.id)).n == 6


def test_the_comparison_uses_only_a_closed_earlier_campaign(school):
    earlier = five_campaign(school, school.classes[:1], title="Earlier")
    answer_all(earlier, earlier.targets[0], 4, 5)  # still open: moves with each answer
    later = five_campaign(school, school.classes[:1], title="Later")
    answer_all(later, later.targets[0], 5, 5)
    assert service.results(close(later)).previous is None
    close(earlier)
    assert service.results(db.session.get(Campaign, later.id)).previous["campaign"].title == "Earlier"


def test_raw_rows_do_not_keep_the_order_of_arrival(client, school, login):
    campaign = five_campaign(school, school.classes[:1])
    for age in range(1, 31):
        answer(campaign, campaign.targets[0], everything(3, age=str(age)))
    close(campaign)
    login(school.user("deputy"))
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/surveys/{campaign.id}/export").data))
    _h, raw = sheet_rows(book, "Answers")
    ages = [r["age"] for r in raw]
    assert sorted(ages) == list(range(1, 31)) and ages != list(range(1, 31))  # 1 in 30! to fail by chance
    assert [r["No."] for r in raw] == list(range(1, 31))


def test_a_rate_over_100_percent_is_flagged(client, school, login):
    """Link mode: 7 parents answer for a class of 6 pupils."""
    campaign = five_campaign(school, school.classes[:1])
    answer_all(campaign, campaign.targets[0], 4, 7)
    campaign = close(campaign)
    row = service.results(campaign).classes[0]
    assert (row["responses"], row["expected"], row["rate"], row["rate_over"]) == (7, 6, None, True)
    login(school.user("deputy"))
    page = client.get(f"/surveys/{campaign.id}/results").get_data(as_text=True)
    assert "over 100 %" in page and "116.7" not in page
    assert "with an open link several parents of a pupil, or anyone who has the link, can answer" in page
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/surveys/{campaign.id}/export").data))
    _h, by_class = sheet_rows(book, "By class")
    assert by_class[0]["Rate, %"] is None and by_class[0]["Note"].startswith("more responses than pupils")


def test_codes_used_of_a_hidden_class_are_not_shown(client, school, login):
    """Codes used are a class's responses: the campaign page hides them as the results do."""

    from app.services.surveys import public

    campaign = five_campaign(school, mode="codes")
    a, b = campaign.targets
    for target, count, value in ((a, 6, 4), (b, 2, 1)):
        codes = public.issue_codes(campaign, target, 8)
        db.session.commit()
        link = public.public_link(target.slug)
        for code in codes[:count]:
            public.submit_response(link, public.link_spec(link), public.new_client_uuid(), everything(value),
                                   clock.today(), code=code)
            db.session.commit()
    assert service.codes_shown(campaign) == {a.id: (8, None), b.id: (8, None)}
    login(school.user("deputy"))
    page = client.get(f"/surveys/{campaign.id}").get_data(as_text=True)
    assert page.count('<span class="suppressed">hidden</span>') == 2 and '<td class="num">6</td>' not in page
