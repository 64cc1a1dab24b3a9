"""A teacher's class journal (a row per student by name, a column per work) as an import file:
names matched within the chosen class, refused names reported with their rows, nothing
written from a refused file, a template of the class's students read back with openpyxl,
lessons of other teachers refused; the long format's template has no invented example rows."""
import datetime
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import Assessment, Mark
from tests.conftest import browser_login, csrf_of, screenshot
from tests.factories.achievement import make_assessment
from tests.xlsx_bombs import raw_sheet
from tests.xlsx_helpers import DateSerial, make_xlsx


def _lesson(school, index=0, subject=0):
    return {"lesson": f"{school.classes[index].id}-{school.subjects[subject].id}", "term": school.terms[0].id}


def _upload(client, school, rows, raw=False, **lesson):
    """The journal page of `lesson` (default: the teacher's maths in 7-А, Q1), then the file of
    `rows` (written by XlsxWriter, or cell by cell with `raw`: error values as ("e", "#N/A"))."""
    args = lesson or _lesson(school)
    data = io.BytesIO(raw_sheet(rows)) if raw else make_xlsx(rows)
    page = client.get("/achievement/import/journal", query_string=args)
    assert page.status_code == 200, page.status_code
    return client.post("/achievement/import/journal", query_string=args, data={
        "csrf_token": csrf_of(page.get_data(as_text=True)), "file": (data, "journal.xlsx")},
        content_type="multipart/form-data")


def _marks():
    return {(a.kind, a.date, m.student_id): (m.value, m.absent) for m, a in db.session.execute(
        select(Mark, Assessment).join(Assessment, Assessment.id == Mark.assessment_id))}


def test_a_journal_file_writes_its_marks_matching_names_loosely(school, login, client):
    s7 = school.students[school.classes[0].id]
    rows = [["№", "ФИО", "15.10.2026", "Тест 20.10", datetime.date(2026, 10, 22), "Четвертная"],
            [1, "  STUDENT   7a 1 ", 5, 4, None, 5],   # case, a Latin "a", extra spaces
            [2, "student 7А 2", "н", 3, 2, 4],
            [3, "Student 7А 3", None, None, None, 3]]
    login(school.user("teacher"))
    response = _upload(client, school, rows)
    assert response.status_code == 303, response.get_data(as_text=True)[-1500:]
    assert f"/achievement/grid/{school.classes[0].id}/{school.subjects[0].id}" in response.location
    marks = _marks()
    assert marks == {
        ("control", datetime.date(2026, 10, 15), s7[0].id): (5, False),
        ("test", datetime.date(2026, 10, 20), s7[0].id): (4, False),
        ("term", school.terms[0].ends_on, s7[0].id): (5, False),
        ("control", datetime.date(2026, 10, 15), s7[1].id): (None, True),
        ("test", datetime.date(2026, 10, 20), s7[1].id): (3, False),
        ("control", datetime.date(2026, 10, 22), s7[1].id): (2, False),
        ("term", school.terms[0].ends_on, s7[1].id): (4, False),
        ("term", school.terms[0].ends_on, s7[2].id): (3, False),
    }
    assert db.session.scalar(select(func.count(Assessment.id))) == 4
    again = _upload(client, school, rows)  # the same file again changes nothing
    assert again.status_code == 303 and _marks() == marks


def test_names_matching_no_student_or_two_are_refused_with_their_rows(school, login, client):
    s7 = school.students[school.classes[0].id]
    s7[1].full_name = s7[0].full_name  # namesakes in one class
    db.session.commit()
    rows = [["Student", "15.10.2026"],
            [s7[0].full_name, 5],
            ["Student 8Б 1", 4],          # another class's student
            [s7[2].full_name, 7],
            [s7[3].full_name.upper(), 3]]
    login(school.user("teacher"))
    response = _upload(client, school, rows)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "row 2, name: &#39;Student 7А 1&#39; matches 2 students of 7-А" in page
    assert "row 3, name: no student named &#39;Student 8Б 1&#39; in 7-А" in page
    assert "row 4, column B: &#39;7&#39; is not a mark" in page
    assert db.session.scalar(select(func.count(Mark.id))) == 0
    assert db.session.scalar(select(func.count(Assessment.id))) == 0
    # The code in brackets (as the template writes namesakes) picks one of them.
    rows = [["Student", "15.10.2026"], [f"{s7[0].full_name} ({s7[0].code})", 5], [f"{s7[1].full_name} ({s7[1].code})", 4]]
    assert _upload(client, school, rows).status_code == 303
    assert {k[2]: v for k, v in _marks().items()} == {s7[0].id: (5, False), s7[1].id: (4, False)}


def test_a_title_line_above_the_header_and_an_error_cell(school, login, client):
    names = [s.full_name for s in school.students[school.classes[0].id]]
    login(school.user("teacher"))
    rows = [["Журнал 7-А, математика"], ["Окуучу", "Тест 20.10"], [names[0], 4], [names[1], ("e", "#DIV/0!")]]
    response = _upload(client, school, rows, raw=True)
    assert response.status_code == 422
    assert "row 4, column B:" in response.get_data(as_text=True)
    del rows[3]
    assert _upload(client, school, rows).status_code == 303
    assert list(_marks().values()) == [(4, False)]


def test_a_bad_column_header_and_a_date_outside_the_term_are_refused(school, login, client):
    name = school.students[school.classes[0].id][0].full_name
    login(school.user("teacher"))
    response = _upload(client, school, [["Student", "Average", "15.12.2026", None], [name, 4, 5, 3]])
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "row 1, column B: cannot tell which work &#39;Average&#39; is" in page
    assert "row 1, column C: the date 15.12.2026 is outside the term" in page
    assert "row 1, column D: the column has marks but no header" in page
    assert db.session.scalar(select(func.count(Mark.id))) == 0


def test_a_header_date_outside_1900_2199_is_refused_never_read_as_this_century(school, login, client):
    """01.01.0001 is the year 1 (it was read as 2001: a year under 100 was taken for two digits);
    31.12.9999 as text, in a kind's header or as a date cell's serial is refused by its column."""
    name = school.students[school.classes[0].id][0].full_name
    login(school.user("teacher"))
    rows = [["Student", "15.10.2026", "01.01.0001", "Тест 31.12.9999", DateSerial(2958465), "16.10.26"],
            [name, 5, 4, 3, 2, 5]]
    response = _upload(client, school, rows)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    outside = "lies outside 01.01.1900-31.12.2199: check the year"
    assert f"row 1, column C: the date 01.01.0001 {outside}" in page
    assert f"row 1, column D: the date 31.12.9999 {outside}" in page
    assert f"row 1, column E: the date 31.12.9999 {outside}" in page
    assert "column B" not in page and "column F" not in page  # 16.10.26 is 16.10.2026, within the term
    assert db.session.scalar(select(func.count(Mark.id))) == 0
    assert db.session.scalar(select(func.count(Assessment.id))) == 0


def test_the_template_lists_the_class_and_the_terms_works_and_reads_back(school, login, client):
    make_assessment(school, kind="control", on=datetime.date(2026, 10, 15), marks=(5, 4, 3, 2, 4, "н"))
    login(school.user("teacher"))
    response = client.get("/achievement/import/journal.xlsx", query_string=_lesson(school))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert [c.value for c in sheet[1]] == ["Student", "Control work 15.10.2026"]
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert names == sorted(s.full_name for s in school.students[school.classes[0].id])
    # Filled in and uploaded, the template is the journal format: the marks land in that work.
    rows = [[c.value for c in sheet[1]]] + [[n, 3] for n in names]
    assert _upload(client, school, rows).status_code == 303
    assert db.session.scalar(select(func.count(Assessment.id))) == 1
    assert sorted(v for v, _a in _marks().values()) == [3] * 6


@pytest.mark.parametrize("letter", ["A/?", "'[Б]"])
def test_a_class_name_excel_refuses_as_a_sheet_name_still_gives_the_template(school, login, client, letter):
    """A class's letter is free text (up to 4 characters): one with []:*?/\\ or an apostrophe
    is written as a valid sheet name (it was a 500); the class's students are listed all the same."""
    cls = school.classes[0]
    cls.letter = letter
    db.session.commit()
    login(school.user("teacher"))
    response = client.get("/achievement/import/journal.xlsx", query_string=_lesson(school))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert len({name.lower() for name in book.sheetnames}) == len(book.sheetnames) == 2
    assert not any(ch in book.sheetnames[0] for ch in "[]:*?/\\") and book.sheetnames[0][0] != "'"
    names = [row[0].value for row in book.worksheets[0].iter_rows(min_row=2)]
    assert names == sorted(s.full_name for s in school.students[cls.id])


def test_the_empty_template_offers_a_dated_column_and_the_term_mark_in_russian(school, login, client):
    teacher = school.user("teacher")
    teacher.locale = "ru"
    db.session.commit()
    login(teacher)
    response = client.get("/achievement/import/journal.xlsx", query_string=_lesson(school))
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[0] == "Ученик" and header[1].endswith(school.terms[0].ends_on.strftime("%d.%m.%Y"))
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    response = _upload(client, school, [header] + [[n, None, 4] for n in names])
    assert response.status_code == 303
    assert {a.kind for a in db.session.scalars(select(Assessment))} == {"term"}


def test_a_teacher_of_another_subject_or_class_is_refused(school, login, client):
    name = school.students[school.classes[0].id][0].full_name
    login(school.user("teacher"))  # maths in 7-А only
    page = client.get("/achievement/import/journal").get_data(as_text=True)
    assert "7-А · Математика" in page and "Физика" not in page and "8-Б" not in page
    for lesson in (_lesson(school, 0, 1), _lesson(school, 1, 0)):  # physics in 7-А, maths in 8-Б
        assert client.get("/achievement/import/journal", query_string=lesson).status_code == 403
        assert client.get("/achievement/import/journal.xlsx", query_string=lesson).status_code == 403
        token = csrf_of(page)
        response = client.post("/achievement/import/journal", query_string=lesson, data={
            "csrf_token": token, "file": (make_xlsx([["Student", "15.10.2026"], [name, 5]]), "j.xlsx")},
            content_type="multipart/form-data")
        assert response.status_code == 403
    assert db.session.scalar(select(func.count(Mark.id))) == 0
    # The deputy may import any lesson.
    client.post("/logout")
    login(school.user("deputy"))
    assert _upload(client, school, [["Student", "15.10.2026"], [name, 5]], **_lesson(school, 0, 1)).status_code == 303


def test_the_long_formats_template_is_its_header_only(school, login, client):
    login(school.user("teacher"))
    sheet = load_workbook(io.BytesIO(client.get("/achievement/import/template.xlsx").data)).worksheets[0]
    assert sheet.max_row == 1


@pytest.mark.browser
def test_the_journal_page_on_a_phone(live_server, phone, school):
    """A teacher chooses the lesson and term at 360 px without sideways scrolling, and gets the
    template link and the upload form of that lesson."""
    page = phone
    browser_login(page, live_server, school.user("teacher"))
    page.goto(f"{live_server}/achievement/import/journal?lang=en")
    page.select_option("select[name=lesson]", f"{school.classes[0].id}-{school.subjects[0].id}")
    page.select_option("select[name=term]", str(school.terms[0].id))
    page.get_by_role("button", name="Choose").click()
    assert page.locator("h2", has_text="7-А · Математика").is_visible()
    assert page.get_by_role("link", name="Download the template").is_visible()
    assert page.locator("input[type=file]").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "achievement-journal-phone")
