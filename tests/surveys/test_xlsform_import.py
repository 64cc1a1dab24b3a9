"""XLSForm import (surveys/xlsform/) of a form built here row by row: groups, relevance,
languages and select lists map as documented; what Sapat cannot represent is refused with its
sheet, row and column."""
import io

import pytest

from surveys.loader import InstrumentError, validate_data
from surveys.xlsform import XLSFormError, read_xlsform
from tests.surveys.xlsform_support import problems, round_trip, xlsx

pytestmark = pytest.mark.filterwarnings("ignore:Workbook contains no default style")


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
