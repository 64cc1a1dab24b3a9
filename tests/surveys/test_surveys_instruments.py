"""The instrument language: validation errors with file/path/reason, versioning, show_if,
reverse scoring, index, the form builder and the `instruments` commands."""
import textwrap

import pytest
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import Instrument
from app.services.core import instruments as instrument_service
from forms.builder import build_form, form_answers
from surveys import loader, scoring
from surveys.loader import InstrumentError, load_text
from surveys.schema import Condition, conditions_hold

T = "{ky: к, ru: р, en: e}"
LABELS3 = f"[{T}, {T}, {T}]"

BASE = f"""
key: demo
version: 1
kind: survey
title: {T}
scales:
  - {{key: climate, title: {T}}}
sections:
  - key: first
    title: {T}
    items:
      - {{key: q1, type: likert, points: 3, text: {T}, labels: {LABELS3}, scale: climate}}
      - {{key: q2, type: likert, points: 3, text: {T}, labels: {LABELS3}, scale: climate, reverse: true}}
      - {{key: q3, type: yes_no, text: {T}}}
      - {{key: q4, type: number, text: {T}, min: 0, max: 10, show_if: {{item: q3, equals: "yes"}}}}
      - {{key: q5, type: text, text: {T}, max_length: 20}}
"""


def problems_of(text, name="demo.yaml"):
    with pytest.raises(InstrumentError) as info:
        load_text(textwrap.dedent(text), name)
    return info.value.lines()


def test_the_shipped_instruments_are_valid():
    report = loader.load_all()
    assert report.errors == []
    keys = {spec.key for _path, spec in report.instruments}
    assert "parent_satisfaction" in keys
    spec = dict((s.key, s) for _p, s in report.instruments)["parent_satisfaction"]
    likert = [k for k, *_ in spec.scored() if k[0] in "rltscm"]
    assert 20 <= len(likert) <= 30
    assert {s.key for s in spec.scales} == {"results", "lessons", "teachers", "safety", "catering", "communication"}
    assert any(item.reverse for item in spec.items() if hasattr(item, "reverse"))
    assert spec.sources


def test_a_valid_definition_loads():
    spec = load_text(BASE, "demo.yaml")
    assert spec.answer_keys() == ["q1", "q2", "q3", "q4", "q5"]


@pytest.mark.parametrize("change, expected", [
    (("scale: climate}\n      - {key: q2", "scale: climat}\n      - {key: q2"),
     "demo.yaml: sections[0].items[0].scale: unknown scale 'climat'"),
    (("type: yes_no", "type: yesno"), "demo.yaml: sections[0].items[2]: unknown item type 'yesno'"),
    (("kind: survey", "kind: poll"), "demo.yaml: kind: 'poll' is not allowed"),
    (("key: q5", "key: q1"), "demo.yaml: sections[0].items[4].key: duplicate item key 'q1'"),
    (("{item: q3,", "{item: q5,"), "demo.yaml: sections[0].items[3].show_if.item: show_if refers to 'q5', which is not an earlier item"),
    (("points: 3, text: {ky: к, ru: р, en: e}, labels: [{ky: к, ru: р, en: e}, {ky: к, ru: р, en: e}, {ky: к, ru: р, en: e}], scale: climate}",
      "points: 4, text: {ky: к, ru: р, en: e}, labels: [{ky: к, ru: р, en: e}, {ky: к, ru: р, en: e}, {ky: к, ru: р, en: e}], scale: climate}"),
     "demo.yaml: sections[0].items[0]: 4 points need 4 labels, got 3"),
    (("min: 0, max: 10", "min: 10, max: 0"), "demo.yaml: sections[0].items[3]: min 10 is greater than max 0"),
    (("max_length: 20", "max_length: 20, colour: red"), "demo.yaml: sections[0].items[4].colour: unknown field"),
    (("version: 1", "version: 0"), "demo.yaml: version: Input should be greater than or equal to 1"),
    (("{key: q5, type: text, text: {ky: к, ru: р, en: e}", "{key: q5, type: text, text: {ky: к, en: e}"),
     "demo.yaml: sections[0].items[4].text.ru: required field is missing"),
    (("key: q1,", "key: Q1,"), "demo.yaml: sections[0].items[0].key: 'Q1' is not a valid key"),
    (("title: {ky: к, ru: р, en: e}\nscales", "titel: x\nscales"), "demo.yaml: title: required field is missing"),
])
def test_every_kind_of_error_names_file_path_and_reason(change, expected):
    old, new = change
    text = textwrap.dedent(BASE)
    assert old in text, old
    lines = problems_of(text.replace(old, new, 1))
    assert any(line.startswith(expected) for line in lines), lines


def test_mixed_score_ranges_in_one_scale_are_refused():
    text = textwrap.dedent(BASE).replace("{key: q3, type: yes_no, text: {ky: к, ru: р, en: e}}",
                                         "{key: q3, type: yes_no, text: {ky: к, ru: р, en: e}, scale: climate}")
    lines = problems_of(text)
    assert any("sections[0].items[2].scale: scale 'climate' mixes score ranges 0..1 and 1..3" in l for l in lines)


def test_yaml_syntax_error_gives_the_line():
    lines = problems_of("key: demo\nsections: [\n", "broken.yaml")
    assert lines[0].startswith("broken.yaml: line ") and "not valid YAML" in lines[0]


def test_file_name_must_match_the_key(tmp_path):
    (tmp_path / "other.yaml").write_text(textwrap.dedent(BASE), encoding="utf-8")
    report = loader.load_all(tmp_path)
    assert report.errors and "other.yaml: key: key 'demo' differs from the file name 'other'" in str(report.errors[0])


def test_criterion_items_need_kind_observation():
    text = f"""
    key: lesson
    version: 1
    kind: survey
    title: {T}
    sections:
      - key: s
        title: {T}
        items:
          - key: goal
            type: criterion
            text: {T}
            levels:
              - {{score: 0, label: {T}, descriptor: {T}}}
              - {{score: 1, label: {T}, descriptor: {T}}}
              - {{score: 2, label: {T}, descriptor: {T}}}
    """
    assert any("kind: criterion items belong to observation protocols" in l for l in problems_of(text, "lesson.yaml"))
    spec = load_text(textwrap.dedent(text).replace("kind: survey", "kind: observation"), "lesson.yaml")
    assert scoring.item_range(spec.item("goal")) == (0.0, 2.0)
    assert spec.item("goal").levels[2].descriptor.ru == "р"


def test_show_if_conditions():
    answers = {"q3": "yes", "multi": ["a", "b"], "n": 4}
    assert Condition(item="q3", equals="yes").holds(answers)
    assert Condition(item="q3", equals=True).holds(answers)
    assert not Condition(item="q3", **{"not": "yes"}).holds(answers)
    assert Condition(item="multi", **{"in": ["b", "z"]}).holds(answers)
    assert Condition(item="n", **{"in": [4, 5]}).holds(answers)
    assert not Condition(item="missing", **{"not": "x"}).holds(answers)  # unanswered is not "not x"
    assert conditions_hold([Condition(item="q3", equals="yes"), Condition(item="n", equals=4)], answers)
    assert not conditions_hold([Condition(item="q3", equals="yes"), Condition(item="n", equals=5)], answers)


def test_reverse_scoring_and_index_by_hand():
    spec = load_text(BASE)
    # q1 = 3 (score 3), q2 = 3 reversed on 1..3 -> 1; mean 2; index (2-1)/(3-1)*100 = 50
    scores = scoring.scale_scores(spec, {"q1": "3", "q2": "3"})
    assert scores["climate"].mean == pytest.approx(2.0)
    assert scores["climate"].index == pytest.approx(50.0)
    # q1 = 2, q2 = 1 (reversed -> 3): mean 2.5, index 75
    scores = scoring.scale_scores(spec, {"q1": 2, "q2": 1})
    assert scores["climate"].mean == pytest.approx(2.5) and scores["climate"].index == pytest.approx(75.0)
    assert scoring.index(4.2, 1, 5) == pytest.approx(80.0)
    assert scoring.top2_share([5, 4, 3, 1], hi=5) == pytest.approx(50.0)
    assert scoring.reverse_score(2, 1, 5) == 4


def test_form_builder_validates_required_numbers_and_show_if(app):
    spec = load_text(BASE)
    with app.test_request_context():
        form_class = build_form(spec, section=0, lang="ru")
        form = form_class(formdata=MultiDict({"q1": "2"}), meta={"csrf": False})
        assert not form.validate()
        assert "q2" in form.errors and "q3" in form.errors
        assert "q4" not in form.errors  # hidden: q3 is not "yes"
        form = form_class(formdata=MultiDict({"q1": "2", "q2": "1", "q3": "yes", "q4": "11"}), meta={"csrf": False})
        assert not form.validate()
        assert form.errors["q4"] == ["Число должно быть от 0 до 10."] or "10" in form.errors["q4"][0]
        form = form_class(formdata=MultiDict({"q1": "2", "q2": "1", "q3": "no", "q4": "11", "q5": "hi"}),
                          meta={"csrf": False})
        assert form.validate(), form.errors
        assert form_answers(form) == {"q1": "2", "q2": "1", "q3": "no", "q4": None, "q5": "hi"}
        form = form_class(formdata=MultiDict({"q1": "9", "q2": "1", "q3": "no"}), meta={"csrf": False})
        assert not form.validate() and "q1" in form.errors  # not one of the points


def test_publish_versions_are_immutable(app, tmp_path):
    spec = load_text(BASE)
    first = instrument_service.publish(spec)
    assert first.created and first.row.version == 1
    again = instrument_service.publish(load_text(BASE))
    assert not again.created and again.row.id == first.row.id
    changed = load_text(BASE.replace("max_length: 20", "max_length: 30"))
    second = instrument_service.publish(changed)
    db.session.commit()
    assert second.created and second.row.version == 2
    assert db.session.get(Instrument, first.row.id).spec.item("q5").max_length == 20
    assert instrument_service.latest("demo").spec.item("q5").max_length == 30
    assert [r.version for r in instrument_service.versions(latest_only=False) if r.key == "demo"] == [1, 2]


def test_instruments_commands(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["instruments", "check"])
    assert result.exit_code == 0, result.output
    assert "parent_satisfaction.yaml" in result.output
    (tmp_path / "demo.yaml").write_text(textwrap.dedent(BASE), encoding="utf-8")
    result = runner.invoke(args=["instruments", "load", "--dir", str(tmp_path)])
    assert result.exit_code == 0 and "demo: version 1 stored." in result.output
    result = runner.invoke(args=["instruments", "load", "--dir", str(tmp_path)])
    assert "demo: unchanged (version 1)." in result.output
    (tmp_path / "demo.yaml").write_text(textwrap.dedent(BASE).replace("max_length: 20", "max_length: 25"), "utf-8")
    result = runner.invoke(args=["instruments", "load", "--dir", str(tmp_path)])
    assert "demo: stored as version 2" in result.output
    bad = textwrap.dedent(BASE).replace("scale: climate}\n      - {key: q2", "scale: climat}\n      - {key: q2")
    (tmp_path / "demo.yaml").write_text(bad, "utf-8")
    result = runner.invoke(args=["instruments", "check", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "demo.yaml: sections[0].items[0].scale: unknown scale 'climat'" in result.output
    result = runner.invoke(args=["instruments", "load", "--dir", str(tmp_path)])
    assert result.exit_code == 1 and db.session.query(Instrument).filter_by(key="demo").count() == 2


def test_form_builder_criterion_matrix_and_multi(app):
    text = f"""
    key: protocol
    version: 1
    kind: observation
    title: {T}
    scales: [{{key: teaching, title: {T}}}]
    sections:
      - key: s
        title: {T}
        items:
          - key: goal
            type: criterion
            scale: teaching
            allow_na: true
            text: {{ky: "Максат", ru: "Цель урока", en: "Goal"}}
            levels:
              - {{score: 0, label: {{ky: "Жок", ru: "Нет", en: "No"}}, descriptor: {T}}}
              - {{score: 1, label: {T}, descriptor: {T}}}
              - {{score: 2, label: {T}, descriptor: {T}}}
          - key: grid
            type: matrix
            points: 3
            labels: [{T}, {T}, {T}]
            text: {T}
            rows: [{{key: x, text: {T}, reverse: true}}, {{key: y, left: {T}, right: {T}}}]
          - {{key: pick, type: multi, text: {T}, max_choices: 1, options: [{{key: a, text: {T}}}, {{key: b, text: {T}}}]}}
    """
    spec = load_text(textwrap.dedent(text), "protocol.yaml")
    with app.test_request_context():
        form_class = build_form(spec, lang="ru")
        assert [e.kind for e in form_class.layout] == ["criterion", "matrix", "multi"]
        form = form_class(formdata=MultiDict([("goal", "na"), ("goal__comment", "ok"), ("grid__x", "1"),
                                              ("grid__y", "3"), ("pick", "a"), ("pick", "b")]), meta={"csrf": False})
        assert not form.validate() and list(form.errors) == ["pick"]
        form = form_class(formdata=MultiDict([("goal", "2"), ("grid__x", "1"), ("grid__y", "3"), ("pick", "b")]),
                          meta={"csrf": False})
        assert form.validate(), form.errors
        answers = form_answers(form)
        assert answers == {"goal": "2", "goal.comment": None, "grid.x": "1", "grid.y": "3", "pick": ["b"]}
    # A scale may not mix score ranges: the criterion is 0..2, the matrix 1..3.
    mixed = textwrap.dedent(text).replace("reverse: true}", "reverse: true, scale: teaching}")
    with pytest.raises(InstrumentError, match="scale 'teaching' mixes score ranges 1..3 and 0..2"):
        load_text(mixed, "protocol.yaml")
