"""The one instrument engine: the registry of item types and what each type does (score range,
parsing of submitted values, stored records, summary options), one parsing for questionnaire
pages and the observation checklist, and an engine without import cycles."""
import ast
import re
import textwrap
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import Answer, Campaign, Instrument, ObservationScore, Response
from app.models.base import one_of
from app.security import Principal
from app.services.core import instruments
from app.services.observations import records
from forms.builder import FIELDS, build_form, form_answers
from surveys import loader
from surveys.answers import CHECKLIST, FORM, parse_submission
from surveys.items import ITEM_TYPES, NA, REGISTRY, AnswerError, ItemBase
from surveys.kinds import KINDS, OBSERVATION
from surveys.loader import INSTRUMENTS_DIR, load_file, load_text
from tests.factories.surveys import make_campaign
from tests.surveys.test_surveys_campaigns import send

ROOT = Path(__file__).resolve().parents[2]
T = "{ky: к, ru: р, en: e}"

EVERY_TYPE = f"""
key: every
version: 1
kind: observation
title: {T}
scales: [{{key: sat, title: {T}}}]
sections:
  - key: s
    title: {T}
    items:
      - {{key: one, type: single, text: {{ky: к, ru: р, en: One}}, options: [{{key: a, text: {T}, score: 1}}, {{key: b, text: {T}, score: 3}}]}}
      - {{key: many, type: multi, text: {T}, max_choices: 2, options: [{{key: a, text: {T}}}, {{key: b, text: {T}}}, {{key: c, text: {T}}}]}}
      - {{key: yn, type: yes_no, text: {{ky: к, ru: р, en: Plan}}}}
      - {{key: lik, type: likert, points: 5, scale: sat, reverse: true, text: {T}, labels: [{T}, {T}, {T}, {T}, {T}]}}
      - {{key: grid, type: matrix, points: 5, labels: [{T}, {T}, {T}, {T}, {T}], text: {T}, rows: [{{key: x, text: {T}, scale: sat}}]}}
      - key: crit
        type: criterion
        allow_na: true
        text: {{ky: к, ru: р, en: Goal}}
        levels:
          - {{score: 0, label: {T}, descriptor: {T}}}
          - {{score: 1, label: {T}, descriptor: {T}}}
          - {{score: 2, label: {T}, descriptor: {T}}}
      - {{key: years, type: number, min: 0, max: 60, required: false, text: {{ky: к, ru: р, en: Years}}}}
      - {{key: share, type: number, integer: false, min: 0, max: 1, text: {T}}}
      - {{key: note, type: text, max_length: 5, text: {{ky: к, ru: р, en: Note}}}}
"""


@pytest.fixture(scope="module")
def spec():
    return load_text(textwrap.dedent(EVERY_TYPE), "every.yaml")


def test_the_registry_maps_every_type_to_a_class_with_its_behaviour():
    assert set(ITEM_TYPES) == {"single", "multi", "likert", "matrix", "number", "text", "yes_no", "criterion"}
    for name, cls in REGISTRY.items():
        assert cls.type_name() == name and issubclass(cls, ItemBase)
        assert cls.storage in ("score", "number", "text", "option", "options"), name
        # Every widget has a form field, and every type fits observation_score.item_kind.
        assert cls.WIDGET in FIELDS, name
        assert len(name) <= ObservationScore.__table__.c.item_kind.type.length
    for method in ("parse", "value", "records", "answer_of", "summary_options", "parts", "score_range", "check"):
        assert all(callable(getattr(cls, method)) for cls in REGISTRY.values())


def test_score_ranges_and_values_come_from_the_items(spec):
    ranges = {item.key: item.score_range() for item in spec.items()}
    assert ranges == {"one": (1.0, 3.0), "many": None, "yn": (0.0, 1.0), "lik": (1.0, 5.0), "grid": (1.0, 5.0),
                      "crit": (0.0, 2.0), "years": None, "share": None, "note": None}
    assert [k for k, *_ in spec.scored()] == ["one", "yn", "lik", "grid.x", "crit"]
    assert spec.item("one").value("b") == 3.0 and spec.item("yn").value("no") == 0.0
    assert spec.item("crit").value(NA) is None and spec.item("crit").value("2") == 2.0


@pytest.mark.parametrize("key, raw, expected", [
    ("one", "b", "b"), ("one", " ", None), ("many", ["a", "c", "a"], ["a", "c"]), ("many", [], None),
    ("yn", "yes", "yes"), ("yn", "0", "no"), ("yn", True, "yes"), ("yn", "", None),
    ("lik", "5", "5"), ("lik", 3, "3"), ("grid", "1", "1"),
    ("crit", "2", "2"), ("crit", "na", NA), ("crit", "", None), ("crit", None, None),
    # An optional number left empty by a browser (`years=`) is unanswered, never an error.
    ("years", "", None), ("years", "  ", None), ("years", "12", 12), ("years", 12.0, 12),
    ("share", "0,25", 0.25), ("note", " hi ", "hi"), ("note", "", None),
])
def test_each_item_parses_its_submitted_values(spec, key, raw, expected):
    item = spec.item(key)
    assert item.parse(raw, key if key != "grid" else "grid.x") == expected


@pytest.mark.parametrize("key, raw, message", [
    ("one", "z", "“One”: choose one of the offered answers."),
    ("many", ["a", "b", "c"], "Choose at most 2 options."),
    ("yn", "maybe", "Answer “Plan” with yes or no."),
    ("lik", "6", "choose one of the offered answers"),
    ("crit", "3", "The score 3 for “Goal” is outside the rubric range 0–2."),
    ("years", "abc", "“Years” must be a number."),
    ("years", "2.5", "“Years” must be a whole number."),
    ("years", "61", "“Years” must be between 0 and 60."),
    ("years", "inf", "“Years” must be a number."),
    ("note", "toolong", "“Note” is longer than 5 characters."),
])
def test_refused_values_name_the_item(app, spec, key, raw, message):
    with app.app_context(), app.test_request_context("/?lang=en"):
        with pytest.raises(AnswerError) as error:
            spec.item(key).parse(raw, key)
        assert message in error.value.text("en")


def test_records_and_summary_options(spec):
    answers = {"one": "b", "many": ["a", "c"], "yn": "yes", "lik": "2", "grid.x": "4", "crit": NA,
               "crit.comment": "ok", "years": 7, "note": "hi"}
    records = {(r.key, r.value, r.option, r.text, r.na) for item in spec.items() for r in item.records(answers)}
    assert records == {("one", 3.0, "b", None, False), ("many", None, "a", None, False),
                       ("many", None, "c", None, False), ("yn", 1.0, "yes", None, False),
                       ("lik", 2.0, None, None, False), ("grid.x", 4.0, None, None, False),
                       ("crit", None, NA, None, True), ("crit.comment", None, None, "ok", False),
                       ("years", 7.0, None, None, False), ("note", None, None, "hi", False)}
    # Ranks order answers from the worst (0) to the best (1), turned round for a reverse item.
    assert [rank for _k, _l, rank in spec.item("lik").summary_options(reverse=True)] == [1.0, 0.75, 0.5, 0.25, 0.0]
    assert [rank for _k, _l, rank in spec.item("one").summary_options()] == [0.0, 1.0]
    assert [rank for _k, _l, rank in spec.item("many").summary_options()] == [None, None, None]


def test_one_parsing_for_pages_and_the_checklist(app, spec):
    """The same values through the form builder (a questionnaire page), and through
    parse_submission with the checklist's names (the observation POST and JSON sync)."""
    page = {"one": "b", "many": ["a"], "yn": "no", "lik": "4", "grid__x": "2", "crit": "1", "crit__comment": "",
            "years": "", "share": "0.5", "note": "hi"}
    with app.app_context(), app.test_request_context("/?lang=en"):
        form_class = build_form(spec, lang="en")
        form = form_class(formdata=MultiDict([(k, v) for k, vs in page.items()
                                              for v in (vs if isinstance(vs, list) else [vs])]), meta={"csrf": False})
        assert form.validate(), form.errors
        assert form_answers(form) == {"one": "b", "many": ["a"], "yn": "no", "lik": "4", "grid.x": "2", "crit": "1",
                                      "crit.comment": None, "years": None, "share": 0.5, "note": "hi"}
        by_form = parse_submission(spec, MultiDict(page), FORM)
        assert not by_form.errors and by_form.answers["years"] is None
        checklist = {"value-one": "b", "value-yn": "no", "score-crit": "na", "note-crit": "why", "value-years": ""}
        result = parse_submission(spec, checklist, CHECKLIST, partial=True)
        assert result.answers == {"one": "b", "yn": "no", "crit": NA, "years": None}
        assert result.comments == {"crit": "why"}
        bad = parse_submission(spec, {"score-crit": "7", "value-years": "x"}, CHECKLIST, partial=True)
        assert bad.messages("en") == ["The score 7 for “Goal” is outside the rubric range 0–2.",
                                      "“Years” must be a number."]
    with app.app_context(), app.test_request_context("/?lang=ru"):
        assert parse_submission(spec, {"value-years": "x"}, CHECKLIST, partial=True).messages("ru") == [
            "«р» должно быть числом."]


def test_an_optional_number_left_empty_on_a_shipped_questionnaire_is_unanswered(app):
    """teacher_survey's `years` is optional: a page sent with `years=` is valid (it used to be
    refused with "Not a valid integer value")."""
    spec = load_file(INSTRUMENTS_DIR / "teacher_survey.yaml")
    data = MultiDict()
    for item in spec.items():
        for part in item.parts("ru"):
            name = FORM.answer(item, part.key)
            if part.choices:
                data.add(name, part.choices[0][0])
            elif item.type == "number":
                data.add(name, "")
    with app.test_request_context():
        form = build_form(spec, lang="ru")(formdata=data, meta={"csrf": False})
        assert form.validate(), form.errors
        assert form_answers(form)["years"] is None


def test_kinds_and_the_database_constraints_share_the_registry():
    assert OBSERVATION.item_types() == ITEM_TYPES
    assert "criterion" not in KINDS["survey"].item_types()
    constraint = next(c for c in ObservationScore.__table__.constraints if c.name.endswith("item_kind"))
    assert str(constraint.sqltext) == one_of("item_kind", ITEM_TYPES)
    kind = next(c for c in Instrument.__table__.constraints if getattr(c, "name", "") == "ck_instrument_kind")
    assert str(kind.sqltext) == "kind IN ('survey', 'observation', 'diagnostic')"


def test_every_shipped_instrument_still_loads_with_the_same_content():
    report = loader.load_all()
    assert report.errors == []
    # The stored definitions of the shipped protocols (their content hashes) did not change.
    lesson = dict((s.key, s) for _p, s in report.instruments)["lesson_observation"]
    assert len(lesson.criteria) == 23 and lesson.criteria[0].widget == "levels"


def _imports(path: Path, package: str) -> tuple[set[str], list[str]]:
    """Modules of `package` imported by a file, and the names imported inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found, nested = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(package):
            found.add(node.module)
            for alias in node.names:
                if f"{node.module}.{alias.name}" in MODULES:
                    found.add(f"{node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith(package))
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            nested += [n.module for n in ast.walk(fn) if isinstance(n, ast.ImportFrom)
                       and n.module and n.module.startswith(package)]
    return found, nested


MODULES = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
           for p in (ROOT / "surveys").rglob("*.py")}


def test_the_instrument_language_has_no_import_cycle_and_small_modules():
    graph = {}
    for path in (ROOT / "surveys").rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        imports, nested = _imports(path, "surveys")
        assert not nested, f"{name} imports {nested} inside a function"
        graph[name] = {m for m in imports if m in MODULES and m != name}
        assert len(path.read_text(encoding="utf-8").splitlines()) < 400, name

    def visit(node, trail):
        assert node not in trail, f"import cycle: {' -> '.join([*trail, node])}"
        for nxt in graph.get(node, ()):
            visit(nxt, [*trail, node])

    for module in graph:
        visit(module, [])
    assert "surveys.schema" not in graph["surveys.scoring"]


def test_the_public_page_stores_a_teacher_survey_sent_with_an_empty_optional_number(client, school):
    """The whole path: /s/<slug> with `years=` (what a browser sends for an empty number field)
    is a complete response, and `years` has no answer row."""
    campaign = make_campaign(school)
    campaign.instrument_id = instruments.ensure_published("teacher_survey").id
    db.session.commit()
    spec = db.session.get(Campaign, campaign.id).instrument.spec
    data = {}
    for item in spec.items():
        for part in item.parts("ru"):
            if part.choices:
                data[FORM.answer(item, part.key)] = part.choices[-1][0]
    data["years"] = ""
    _fields, response = send(client, campaign.targets[0].slug, data)
    assert response.status_code == 303, re.findall(r'class="error">([^<]+)', response.get_data(as_text=True))
    assert db.session.scalar(select(func.count(Response.id))) == 1
    assert db.session.scalar(select(func.count(Answer.id)).where(Answer.item_key == "years")) == 0


def test_a_protocol_with_every_item_type_works_on_the_checklist(school, login, client):
    """Any item type of the language can be used in an observation protocol: drawn on the
    checklist, parsed, stored in observation_score and shown again, checked and on the
    final page."""
    row = instruments.publish(load_text(textwrap.dedent(EVERY_TYPE), "every.yaml")).row
    db.session.commit()
    obs = records.start_observation(Principal.of(school.user("deputy")), instrument_id=row.id,
                                    teacher_id=school.user("teacher").id, observed_on=date(2026, 10, 5),
                                    purpose="control", year_id=school.year.id)
    db.session.commit()
    login(school.user("deputy"))
    data = MultiDict([("value-one", "b"), ("value-many", "a"), ("value-many", "c"), ("value-yn", "no"),
                      ("value-lik", "2"), ("value-grid.x", "4"), ("score-crit", "na"), ("note-crit", "why"),
                      ("value-years", ""), ("value-share", "0,5"), ("value-note", "hi")])
    assert client.post(f"/observations/{obs.id}/save", data=data).status_code == 303
    stored = {r.item_key: (r.item_kind, r.score, r.number, r.text, r.not_applicable)
              for r in db.session.scalars(select(ObservationScore))}
    assert stored == {"one": ("single", 3, None, "b", False), "many": ("multi", None, None, "a,c", False),
                      "yn": ("yes_no", 0, None, None, False), "lik": ("likert", 2, None, None, False),
                      "grid.x": ("matrix", 4, None, None, False), "crit": ("criterion", None, None, "why", True),
                      "share": ("number", None, 0.5, None, False), "note": ("text", None, None, "hi", False)}
    page = client.get(f"/observations/{obs.id}").get_data(as_text=True)
    for checked in ('id="v-one-b" value="b" checked', 'id="v-yn-no" value="no" checked',
                    'id="v-lik-2" value="2" checked', 'id="v-grid.x-4" value="4" checked',
                    'id="s-crit-na" value="na" checked'):
        assert checked in page, checked
    assert 'value="0.5"' in page and ">why</textarea>" in page
    assert client.post(f"/observations/{obs.id}/save", data={"value-lik": "9"}).status_code == 400
    client.post(f"/observations/{obs.id}/save", data={"action": "finish"})
    page = client.get(f"/observations/{obs.id}").get_data(as_text=True)
    assert "not applicable" in page and "<strong>0.5</strong>" in page
