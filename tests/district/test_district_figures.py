"""The district's other figures per school: survey indices as each school's own results publish
them (disclosure per school and per class), indicator values with n and target, measures overdue."""
from datetime import timedelta

from app.extensions import db
from app.models.monitoring.measures import Measure
from app.services.core import clock
from app.services.surveys import monitoring as survey_sources
from tests.district.support import join, marks, rows
from tests.factories.surveys import answer, make_campaign


def test_survey_indices_follow_disclosure_per_school_and_class(client, login, school, monkeypatch):
    monkeypatch.setitem(survey_sources.SURVEY_INDICATORS, "parent_satisfaction", "small")
    bravo = join(school, "bravo", class_size=3)
    campaign = make_campaign(school, status="open", min_group_size=5)
    big, small = campaign.targets
    for _ in range(6):
        answer(campaign, big, {"a": "5", "b": "1", "kids": "no"})  # respondent's mean 5
    for _ in range(2):
        answer(campaign, small, {"a": "3", "b": "3", "kids": "no"})  # respondent's mean 3
    few = make_campaign(bravo, status="open", min_group_size=5)
    for _ in range(3):
        answer(few, few.targets[0], {"a": "4", "b": "2", "kids": "no"})
    few.status = "closed"
    db.session.commit()
    login(school.user("district_specialist"))

    page = client.get("/district/surveys").get_data(as_text=True)
    table = rows(page[page.index("<h2>"):])
    # Open: no figure, not even the number of respondents (disclosure rule 4).
    assert table["School alpha"] == ["Test campaign open: figures after it closes", "—", "not shown", "0"]
    # Three respondents, below the minimum of five: only their number (rule 3).
    assert table["School bravo"] == ["Test campaign", "3", "not shown", "0"]

    campaign.status = "closed"
    db.session.commit()
    table = rows(client.get("/district/surveys").get_data(as_text=True).split("<h2>", 1)[1])
    # 8 respondents: (6 * 5 + 2 * 3) / 8 = 4.5 on 1..5 -> (4.5 - 1) / 4 * 100 = 87.5. The class of 2
    # is hidden (below 5) and so is the class of 6, or 8 - 6 would give the small one back (rule 2).
    assert table["School alpha"] == ["Test campaign", "8", "87.5", "2"]


def test_indicator_values_with_n_and_target_and_measures_overdue(client, login, school):
    bravo = join(school, "bravo", class_size=4)
    marks(school, [5, 4, 3, 2, 5, 4])
    today = clock.today(school.school)
    db.session.add(Measure(school_id=school.school.id, year_id=school.year.id, action="Late", due_on=today - timedelta(days=3),
                           status="planned"))
    db.session.add(Measure(school_id=school.school.id, year_id=school.year.id, action="Later",
                           due_on=today + timedelta(days=30), status="in_progress"))
    db.session.add(Measure(school_id=bravo.school.id, year_id=bravo.year.id, action="Done late",
                           due_on=today - timedelta(days=3), status="done"))
    db.session.commit()
    login(school.user("district_specialist"))
    table = rows(client.get("/district/").get_data(as_text=True))
    assert table[next(k for k in table if k.startswith("School alpha"))][:2] == ["1", "2"]
    assert table[next(k for k in table if k.startswith("School bravo"))][:2] == ["0", "0"]

    page = client.get("/district/indicators?direction=1&year=2026-2027").get_data(as_text=True)
    pass_rate = rows(page[page.index("Pass rate"):])
    assert pass_rate["School alpha"][:2] == ["83.3 %", "6"]
    assert pass_rate["School bravo"][:2] == ["—", "—"]
    assert pass_rate["School alpha"][2] != "—"  # the school's target
    assert client.get("/district/indicators?direction=9").status_code == 404


def test_reading_the_district_changes_nothing_in_a_school(client, login, school):
    from tests.security.support import diff_tables, snapshot_tables

    join(school, "bravo", class_size=2)
    login(school.user("district_specialist"))
    client.get("/district/")
    before = snapshot_tables(skip=("spent_token",))
    for url in ("/district/", "/district/results", "/district/indicators", "/district/surveys", "/district/rating",
                f"/district/schools/{school.school.id}"):
        assert client.get(url).status_code == 200
    assert diff_tables(before, snapshot_tables(skip=("spent_token",))) == []
