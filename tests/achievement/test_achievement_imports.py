"""Importing marks from a workbook: refused files write nothing, imports are idempotent and
correct existing marks, teachers import their own classes only, large imports refresh the
planner's statistics, the template downloads."""
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text

from app.extensions import db
from app.models import Assessment, Mark
from tests.conftest import csrf_of
from tests.factories.achievement import make_assessment
from tests.xlsx_helpers import DateSerial, make_xlsx

# --- importing --------------------------------------------------------------------------------

HEADER = ["class", "student_code", "subject", "term", "kind", "date", "mark"]


def _rows(school, values, kind="control", on="15.10.2026"):
    return [["7-А", s.code, "Математика", "1", kind, on, v]
            for s, v in zip(school.students[school.classes[0].id], values)]


def _upload_marks(client, rows):
    """Results → Import marks with a workbook of `rows` under the header, as the logged-in user."""
    page = client.get("/achievement/import").get_data(as_text=True)
    return client.post("/achievement/import", data={
        "csrf_token": csrf_of(page), "file": (make_xlsx([HEADER] + rows), "marks.xlsx")},
        content_type="multipart/form-data")


def test_import_refuses_a_file_with_bad_rows_and_writes_nothing(school, login, client):
    rows = _rows(school, [5, 4, 7, "н", 3, 2])
    rows.append(["7-А", "nobody", "Математика", "1", "control", "15.10.2026", 5])
    rows.append(["7-А", rows[0][1], "Astrology", "1", "control", "15.10.2026", 5])
    login(school.user("deputy"))
    response = _upload_marks(client, rows)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "row 4, mark" in text and "row 8, student_code" in text and "row 9, subject" in text
    assert db.session.scalar(select(func.count(Mark.id))) == 0
    assert db.session.scalar(select(func.count(Assessment.id))) == 0


def test_import_in_russian_headers_is_idempotent(school, app):
    header = ["Класс", "Код ученика", "Предмет", "Четверть", "Вид работы", "Дата", "Оценка"]
    rows = _rows(school, [5, 4, 4, "н", "", 2]) + _rows(school, [4, 4, 4, 4, 4, 4], kind="четвертная", on="")
    path = app.instance_path + "/marks-test.xlsx"
    import os
    os.makedirs(app.instance_path, exist_ok=True)
    with open(path, "wb") as f:
        f.write(make_xlsx([header] + rows).getvalue())
    runner = app.test_cli_runner()
    first = runner.invoke(args=["import-marks", path, "--school", school.school.code])
    assert first.exit_code == 0, first.output
    assert "12 new" in first.output
    assert db.session.scalar(select(func.count(Mark.id))) == 12
    assert db.session.scalar(select(func.count(Assessment.id))) == 2
    second = runner.invoke(args=["import-marks", path, "--school", school.school.code])
    assert second.exit_code == 0 and "0 new, 0 changed, 12 unchanged" in second.output
    assert db.session.scalar(select(func.count(Mark.id))) == 12
    term_assessment = db.session.scalar(select(Assessment).where(Assessment.kind == "term"))
    assert term_assessment.date == school.terms[0].ends_on
    bad = runner.invoke(args=["import-marks", "/nonexistent.xlsx", "--school", school.school.code])
    assert bad.exit_code != 0
    os.remove(path)


def _import_with_cli(app, school, rows):
    """`flask import-marks` of a workbook holding `rows` (the header first)."""
    import os

    os.makedirs(app.instance_path, exist_ok=True)
    path = os.path.join(app.instance_path, "marks-cli.xlsx")
    with open(path, "wb") as f:
        f.write(make_xlsx(rows).getvalue())
    try:
        return app.test_cli_runner().invoke(args=["import-marks", path, "--school", school.school.code])
    finally:
        os.remove(path)


def test_import_adds_to_existing_assessments_and_corrects_marks(school, app):
    """Rows for an assessment that exists (entered in the grid) add to it, a different mark
    corrects the old one, the same mark stays; a new date makes a new assessment."""
    cls, maths, q1 = school.classes[0], school.subjects[0], school.terms[0]
    existing = make_assessment(school, cls, maths, q1, [5, 4, None, None, None, None])
    rows = _rows(school, [5, 3, 4, "н", 2, 5], kind="term", on="") + _rows(school, [4] * 6, on="20.10.2026")
    result = _import_with_cli(app, school, [HEADER] + rows)
    assert result.exit_code == 0, result.output
    assert "10 new, 1 changed, 1 unchanged" in result.output
    db.session.expire_all()
    marks = {(m.student_id, m.value, m.absent) for m in db.session.scalars(
        select(Mark).where(Mark.assessment_id == existing.id))}
    students = school.students[cls.id]
    assert marks == {(students[0].id, 5, False), (students[1].id, 3, False), (students[2].id, 4, False),
                     (students[3].id, None, True), (students[4].id, 2, False), (students[5].id, 5, False)}
    assert db.session.scalar(select(func.count(Assessment.id))) == 2
    assert db.session.scalar(select(func.count(Mark.id))) == 12


def test_import_refuses_a_file_with_too_many_rows(school, login, client, monkeypatch):
    from app.services.core import xlsx_input

    monkeypatch.setattr(xlsx_input, "MAX_ROWS", 5)
    deputy = school.user("deputy")
    deputy.locale = "ru"
    db.session.commit()
    login(deputy)
    response = _upload_marks(client, _rows(school, [5, 4, 4, 3, 5, 2]))
    assert response.status_code == 422
    assert "В файле больше 5 строк. Разделите его на несколько файлов" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Mark.id))) == 0


OUT_OF_RANGE = "lies outside 01.01.1900-31.12.2199: check the year"


@pytest.mark.parametrize("cell, shown", [
    ("01.01.0001", "01.01.0001"), ("31.12.9999", "31.12.9999"), ("31.12.1899", "31.12.1899"),
    ("9999-12-31", "9999-12-31"),
    (2958465, "31.12.9999"),  # an Excel serial of 31.12.9999 in a cell without a date format
    (DateSerial(2958465), "31.12.9999")])  # the same serial formatted as a date: a date cell
def test_a_date_outside_1900_2199_is_refused_with_its_row_and_nothing_is_written(school, login, client, cell, shown):
    rows = _rows(school, [5, 4, 3])
    rows[1][5] = cell
    login(school.user("deputy"))
    response = _upload_marks(client, rows)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"row 3, date: the date {shown} {OUT_OF_RANGE}" in page
    assert "Sheet1" in page  # the sheet read is named
    assert "row 2" not in page and "row 4" not in page  # the good rows are not blamed
    assert db.session.scalar(select(func.count(Mark.id))) == 0
    assert db.session.scalar(select(func.count(Assessment.id))) == 0


def test_a_date_cell_beyond_31_12_9999_is_refused_by_its_address(school, login, client):
    rows = _rows(school, [5, 4])
    rows[1][5] = DateSerial(3_000_000)  # no date: Python's dates end at 31.12.9999
    login(school.user("deputy"))
    response = _upload_marks(client, rows)
    assert response.status_code == 422
    assert "row 3, date: cell F3 holds a date outside 01.01.1900-31.12.2199" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Mark.id))) == 0


def test_the_command_line_refuses_a_date_outside_1900_2199_and_exits_non_zero(school, app):
    rows = _rows(school, [5, 4, 3])
    rows[2][5] = "31.12.9999"
    result = _import_with_cli(app, school, [HEADER] + rows)
    assert result.exit_code != 0
    assert f"row 4, date: the date 31.12.9999 {OUT_OF_RANGE}" in result.output
    assert db.session.scalar(select(func.count(Mark.id))) == 0


@pytest.mark.parametrize("locale, words", [
    ("ru", "дата 01.01.0001 вне пределов 01.01.1900-31.12.2199: проверьте год"),
    ("ky", "01.01.0001 күнү 01.01.1900-31.12.2199 аралыгынан тышкары: жылын текшериңиз")])
def test_the_refusal_speaks_the_users_language(school, login, client, locale, words):
    rows = _rows(school, [5, 4])
    rows[0][5] = "01.01.0001"
    deputy = school.user("deputy")
    deputy.locale = locale
    db.session.commit()
    login(deputy)
    response = _upload_marks(client, rows)
    assert response.status_code == 422 and words in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Mark.id))) == 0


def _planner_rows(table):
    return db.session.scalar(select(func.cast(text("reltuples"), db.Integer)).select_from(text("pg_class"))
                             .where(text("relname = :t")).params(t=table))


def test_a_large_import_refreshes_the_planners_statistics(school, app, login, client):
    """PostgreSQL only: after an import of IMPORT_ANALYZE_ROWS rows the planner knows the
    marks table's size (before, it may plan the dashboard's joins for an empty table)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")
    app.config["IMPORT_ANALYZE_ROWS"] = 12
    before = _planner_rows("mark")
    small = _import_with_cli(app, school, [HEADER] + _rows(school, [5, 4, 4, 3, 5, 2]))
    assert small.exit_code == 0, small.output
    db.session.rollback()
    assert _planner_rows("mark") == before  # 6 rows: below the threshold, no ANALYZE
    rows = _rows(school, [5, 5, 4, 4, 3, 3], on="16.10.2026") + _rows(school, [4] * 6, on="17.10.2026")
    login(school.user("deputy"))
    response = _upload_marks(client, rows)
    assert response.status_code == 303
    db.session.rollback()
    assert db.session.scalar(select(func.count(Mark.id))) == 18
    assert _planner_rows("mark") == 18


def test_import_template_downloads(school, login, client):
    login(school.user("teacher"))
    response = client.get("/achievement/import/template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER


def test_a_teacher_may_import_only_own_classes(school, login, client):
    rows = _rows(school, [5, 4, 4, 3, 3, 2])
    other = [["8-Б", s.code, "Математика", "1", "control", "15.10.2026", 5]
             for s in school.students[school.classes[1].id][:1]]
    login(school.user("teacher"))
    response = _upload_marks(client, rows + other)
    assert response.status_code == 422
    assert "row 8, class" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Mark.id))) == 0
    response = _upload_marks(client, rows)
    assert response.status_code == 303
    assert db.session.scalar(select(func.count(Mark.id))) == 6
