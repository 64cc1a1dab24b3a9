"""The diagnostics sheets of the annual workbook, read back with openpyxl, and the figures per
methodical association. Hand-computed figures in the comments."""
import re

import openpyxl

from app.extensions import db
from app.models import ClassGroup, Enrollment, MethodicalAssociation, Subject, TeachingAssignment
from app.services.diagnostics import aggregates
from app.services.diagnostics.instruments import RULES
from tests.conftest import do_login
from tests.factories import make_year
from tests.factories.diagnostics import UPBRINGING, diagnostic_instruments, make_diagnostic


def _arts_in_8b(school) -> MethodicalAssociation:
    """An association whose one subject (music) is taught in 8-Б only (by teacher2)."""
    arts = MethodicalAssociation(school_id=school.school.id, name="Arts", name_ru="Эстетика")
    db.session.add(arts)
    db.session.flush()
    music = Subject(school_id=school.school.id, name="Музыка", name_ru="Музыка", ma_id=arts.id)
    db.session.add(music)
    db.session.flush()
    db.session.add(TeachingAssignment(school_id=school.school.id, teacher_id=school.user("teacher2").id,
                                      subject_id=music.id, class_id=school.classes[1].id, year_id=school.year.id))
    db.session.commit()
    return arts


def _upbringing(school, cls, levels, students=None):
    for student, level in zip(students or school.students[cls.id], levels):
        make_diagnostic(school, student, answers=dict(UPBRINGING, level=level), cls=cls, by="admin")


def _world(school):
    """7-А: high, good, high, middle, low, good (4 of 6 favourable); 8-Б: high, low, low (1 of 3);
    last year in 6-А the first five of 7-А: high, low, low, low, good (2 of 5 = 40.0 %); two
    gifted students in 7-А."""
    diagnostic_instruments()
    a, b = school.classes
    _arts_in_8b(school)
    last = make_year(school)
    old = ClassGroup(school_id=school.school.id, year_id=last.id, grade=6, letter="А")
    db.session.add(old)
    db.session.flush()
    for student in school.students[a.id][:5]:
        db.session.add(Enrollment(school_id=school.school.id, student_id=student.id, class_id=old.id, year_id=last.id))
    db.session.commit()
    _upbringing(school, old, ["high", "low", "low", "low", "good"], school.students[a.id][:5])
    _upbringing(school, a, ["high", "good", "high", "middle", "low", "good"])
    _upbringing(school, b, ["high", "low", "low"])
    for student, result in zip(school.students[a.id][:2], ["winner", "participant"]):
        make_diagnostic(school, student, "gifted_programme", {"area": "academic", "result": result}, by="admin")


def test_figures_per_methodical_association(app, school):
    _world(school)
    rule = RULES["upbringing_level"]
    found = {name: (f.n, f.favourable, round(f.value, 1))
             for name, f in aggregates.by_ma(rule, school.school.id, school.year.id)}
    # Science (maths and physics) is taught in both classes: 5 of 9 = 55.6 %; Arts in 8-Б only: 1 of 3.
    assert found == {"Arts": (3, 1, 33.3), f"Science {school.school.code}": (9, 5, 55.6)}
    assert [name for name, _f in aggregates.by_ma(rule, school.school.id, school.year.id, lang="ru")] == \
        ["Эстетика", f"Естественные {school.school.code}"]


def test_the_annual_workbook_has_the_diagnostics_sheets(app, school, tmp_path):
    _world(school)
    path = tmp_path / "annual.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "annual", "--year", "2026-2027", "-o", str(path),
                                                "--lang", "en"])
    assert result.exit_code == 0, result.stderr
    book = openpyxl.load_workbook(path)
    sheet = book["Diagnostics"]
    assert sheet["A1"].value == "Indicators computed from the diagnostics of named students"
    assert [c.value for c in sheet[7]] == ["Indicator", "Group", "Unit", "Students diagnosed (n)", "Favourable",
                                           "Value", "Previous year", "Change"]
    rows = [r for r in sheet.iter_rows(min_row=8, values_only=True)]
    upbringing = [r for r in rows if r[0] == "Level of upbringing"]
    # School: 5 of 9 = 55.6 %, last year 40.0 %, change +15.6; grade 7: 4 of 6 = 66.7 %; grade 8 rests
    # on 3 students (< 5): n only. Science: 5 of 9; Arts: 3 students, n only.
    assert upbringing == [
        ("Level of upbringing", "School", "%", 9, 5, 55.6, 40.0, 15.6),
        ("Level of upbringing", "Grade 7", "%", 6, 4, 66.7, None, None),
        ("Level of upbringing", "Grade 8", "%", 3, None, None, None, None),
        ("Level of upbringing", "MA: Arts", "%", 3, None, None, None, None),
        ("Level of upbringing", f"MA: Science {school.school.code}", "%", 9, 5, 55.6, None, None),
    ]
    # The gifted programme is a count; two students are fewer than the minimum group.
    gifted = [r for r in rows if r[1] == "School" and r[2] == "students"]
    assert gifted == [("Students in the Gifted children programme", "School", "students", 2, None, None, None, None)]
    # Every indicator has its school row, with n = 0 where nothing was diagnosed.
    assert sum(1 for r in rows if r[1] == "School") == len(RULES)
    assert ("Adaptation of grades 1, 5 and 10", "School", "%", 0, None, None, None, None) in rows

    outcomes = [r for r in book["Diagnostic outcomes"].iter_rows(min_row=8, values_only=True)]
    # 9 students this year: good 2 (22.2 %), high 3 (33.3 %), low 3 (33.3 %), middle 1 (11.1 %).
    assert [r for r in outcomes if r[0] == "Student's level of upbringing"] == [
        ("Student's level of upbringing", "Good", 2, 22.2, 9),
        ("Student's level of upbringing", "High", 3, 33.3, 9),
        ("Student's level of upbringing", "Low", 3, 33.3, 9),
        ("Student's level of upbringing", "Middle", 1, 11.1, 9),
    ]
    gifted_outcomes = [r for r in outcomes if r[4] == 2]
    assert sorted(r[1] for r in gifted_outcomes) == ["Participant", "Winner"]
    assert all(r[2] is None and r[3] is None for r in gifted_outcomes)  # 2 < 5: counts blank


def test_the_summary_page_shows_each_association_beside_grades_and_classes(app, school):
    _world(school)
    client = app.test_client()
    assert do_login(client, school.user("deputy")).status_code == 303
    page = client.get("/diagnostics/summary").text
    block = page[page.index('id="ind-upbringing_level"'):]
    block = block[:block.index("</section>")]
    assert "55.6 %" in block and "Grade 7" in block and "Grade 8" in block
    assert re.search(r"<td>Arts</td><td class=\"num\">3</td><td class=\"num\">33\.3 %</td>", block)
    assert re.search(rf"<td>Science {school.school.code}</td><td class=\"num\">9</td><td class=\"num\">55\.6 %</td>",
                     block)
