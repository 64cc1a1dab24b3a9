"""XLSForm export (surveys/xlsform/): every shipped instrument and every field of the language
round-trips through write_xlsform -> read_xlsform, and the export is a standard XLSForm."""
import io
import json

import openpyxl
import pytest

from surveys import loader
from surveys.loader import validate_data
from surveys.xlsform import read_xlsform, write_xlsform
from tests.surveys.xlsform_support import EN, KY, RU, T, round_trip

pytestmark = pytest.mark.filterwarnings("ignore:Workbook contains no default style")

SHIPPED = loader.instrument_files()


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
    "sources": ["=HYPERLINK(\"x\")", "line one\nline two",
                {"cite": "@cite as published", "note": {"ky": "+эскертүү", "ru": "-примечание", "en": "=note"}}],
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


CRITERION = {"key": "c", "type": "criterion", "text": T("c"),
             "levels": [{"score": 0, "label": T("no")}, {"score": 1, "label": T("yes")}]}
EDGE_DIAGNOSTICS = [
    {"key": "edge_confidential", "version": 2, "kind": "diagnostic", "title": T("d"), "confidential": True,
     "respondent": "staff", "sections": [{"key": "s", "title": T("s"), "items": [CRITERION]}]},
    {"key": "edge_self_report", "version": 1, "kind": "diagnostic", "title": T("d"), "confidential": False,
     "respondent": "student", "audience": ["students"], "grades": [10],
     "sections": [{"key": "s", "title": T("s"), "items": [CRITERION]}]},
]
EDGES = [EDGE_SURVEY, EDGE_OBSERVATION, *EDGE_DIAGNOSTICS]


def test_the_edge_cases_set_every_field_of_an_instrument_and_a_section():
    """A field added to the language without an edge case here would not be checked by the round trip."""
    from surveys.instrument import Instrument, Section
    instruments = [validate_data(data, "edge") for data in EDGES]
    for model, objects in ((Instrument, instruments), (Section, [s for i in instruments for s in i.sections])):
        for name, field in model.model_fields.items():
            defaults = (field.get_default(call_default_factory=True),)
            assert any(getattr(o, name) not in defaults for o in objects), f"no edge case sets {model.__name__}.{name}"


@pytest.mark.parametrize("data", EDGES, ids=["survey", "observation", "confidential", "self_report"])
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
