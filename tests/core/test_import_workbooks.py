"""Imports read workbooks as people save them (issue 16 §6): the sheet is chosen by its header
row among several, hidden sheets are read only when they are the only match, merged header
cells and a title above the header are read, formulas give their saved values, Excel date
serials become dates, and what is ambiguous (two sheets with the header, a column twice) is
refused with a message that says how to fix it. Roster (web) and marks (web and CLI) alike."""
import datetime
import io
import os

import xlsxwriter
from sqlalchemy import func, select

from app.extensions import db
from app.models import Mark, Student

ROSTER = ["Class", "Student code", "Full name", "Birth date"]


def book(sheets: list[dict]) -> io.BytesIO:
    """A workbook of sheets {"name", "rows", "hidden", "merges": [(first_row, first_col, last_row, last_col,
    value)], "start": first row index of `rows`, "formulas": {(row, col): (formula, cached)}}, written
    by XlsxWriter as Excel would (the first visible sheet active)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    active = None
    for spec in sheets:
        sheet = workbook.add_worksheet(spec["name"])
        for merge in spec.get("merges", ()):
            sheet.merge_range(*merge)
        for r, row in enumerate(spec["rows"], start=spec.get("start", 0)):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
        for (r, c), (formula, cached) in spec.get("formulas", {}).items():
            sheet.write_formula(r, c, formula, None, cached)
        if active is None and not spec.get("hidden"):
            active = sheet
    if active is not None:
        active.activate()
    for spec, sheet in zip(sheets, workbook.worksheets()):
        if spec.get("hidden"):
            sheet.hide()
    workbook.close()
    buffer.seek(0)
    return buffer


def post_roster(client, data: io.BytesIO, follow=False):
    return client.post("/admin/roster", data={"file": (data, "roster.xlsx")}, content_type="multipart/form-data",
                       follow_redirects=follow)


def student(code):
    return db.session.scalar(select(Student).where(Student.code == code))


def test_the_sheet_with_the_header_is_read_not_the_first_and_the_page_says_which(school, login, client):
    notes = {"name": "Notes", "rows": [["Fill in the second sheet."], ["Class", "Teacher"]]}
    data = {"name": "Pupils 2026", "rows": [ROSTER, ["7-А", "W-1", "Асанов Бакыт", None]]}
    login(school.user("admin"))
    response = post_roster(client, book([notes, data]), follow=True)
    assert response.status_code == 200
    assert "Sheet read: “Pupils 2026”" in response.get_data(as_text=True)
    assert student("W-1").full_name == "Асанов Бакыт"


def test_a_hidden_sheet_is_read_only_when_it_is_the_only_one_with_the_header(school, login, client):
    login(school.user("admin"))
    hidden = {"name": "Old list", "hidden": True, "rows": [ROSTER, ["7-А", "W-OLD", "Old Pupil", None]]}
    shown = {"name": "List", "rows": [ROSTER, ["7-А", "W-NEW", "New Pupil", None]]}
    assert post_roster(client, book([shown, hidden])).status_code == 303
    assert student("W-NEW") is not None and student("W-OLD") is None
    only_hidden = {"name": "Export", "hidden": True, "rows": [ROSTER, ["7-А", "W-H", "Hidden Pupil", None]]}
    cover = {"name": "Cover", "rows": [["School report"]]}
    response = post_roster(client, book([cover, only_hidden]), follow=True)
    assert "Sheet read: “Export”" in response.get_data(as_text=True)
    assert student("W-H").full_name == "Hidden Pupil"


def test_merged_header_cells_a_title_above_them_formulas_and_date_serials_are_read(school, login, client):
    # Row 1: a title merged over A1:D1. Rows 2-3: "Class" and "Student code" merged down two rows,
    # "Pupil" merged over C2:D2 with "Full name" and "Birth date" below it. Data from row 4:
    # a code given by a formula with its saved value, a birth date typed as an Excel serial.
    sheet = {"name": "Roster", "start": 3,
             "rows": [["7-А ", None, "  Исаева_x0000_ Айгерим  ", 39448], ["7-А", "W-3", "Осмонов Нурбек", None]],
             "merges": [(0, 0, 0, 3, "Class list, 2026-2027"), (1, 0, 2, 0, "Class"), (1, 1, 2, 1, "Student code "),
                        (1, 2, 1, 3, "Pupil")],
             "formulas": {(3, 1): ('="W-"&"2"', "W-2")}}
    sheet["rows"].insert(0, [None, None, "Full name", "Birth date"])
    sheet["start"] = 2
    login(school.user("admin"))
    response = post_roster(client, book([sheet]))
    assert response.status_code == 303, response.get_data(as_text=True)[-1500:]
    pupil = student("W-2")
    assert pupil.full_name == "Исаева Айгерим"
    assert pupil.birth_date == datetime.date(2008, 1, 1)  # serial 39448
    assert student("W-3").full_name == "Осмонов Нурбек"
    assert db.session.scalar(select(func.count(Student.id)).where(Student.code.like("W-%"))) == 2


def test_two_visible_sheets_with_the_header_are_refused_with_how_to_fix_it(school, login, client):
    first = {"name": "7-А", "rows": [ROSTER, ["7-А", "W-A", "One", None]]}
    second = {"name": "7-Б", "rows": [ROSTER, ["7-Б", "W-B", "Two", None]]}
    login(school.user("admin"))
    response = post_roster(client, book([first, second]))
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "The sheets “7-А”, “7-Б” all have the columns of this import" in text
    assert "Delete the sheets that should not be imported" in text
    assert student("W-A") is None and student("W-B") is None
    two_hidden = [{"name": "Cover", "rows": [["-"]]}, {**first, "hidden": True}, {**second, "hidden": True}]
    assert post_roster(client, book(two_hidden)).status_code == 422


def test_a_column_named_twice_in_the_header_is_refused(school, login, client):
    sheet = {"name": "Roster", "rows": [["Class", "Student code", "Full name", "Код"], ["7-А", "W-D", "Dup", "W-E"]]}
    login(school.user("admin"))
    response = post_roster(client, book([sheet]))
    assert response.status_code == 422
    assert ("The column “student_code” appears twice in the header row of the sheet “Roster” (cells B1, D1). "
            "Delete or rename one of them") in response.get_data(as_text=True)
    assert student("W-D") is None and student("W-E") is None


def test_a_sheet_without_the_header_names_itself_and_what_it_lacks(school, login, client):
    sheet = {"name": "Pupils", "rows": [["Class", "Full name"], ["7-А", "Nobody"]]}
    login(school.user("admin"))
    response = post_roster(client, book([sheet]))
    assert response.status_code == 422
    assert "No sheet has all the columns of this import: the sheet “Pupils” lacks student_code" in \
        response.get_data(as_text=True)


def test_the_marks_import_on_the_command_line_chooses_its_sheet_and_says_which(school, app):
    header = ["class", "student_code", "subject", "term", "kind", "date", "mark"]
    pupils = school.students[school.classes[0].id]
    rows = [["7-А", s.code + "  ", "Математика", "1", "control", 46310, 5] for s in pupils]
    workbook = book([{"name": "Instructions", "rows": [["Marks of the first quarter"], ["class", "subject"]]},
                     {"name": "Q1", "rows": [header, *rows]},
                     {"name": "Q1 (old)", "hidden": True, "rows": [header, *rows]}])
    os.makedirs(app.instance_path, exist_ok=True)
    path = os.path.join(app.instance_path, "marks-sheets.xlsx")
    with open(path, "wb") as f:
        f.write(workbook.getvalue())
    result = app.test_cli_runner().invoke(args=["import-marks", path, "--school", school.school.code])
    assert result.exit_code == 0, result.output
    assert "Sheet read: “Q1”" in result.output
    assert db.session.scalar(select(func.count(Mark.id))) == len(pupils)
