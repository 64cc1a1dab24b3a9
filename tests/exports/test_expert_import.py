"""Experts fill in the expert-assessment sheet of the annual workbook; Sapat reads their
files back (several at once), stores the scores with the expert's name and shows the
average and spread per indicator. Bad files are refused row by row, storing nothing."""
import io

import openpyxl
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ExpertScore
from app.models.monitoring.indicators import Indicator
from tests.xlsx_helpers import make_xlsx

HOSTILE = '=HYPERLINK("http://evil","x")'


@pytest.fixture
def blank_sheet(app, school, tmp_path):
    path = tmp_path / "annual.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "annual", "--year", "2026-2027", "-o", str(path),
                                                "--school", school.school.code, "--lang", "en"])
    assert result.exit_code == 0, result.output
    return path


def fill(path, out, expert, scores, comments=None, sheet="Expert assessment"):
    """Fill the sheet as an expert would in Excel: name in B2, scores in G, comments in H."""
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    if expert is not None:
        ws["B2"] = expert
    keys = {ws.cell(row=r, column=1).value: r for r in range(8, ws.max_row + 1)}
    for key, score in scores.items():
        ws.cell(row=keys[key], column=7, value=score)
    for key, comment in (comments or {}).items():
        cell = ws.cell(row=keys[key], column=8, value=comment)
        cell.data_type = "s"  # typed text, even when it starts with "="
    book.save(out)
    return out


def count_scores():
    return db.session.scalar(select(func.count(ExpertScore.id)))


def test_two_experts_round_trip_through_the_cli(app, school, blank_sheet, tmp_path):
    a = fill(blank_sheet, tmp_path / "asanova.xlsx", "Асанова Айгүл", {"pass_rate": 5, "quality": 3},
             {"quality": HOSTILE})
    b = fill(blank_sheet, tmp_path / "petrov.xlsx", "Петров И.", {"pass_rate": 4, "quality": 5.0})
    result = app.test_cli_runner().invoke(args=["import-expert", str(a), str(b), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "asanova.xlsx: 2 scores by Асанова Айгүл (2026-2027)." in result.output
    rows = db.session.scalars(select(ExpertScore).order_by(ExpertScore.expert_name, ExpertScore.indicator_key)).all()
    assert [(r.expert_name, r.indicator_key, r.score) for r in rows] == [
        ("Асанова Айгүл", "pass_rate", 5), ("Асанова Айгүл", "quality", 3),
        ("Петров И.", "pass_rate", 4), ("Петров И.", "quality", 5)]
    assert rows[1].comment == HOSTILE and rows[1].source_file == "asanova.xlsx"
    assert rows[1].indicator_name == "Quality of knowledge"

    from app.services.exports.expert import score_summary

    summary = {s.key: s for s in score_summary(school.school.id, school.year.id)}
    assert (summary["quality"].mean, summary["quality"].spread) == (4.0, 2)
    assert (summary["pass_rate"].mean, summary["pass_rate"].experts) == (4.5, 2)

    # The same expert sends a corrected file: it replaces their scores.
    again = fill(blank_sheet, tmp_path / "asanova2.xlsx", "Асанова Айгүл", {"pass_rate": 2})
    assert app.test_cli_runner().invoke(args=["import-expert", str(again)]).exit_code == 0
    assert count_scores() == 3


@pytest.mark.parametrize("case, expected", [
    ("wrong sheet", "file: The workbook has no expert-assessment sheet"),
    ("score 6", "row 8, G: The score must be a whole number from 1 to 5, not “6”."),
    ("score 0", "row 8, G: The score must be a whole number from 1 to 5, not “0”."),
    ("score 3.5", "row 8, G: The score must be a whole number from 1 to 5, not “3.5”."),
    ("score text", "row 8, G: The score must be a whole number from 1 to 5, not “good”."),
    ("no name", "row 2, B: Write the expert's full name in cell B2."),
    ("comment only", "row 9, G: Give a score from 1 to 5 for this comment."),
    ("no scores", "file: The sheet has no scores. Fill in column G (1-5)."),
    ("not xlsx", "file: This is not an .xlsx workbook."),
    ("protected", "file: The file is password-protected or in the old .xls format."),
    ("unknown key", "row 8, A: Unknown indicator “no_such_indicator”."),
])
def test_bad_files_are_refused_with_row_messages_and_nothing_is_stored(app, school, blank_sheet, tmp_path,
                                                                        case, expected):
    good = fill(blank_sheet, tmp_path / "good.xlsx", "Good Expert", {"pass_rate": 4})
    bad = tmp_path / "bad.xlsx"
    first = "pass_rate"
    if case == "wrong sheet":
        bad.write_bytes(make_xlsx([["class", "student_code"], ["7-А", "S1"]], sheet="Roster").getvalue())
    elif case.startswith("score"):
        value = {"score 6": 6, "score 0": 0, "score 3.5": 3.5, "score text": "good"}[case]
        fill(blank_sheet, bad, "Bad Expert", {first: value})
    elif case == "no name":
        fill(blank_sheet, bad, None, {first: 4})
    elif case == "comment only":
        fill(blank_sheet, bad, "Bad Expert", {first: 4}, {"quality": "no score here"})
    elif case == "no scores":
        fill(blank_sheet, bad, "Bad Expert", {})
    elif case == "unknown key":
        fill(blank_sheet, bad, "Bad Expert", {first: 4})
        book = openpyxl.load_workbook(bad)
        book["Expert assessment"]["A8"] = "no_such_indicator"
        book.save(bad)
    elif case == "protected":  # encrypted .xlsx and old .xls files are OLE2 containers
        bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    else:
        bad.write_bytes(b"name,score\nx,5\n")
    result = app.test_cli_runner().invoke(args=["import-expert", str(good), str(bad), "--lang", "en"])
    assert result.exit_code == 1
    assert f"bad.xlsx: {expected}" in result.output
    assert "Nothing was imported" in result.output
    assert count_scores() == 0


def test_upload_page_reads_several_files_and_shows_average_and_spread(school, login, blank_sheet, tmp_path):
    a = fill(blank_sheet, tmp_path / "a.xlsx", "Expert A", {"pass_rate": 5, "quality": 2},
             {"pass_rate": "<b>Very good</b>"})
    b = fill(blank_sheet, tmp_path / "b.xlsx", "Expert B", {"pass_rate": 3, "quality": 5})
    client = login(school.user("deputy"))  # the sheets of two experts without accounts
    page = client.get("/exports/expert/import")
    assert page.status_code == 200 and b'multiple' in page.data
    response = client.post("/exports/expert/import", data={"files": [
        (io.BytesIO(a.read_bytes()), "a.xlsx"), (io.BytesIO(b.read_bytes()), "b.xlsx")]},
        content_type="multipart/form-data")
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert "Imported 4 scores from 2 files." in html
    assert "Expert A" in html and "Expert B" in html
    assert ">4.00<" in html and ">3.50<" in html  # averages
    assert 'class="disagree"' in html  # spread of 3 on classes
    assert "&lt;b&gt;Very good&lt;/b&gt;" in html
    # The sheets were exported in English; a Russian reader sees the indicators' Russian names
    # from the catalogue, and no internal key.
    ru = client.get(response.headers["Location"] + "&lang=ru" if "?" in response.headers["Location"]
                    else response.headers["Location"] + "?lang=ru").get_data(as_text=True)
    pass_rate = db.session.scalar(select(Indicator).where(Indicator.key == "pass_rate", Indicator.school_id == school.school.id))
    assert pass_rate.name_ru in ru and pass_rate.name_en not in ru
    assert ">pass_rate<" not in ru and "quality</small>" not in ru and 'muted">pass_rate' not in ru


def test_upload_page_refuses_a_bad_file_and_stores_nothing(school, login, blank_sheet, tmp_path):
    good = fill(blank_sheet, tmp_path / "good.xlsx", "Expert A", {"pass_rate": 5})
    bad = fill(blank_sheet, tmp_path / "bad.xlsx", "Expert B", {"pass_rate": 9})
    client = login(school.user("deputy"))
    response = client.post("/exports/expert/import", data={"files": [
        (io.BytesIO(good.read_bytes()), "good.xlsx"), (io.BytesIO(bad.read_bytes()), "bad.xlsx")]},
        content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nothing was imported" in html and "row 8, G" in html and "bad.xlsx" in html
    assert count_scores() == 0


def test_scores_of_another_school_are_invisible(school, other_school, login, blank_sheet, tmp_path, app):
    a = fill(blank_sheet, tmp_path / "a.xlsx", "Expert A", {"pass_rate": 5})
    assert app.test_cli_runner().invoke(args=["import-expert", str(a), "--school", school.school.code]).exit_code == 0
    client = login(other_school.user("expert"))
    html = client.get("/exports/expert/scores").get_data(as_text=True)
    assert "Expert A" not in html and "No expert scores" in html
    # The other school has a year of the same name, yet the file is refused for it: unknown keys are fine,
    # but a teacher may not upload at all.
    client.post("/logout")
    login(other_school.user("teacher"))
    assert client.get("/exports/expert/import").status_code == 403


# --- whose scores a file holds: the account, not cell B2 ---------------------------------------

def _upload(client, path, name="sheet.xlsx"):
    return client.post("/exports/expert/import", data={"files": [(io.BytesIO(path.read_bytes()), name)]},
                       content_type="multipart/form-data", headers={"Accept-Language": "en"})


def _scores():
    db.session.expire_all()
    return sorted((r.expert_name, r.indicator_key, r.score, r.expert_user_id)
                  for r in db.session.scalars(select(ExpertScore)))


def test_an_expert_cannot_replace_another_experts_scores(school, login, blank_sheet, tmp_path, app):
    petrov = fill(blank_sheet, tmp_path / "petrov.xlsx", "Петров И.", {"pass_rate": 5, "quality": 5})
    from tests.security.support import login_client

    assert _upload(login_client(app, school.user("deputy")), petrov).status_code == 303
    before = _scores()
    forged = fill(blank_sheet, tmp_path / "forged.xlsx", "Петров И.", {"pass_rate": 1, "quality": 1})
    response = _upload(login(school.user("expert")), forged)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "row 2, B" in body and "an expert uploads only their own scores" in body
    assert _scores() == before


def test_an_experts_own_upload_is_theirs_and_replaces_only_theirs(school, login, blank_sheet, tmp_path, app):
    from tests.security.support import login_client

    expert = school.user("expert")
    petrov = fill(blank_sheet, tmp_path / "petrov.xlsx", "Петров И.", {"pass_rate": 5})
    assert _upload(login_client(app, school.user("deputy")), petrov).status_code == 303
    client = login(expert)
    mine = fill(blank_sheet, tmp_path / "mine.xlsx", None, {"pass_rate": 2, "quality": 3})  # B2 left empty
    assert _upload(client, mine).status_code == 303
    again = fill(blank_sheet, tmp_path / "again.xlsx", f"  {expert.full_name.upper()} ", {"quality": 4})
    assert _upload(client, again).status_code == 303  # own name, any case and spacing
    assert _scores() == [(expert.full_name, "quality", 4, expert.id), ("Петров И.", "pass_rate", 5, None)]
    # A deputy may not overwrite them by writing the expert's name in B2.
    response = _upload(login_client(app, school.user("deputy")),
                       fill(blank_sheet, tmp_path / "over.xlsx", expert.full_name, {"quality": 1}))
    assert response.status_code == 422 and "only they can replace them" in response.get_data(as_text=True)
    assert _scores()[0] == (expert.full_name, "quality", 4, expert.id)


def test_error_values_and_unsaved_formulas_in_a_score_are_refused(school, login, blank_sheet, tmp_path, app):
    from tests.security.support import login_client

    path = fill(blank_sheet, tmp_path / "e.xlsx", "Эксперт А", {"pass_rate": 5})
    book = openpyxl.load_workbook(path)
    ws = book["Expert assessment"]
    keys = {ws.cell(row=r, column=1).value: r for r in range(8, ws.max_row + 1)}
    ws.cell(row=keys["quality"], column=7, value="=1+3")  # openpyxl saves no value for it
    book.save(path)
    response = _upload(login_client(app, school.user("deputy")), path)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"cell G{keys['quality']} has a formula without a saved value" in body
    assert count_scores() == 0
