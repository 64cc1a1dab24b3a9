"""Roster import: the happy path, every kind of bad row (nothing written), the template, the CLI."""
import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ClassGroup, Enrollment, Student
from app.services.core.roster import import_roster, parse_class_name
from tests.xlsx_helpers import DateSerial, Formula, make_xlsx

HEADER = ["class", "student_code", "full_name", "gender", "birth_date"]


def _counts():
    return tuple(db.session.scalar(select(func.count(m.id))) for m in (Student, Enrollment, ClassGroup))


@pytest.mark.parametrize("raw, expected", [("7-Б", (7, "Б")), ("7Б", (7, "Б")), ("11 а", (11, "А")),
                                            ("1-A", (1, "А")), ("10.В", (10, "В"))])
def test_class_names(raw, expected):
    assert parse_class_name(raw) == expected


@pytest.mark.parametrize("raw", ["12-А", "0-А", "7", "7-АБ", "Б-7", ""])
def test_bad_class_names(raw):
    with pytest.raises(ValueError):
        parse_class_name(raw)


def test_roster_upload_creates_classes_students_and_enrollments(client, school, login):
    login(school.user("admin"))
    workbook = make_xlsx([
        ["Сынып", "Окуучунун коду", "Аты-жөнү", "Жынысы", "Туулган күнү"],  # Kyrgyz headers
        ["9-В", "N-1", "Асанов Бакыт", "м", "14.03.2011"],
        ["9-В", "N-2", "Иванова Анна", "f", date(2011, 2, 1)],
        ["7-А", "alpha-7А-1", "Renamed Student", "m", None],  # existing student, existing class
    ])
    before = _counts()
    response = client.post("/admin/roster", data={"file": (workbook, "roster.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[-800:]
    students, enrollments, classes = _counts()
    assert (students, enrollments, classes) == (before[0] + 2, before[1] + 2, before[2] + 1)
    new = db.session.scalar(select(Student).where(Student.code == "N-2"))
    assert new.gender == "f" and new.birth_date == date(2011, 2, 1)
    renamed = db.session.scalar(select(Student).where(Student.code == "alpha-7А-1"))
    assert renamed.full_name == "Renamed Student"
    cls = db.session.scalar(select(ClassGroup).where(ClassGroup.grade == 9))
    assert cls.letter == "В" and cls.year_id == school.year.id


def test_every_bad_row_is_reported_and_nothing_is_written(client, school, login):
    login(school.user("admin"))
    workbook = make_xlsx([
        HEADER,
        ["9-В", "N-1", "Good Row", "m", "01.01.2011"],
        ["13-А", "N-2", "Bad Class", "m", "01.01.2011"],
        ["9-В", "N-1", "Duplicate Code", "f", "01.01.2011"],
        ["9-В", "N-3", "Bad Date", "f", "31.02.2011"],
        ["9-В", "N-4", "", "f", ""],
        ["9-В", "N-5", "Bad Gender", "x", ""],
    ])
    before = _counts()
    response = client.post("/admin/roster", data={"file": (workbook, "roster.xlsx")},
                           content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "row 3, class" in body and "13-А" in body
    assert "row 4, student_code" in body and "already in row 2" in body
    assert "row 5, birth_date" in body and "31.02.2011" in body
    assert "row 6, full_name" in body
    assert "row 7, gender" in body
    assert _counts() == before


@pytest.mark.parametrize("cell, shown", [
    ("01.01.0001", "01.01.0001"), ("31.12.9999", "31.12.9999"), ("0001-01-01", "0001-01-01"),
    (2958465, "31.12.9999"),  # an Excel serial of 31.12.9999 in a cell without a date format
    (DateSerial(2958465), "31.12.9999")])  # the same serial in a date cell
def test_a_birth_date_outside_1900_2199_is_refused_by_its_row_and_nothing_is_written(client, school, login, cell,
                                                                                      shown):
    login(school.user("admin"))
    workbook = make_xlsx([HEADER, ["9-В", "N-1", "Good Row", "m", "01.01.2011"],
                          ["9-В", "N-2", "Far Date", "f", cell]])
    before = _counts()
    response = client.post("/admin/roster", data={"file": (workbook, "roster.xlsx")},
                           content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"row 3, birth_date: the date {shown} lies outside 01.01.1900-31.12.2199: check the year" in body
    assert "row 2" not in body
    assert _counts() == before


def test_a_birth_date_in_the_future_stays_refused(client, school, login):
    login(school.user("admin"))
    workbook = make_xlsx([HEADER, ["9-В", "N-1", "Not Born", "m", "01.01.2190"]])
    before = _counts()
    response = client.post("/admin/roster", data={"file": (workbook, "roster.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "row 2, birth_date" in response.get_data(as_text=True)
    assert _counts() == before


def test_not_an_xlsx_file(school):
    report = import_roster(io.BytesIO(b"name,class\nA,7-A\n"), school_id=school.school.id, year_id=school.year.id)
    assert not report.ok and "not an .xlsx" in str(report.errors[0])


def test_password_protected_or_old_xls(school):
    report = import_roster(io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100),
                           school_id=school.school.id, year_id=school.year.id)
    assert "password-protected" in str(report.errors[0])


def test_missing_columns(school):
    report = import_roster(make_xlsx([["class", "name"], ["7-А", "X"]]), school_id=school.school.id,
                           year_id=school.year.id)
    assert "student_code" in str(report.errors[0])


def test_formulas_are_read_as_values_never_evaluated(school):
    workbook = make_xlsx([HEADER, ["7-А", "F-1", Formula('=HYPERLINK("http://x","y")', "Cached Name"), "m",
                                   40575]])
    report = import_roster(workbook, school_id=school.school.id, year_id=school.year.id)
    assert report.ok, report.errors
    student = db.session.scalar(select(Student).where(Student.code == "F-1"))
    assert student.full_name == "Cached Name"  # the value Excel saved, not the formula
    assert student.birth_date == date(2011, 2, 1)  # an unformatted date serial is still a date


def test_template_download_has_the_header(client, school, login):
    login(school.user("deputy"))
    response = client.get("/admin/roster/template.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER


def test_cli_import_roster(app, school, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(make_xlsx([HEADER, ["5-А", "C-1", "Cli Student", "f", "2014-05-05"]]).getvalue())
    result = app.test_cli_runner().invoke(args=["import-roster", str(path), "--school", "alpha"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Student).where(Student.code == "C-1")).full_name == "Cli Student"


def test_cli_import_roster_reports_errors_and_exits_non_zero(app, school, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(make_xlsx([HEADER, ["5-Я-1", "C-1", "X", "f", ""]]).getvalue())
    result = app.test_cli_runner().invoke(args=["import-roster", str(path), "--school", "alpha"])
    assert result.exit_code == 1
    assert "row 2, class" in result.output and "Nothing was imported" in result.output
    assert db.session.scalar(select(Student).where(Student.code == "C-1")) is None


def test_cli_import_roster_refuses_a_birth_date_of_the_year_9999_and_exits_non_zero(app, school, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(make_xlsx([HEADER, ["5-А", "C-1", "X", "f", DateSerial(2958465)]]).getvalue())
    result = app.test_cli_runner().invoke(args=["import-roster", str(path), "--school", "alpha"])
    assert result.exit_code == 1
    assert "row 2, birth_date: the date 31.12.9999 lies outside 01.01.1900-31.12.2199" in result.output
    assert "Nothing was imported" in result.output
    assert db.session.scalar(select(Student).where(Student.code == "C-1")) is None
