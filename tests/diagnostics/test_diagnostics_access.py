"""Who sees and fills in diagnostics: the staff who teach the student's class and the
administration; a confidential instrument only the psychologist and the director; the expert
nothing. A diagnostic's kind in the instrument language."""
import textwrap

import pytest

from app.extensions import db
from app.services.core import instruments as instrument_service
from surveys.loader import InstrumentError, load_text
from tests.conftest import do_login
from tests.factories.diagnostics import diagnostic_instruments, make_diagnostic

CONFIDENTIAL = """
key: anxiety_check
version: 1
kind: diagnostic
confidential: true
title: {ky: Тынчсыздануу, ru: Тревожность, en: Anxiety screening}
sources: ["Phillips, B. N. School Stress and Anxiety, 1978."]
sections:
  - key: main
    title: {ky: Негизги, ru: Основное, en: Main}
    items:
      - {key: anxiety, type: single, text: {ky: Деңгээли, ru: Уровень, en: Level},
         options: [{key: low, text: {ky: Төмөн, ru: Низкий, en: Calm}}, {key: high, text: {ky: Жогору, ru: Высокий, en: Anxious}}]}
"""


@pytest.fixture
def confidential(app):
    row = instrument_service.publish(load_text(textwrap.dedent(CONFIDENTIAL), "anxiety_check.yaml")).row
    db.session.commit()
    return row


def _client(app, user):
    client = app.test_client()
    assert do_login(client, user).status_code == 303
    return client


def test_only_staff_who_teach_the_student_and_the_administration_see_it(app, school):
    diagnostic_instruments()
    a, b = school.classes
    pupil = school.students[a.id][0]
    make_diagnostic(school, pupil)
    student_page = f"/diagnostics/student/{pupil.id}"
    class_page = f"/diagnostics/class/{a.id}?instrument=upbringing_level"
    fill_page = f"/diagnostics/class/{a.id}/upbringing_level/{pupil.id}"
    # teacher (maths in 7-А), mo_head (physics in 7-А), the class teacher, the administration, the psychologist.
    for role in ("teacher", "mo_head", "class_teacher", "admin", "deputy", "psychologist"):
        client = _client(app, school.user(role))
        assert "Student&#39;s level of upbringing" in client.get(student_page).text, role
        assert client.get(class_page).status_code == 200, role
        assert client.get(fill_page).status_code == 200, role
    # teacher2 teaches only 8-Б: 7-А's students and class are not theirs.
    client = _client(app, school.user("teacher2"))
    assert client.get(student_page).status_code == 404
    assert client.get(class_page).status_code == 404
    assert client.get(fill_page).status_code == 404
    assert client.get(f"/diagnostics/class/{b.id}").status_code == 200
    assert client.get("/diagnostics/summary").status_code == 403
    expert = _client(app, school.user("expert"))
    assert expert.get(student_page).status_code == 403 and expert.get("/diagnostics/").status_code == 403


def test_a_confidential_instrument_is_the_psychologists_and_the_directors(app, school, confidential):
    diagnostic_instruments()
    a = school.classes[0]
    pupil = school.students[a.id][0]
    make_diagnostic(school, pupil, "anxiety_check", {"anxiety": "high"}, by="psychologist", instrument=confidential)
    make_diagnostic(school, pupil)
    fill_page = f"/diagnostics/class/{a.id}/anxiety_check/{pupil.id}"
    for role in ("psychologist", "admin"):
        client = _client(app, school.user(role))
        page = client.get(f"/diagnostics/student/{pupil.id}").text
        assert "Anxiety screening" in page and "Anxious" in page, role
        assert client.get(fill_page).status_code == 200, role
    for role in ("deputy", "class_teacher", "teacher"):
        client = _client(app, school.user(role))
        page = client.get(f"/diagnostics/student/{pupil.id}").text
        assert "Anxiety screening" not in page and "Anxious" not in page, role
        assert "Student&#39;s level of upbringing" in page, role
        assert client.get(fill_page).status_code == 404, role
        assert client.get(f"/diagnostics/class/{a.id}?instrument=anxiety_check").status_code == 404, role


def test_only_a_diagnostic_may_be_confidential():
    text = textwrap.dedent(CONFIDENTIAL).replace("kind: diagnostic", "kind: survey")
    with pytest.raises(InstrumentError, match="confidential: only diagnostics"):
        load_text(text, "anxiety_check.yaml")
    assert load_text(textwrap.dedent(CONFIDENTIAL), "anxiety_check.yaml").confidential is True


@pytest.mark.parametrize("role", ["psychologist", "nurse", "class_teacher"])
def test_the_diagnostics_are_a_tile_on_the_home_page_of_those_who_fill_them(client, login, school, role):
    """At 360 px the top menu runs off the screen before "Диагностика"; the psychologist's and the
    nurse's home showed tiles for everything but their own work."""
    diagnostic_instruments()
    login(school.user(role))
    client.post("/language", data={"lang": "ky", "next": "/"})
    home = client.get("/").get_data(as_text=True)
    tiles = home[home.index('<nav class="tiles">'):]
    assert '<a class="tile" href="/diagnostics/">Диагностика</a>' in tiles
    assert client.get("/diagnostics/").status_code == 200
