"""The pedagogical council's quarter report (issue 19 part 3): a small class whose отличники,
хорошисты, one-3, failing and not-assessed students are known, counted and named on the page
and in the Word document read back with python-docx; the indicators by class, subject and
teacher with their change since the last quarter and the same quarter last year; issuing it
freezes it; who sees what."""
import io
import re
from datetime import date

from docx import Document
from sqlalchemy import select

from app.extensions import db
from app.models import Assessment, ClassGroup, Enrollment, Mark, Term
from app.models.monitoring.measures import IssuedDocument
from tests.conftest import csrf_of, do_login
from tests.factories import make_year
from tests.factories.achievement import make_assessment

# 7-А's term marks in Q2 (maths, physics), student by student (Student 7А 1 .. 6):
# 1: 5 5 straight 5s; 2: 5 4 fours and fives; 3: 4 3 one 3; 4: 3 3 two 3s; 5: 2 5 failing; 6: н 4 not assessed.
MATHS = [5, 5, 4, 3, 2, "н"]
PHYSICS = [5, 4, 3, 3, 5, 4]
EXPECTED = {"excellent": ["Student 7А 1"], "good": ["Student 7А 2"], "one_three": ["Student 7А 3"],
            "threes": ["Student 7А 4"], "failing": ["Student 7А 5"], "not_assessed": ["Student 7А 6"]}


def _seed(school):
    q1, q2 = school.terms[0], school.terms[1]
    maths, physics = school.subjects
    make_assessment(school, school.classes[0], maths, q2, MATHS)
    make_assessment(school, school.classes[0], physics, q2, PHYSICS)
    make_assessment(school, school.classes[0], maths, q1, [4] * 6)  # Q1: all 4 (quality 100 %)
    make_assessment(school, school.classes[0], physics, q1, [5, 5, 5, 5, 5, 2])


def _url(school, cls=None, suffix=""):
    url = f"/achievement/quarter/{suffix}?term={school.terms[1].id}"
    return url + (f"&class_id={cls.id}" if cls else "")


def _body(page: str) -> str:
    return page[page.index('<div class="issued-body">'):page.index("</main>")]


def _row(page: str, first_cell: str) -> list[str]:
    """The cells of the table row that starts with `first_cell` (tags stripped)."""
    match = re.search(r"<tr[^>]*>\s*<td[^>]*>" + re.escape(first_cell) + r"</td>(.*?)</tr>", page, re.S)
    assert match, first_cell
    return [re.sub(r"<[^>]+>", " ", c).split()[0] if re.sub(r"<[^>]+>", " ", c).split() else ""
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", match.group(1), re.S)]


def test_counts_and_names_of_a_known_class_on_the_page(client, login, school):
    _seed(school)
    login(school.user("admin"))
    page = client.get(_url(school, school.classes[0])).get_data(as_text=True)
    # students, straight 5s, 4s and 5s, one 3, two or more 3s, failing, not assessed
    assert _row(page, "7-А") == ["6", "1", "1", "1", "1", "1", "1"]
    for names in EXPECTED.values():
        assert names[0] in page
    assert "Straight 5s (1)</dt><dd>Student 7А 1</dd>" in page
    assert "Failing (a 2) (1)</dt><dd>Student 7А 5</dd>" in page
    assert "Not assessed (1)</dt><dd>Student 7А 6</dd>" in page
    # Maths: 5 5 4 3 2 (н apart): pass 80.0, quality 60.0, SOU 63.2, mean 3.80; Q1 was all 4:
    # quality −40.0 since Q1, no last year.
    assert _row(page, "Математика") == ["5", "80.0", "60.0", "63.2", "3.80"]
    assert re.search(r"60\.0<br><small class=\"muted\">−40\.0 / —</small>", page)
    # Physics 5 4 3 3 5 4: pass 100, quality 66.7, SOU 66.7, mean 4.00; total of 11 marks.
    assert _row(page, "Физика") == ["6", "100.0", "66.7", "66.7", "4.00"]
    assert _row(page, "Total")[:5] == ["11", "90.9", "63.6", "65.1", "3.91"]
    # 11 is a count of marks (6 students): the column says so, not "Students with a mark".
    assert '<th class="num">Term marks</th>' in page and "Students with a mark" not in page
    # Teachers: maths by `teacher`, physics by the MO head.
    assert _row(page, school.user("teacher").full_name)[:3] == ["5", "80.0", "60.0"]
    # The group totals' change since Q1 (Q1: four straight 5s... by students: 1-4 have 4 and 5 -> good,
    # 5 has 4 and 5 -> good, 6 has 4 and 2 -> failing).
    assert _row(page, "Change since Quarter 1 2026-2027") == ["+1", "−4", "+1", "+1", "0", "+1"]


def test_the_word_document_reads_back_with_the_same_counts_and_names(client, login, school):
    _seed(school)
    login(school.user("deputy"))
    response = client.get(_url(school, school.classes[0], "report.docx"))
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    doc = Document(io.BytesIO(response.data))
    groups = doc.tables[0]
    assert [c.text for c in groups.rows[0].cells][:3] == ["Class", "Students", "Straight 5s"]
    assert [c.text for c in groups.rows[1].cells] == ["7-А", "6", "1", "1", "1", "1", "1", "1"]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Straight 5s (1): Student 7А 1" in text
    assert "4s and 5s (1): Student 7А 2" in text
    assert "With one 3 (1): Student 7А 3" in text
    assert "Failing (a 2) (1): Student 7А 5" in text
    assert "Not assessed (1): Student 7А 6" in text
    subjects = next(t for t in doc.tables if t.rows[0].cells[0].text == "Subject")
    maths = next(r for r in subjects.rows if r.cells[0].text == "Математика")
    assert [c.text for c in maths.cells][1:4] == ["5", "80.0 (−20.0 / —)", "60.0 (−40.0 / —)"]
    assert subjects.rows[0].cells[1].text == "Term marks"
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_the_school_report_in_russian_and_kyrgyz(client, login, school):
    _seed(school)
    admin = school.user("admin")
    for lang, words in (("ru", ("Отличники", "Неуспевающие", "Качество")), ("ky", ("Эң жакшы окугандар", "Үлгүрбөгөндөр", "Билим сапаты"))):
        admin.locale = lang
        db.session.commit()
        login(admin)
        page = client.get(_url(school)).get_data(as_text=True)
        assert f'lang="{lang}"' in page
        for word in words:
            assert word.lower() in page.lower(), (lang, word)
        assert "Straight 5s" not in page
        assert lang != "ky" or "Отличник" not in page  # the Kyrgyz term, not the Russian loanword
        # 8-Б without marks: six students not assessed, and the school's total of 12.
        assert _row(page, "8-Б") == ["6", "0", "0", "0", "0", "0", "6"]
        doc = Document(io.BytesIO(client.get(_url(school, suffix="report.docx")).data))
        assert words[0].lower() in "\n".join(p.text for p in doc.paragraphs).lower() + doc.tables[0].rows[0].cells[2].text.lower()


def test_same_quarter_last_year_follows_the_class_through_its_students(client, login, school):
    _seed(school)
    last = make_year(school)
    q2_last = Term(school=school.school, year=last, kind="quarter", number=2, name="Q2 last",
                   starts_on=date(2025, 11, 10), ends_on=date(2025, 12, 27))
    six_a = ClassGroup(school=school.school, year=last, grade=6, letter="А")
    db.session.add_all([q2_last, six_a])
    db.session.flush()
    for student in school.students[school.classes[0].id]:
        db.session.add(Enrollment(school=school.school, student_id=student.id, class_id=six_a.id, year_id=last.id))
    db.session.commit()
    last_maths = Assessment(school_id=school.school.id, class_id=six_a.id, subject_id=school.subjects[0].id,
                            term_id=q2_last.id, kind="term", date=q2_last.ends_on)
    db.session.add(last_maths)
    db.session.flush()
    for student, value in zip(school.students[school.classes[0].id], [5, 5, 5, 5, 3, 3]):  # quality 66.7
        db.session.add(Mark(school_id=school.school.id, assessment_id=last_maths.id, student_id=student.id,
                            value=value))
    db.session.commit()
    login(school.user("admin"))
    page = client.get(_url(school, school.classes[0])).get_data(as_text=True)
    # Maths quality now 60.0: −40.0 since Q1, −6.7 since Q2 of 2025-2026 (the same students in 6-А).
    assert re.search(r"60\.0<br><small class=\"muted\">−40\.0 / −6\.7</small>", page)


def test_issuing_freezes_the_report_and_a_new_issue_is_a_new_version(client, login, school):
    _seed(school)
    login(school.user("deputy"))
    page = client.get(_url(school)).get_data(as_text=True)
    response = client.post(f"/achievement/quarter/issue?term={school.terms[1].id}",
                           data={"csrf_token": csrf_of(page), "number": "5-п", "issued_on": "2026-12-28"})
    assert response.status_code == 303
    doc = db.session.scalar(select(IssuedDocument))
    assert (doc.kind, doc.subject, doc.version) == ("quarter", f"{school.terms[1].id}:school", 1)
    assert {"section": "groups", "label": "total", "students": 12, "excellent": 1, "good": 1, "one_three": 1,
            "threes": 1, "failing": 1, "not_assessed": 7} in doc.figures
    first = _body(client.get(f"/monitoring/issued/{doc.id}").get_data(as_text=True))
    assert "Student 7А 1" in first and "No. 5-п of 28.12.2026" in first
    # A mark changes: the live report changes, the issued one does not.
    make_assessment(school, school.classes[1], school.subjects[0], school.terms[1], [5] * 6)
    live = client.get(_url(school)).get_data(as_text=True)
    assert _row(live, "8-Б") == ["6", "6", "0", "0", "0", "0", "0"]
    assert _body(client.get(f"/monitoring/issued/{doc.id}").get_data(as_text=True)) == first
    # Compare with today: 8-Б's straight 5s were 0 as issued and are 6 today.
    compare = client.get(f"/monitoring/issued/{doc.id}/compare").get_data(as_text=True)
    assert re.search(r'<tr class="changed"><td>8-Б: Straight 5s</td><td class="num">0</td><td class="num">6</td>',
                     compare), compare[compare.find("8-Б: Straight"):][:300]
    assert re.search(r'<tr><td>7-А: Straight 5s</td><td class="num">1</td><td class="num">1</td>', compare)
    client.post(f"/achievement/quarter/issue?term={school.terms[1].id}",
                data={"csrf_token": csrf_of(live), "number": "6-п", "issued_on": "2026-12-29"})
    versions = db.session.scalars(select(IssuedDocument).order_by(IssuedDocument.version)).all()
    assert [v.version for v in versions] == [1, 2]
    assert "Straight 5s (6)</dt>" in versions[1].html and "Straight 5s (6)</dt>" not in versions[0].html


def test_a_teacher_sees_only_their_classes_and_subjects(app, client, login, school):
    _seed(school)
    make_assessment(school, school.classes[1], school.subjects[0], school.terms[1], [2] * 6)  # teacher2's 8-Б
    login(school.user("teacher"))  # maths in 7-А only
    page = client.get(_url(school)).get_data(as_text=True)
    assert "Физика" not in page and "8-Б" not in page and "Student 8Б" not in page
    assert "Counted over the classes and subjects you see" in page
    # By maths alone: 1, 2 straight 5s; 3 a 4 (good); 4 one 3; 5 failing; 6 not assessed.
    assert _row(page, "7-А") == ["6", "2", "1", "1", "0", "1", "1"]
    assert client.get(_url(school, school.classes[1])).status_code == 404
    assert client.post(f"/achievement/quarter/issue?term={school.terms[1].id}").status_code == 403
    director = app.test_client()
    do_login(director, school.user("admin"))
    page = director.get(_url(school)).get_data(as_text=True)
    assert "Физика" in page and "Student 8Б 1" in page


def test_another_schools_class_and_a_term_that_is_not_a_quarter_are_404(client, login, school, other_school):
    login(school.user("admin"))
    assert client.get(_url(school, other_school.classes[0])).status_code == 404
    assert client.get(f"/achievement/quarter/?term={other_school.terms[1].id}").status_code == 404
    assert client.get(f"/achievement/quarter/?term={school.terms[1].id}&class_id=x").status_code == 404
