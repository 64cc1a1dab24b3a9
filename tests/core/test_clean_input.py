"""Issue 16 §6, clean input on every path: control characters never reach the database nor
give a 500, the other answers are kept; look-alike letters are folded before comparing keys."""
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Observation, ObservationScore, Response
from app.services.core.roster import parse_class_name
from app.services.core.text import clean, clean_tree, fold_cyrillic, fold_latin
from app.services.surveys import public as public_service
from tests.factories.observations import make_observation, observation_protocols
from tests.factories.surveys import make_campaign

FIELDS = re.compile(r'name="client_uuid" value="([0-9a-f-]+)"><input type="hidden" name="signature" value="([0-9a-f]+)"')


def test_clean_takes_out_control_characters_and_their_excel_escapes():
    assert clean("a\x00b\x07c\x7fd\x9fe") == ("abcde", True)
    assert clean("line\nnext\ttab\r") == ("line\nnext\ttab\r", False)
    assert clean("N_x0000_UL and _x000D_ and _x0041_") == ("NUL and \r and _x0041_", True)
    assert clean_tree({"answers": {"note-a\x00": ["x\x00", 1, None]}}) == (
        {"answers": {"note-a": ["x", 1, None]}}, ["answers.note-a[0]"])


def test_look_alike_letters_are_folded():
    assert fold_latin("GУ4N-ZУМ9") == "GY4N-ZYM9"
    assert fold_latin("ＡＢ１２") == "AB12"  # full-width from a phone keyboard
    assert fold_cyrillic("A") == "А" and parse_class_name("7-A") == (7, "А") == parse_class_name("7-А")
    assert parse_class_name(" 8 b ") == (8, "В")  # Latin b looks like the Cyrillic в


def test_a_code_typed_on_a_cyrillic_keyboard_is_accepted(school):
    campaign = make_campaign(school, mode="codes")
    target = campaign.targets[0]
    codes = public_service.issue_codes(campaign, target, 200)
    db.session.commit()
    twins = str.maketrans("ABCEHKMPTXY", "АВСЕНКМРТХУ")
    code = next(c for c in codes if c.translate(twins) != c)
    typed = code.translate(twins)
    assert public_service._hash_code(campaign, typed) == public_service._hash_code(campaign, code)
    assert public_service._hash_code(campaign, typed.lower()) == public_service._hash_code(campaign, code)


def test_new_codes_use_no_ambiguous_characters(school):
    campaign = make_campaign(school, mode="codes")
    codes = public_service.issue_codes(campaign, campaign.targets[0], 200)
    letters = set("".join(codes).replace("-", ""))
    assert letters.isdisjoint(set("01OIL25SZ8BUV6G"))
    assert letters <= set(public_service.CODE_ALPHABET)


def test_a_nul_in_a_survey_answer_keeps_the_answers_and_says_which_field(school, client):
    campaign = make_campaign(school)
    slug = campaign.targets[0].slug
    uuid, signature = FIELDS.search(client.get(f"/s/{slug}").get_data(as_text=True)).groups()
    data = {"client_uuid": uuid, "signature": signature, "a": "4", "b": "2", "kids": "yes", "howmany": "2",
            "note": "Жакшы\x00 мектеп"}
    first = client.post(f"/s/{slug}?lang=en", data=data)
    page = first.get_data(as_text=True)
    assert first.status_code in (200, 400) and "Invisible control characters were removed" in page
    assert "Жакшы мектеп" in page and re.search(r'name="a"[^>]*value="4"[^>]*checked|value="4"[^>]*name="a"'
                                                 r'[^>]*checked|checked[^>]*value="4"', page)
    assert db.session.scalar(select(func.count(Response.id))) == 0
    again = client.post(f"/s/{slug}", data={**data, "note": "Жакшы мектеп"})
    assert again.status_code == 303
    assert db.session.scalar(select(func.count(Response.id))) == 1


@pytest.fixture
def protocols(app):
    return observation_protocols()


def test_a_nul_in_an_offline_note_is_stored_without_it_and_leaves_the_queue(school, protocols, login, client):
    obs = make_observation(school, protocols, final=False, scores={})
    login(school.user("deputy"))
    response = client.post(f"/observations/{obs.id}/sync", json={"answers": {
        "score-goal_stated": "1", "note-goal_stated": "тема\x00 гана"}})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert body["ok"] and body["cleaned"] == ["answers.note-goal_stated"]
    note = db.session.scalar(select(ObservationScore.text).where(ObservationScore.item_key == "goal_stated"))
    assert note == "тема гана"
    # Later scores go through too (the queue is not stuck).
    later = client.post(f"/observations/{obs.id}/sync", json={"answers": {"score-pacing": "2"}})
    assert later.status_code == 200 and later.get_json()["cleaned"] == []
    assert db.session.get(Observation, obs.id).revision >= 2


def test_a_nul_in_a_staff_form_is_refused_on_the_field(school, login, client):
    login(school.user("deputy"))
    page = client.get("/observations/new")
    assert page.status_code == 200
    response = client.post("/observations/new", data={
        "teacher_id": school.user("teacher").id, "observed_on": "2026-10-05", "topic": "Дро\x00би",
        "purpose": "control"})
    text = response.get_data(as_text=True)
    assert response.status_code != 500
    assert "Invisible control characters were removed" in text and "Дроби" in text


def test_an_import_reads_the_visible_sheet_and_cleans_escapes(school, login, client):
    import io

    import openpyxl

    from app.models import ClassGroup, Student
    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title, hidden.sheet_state = "old", "hidden"
    hidden.append(["class", "student_code", "full_name"])
    hidden.append(["7-А", "OLD-1", "Should not be read"])
    sheet = book.create_sheet("Roster")
    sheet.append(["Class ", "Student code", "Full name  "])
    sheet.append(["7-A", "N-1 ", "Асан_x0000_ов Бакыт  "])  # Latin A, escape, trailing spaces
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    login(school.user("admin"))
    response = client.post("/admin/roster", data={"file": (data, "roster.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[-800:]
    student = db.session.scalar(select(Student).where(Student.code == "N-1"))
    assert student.full_name == "Асанов Бакыт"
    assert db.session.scalar(select(Student).where(Student.code == "OLD-1")) is None
    # "7-A" with a Latin A went to the existing class 7-А: no second class was made.
    assert db.session.scalar(select(func.count(ClassGroup.id)).where(ClassGroup.grade == 7)) == 1
