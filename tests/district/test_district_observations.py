"""Lesson observations by criterion per school on the district page, by hand on the 0-2 rubric:
alpha's two lessons score the objective 2 and 0 (50.0 %, n 2), bravo's one lesson 1 (50.0 %,
n 1); every other criterion is 2 everywhere (100.0 %)."""
from datetime import date

from tests.district.support import join, rows
from tests.factories.observations import make_observation, observation_protocols


def test_observations_by_criterion_per_school_by_hand(client, login, school):
    bravo = join(school, "bravo", class_size=4)
    protocols = observation_protocols()
    make_observation(school, protocols)
    make_observation(school, protocols, overrides={"goal_stated": 0}, observed_on=date(2026, 10, 12))
    make_observation(bravo, protocols, overrides={"goal_stated": 1})
    make_observation(bravo, protocols, final=False, overrides={"goal_stated": 0})  # a draft counts nowhere
    login(school.user("district_specialist"))
    page = client.get("/district/observations?year=2026-2027").get_data(as_text=True)
    table = rows(page)
    objective = next(cells for label, cells in table.items() if label.startswith("The lesson objective"))
    # alpha: (2 + 0) / (2 + 2) = 50.0 %, n 2; bravo: 1 / 2 = 50.0 %, n 1.
    assert objective == ["50.0 % n 2", "50.0 % n 1"]
    prior = next(cells for label, cells in table.items() if label.startswith("New material is linked"))
    assert prior == ["100.0 % n 2", "100.0 % n 1"]
