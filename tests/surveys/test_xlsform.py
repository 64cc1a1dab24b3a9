"""XLSForm import and export (surveys/xlsform.py): round trips of every shipped instrument, real
public XLSForms (tests/data/xlsform, see its README), and forms built here row by row."""
import io
import json
from pathlib import Path

import openpyxl
import pytest

from surveys import loader
from surveys.loader import InstrumentError, validate_data
from surveys.xlsform import XLSFormError, read_xlsform, write_xlsform

pytestmark = pytest.mark.filterwarnings("ignore:Workbook contains no default style")

DATA = Path(__file__).resolve().parent.parent / "data" / "xlsform"
SHIPPED = loader.instrument_files()

KY, RU, EN = "label::Kyrgyz (ky)", "label::Russian (ru)", "label::English (en)"


def T(word):
    return {"ky": f"{word} ky", "ru": f"{word} ru", "en": f"{word} en"}


def xlsx(**sheets) -> io.BytesIO:
    """An .xlsx from {sheet name: [header row, row, ...]} (None = empty cell), via openpyxl."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def round_trip(instrument, **options):
    buffer = io.BytesIO()
    write_xlsform(instrument, buffer)
    data = read_xlsform(io.BytesIO(buffer.getvalue()), **options)
    return validate_data(data, "round-trip"), buffer


def problems(error: XLSFormError) -> list[str]:
    return [str(p) for p in error.problems]


# --- export -> import ---------------------------------------------------------------------
@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_instrument_round_trips(path, tmp_path):
    instrument = loader.load_file(path)
    target = tmp_path / f"{path.stem}.xlsx"
    write_xlsform(instrument, target)
    notes = []
    back = validate_data(read_xlsform(target, notes=notes), target.name)
    assert back == instrument
    assert back.content_hash() == instrument.content_hash()
    assert json.dumps(back.definition(), sort_keys=True) == json.dumps(instrument.definition(), sort_keys=True)
    assert notes == []  # nothing of a Sapat export is ignored


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_exported_forms_are_valid_xlsforms_for_odk(path, tmp_path):
    """pyxform (the converter behind ODK Central and KoboToolbox) turns the export into an XForm."""
    from pyxform.xls2xform import convert

    target = tmp_path / f"{path.stem}.xlsx"
    write_xlsform(loader.load_file(path), target)
    warnings = []
    result = convert(xlsform=str(target), validate=False, warnings=warnings)
    assert "<h:html" in result.xform and warnings == []


def test_export_uses_standard_constructs_and_write_string(tmp_path):
    instrument = loader.load_file(loader.INSTRUMENTS_DIR / "psychological_climate.yaml")
    target = tmp_path / "climate.xlsx"
    write_xlsform(instrument, target)
    book = openpyxl.load_workbook(target)
    survey = list(book["survey"].iter_rows(values_only=True))
    header = survey[0]
    assert header[:5] == ("type", "name", KY, RU, EN)
    rows = [dict(zip(header, r)) for r in survey[1:]]
    matrix = next(r for r in rows if r["name"] == "pairs")
    assert (matrix["type"], matrix["appearance"], matrix["sapat::labels"]) == ("begin group", "table-list", "none")
    first = next(r for r in rows if r["name"] == "pairs__friendliness")
    assert first["type"] == "select_one scale8" and first["sapat::reverse"] == "yes"
    assert first["sapat::left::Russian (ru)"] == "Дружелюбие" and first["sapat::text"] == "none"
    settings = dict(zip(*book["settings"].iter_rows(values_only=True)))
    assert settings["form_id"] == "psychological_climate" and settings["version"] == "1"
    assert settings["sapat::grades"] == "5 6 7 8 9 10 11"
    assert book["sapat_scales"]["A2"].value == "emotional"
    for sheet in book.worksheets:  # every cell is a string (write_string), never a number or formula
        for row in sheet.iter_rows():
            assert all(c.value is None or c.data_type == "s" for c in row)


EDGE_SURVEY = {
    "key": "edge_survey", "version": 7, "kind": "survey", "title": T("title"),
    "description": {"ky": "=SUM(A1)\nсап", "ru": "  пробелы  ", "en": "a 'quoted' \"text\""},
    "audience": ["parents", "staff"], "grades": [],
    "sources": ["=HYPERLINK(\"x\")", "line one\nline two"],
    "scales": [{"key": "s1", "title": T("scale"), "description": T("about")},
               {"key": "s2", "title": T("scale2")}, {"key": "s3", "title": T("scale3")},
               {"key": "s4", "title": T("scale4")}, {"key": "s5", "title": T("scale5")}],
    "sections": [
        {"key": "one", "title": T("one"), "intro": T("intro"), "items": [
            {"key": "who", "type": "single", "text": T("who"), "help": T("help"), "required": True,
             "options": [{"key": "a", "text": T("a"), "score": 1}, {"key": "b", "text": T("b"), "score": 2.5}],
             "scale": "s2"},
            {"key": "often", "type": "single", "text": T("often"),
             "options": [{"key": "never", "text": {"ky": "эч качан", "ru": "никогда", "en": "never"}},
                         {"key": "always", "text": {"ky": "дайыма", "ru": "всегда", "en": "always"}}]},
            {"key": "pick", "type": "multi", "text": T("pick"), "min_choices": 0, "max_choices": 2,
             "options": [{"key": "x", "text": T("x")}, {"key": "y", "text": T("y")}, {"key": "z", "text": T("z")}]},
            {"key": "pick2", "type": "multi", "text": T("pick2"), "min_choices": 1, "required": False,
             "options": [{"key": "x", "text": T("x")}, {"key": "y", "text": T("y")}]},
            {"key": "agree", "type": "likert", "points": 3, "text": T("agree"), "labels": [T("1"), T("2"), T("3")],
             "left": T("left"), "right": T("right"), "reverse": True, "scale": "s1", "required": False},
            {"key": "bipolar", "type": "likert", "points": 5, "left": T("cold"), "right": T("warm"), "scale": "s3",
             "labels": [{"ky": str(i), "ru": str(i), "en": str(i)} for i in range(1, 6)],
             "show_if": [{"item": "agree", "equals": 3}]},
            {"key": "poles", "type": "likert", "points": 5, "text": T("poles"), "left": T("no"), "right": T("yes"),
             "show_if": {"item": "who", "in": ["a"]}},
        ]},
        {"key": "two", "title": T("two"), "show_if": {"item": "who", "not": "b"}, "items": [
            {"key": "ok", "type": "yes_no", "text": T("ok"), "scale": "s5", "reverse": True, "required": True,
             "show_if": [{"item": "pick", "not": "x"}, {"item": "pick", "in": ["y", "z"]}]},
            {"key": "flag", "type": "yes_no", "text": T("flag"), "show_if": {"item": "ok", "equals": True}},
            {"key": "grid", "type": "matrix", "points": 4, "text": T("grid"), "help": T("grid help"),
             "labels": [T("p1"), T("p2"), T("p3"), T("p4")], "required": True,
             "show_if": {"item": "pick2", "equals": "y"},
             "rows": [{"key": "r1", "text": T("r1"), "scale": "s4", "reverse": True},
                      {"key": "r2", "left": T("l"), "right": T("r")},
                      {"key": "r3", "text": T("r3"), "left": T("l3"), "right": T("r3")}]},
            {"key": "grid2", "type": "matrix", "points": 2, "text": T("grid2"), "required": False,
             "rows": [{"key": "only", "left": T("a"), "right": T("b")}],
             "show_if": {"item": "grid.r2", "equals": 2.5}},
            {"key": "amount", "type": "number", "text": T("amount"), "min": -1.5, "max": 0.25, "integer": False,
             "show_if": {"item": "grid.r1", "in": [1, "2"]}},
            {"key": "count", "type": "number", "text": T("count"), "max": 10},
            {"key": "free", "type": "number", "text": T("free"), "required": True},
            {"key": "note", "type": "text", "text": T("note"), "max_length": 200, "multiline": False,
             "required": False},
            {"key": "long", "type": "text", "text": T("long"), "required": True},
        ]},
    ],
}

EDGE_OBSERVATION = {
    "key": "edge_observation", "version": 1, "kind": "observation", "title": T("protocol"),
    "scales": [{"key": "main", "title": T("main")}],
    "sections": [{"key": "only", "title": T("only"), "items": [
        {"key": "c1", "type": "criterion", "text": T("c1"), "allow_na": True, "allow_comment": False,
         "scale": "main", "levels": [{"score": 0, "label": T("none"), "descriptor": T("d0")},
                                     {"score": 2, "label": T("full")}]},
        {"key": "c2", "type": "criterion", "text": T("c2"), "reverse": True, "required": False,
         "levels": [{"score": 1, "label": T("l1")}, {"score": 3, "label": T("l3")}, {"score": 5, "label": T("l5")}],
         "show_if": {"item": "c1", "equals": "na"}},
        {"key": "rate", "type": "likert", "points": 3, "text": T("rate"), "labels": [T("a"), T("b"), T("c")]},
        {"key": "c3", "type": "criterion", "text": T("c3"), "show_if": {"item": "c2", "in": [3, 5]},
         "levels": [{"score": 0, "label": T("no")}, {"score": 1, "label": T("yes")}]},
    ]}],
}


@pytest.mark.parametrize("data", [EDGE_SURVEY, EDGE_OBSERVATION], ids=["survey", "observation"])
def test_every_field_of_the_language_round_trips(data):
    instrument = validate_data(data, "edge")
    back, buffer = round_trip(instrument)
    assert json.dumps(back.definition(), sort_keys=True) == json.dumps(instrument.definition(), sort_keys=True)
    assert back == instrument and back.content_hash() == instrument.content_hash()


def test_sapat_columns_appear_only_where_xlsform_cannot_say_it():
    instrument = validate_data(EDGE_SURVEY, "edge")
    buffer = io.BytesIO()
    write_xlsform(instrument, buffer)
    sheet = openpyxl.load_workbook(buffer)["survey"]
    header = [c.value for c in sheet[1]]
    rows = {}
    for r in sheet.iter_rows(min_row=2, values_only=True):
        rows.setdefault(r[1], dict(zip(header, r)))  # a group's begin row, not its end row
    assert rows["often"]["sapat::type"] == "single"          # its labels would read as a scale
    assert rows["who"]["sapat::type"] is None
    assert rows["who"]["sapat::required"] == "yes"           # required: true, Sapat's default too
    assert rows["pick2"]["sapat::required"] == "no"          # false, yet min_choices makes it required
    assert rows["agree"]["required"] is None                 # optional in XLSForm and in Sapat
    assert rows["bipolar"]["relevant"] == "${agree} = 3" and rows["bipolar"]["sapat::show_if"]  # a list of one
    assert rows["poles"]["sapat::show_if"]                   # 'in' with one value
    assert rows["flag"]["relevant"] == "${ok} = 'yes'" and json.loads(rows["flag"]["sapat::show_if"]) == {
        "item": "ok", "equals": True}
    assert rows["ok"]["relevant"] == ("count-selected(${pick}) > 0 and not(selected(${pick}, 'x')) and "
                                      "(selected(${pick}, 'y') or selected(${pick}, 'z'))")
    assert rows["ok"]["sapat::show_if"] is None
    assert rows["two"]["relevant"] == "${who} != '' and ${who} != 'b'"
    assert rows["amount"]["constraint"] == ". >= -1.5 and . <= 0.25" and rows["amount"]["type"] == "decimal"
    assert rows["pick"]["constraint"] == "count-selected(.) >= 0 and count-selected(.) <= 2"
    assert rows["note"]["constraint"] == "string-length(.) <= 200" and rows["note"]["appearance"] is None
    assert rows["long"]["appearance"] == "multiline"


def test_a_condition_value_xpath_cannot_quote_is_an_error():
    data = json.loads(json.dumps(EDGE_SURVEY))
    data["sections"][1]["show_if"] = {"item": "who", "equals": "it's \"b\""}
    with pytest.raises(ValueError, match="XPath"):
        write_xlsform(validate_data(data, "edge"), io.BytesIO())


# --- a form built here: groups, relevance, languages, select lists -----------------------
SURVEY_HEADER = ["type", "name", "label::Кыргызча", "label::Russian (ru)", "label:English", "hint::ky",
                 "hint::Русский", "hint::en", "required", "relevant", "constraint", "appearance",
                 "constraint_message::English (en)"]
CHOICES_HEADER = ["list_name", "name", "label::Кыргызча", "label::Russian (ru)", "label:English"]


def _drop(rows, headers):
    width = len(rows[0])
    gone = {rows[0].index(h) for h in headers}
    return [[v for i, v in enumerate(list(r) + [None] * (width - len(r))) if i not in gone] for r in rows]


def built_form(extra_survey=(), languages=3, settings=True):
    survey = [
        SURVEY_HEADER,
        ["note", "welcome", "Саламатсызбы", "Здравствуйте", "Welcome"],
        ["begin group", "about", "Сиз жөнүндө", "О вас", "About you"],
        ["select_one role", "role", "Сиз кимсиз?", "Кто вы?", "Who are you?", "Тандаңыз", "Выберите", "Choose",
         "yes"],
        ["select_one yn", "canteen", "Ашкана?", "Столовая?", "Canteen?", None, None, None, "yes"],
        ["integer", "age", "Жашы", "Возраст", "Age", None, None, None, None, None, ". >= 6 and . <= 18", None,
         "6 to 18"],
        ["select_multiple subjects", "subjects", "Сабактар", "Предметы", "Subjects", None, None, None, None, None,
         "count-selected(.) <= 2"],
        ["end group"],
        ["begin group", "lessons", "Сабактар", "Уроки", "Lessons", None, None, None, None,
         "${role} = 'student' or ${role} = 'parent'"],
        ["note", "lessons_intro", "Баалаңыз", "Оцените", "Rate"],
        ["select_one five", "interesting", "Кызыктуу", "Интересно", "Interesting", None, None, None, "yes", None,
         None, "likert"],
        ["select_one agree", "clear", "Түшүнүктүү", "Понятно", "Clear", None, None, None, "yes",
         "selected(${subjects}, 'math')"],
        ["select_one agree", "fair", "Адилет", "Справедливо", "Fair", None, None, None, "yes",
         "${clear} = 'agree' and ${age} != 10"],
        ["text", "comment", "Пикир", "Комментарий", "Comment", None, None, None, None, "${canteen} = 'yes'",
         "string-length(.) <= 300", "multiline"],
        ["decimal", "hours", "Саат", "Часы", "Hours", None, None, None, "no", None, "0 <= . and . <= 12.5"],
        ["end group"],
        *extra_survey,
    ]
    choices = [
        CHOICES_HEADER,
        ["role", "student", "Окуучу", "Ученик", "Student"],
        ["role", "parent", "Ата-эне", "Родитель", "Parent"],
        ["role", "teacher", "Мугалим", "Учитель", "Teacher"],
        ["yn", "yes", "Ооба", "Да", "Yes"],
        ["yn", "no", "Жок", "Нет", "No"],
        ["subjects", "math", "Математика", "Математика", "Mathematics"],
        ["subjects", "history", "Тарых", "История", "History"],
        *[["five", str(i), str(i), str(i), str(i)] for i in range(1, 6)],
        ["agree", "disagree", "Макул эмесмин", "Не согласен", "Disagree"],
        ["agree", "neutral", "Айта албайм", "Затрудняюсь ответить", "Neutral"],
        ["agree", "agree", "Макулмун", "Согласен", "Agree"],
    ]
    if languages == 2:  # Kyrgyz and Russian only: drop the English columns
        survey = _drop(survey, ("label:English", "hint::en"))
        choices = _drop(choices, ("label:English",))
    sheets = {"survey": survey, "choices": choices}
    if settings:
        sheets["settings"] = [["form_title", "form_id", "version", "default_language", "style"],
                              ["Сабактар жөнүндө", "lessons_poll", 3, "Russian (ru)", "pages"]]
    return xlsx(**sheets)


def test_a_form_with_groups_relevance_languages_and_lists_imports():
    notes = []
    data = read_xlsform(built_form(), notes=notes)
    instrument = validate_data(data, "built")
    assert (instrument.key, instrument.version, instrument.kind) == ("lessons_poll", 3, "survey")
    assert instrument.title.ru == instrument.title.en == "Сабактар жөнүндө"
    assert instrument.description.ky == "Саламатсызбы" and instrument.description.en == "Welcome"
    about, lessons = instrument.sections
    assert (about.key, about.title.ru, lessons.intro.en) == ("about", "О вас", "Rate")
    role, canteen, age, subjects = about.items
    assert role.type == "single" and [o.key for o in role.options] == ["student", "parent", "teacher"]
    assert role.help.ru == "Выберите" and role.required is None
    assert canteen.type == "yes_no"
    assert (age.type, age.min, age.max, age.integer, age.required) == ("number", 6, 18, True, False)
    assert subjects.type == "multi" and subjects.max_choices == 2 and subjects.min_choices is None
    assert lessons.show_if.item == "role" and lessons.show_if.in_ == ["student", "parent"]
    interesting, clear, fair, comment, hours = lessons.items
    assert interesting.type == "likert" and interesting.points == 5 and interesting.labels[0].ky == "1"
    assert clear.type == "likert" and clear.points == 3 and clear.labels[2].en == "Agree"
    assert clear.show_if.model_dump(by_alias=True, exclude_none=True) == {"item": "subjects", "equals": "math"}
    # a scale of named options: 'agree' is its third point
    assert [c.model_dump(by_alias=True, exclude_none=True) for c in fair.show_if] == [
        {"item": "clear", "equals": 3}, {"item": "age", "not": 10}]
    assert (comment.type, comment.max_length, comment.multiline, comment.required) == ("text", 300, True, None)
    assert comment.show_if.equals == "yes"
    assert (hours.min, hours.max, hours.integer, hours.required) == (0, 12.5, False, False)
    assert any("constraint_message" in n for n in notes) and any("style" in n for n in notes)
    # ... and it comes back unchanged from its own export
    assert round_trip(instrument)[0] == instrument


def test_two_languages_are_refused_unless_a_fallback_is_named():
    with pytest.raises(XLSFormError) as error:
        read_xlsform(built_form(languages=2), filename="two.xlsx")
    assert "two.xlsx: survey row 1, label::English (en): no label::English (en) column: Sapat keeps every " \
           "text in ky, ru and en (add the column, or import with a fallback language)" in str(error.value)
    assert "choices row 1, label::English (en): no label::English (en) column" in str(error.value)
    notes = []
    instrument = validate_data(read_xlsform(built_form(languages=2), fallback="ru", notes=notes), "two")
    assert instrument.sections[0].items[0].text.en == "Кто вы?"
    assert "survey: label::English (en) texts missing: copied from ru" in notes


def test_key_version_and_title_from_arguments():
    data = read_xlsform(built_form(settings=False), key="poll", version=2, title={"ky": "к", "ru": "р", "en": "e"},
                        default_language="ru")
    assert (data["key"], data["version"], data["title"]["ky"]) == ("poll", 2, "к")
    with pytest.raises(XLSFormError) as error:
        read_xlsform(built_form(settings=False))
    assert {str(p) for p in error.value.problems} >= {
        "settings, form_id: no form_id: give the instrument key",
        "settings, form_title: no form_title: give the instrument title"}


UNSUPPORTED = [
    ["begin repeat", "kids", "Балдар", "Дети", "Children"],                                        # row 17
    ["text", "kid", "Аты", "Имя", "Name"],                                                         # row 18
    ["end repeat"],                                                                                # row 19
    ["begin group", "more", "Дагы", "Ещё", "More"],                                                # row 20
    ["calculate", "total", None, None, None],                                                      # row 21
    ["date", "born", "Туулган", "Родился", "Born"],                                                # row 22
    ["text", "why", "Эмне ${role}", "Почему", "Why", None, None, None, None,
     "${age} > 10"],                                                                               # row 23
    ["integer", "n", "Саны", "Число", "Number", None, None, None, None, None, "regex(., '[0-9]+')"],  # row 24
    ["select_one role or_other", "role2", "Ким", "Кто", "Who"],                                    # row 25
    ["note", "mid", "Эскертүү", "Заметка", "Note"],                                                # row 26
    ["begin group", "inner", "Ичинде", "Внутри", "Inner"],                                         # row 27
    ["text", "deep", "Терең", "Глубоко", "Deep"],                                                  # row 28
    ["end group"],                                                                                 # row 29
    ["select_one role", "Role3", "Ким", "Кто", "Who", None, None, None, "${age} > 5"],             # row 30
    ["end group"],                                                                                 # row 31
]


def test_unsupported_constructs_are_refused_with_their_rows():
    with pytest.raises(XLSFormError) as error:
        read_xlsform(built_form(UNSUPPORTED), filename="bad.xlsx")
    lines = problems(error.value)
    expected = [
        "survey row 17, type: repeats (begin repeat) are not supported: Sapat asks every question once",
        "survey row 21, type: calculations are not supported",
        "survey row 22, type: 'date' has no Sapat item type (single, multi, likert, matrix, number, text, "
        "yes_no, criterion)",
        "survey row 23, label::Кыргызча: the text inserts an answer (${...}); Sapat texts are fixed",
        "survey row 23, relevant: only ${x} = 'v', ${x} != 'v', selected(${x}, 'v'), not(...) of these, and "
        "'and' / 'or' of them are supported in '${age} > 10'",
        "survey row 24, constraint: only a range (. >= a and . <= b) is supported in \"regex(., '[0-9]+')\"",
        "survey row 25, type: 'or_other' (a free-text other option) is not supported",
        "survey row 26, type: a note can only open the form (its description) or a group (its intro): Sapat "
        "has no display-only items",
        "survey row 27, type: a group inside a group: Sapat sections are not nested (make it a group of its own)",
        "survey row 30, name: 'Role3' is not a Sapat key (lowercase latin letters, digits and _, starting with "
        "a letter, at most 60)",
        "survey row 30, required: '${age} > 5' is not yes or no (conditional required is not supported)",
    ]
    for line in expected:
        assert line in lines, line
    assert "bad.xlsx: survey row 17, type: repeats" in str(error.value)  # one line per problem, with the file
    assert isinstance(error.value, InstrumentError)
    assert all(p.sheet == "survey" and p.row and p.column for p in error.value.problems)


def test_values_the_row_type_does_not_read_are_refused():
    extra = [["begin group", "x", "к", "р", "e", None, None, None, "yes"],                 # row 17: required
             ["note", "x_intro", "к", "р", "e", "подсказка к", None, None],                  # row 18: hint
             ["text", "t", "к", "р", "e", None, None, None, None, None, None, "likert"],     # row 19
             ["end group"]]
    with pytest.raises(XLSFormError) as error:
        read_xlsform(built_form(extra))
    lines = problems(error.value)
    assert "survey row 17, required: does not apply to a 'begin group' row (it would be lost)" in lines
    assert "survey row 18, hint::ky: does not apply to a 'note' row (it would be lost)" in lines


def test_a_value_under_no_header_is_refused_and_empty_rows_end_a_sheet():
    rows = [["type", "name", "label::en"], ["text", "a", "A", None, "stray"]]
    rows += [[None]] * 150 + [["text", "far", "Far"]]  # after 100 empty rows: not part of the form
    with pytest.raises(XLSFormError) as error:
        read_xlsform(xlsx(survey=rows, settings=[["form_id", "form_title"], ["f", "F"]]), fallback="en")
    assert problems(error.value) == ["survey row 2: a value ('stray') in a column without a header"]


def test_schema_problems_get_the_row_they_come_from():
    extra = [["begin group", "about", "к", "р", "e"], ["text", "role", "к", "р", "e"], ["end group"]]
    with pytest.raises(XLSFormError) as error:
        read_xlsform(built_form(extra))
    lines = problems(error.value)
    assert "survey row 17, name: duplicate section key 'about' (sections[2].key)" in lines
    assert "survey row 18, name: duplicate item key 'role' (sections[2].items[0].key)" in lines


def test_numeric_option_names_must_be_a_recognisable_scale():
    form = xlsx(survey=[["type", "name", "label::en"], ["select_one g", "gender", "Gender"],
                        ["select_one s", "score", "Score"]],
                choices=[["list_name", "name", "label::en"], ["g", 1, "Male"], ["g", 2, "Female"],
                         ["s", 1, "1 - never"], ["s", 2, "2"], ["s", 3, "3 - always"]],
                settings=[["form_id", "form_title"], ["numbers", "Numbers"]])
    with pytest.raises(XLSFormError) as error:
        read_xlsform(form, fallback="en")
    assert problems(error.value) == [
        "survey row 2, type: list 'g': option names 1..k make a scale only with appearance 'likert' or labels "
        "that read as a scale; otherwise name the options with keys (e.g. male, female)"]


def test_not_a_workbook_and_no_survey_sheet():
    with pytest.raises(XLSFormError, match="workbook: not an .xlsx workbook"):
        read_xlsform(io.BytesIO(b"type,name\ntext,a\n"))
    with pytest.raises(XLSFormError, match="no 'survey' sheet"):
        read_xlsform(xlsx(other=[["a"]]))


# --- real public XLSForms (tests/data/xlsform/README.md) -----------------------------------
def test_real_form_onadata_tutorial_refuses_with_rows_then_imports_without_them():
    notes = []
    with pytest.raises(XLSFormError) as error:
        read_xlsform(DATA / "tutorial.xlsx", default_language="en", fallback="en", key="tutorial",
                     title="Tutorial", notes=notes)
    assert problems(error.value) == [
        "survey row 5, type: 'photo' has no Sapat item type (single, multi, likert, matrix, number, text, "
        "yes_no, criterion)",
        "survey row 6, type: 'date' has no Sapat item type (single, multi, likert, matrix, number, text, "
        "yes_no, criterion)",
        "survey row 7, type: 'geopoint' has no Sapat item type (single, multi, likert, matrix, number, text, "
        "yes_no, criterion)",
        "survey row 9, type: a note can only open the form (its description) or a group (its intro): Sapat has "
        "no display-only items",
        "survey row 12, type: a note can only open the form (its description) or a group (its intro): Sapat has "
        "no display-only items",
        "survey row 17, type: the metadata 'imei' is not recorded by Sapat",
        "survey row 18, type: the metadata 'phonenumber' is not recorded by Sapat",
    ]
    assert "survey row 14: start ignored (Sapat records when answers start and are submitted)" in notes
    # The same form without the refused rows imports: what is left maps as documented.
    book = openpyxl.load_workbook(DATA / "tutorial.xlsx")
    for number in (18, 17, 12, 9, 7, 6, 5):
        book["survey"].delete_rows(number)
    buffer = io.BytesIO()
    book.save(buffer)
    data = read_xlsform(io.BytesIO(buffer.getvalue()), default_language="en", fallback="en", key="tutorial",
                        title="Tutorial")
    instrument = validate_data(data, "tutorial")
    items = {i.key: i for i in instrument.items()}
    assert list(items) == ["name", "age", "gender", "pizza_fan", "pizza_type", "favorite_toppings"]
    assert items["name"].type == "text" and items["name"].required is True
    # `${age} > 0 and ${age} < 120` on an integer: 1..119
    assert (items["age"].min, items["age"].max) == (1, 119)
    assert items["gender"].type == "single" and items["pizza_fan"].type == "yes_no"
    assert items["pizza_type"].show_if.model_dump(by_alias=True, exclude_none=True) == {
        "item": "pizza_fan", "equals": "yes"}
    assert items["favorite_toppings"].type == "multi" and len(items["favorite_toppings"].options) == 6


def test_real_form_ucl_biomass_refusals_name_sheet_row_and_column():
    with pytest.raises(XLSFormError) as error:
        read_xlsform(DATA / "UCL_Biomass_Plot_Form.xlsx", fallback="en")
    lines = problems(error.value)
    for line in [
        "settings row 2, default_language: 'Swahili (sw)' is not a language of Sapat (ky, ru, en)",
        "settings row 2, version: '2022-04-11T16:26:28.971000' is not a whole number from 1 (Sapat numbers "
        "versions 1, 2, 3...); pass version=...",
        "survey row 1, label::Swahili (sw): 'Swahili (sw)' is not a language of Sapat (ky, ru, en): its texts "
        "would be lost; remove the column or name its language",
        "survey row 9, relevant: cannot read '‘' at position 18 (typographic quotes are not XPath quotes: use ' "
        "or \") in '${leader_name} = ‘other’'",
        "survey row 16, type: 'select_one_from_file UCL_regions.csv': choices from files, external lists and "
        "ranking are not supported",
        "survey row 17, choice_filter: filtered choice lists (cascading selects) are not supported",
        "survey row 26, type: calculations are not supported",
        "survey row 32, type: repeats (begin repeat) are not supported: Sapat asks every question once",
        "survey row 38, constraint: only a range of the answer against numbers (. >= a and . <= b) is supported "
        "in '. < ${slope_radius}'",
        "survey row 49, required: '${health_id}=‘dead’' is not yes or no (conditional required is not "
        "supported)",
        "survey row 75, name: 'Seedling_1' is not a Sapat key (lowercase latin letters, digits and _, starting "
        "with a letter, at most 60)",
        "survey row 91, type: the metadata 'deviceid' is not recorded by Sapat",
        "choices row 1, label::Swahili (sw): 'Swahili (sw)' is not a language of Sapat (ky, ru, en): its texts "
        "would be lost; remove the column or name its language",
    ]:
        assert line in lines, line
    rows = [p.row for p in error.value.problems if p.sheet == "survey"]
    assert rows == sorted(rows)  # reported in the order of the sheet


def test_real_form_good_eats_refuses_french_or_other_and_a_stray_choice():
    notes = []
    with pytest.raises(XLSFormError) as error:
        read_xlsform(DATA / "good_eats_multilang.xlsx", fallback="en", key="good_eats", title="Good eats",
                     notes=notes)
    lines = problems(error.value)
    for line in [
        "survey row 1, label:French: 'French' is not a language of Sapat (ky, ru, en): its texts would be lost; "
        "remove the column or name its language",
        "survey row 3, type: 'or_other' (a free-text other option) is not supported",
        "survey row 8, type: 'photo' has no Sapat item type (single, multi, likert, matrix, number, text, "
        "yes_no, criterion)",
        "survey row 12, type: the metadata 'imei' is not recorded by Sapat",
        "choices row 4, list_name: a choice without list_name",
    ]:
        assert line in lines, line
    assert "sheet 'license' ignored: not part of an XLSForm that Sapat reads" in notes


def test_real_form_pyxform_yes_or_no_question_imports():
    notes = []
    data = read_xlsform(DATA / "yes_or_no_question.xlsx", fallback="en", key="good_day", title="Good day",
                        notes=notes)
    instrument = validate_data(data, "yes_or_no_question.xlsx")
    (item,) = instrument.items()
    assert (item.key, item.type, item.required, item.text.ru) == ("good_day", "yes_no", False,
                                                                  "have you had a good day today?")
    assert instrument.sections[0].key == "main"
    assert "survey: label::Kyrgyz (ky) texts missing: copied from en" in notes
    assert round_trip(instrument)[0] == instrument


def test_a_kobo_style_table_list_becomes_a_matrix_of_a_frequency_scale():
    form = xlsx(
        survey=[["type", "name", "label::English (en)", "appearance", "relevant", "hint::English (en)"],
                ["begin group", "grid", "Rate", "table-list", None, "About lessons"],
                ["select_one freq", "grid_header", "", "label"],
                ["select_one freq", "interest", "Interesting", "list-nolabel"],
                ["select_one freq", "homework", "Homework", "list-nolabel"],
                ["end group"],
                ["text", "why", "Why?", None, "${interest} = 'often' or ${interest} = 'always'"]],
        choices=[["list_name", "name", "label::English (en)"], ["freq", "never", "Never"],
                 ["freq", "sometimes", "Sometimes"], ["freq", "often", "Often"], ["freq", "always", "Always"]],
        settings=[["form_id", "form_title", "version"], ["grid", "Grid", "2"]])
    notes = []
    instrument = validate_data(read_xlsform(form, fallback="en", notes=notes), "grid")
    grid, why = instrument.items()
    assert (grid.type, grid.points, grid.labels[3].ru, grid.help.en) == ("matrix", 4, "Always", "About lessons")
    assert [r.key for r in grid.rows] == ["interest", "homework"] and grid.required is False
    # the named options are the scale's points 1..4: 'often' is 3, 'always' 4
    assert why.show_if.model_dump(by_alias=True, exclude_none=True) == {"item": "grid.interest", "in": [3, 4]}
    assert "survey row 3: the table-list header row is ignored" in notes
