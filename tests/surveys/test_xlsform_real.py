"""XLSForm import of real public XLSForms (tests/data/xlsform, see its README): refused row by
row where they use what Sapat cannot represent, imported where they do not."""
import io

import openpyxl
import pytest

from surveys.loader import validate_data
from surveys.xlsform import XLSFormError, read_xlsform
from tests.surveys.xlsform_support import DATA, problems, round_trip, xlsx

pytestmark = pytest.mark.filterwarnings("ignore:Workbook contains no default style")


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
