"""Learning results side by side: a district figure computed by hand from two small schools'
marks is the one the district page shows, computed from all the marks (not an average of the
schools' percentages); each school's figure equals its own results' figure; differences within
noise are not flagged, those beyond it are."""
from math import sqrt

from app.security import Principal
from app.services.achievement.metrics import term_metrics
from app.services.district import stats
from tests.district.support import join, marks, rows


def _setup(school):
    bravo = join(school, "bravo", class_size=4)
    # alpha 7-А maths: 5 4 3 2 5 4 -> n 6: n5 2, n4 2, n3 1, n2 1
    marks(school, [5, 4, 3, 2, 5, 4])
    # bravo 7-А maths: 3 3 2 5 -> n 4: n5 1, n3 2, n2 1
    marks(bravo, [3, 3, 2, 5])
    return bravo


def test_a_hand_computed_district_figure_is_the_one_the_district_page_shows(client, login, school):
    bravo = _setup(school)
    login(school.user("district_specialist"))
    page = client.get("/district/results?year=2026-2027&term=quarter-1").get_data(as_text=True)
    table = rows(page)
    # District: n 10, n5 3, n4 2, n3 3, n2 2.
    #   pass (3+2+3)/10 = 80.0 %; quality (3+2)/10 = 50.0 %;
    #   SOU (100*3 + 64*2 + 36*3 + 16*2)/10 = 56.8 %; mean (15+8+9+4)/10 = 3.60.
    assert table["District"] == ["10", "80.0 %", "50.0 %", "56.8 %", "3.60"]
    # The average of the two schools' pass rates would be (83.3 + 75.0) / 2 = 79.2: not shown.
    assert "79.2" not in page
    # alpha: pass 5/6 = 83.3 %, quality 4/6 = 66.7 %, SOU (200+128+36+16)/6 = 63.3 %, mean 23/6 = 3.83;
    # Wilson 95 % of 5/6: 43.6-97.0 (checked by formula below).
    alpha_row = table["School alpha"]
    assert alpha_row[0] == "6"
    assert alpha_row[1].startswith("83.3 % 43.6–97.0")
    assert alpha_row[2].startswith("66.7 %") and alpha_row[3].startswith("63.3 %") and alpha_row[4].startswith("3.83")
    bravo_row = table["School bravo"]
    assert bravo_row[0] == "4" and bravo_row[1].startswith("75.0 %") and bravo_row[2].startswith("25.0 %")
    assert bravo_row[3].startswith("47.0 %") and bravo_row[4].startswith("3.25")
    # Within noise: nothing is flagged.
    assert "▲" not in page and "▼" not in page

    # Each school's figure is the one its own results compute (achievement.metrics).
    for fixture, row in ((school, alpha_row), (bravo, bravo_row)):
        own = term_metrics(Principal.system(fixture.school.id), fixture.terms[0].id, "school")[0]
        assert row[1].startswith(f"{own.pass_rate:.1f} %") and row[4].startswith(f"{own.mean:.2f}")

    # The school's page in the district shows the same figures.
    one = client.get(f"/district/schools/{bravo.school.id}?year=2026-2027&term=quarter-1").get_data(as_text=True)
    assert rows(one)["School bravo"][1].startswith("75.0 %")


def test_the_wilson_interval_by_hand():
    z, n, p = 1.959964, 6, 5 / 6
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    interval = stats.wilson(5, 6)
    assert abs(interval.low - 100 * (centre - half)) < 1e-4
    assert abs(interval.high - 100 * (centre + half)) < 1e-4
    assert (round(interval.low, 1), round(interval.high, 1)) == (43.6, 97.0)
    assert stats.wilson(0, 0) is None
    # A mean's interval from counts: marks 5 5 3 3 -> mean 4, s = sqrt(4/3), half = 1.96 * s / 2.
    mean = stats.mean_interval({5: 2, 4: 0, 3: 2, 2: 0, 1: 0}, stats.MARK_POINTS)
    assert round(mean.high - 4, 4) == round(stats.Z95 * sqrt(4 / 3) / 2, 4)


def test_differences_beyond_noise_are_flagged_and_others_not(client, login, school):
    bravo = join(school, "bravo", class_size=4)
    marks(school, [2, 2, 2, 2, 2, 2])  # pass 0/6: Wilson 0.0-39.0
    marks(bravo, [5, 5, 5, 5])  # pass 4/4: Wilson 51.0-100.0
    login(school.user("district_admin"))
    page = client.get("/district/results?year=2026-2027&term=quarter-1").get_data(as_text=True)
    table = rows(page)
    assert table["District"][:2] == ["10", "40.0 %"]
    assert "below the district" in table["School alpha"][1] and "above the district" in table["School bravo"][1]


def test_results_by_grade_and_subject_count_every_mark(client, login, school):
    bravo = join(school, "bravo", class_size=4)
    marks(school, [5, 4, 3, 2, 5, 4])
    marks(school, [5, 5, 5, 5, 5, 5], cls_index=1, subject_index=1)  # 8-Б physics
    marks(bravo, [3, 3, 2, 5])
    login(school.user("district_specialist"))
    page = client.get("/district/results?year=2026-2027&term=quarter-1").get_data(as_text=True)
    assert rows(page)["District"][:2] == ["16", "87.5 %"]  # (8 + 6) / 16
    grade8 = page[page.index("Grade 8"):]
    assert rows(grade8)["District"][:2] == ["6", "100.0 %"]
    physics = page[page.index("<h3>Физика</h3>"):]
    assert rows(physics)["School alpha"][0] == "6" and rows(physics)["School bravo"][0] == "0"


def test_unknown_periods_are_404_and_an_empty_term_says_so(client, login, school):
    login(school.user("district_specialist"))
    assert client.get("/district/results?year=1999-2000").status_code == 404
    assert client.get("/district/results?term=quarter-9").status_code == 404
    page = client.get("/district/results?term=quarter-2").get_data(as_text=True)
    assert "No term marks in this term." in page
