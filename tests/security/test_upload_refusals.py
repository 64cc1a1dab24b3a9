"""Hostile uploads, continued: Excel error values and formulas refused with the cell's
address, refusals capped with a workbook of every problem, deep JSON, and the parser's own checks."""
import io
import re
import time
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ExportJob, Mark
from tests import xlsx_bombs as bombs
from tests.security.support import login_client, record_figure
from tests.security.upload_helpers import post_file, stored_rows


def _marks_rows(school, mark_cell):
    kids = school.students[school.classes[0].id]
    return [["class", "student_code", "subject", "term", "kind", "date", "mark"],
            ["7-А", kids[0].code, "Математика", "1", "control", "15.10.2026", 5],
            ["7-А", kids[1].code, "Математика", "1", "control", "15.10.2026", mark_cell]]


@pytest.mark.parametrize("error", ["#DIV/0!", "#N/A", "#REF!", "#VALUE!"])
def test_error_values_are_refused_with_the_cells_address(app, school, error):
    deputy = login_client(app, school.users["deputy"])
    roster = [bombs.ROSTER_HEADER, ["7-А", "S-E1", "Good Name"], ["7-А", "S-E2", ("e", error)]]
    response = post_file(deputy, "roster", bombs.raw_sheet(roster))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"cell C3 holds the Excel error {error}" in body and "row 3, full_name" in body
    teacher = login_client(app, school.users["teacher"])
    response = post_file(teacher, "marks", bombs.raw_sheet(_marks_rows(school, ("e", error))))
    assert response.status_code == 422 and f"cell G3 holds the Excel error {error}" in response.get_data(as_text=True)
    assert stored_rows() == (12, 0, 0)


def test_a_formula_without_a_saved_value_is_refused_not_taken_as_absent(app, school):
    teacher = login_client(app, school.users["teacher"])
    response = post_file(teacher, "marks", bombs.raw_sheet(_marks_rows(school, ("f", "B2*2"))))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "cell G3 has a formula without a saved value" in body
    assert stored_rows()[1] == 0
    # With the value Excel saved for it, the same formula is the mark.
    response = post_file(teacher, "marks", bombs.raw_sheet(_marks_rows(school, ("f", "2+2", 4))))
    assert response.status_code == 303
    assert sorted(db.session.scalars(select(Mark.value))) == [4, 5]


def test_error_values_in_an_ignored_column_do_not_matter(app, school):
    deputy = login_client(app, school.users["deputy"])
    roster = [[*bombs.ROSTER_HEADER, "notes"], ["7-А", "S-E1", "Good Name", "m", "", ("e", "#N/A")]]
    response = post_file(deputy, "roster", bombs.raw_sheet(roster))
    assert response.status_code == 303


def _finished(client, job_id, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/exports/jobs/{job_id}.json").json
        if status["status"] in ("done", "failed"):
            return status
        time.sleep(0.2)
    raise AssertionError("the problems workbook was not built in time")


@pytest.mark.one_run("sqlite", "the refusal is made while reading the file, before any row is stored")
def test_a_refusal_of_100000_bad_rows_is_a_short_page_and_a_workbook(app, school, monkeypatch):
    # The named case (100,000 rows) on SQLite; the PostgreSQL run proves the same path (the job row
    # and the stored workbook in its database) with 20,000 rows, a minute less of CI.
    rows = 100_000 if db.engine.dialect.name == "sqlite" else 20_000
    data = bombs.many_bad_rows(rows)
    # The wall-clock limit is tested with bombs; on a loaded shared machine this legitimate
    # 5-second read must not be mistaken for one (the CPU limit still holds).
    monkeypatch.setitem(app.config, "XLSX_PARSE_WALL_SECONDS", 180)
    client = login_client(app, school.users["deputy"])
    start = time.perf_counter()
    response = post_file(client, "roster", data)
    seconds = time.perf_counter() - start
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert len(body) < 200_000, len(body)
    listed = body.split('<ul class="errors">', 1)[1].split("</ul>", 1)[0]
    assert listed.count("<li>") == 50
    job = db.session.scalar(select(ExportJob).where(ExportJob.kind == "import_problems"))
    problems = job.params["problems"]
    assert f"All {problems} problems in a workbook" in body and f"/exports/jobs/{job.id}" in body
    counts = dict(re.findall(r'<tr><td>(\w+)</td><td class="num">(\d+)</td>', body))
    assert set(counts) == {"class", "student_code", "gender"}
    assert sum(int(n) for n in counts.values()) == problems
    record_figure(f"upload_{rows}_bad_rows", {"page_bytes": len(body), "listed": 50, "problems": problems,
                                             "seconds": round(seconds, 1)})
    assert _finished(client, job.id)["status"] == "done"
    download = client.get(f"/exports/jobs/{job.id}/download")
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(download.data), read_only=True).worksheets[0]
    listed_rows = list(sheet.iter_rows(min_row=8, values_only=True))
    assert len(listed_rows) == problems and problems >= 3 * rows - 1
    assert listed_rows[0][1] == 2 and listed_rows[-1][1] == rows + 1
    assert client.get(f"/exports/jobs/{job.id}/download").status_code == 302  # one download
    assert not list((app.config.get("EXPORTS_DIR") and Path(app.config["EXPORTS_DIR"]) or Path(app.instance_path)
                     / "exports").glob("problems-*"))  # the saved list is gone with the build


def test_the_problems_workbook_is_only_for_its_uploader(app, school):
    data = bombs.many_bad_rows(60)
    client = login_client(app, school.users["teacher"])
    response = post_file(client, "roster", data)
    assert response.status_code == 403  # a teacher does not import the roster
    client = login_client(app, school.users["deputy"])
    response = post_file(client, "roster", data)
    job = db.session.scalar(select(ExportJob).where(ExportJob.kind == "import_problems"))
    assert response.status_code == 422 and job is not None
    assert _finished(client, job.id)["status"] == "done"
    for role in ("admin", "teacher"):
        other = login_client(app, school.users[role])
        assert other.get(f"/exports/jobs/{job.id}").status_code == 404
        assert other.get(f"/exports/jobs/{job.id}/download").status_code == 404
    assert client.get(f"/exports/jobs/{job.id}/download").status_code == 200


def test_a_teacher_gets_the_problems_of_a_marks_file(app, school):
    kids = school.students[school.classes[0].id]
    rows = [["class", "student_code", "subject", "term", "kind", "date", "mark"]]
    rows += [["7-А", kids[0].code, "Математика", "1", "control", "15.10.2026", 9]] * 80
    client = login_client(app, school.users["teacher"])
    response = post_file(client, "marks", bombs.raw_sheet(rows))
    job = db.session.scalar(select(ExportJob).where(ExportJob.kind == "import_problems"))
    assert response.status_code == 422 and job is not None
    assert _finished(client, job.id)["status"] == "done"
    page = client.get(f"/exports/jobs/{job.id}").get_data(as_text=True)
    assert "/exports/\"" not in page  # no link to the expert workbooks a teacher may not open
    assert client.get(f"/exports/jobs/{job.id}/download").status_code == 200


def test_a_short_refusal_lists_everything_and_offers_no_workbook(app, school):
    client = login_client(app, school.users["deputy"])
    response = post_file(client, "roster", bombs.many_bad_rows(3))
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Download all" not in body
    assert db.session.scalar(select(func.count(ExportJob.id))) == 0


def test_the_cli_lists_the_first_problems_and_writes_all_of_them(app, school, tmp_path):
    path, problems = tmp_path / "roster.xlsx", tmp_path / "problems.xlsx"
    path.write_bytes(bombs.many_bad_rows(2_000))
    result = app.test_cli_runner().invoke(
        args=["import-roster", str(path), "--school", school.school.code, "--problems", str(problems)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) <= 60
    assert "more problems" in result.stderr and str(problems) in result.stderr
    sheet = openpyxl.load_workbook(problems, read_only=True).worksheets[0]
    assert len(list(sheet.iter_rows(min_row=8))) == 2_000 * 3 - 1
    assert stored_rows()[0] == 12


def test_a_deeply_nested_json_body_is_a_bad_request(app, school):
    from tests.security.observations import draft_observation

    obs = draft_observation(school)
    client = login_client(app, school.users["deputy"])
    for body in ("[" * 100_000 + "]" * 100_000,
                 '{"answers": {"x": ' + "[" * 100_000 + "]" * 100_000 + "}}",
                 '{"answers": {"x": ' + "[" * 100 + "]" * 100 + "}}"):
        response = client.post(f"/observations/{obs.id}/sync", data=body, content_type="application/json")
        assert response.status_code == 400, response.status_code
    big = '{"answers": {"x": "' + "a" * (2 * 1024 * 1024) + '"}}'
    assert client.post(f"/observations/{obs.id}/sync", data=big,
                       content_type="application/json").status_code == 413


def test_the_bounded_parser_is_checked_against_this_openpyxl():
    """xlsx_safety subclasses openpyxl's internal WorkSheetParser: a new openpyxl must be
    checked (bombs, error values, this file) before the pin in requirements.txt moves."""
    assert openpyxl.__version__ == "3.1.5"


def test_the_xml_parser_refuses_entity_expansion():
    """Python's expat resolves no external entities; from 2.4 on it also stops the billion
    laughs (the XML tests above rely on it)."""
    import pyexpat

    assert pyexpat.version_info >= (2, 4, 1)


def test_isolated_and_in_process_parsing_agree(app, school):
    from app.services.core.xlsx_safety import read_sheet

    rows = [["class", "code", "when"], ["7-А", "S1", 3.5], ["8-Б", ("e", "#N/A"), ("f", "A1", 7)]]
    data = bombs.raw_sheet(rows)
    isolated = read_sheet(data, max_col=10, max_rows=100)
    app.config["XLSX_PARSE_ISOLATION"] = False
    try:
        inline = read_sheet(data, max_col=10, max_rows=100)
    finally:
        app.config["XLSX_PARSE_ISOLATION"] = True
    assert isolated == inline
    assert isolated.rows[2][1][1].kind == "error" and isolated.rows[2][1][2] == 7
