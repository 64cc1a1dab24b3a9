"""Indicators computed from the other features' data (marks, survey campaigns, lesson
observations), against hand-computed values on small fixtures; cyclogram statuses
derived from that data."""
from datetime import date

import pytest

from app.extensions import db
from app.features import installed
from app.services.monitoring import planning
from app.services.monitoring.calculators import Period, compute
from app.services.monitoring.catalogue import ensure_catalogue
from app.services.surveys import monitoring as survey_sources
from tests.factories.achievement import make_assessment
from tests.factories.monitoring import make_cyclogram_item
from tests.factories.observations import make_observation, observation_protocols
from tests.factories.surveys import answer, make_campaign


def _value(key, school, period):
    result = compute(key, school.school.id, period)
    return None if result is None else result.value


@pytest.fixture
def marks(school):
    c7, c8 = school.classes
    maths, physics = school.subjects
    q1, q2 = school.terms[0], school.terms[1]
    make_assessment(school, c7, maths, q1, [5, 4, 4, 3, 2, "н"])
    make_assessment(school, c8, physics, q1, [5, 5, 4, 4, 4, 3])
    make_assessment(school, c7, maths, q2, [5, 5, 5, 5, 5, 5])
    return school


def test_marks_indicators_for_a_quarter(marks):
    q1 = Period.of_term(marks.terms[0])
    # n = 11 (one absent): n5 = 3, n4 = 5, n3 = 2, n2 = 1
    assert _value("pass_rate", marks, q1) == round(100 * 10 / 11, 2)
    assert _value("quality", marks, q1) == round(100 * 8 / 11, 2)
    assert _value("sou", marks, q1) == round((300 + 320 + 72 + 16) / 11, 2)
    assert _value("mean_mark", marks, q1) == round(43 / 11, 2)
    assert _value("failing_students", marks, q1) == 1
    assert compute("pass_rate", marks.school.id, q1).n == 11


def test_marks_indicators_for_the_year_pool_quarters_until_annual_marks_exist(marks):
    year = Period.of_year(marks.year)
    # Q1 and Q2 term marks: n = 17, n5 = 9, n4 = 5, n3 = 2, n2 = 1
    assert _value("pass_rate", marks, year) == round(100 * 16 / 17, 2)
    assert _value("quality", marks, year) == round(100 * 14 / 17, 2)
    assert _value("sou", marks, year) == round((900 + 320 + 72 + 16) / 17, 2)
    assert _value("mean_mark", marks, year) == round(73 / 17, 2)
    year_term = marks.terms[3]
    make_assessment(marks, marks.classes[0], marks.subjects[0], year_term, [4, 4, 4, 4, 4, 4], kind="annual")
    assert _value("pass_rate", marks, year) == 100.0
    assert _value("quality", marks, year) == 100.0
    assert _value("sou", marks, year) == 64.0
    assert _value("mean_mark", marks, year) == 4.0


def test_internal_external_gap(marks):
    # Two students of 7-А sat the ORT in maths: 100 of 100 (5.0) and 0 of 100 (2.0); their
    # term marks of the year average 5 and 4.5. Gap = |4.75 - 3.5| = 1.25.
    make_assessment(marks, marks.classes[0], marks.subjects[0], marks.terms[3], [100.0, 0.0, None, None, None, None],
              kind="ort", max_score=100)
    assert _value("internal_external_gap", marks, Period.of_year(marks.year)) == 1.25


def test_marks_indicators_without_marks_are_no_data(school):
    for key in ("pass_rate", "quality", "sou", "mean_mark", "failing_students", "internal_external_gap"):
        assert compute(key, school.school.id, Period.of_year(school.year)) is None, key


def test_survey_index_of_the_years_latest_campaign_with_suppression(school, monkeypatch):
    monkeypatch.setitem(survey_sources.SURVEY_INDICATORS, "parent_satisfaction", "small")
    monkeypatch.setitem(installed().calculators, "parent_satisfaction", survey_sources._survey("small"))
    period = Period.of_year(school.year)
    campaign = make_campaign(school, status="open", min_group_size=5)
    target = campaign.targets[0]
    for _ in range(3):
        answer(campaign, target, {"a": "5", "b": "1", "kids": "no"})  # scores 5 and 5 (b is reversed)
    answer(campaign, target, {"a": "3", "b": "3", "kids": "no"})
    # four respondents: below the minimum group of five -> no value at all
    assert compute("parent_satisfaction", school.school.id, period) is None
    answer(campaign, target, {"a": "3", "b": "3", "kids": "no"})
    campaign.status = "closed"
    db.session.commit()
    # respondents' means 5, 5, 5, 3, 3 -> 4.2 on 1..5 -> index (4.2 - 1) / 4 * 100 = 80
    result = compute("parent_satisfaction", school.school.id, period)
    assert (result.value, result.n) == (80.0, 5)


def test_survey_indicators_map_to_the_shipped_instruments():
    assert survey_sources.SURVEY_INDICATORS == {"parent_satisfaction": "parent_satisfaction",
                                         "student_satisfaction": "student_lessons",
                                         "psych_climate": "psychological_climate"}
    from surveys.loader import INSTRUMENTS_DIR
    for key in survey_sources.SURVEY_INDICATORS.values():
        assert (INSTRUMENTS_DIR / f"{key}.yaml").exists()


@pytest.fixture
def protocols(app):
    return observation_protocols()


def _observe(school, protocols, key, scores, observed_on, teacher="teacher", final=True):
    """A lesson observation by the deputy, every criterion at scores["_all"] unless named."""
    overrides = {k: v for k, v in scores.items() if k != "_all"}
    return make_observation(school, protocols, key=key, teacher=teacher, observed_on=observed_on, topic="x",
                            score=scores["_all"], overrides=overrides, final=final)


def test_observed_lesson_quality(school, protocols):
    # 23 criteria scored 0..2 (max 46): A 44/46 (Q1), B 23/46 (Q2), C 46/46 (Q1); a draft and an
    # extracurricular event never count.
    _observe(school, protocols, "lesson_observation", {"_all": 2, "goal_stated": 0}, date(2026, 9, 20))
    _observe(school, protocols, "lesson_observation", {"_all": 1}, date(2026, 11, 20))
    _observe(school, protocols, "lesson_observation", {"_all": 2}, date(2026, 10, 1), teacher="teacher2")
    _observe(school, protocols, "lesson_observation", {"_all": 0}, date(2026, 10, 2), final=False)
    _observe(school, protocols, "extracurricular_event", {"_all": 0}, date(2026, 10, 3))
    assert _value("lesson_quality", school, Period.of_year(school.year)) == round(100 * 113 / 138, 2)
    assert _value("lesson_quality", school, Period.of_term(school.terms[0])) == round(100 * 90 / 92, 2)
    assert compute("lesson_quality", school.school.id, Period.of_year(school.year)).n == 3


def test_lesson_quality_without_observations_is_no_data(school):
    assert compute("lesson_quality", school.school.id, Period.of_year(school.year)) is None


def test_cyclogram_items_follow_campaigns_marks_and_observations(marks, protocols):
    school = marks
    ensure_catalogue(school.school.id)

    def item(**kw):
        return make_cyclogram_item(school, **{"direction": 1, "object": "x", "due_on": date(2027, 5, 31), **kw})

    results_q1 = item(month_from=10, month_to=10, method="statistics", indicator_keys="pass_rate quality",
                      due_on=date(2026, 11, 5))
    results_q3 = item(month_from=3, month_to=3, method="statistics", indicator_keys="pass_rate",
                      due_on=date(2027, 3, 20))
    lessons = item(month_from=9, month_to=5, method="observation", indicator_keys="lesson_quality")
    survey = item(month_from=3, month_to=4, method="survey", indicator_keys="parent_satisfaction", instrument="small")
    db.session.commit()
    today = date(2027, 4, 1)
    # Q1 term marks are dated 31 October: the October results item is done; March has none: overdue.
    assert planning.effective_status(results_q1, today) == "done"
    assert planning.effective_status(results_q3, today) == "overdue"
    assert planning.effective_status(lessons, today) == "planned"
    _observe(school, protocols, "lesson_observation", {"_all": 2}, date(2026, 10, 1))
    assert planning.effective_status(lessons, today) == "in_progress"
    assert planning.effective_status(survey, today) == "planned"
    campaign = make_campaign(school, status="open")
    # Only a campaign in the item's months (March-April) counts (issue 16 §7).
    assert planning.effective_status(survey, today) == "planned"
    campaign.opens_on, campaign.closes_on = date(2027, 3, 10), date(2027, 3, 31)
    db.session.commit()
    assert planning.effective_status(survey, today) == "in_progress"
    campaign.status = "closed"
    db.session.commit()
    assert planning.effective_status(survey, today) == "done"


def test_class_and_teacher_profiles_show_marks_observations_and_satisfaction(client, login, marks, protocols,
                                                                           monkeypatch):
    monkeypatch.setattr(survey_sources, "PROFILE_INSTRUMENTS", ["small"])
    school = marks
    c7 = school.classes[0]
    _observe(school, protocols, "lesson_observation", {"_all": 2, "goal_stated": 0}, date(2026, 9, 20))
    campaign = make_campaign(school, status="open", classes=[c7])
    for _ in range(5):
        answer(campaign, campaign.targets[0], {"a": "5", "b": "1", "kids": "no"})
    campaign.status = "closed"  # survey figures are shown once the campaign is closed
    db.session.commit()
    login(school.user("teacher"))  # teaches maths in 7-А
    page = client.get(f"/monitoring/profiles/teacher/{school.user('teacher').id}").get_data(as_text=True)
    # Q1 maths 7-А: 5 4 4 3 2 (one absent) -> 80 %, 60 %, SOU 56 %, mean 3.60; Q2 all fives
    assert "Achievement (term marks)" in page
    assert "80.0 %" in page and "60.0 %" in page and "56.0 %" in page and "3.60" in page
    assert "Observed lessons" in page and f"{round(100 * 44 / 46, 1)} %" in page
    assert "Parents&#39; and students&#39; satisfaction" in page or "Parents' and students' satisfaction" in page
    assert "100" in page  # index of five respondents answering 5 and reversed 1
    client.post("/logout")
    login(school.user("class_teacher"))  # class teacher of 7-А: sees the class, not its lesson observations
    page = client.get(f"/monitoring/profiles/class/{c7.id}").get_data(as_text=True)
    assert "Achievement (term marks)" in page and "Observed lessons" not in page
    client.post("/logout")
    login(school.user("deputy"))
    page = client.get(f"/monitoring/profiles/class/{c7.id}").get_data(as_text=True)
    assert "Observed lessons" in page and "Test campaign · 7-А" in page
