"""Three observers on the same lesson: Fleiss' kappa on the calibration page and in the
observations workbook, against a hand computation (the two-observer figures stay Cohen's)."""
import io
import re

import pytest
from openpyxl import load_workbook

from app.security import Principal
from app.services.observations import agreement
from tests.observations.test_observations_joint import observe, protocol  # noqa: F401 (fixture)

# The deputy's, the MO head's and the director's levels (0-2) on the 10 criteria of one lesson.
X = [2, 2, 1, 1, 0, 2, 1, 0, 2, 1]
Y = [2, 2, 1, 2, 0, 2, 1, 1, 1, 1]
Z = [2, 1, 1, 0, 0, 2, 0, 1, 2, 1]
# Per criterion, agreeing pairs of the 3: c1 3, c2 1, c3 3, c4 0, c5 3, c6 3, c7 1, c8 1, c9 1, c10 3
#   = 19 of 30 pairs: exact 63.3 %; only c4 has levels two apart (2, 0): within one 29/30 = 96.7 %.
# Fleiss: P_i = agreeing pairs / 3 (1 on c1 c3 c5 c6 c10, 1/3 on c2 c7 c8 c9, 0 on c4):
#   mean P = (5 + 4/3) / 10 = 19/30.
#   Levels 0, 1, 2 given 6, 13, 11 times of 30: P_e = (36 + 169 + 121) / 900 = 163/450.
#   kappa = (19/30 - 163/450) / (1 - 163/450) = (122/450) / (287/450) = 122/287 = 0.4251.
FLEISS = 122 / 287


def _three(school, protocol):  # noqa: F811
    observe(school, protocol, X)
    observe(school, protocol, Y, observer="mo_head")
    observe(school, protocol, Z, observer="admin")


def test_three_observers_fleiss_kappa_equals_the_hand_computation(school, protocol):  # noqa: F811
    _three(school, protocol)
    [lesson] = agreement.joint_lessons(Principal.system(school.school.id), school.year.id)
    assert len(lesson.observations) == 3
    stats = agreement.lesson_stats(lesson)
    assert stats.n == 30 and stats.exact == pytest.approx(19 / 30) and stats.within_one == pytest.approx(29 / 30)
    assert stats.kappa is None  # Cohen's is for two observers
    assert stats.fleiss == pytest.approx(FLEISS)
    assert agreement.overall([lesson]).fleiss == pytest.approx(FLEISS)
    # c2: levels (2, 2, 1): P = 1/3, P_e = (2/3)^2 + (1/3)^2 = 5/9: kappa = (1/3 - 5/9) / (4/9) = -0.5.
    criteria = {r["item"]: r["stats"] for r in agreement.by_criterion([lesson])}
    assert criteria["c2"].fleiss == pytest.approx(-0.5)
    assert criteria["c1"].fleiss is None  # every level 2: 0/0


def test_calibration_page_and_workbook_show_fleiss_kappa(client, school, login, protocol):  # noqa: F811
    _three(school, protocol)
    login(school.user("deputy"))
    page = client.get(f"/observations/calibration?year={school.year.id}").get_data(as_text=True)
    assert "Fleiss' kappa" in page and 'id="fleiss-note"' in page
    overall = re.search(r'<section class="card" id="overall">(.*?)</section>', page, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]+)</td>', overall) == ["1", "30", "63.3%", "96.7%", "—", "0.43"]
    c2 = re.search(r'<tr data-criterion="c2">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]+)</td>', c2) == ["1", "3", "33.3%", "100.0%", "—", "-0.50"]
    lessons = re.search(r'<section class="card" id="lessons">(.*?)</section>', page, re.S).group(1)
    assert lessons.count("<tr data-lesson=") == 1 and "0.43" in lessons

    book = load_workbook(io.BytesIO(client.get(f"/observations/export.xlsx?year={school.year.id}").data))
    rows = list(book["Agreement"].iter_rows(min_row=7, values_only=True))
    assert rows[0][-1] == "Fleiss' kappa"
    assert rows[1] == ("All protocols", "All criteria", 1, 30, 63.3, 96.7, None, 0.43)
    assert rows[3] == ("Joint check", "Criterion c2", 1, 3, 33.3, 100.0, None, -0.5)
