"""Words on the teacher's pages in Kyrgyz and Russian: the maximum of a task or an external
test is "макс.", and the marks import names the header row in the reader's language, as its
template does (the page said "class, student_code, ..." above a template headed "класс,
окуучунун коду, ...")."""
import pytest

from tests.factories.achievement import make_assessment, make_tasks


@pytest.mark.parametrize("lang, headers, other", [
    ("ky", "класс, окуучунун коду, предмет, чейрек, иштин түрү, күнү, баа", "student_code"),
    ("ru", "класс, код ученика, предмет, четверть, вид работы, дата, оценка", "student_code"),
    ("en", "class, student_code, subject, term, kind, date, mark", "окуучунун коду"),
])
def test_marks_import_names_the_header_row_in_the_page_language(client, login, school, lang, headers, other):
    login(school.user("teacher"))
    client.post("/language", data={"lang": lang, "next": "/"})
    page = client.get("/achievement/import").get_data(as_text=True)
    assert headers in page and other not in page


@pytest.mark.parametrize("lang, word", [("ky", "макс. "), ("ru", "макс. "), ("en", "max ")])
def test_maximum_points_are_named_in_the_page_language(client, login, school, lang, word):
    work = make_assessment(school, marks=(5, 4, 3), kind="control", topic="Бөлчөктөр")
    make_tasks(work, maxima=(2, 3))
    ort = make_assessment(school, marks=(180.0, 150.0), kind="ort", max_score=245.0)
    login(school.user("teacher"))
    client.post("/language", data={"lang": lang, "next": "/"})
    tasks = client.get(f"/achievement/tasks/{work.id}").get_data(as_text=True)
    assert f"{word}2" in tasks and f"{word}3" in tasks
    grid = client.get(f"/achievement/grid/{ort.class_id}/{ort.subject_id}?term={ort.term_id}").get_data(as_text=True)
    assert f"{word}245" in grid
    if lang != "en":
        assert "max " not in tasks + grid


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_the_grid_names_the_keyboard_keys_as_literals(client, login, school, lang):
    """The grid's help said "Enter ылдый, Tab оңго" in Kyrgyz prose: the keys' names stand in
    <code> (as typed in every language), the rest of the sentence in the page's language."""
    from tests.page_text import visible_texts

    work = make_assessment(school, marks=(5, 4, 3), kind="control")
    login(school.user("teacher"))
    client.post("/language", data={"lang": lang, "next": "/"})
    grid = client.get(f"/achievement/grid/{work.class_id}/{work.subject_id}?term={work.term_id}").get_data(as_text=True)
    assert "<code>Enter</code>" in grid and "<code>Tab</code>" in grid
    prose = " ".join(visible_texts(grid))  # the names of the factory's students are English
    assert "Enter" not in prose and "Tab" not in prose
