"""Observations: protocols, the checklist flow, amendments, visibility, acknowledgement,
aggregates against hand-computed figures, the workbook and the demo."""
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, Observation, ObservationPlan, ObservationScore
from app.security import Principal
from app.services.observations import aggregates
from app.services.observations import records as svc
from app.services.observations.protocols import PROTOCOL_KEYS
from surveys.loader import INSTRUMENTS_DIR, InstrumentError, load_file, load_text
from tests.factories.observations import criterion_answers, make_observation, observation_protocols


@pytest.fixture
def protocols(app):
    return observation_protocols()


def actor(user):
    return Principal(user.school_id, user.id, frozenset(user.roles))


def lesson(protocols):
    return svc.protocol_of(protocols["lesson_observation"])


# --- protocols ------------------------------------------------------------------------

def test_the_three_protocols_are_valid_and_bilingual():
    for key in PROTOCOL_KEYS:
        spec = load_file(INSTRUMENTS_DIR / f"{key}.yaml")
        assert spec.kind == "observation"
        assert spec.sources, key
        criteria = [i for i in spec.items() if i.type == "criterion"]
        assert criteria
        for item in criteria:
            assert item.text.ky and item.text.ru
            for level in item.levels:
                assert level.descriptor.ky and level.descriptor.ru, (key, item.key)
    lesson_spec = load_file(INSTRUMENTS_DIR / "lesson_observation.yaml")
    assert 18 <= len([i for i in lesson_spec.items() if i.type == "criterion"]) <= 25
    assert any("Teach" in cite for cite, _note in lesson_spec.sources_in("en"))
    types = {i.type for i in lesson_spec.items()}
    assert {"criterion", "yes_no", "number", "text"} <= types


def test_a_broken_protocol_is_refused_with_path_and_reason():
    text = (INSTRUMENTS_DIR / "parent_meeting.yaml").read_text(encoding="utf-8")
    broken = text.replace("{score: 2, label:", "{score: 1, label:", 1)
    with pytest.raises(InstrumentError) as error:
        load_text(broken, "parent_meeting.yaml")
    assert "sections[0].items[0].levels" in str(error.value)
    assert "distinct" in str(error.value)


# --- the checklist flow -----------------------------------------------------------------

def test_create_draft_resume_and_finish(school, protocols, login, client):
    login(school.user("deputy"))
    page = client.get("/observations/new")
    assert page.status_code == 200 and "Lesson from the timetable" in page.get_data(as_text=True)
    # The lesson protocol is the first choice and so the one a deputy starts with (it was the
    # extracurricular event's, first by key).
    first = re.search(r'name="instrument_id".*?<option[^>]*value="(\d+)"', page.get_data(as_text=True), re.S)
    assert int(first.group(1)) == protocols["lesson_observation"].id
    # The lesson from the timetable fills in teacher, class and subject.
    from app.models import TeachingAssignment
    assignment = db.session.scalar(select(TeachingAssignment).where(
        TeachingAssignment.teacher_id == school.user("teacher").id))
    response = client.post("/observations/new", data={
        "instrument_id": protocols["lesson_observation"].id, "assignment_id": assignment.id,
        "observed_on": "2026-10-05", "topic": "Дроби", "purpose": "open_district"})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    obs = db.session.scalar(select(Observation))
    assert (obs.teacher_id, obs.class_id, obs.subject_id) == (assignment.teacher_id, assignment.class_id,
                                                              assignment.subject_id)
    assert obs.status == "draft" and obs.purpose == "open_district"
    # One section saved as a draft...
    response = client.post(f"/observations/{obs.id}/save", data={
        "score-goal_stated": "2", "score-prior_knowledge": "1", "note-prior_knowledge": "мало связи",
        "section": "goals"})
    assert response.status_code == 303 and response.headers["Location"].endswith("#section-goals")
    # ...is there when the observer comes back.
    page = client.get(f"/observations/{obs.id}").get_data(as_text=True)
    assert 'id="checklist"' in page
    assert 'id="s-goal_stated-2" value="2" checked' in page
    assert "мало связи" in page
    assert "2 of 23 scored" in page
    # Finishing with criteria left is refused and nothing else changes.
    response = client.post(f"/observations/{obs.id}/save", data={"action": "finish"})
    assert response.status_code == 400
    assert "Score every criterion before finishing; 21 left" in response.get_data(as_text=True)
    db.session.refresh(obs)
    assert obs.status == "draft"
    data = criterion_answers(lesson(protocols))
    data.update({"value-students_present": "24", "value-lesson_plan": "yes", "value-strengths": "Жакшы темп",
                 "value-recommendations": "Рефлексия", "action": "finish"})
    response = client.post(f"/observations/{obs.id}/save", data=data)
    assert response.status_code == 303
    db.session.refresh(obs)
    assert obs.status == "final" and obs.strengths == "Жакшы темп"
    # A final observation is read-only: the page has no checklist and saving is refused.
    page = client.get(f"/observations/{obs.id}").get_data(as_text=True)
    assert 'id="checklist"' not in page and "100.0%" in page
    client.post(f"/observations/{obs.id}/save", data={"score-goal_stated": "0"})
    assert db.session.scalar(select(ObservationScore.score).where(
        ObservationScore.observation_id == obs.id, ObservationScore.item_key == "goal_stated")) == 2
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.entity == "observation")
                                 .order_by(AuditLog.id)).all()
    assert actions == ["create", "update", "update", "finalize"]


def test_scores_outside_the_rubric_are_refused(school, protocols, login, client):
    obs = make_observation(school, protocols, final=False, scores={})
    login(school.user("deputy"))
    response = client.post(f"/observations/{obs.id}/save", data={"score-goal_stated": "2",
                                                                 "score-time_on_task": "5"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "The score 5 for “Students are on task for most of the lesson” is outside the rubric range 0–2." in text
    # Nothing half-written: the valid score of the same post was not saved either.
    assert db.session.scalar(select(func.count(ObservationScore.id))) == 0
    response = client.post(f"/observations/{obs.id}/sync", json={"answers": {"score-goal_stated": "-1"}})
    assert response.status_code == 400 and "outside the rubric range" in response.get_json()["error"]
    response = client.post(f"/observations/{obs.id}/save", data={"value-students_present": "500"})
    assert response.status_code == 400


def test_offline_draft_sync_saves_partial_answers(school, protocols, login, client):
    obs = make_observation(school, protocols, final=False, scores={})
    login(school.user("deputy"))
    response = client.post(f"/observations/{obs.id}/sync", json={"answers": {
        "score-goal_stated": "1", "note-goal_stated": "тема гана", "score-pacing": ""}})
    assert response.status_code == 200
    body = response.get_json()
    assert body["ok"] and body["progress"]["done"] == 1
    # The same answers again change nothing (a retried sync is harmless).
    revision = body["revision"]
    again = client.post(f"/observations/{obs.id}/sync", json={"answers": {"score-goal_stated": "1"}}).get_json()
    assert again["revision"] == revision
    assert client.post(f"/observations/{obs.id}/sync", data="nonsense").status_code == 400


def test_only_observers_create_and_only_the_observer_fills_in(school, protocols, login, client):
    login(school.user("teacher"))
    assert client.get("/observations/new").status_code == 403
    client.post("/logout")
    obs = make_observation(school, protocols, final=False, scores={})
    login(school.user("mo_head"))
    # Another observer cannot see (draft of someone else) nor change it.
    assert client.get(f"/observations/{obs.id}").status_code == 404
    assert client.post(f"/observations/{obs.id}/save", data={"score-goal_stated": "1"}).status_code == 404


def test_amendment_creates_a_new_version_with_audit(school, protocols, login, client):
    obs = make_observation(school, protocols)
    login(school.user("deputy"))
    assert client.post(f"/observations/{obs.id}/amend", data={"reason": ""}).status_code == 303
    assert db.session.scalar(select(func.count(Observation.id))) == 1
    response = client.post(f"/observations/{obs.id}/amend", data={"reason": "Балл 1-критерий боюнча ката"})
    assert response.status_code == 303
    new = db.session.scalar(select(Observation).where(Observation.amends_id == obs.id))
    assert new.version == 2 and new.status == "draft" and not new.is_current
    assert len(new.scores) == len(obs.scores)
    # Until the amendment is final, the original counts.
    assert aggregates.by_teacher(Principal.system(school.school.id), school.year.id)[0]["pct"] == 100.0
    client.post(f"/observations/{new.id}/save", data={"score-goal_stated": "0", "action": "finish"})
    db.session.refresh(new)
    db.session.refresh(obs)
    assert new.status == "final" and new.is_current and not obs.is_current
    # 44 of 46 points now.
    assert aggregates.by_teacher(Principal.system(school.school.id), school.year.id)[0]["pct"] == round(100 * 44 / 46, 1)
    # The old version is unchanged and says it was replaced; the audit trail shows the amendment.
    page = client.get(f"/observations/{obs.id}").get_data(as_text=True)
    assert "This version was replaced by an amendment." in page
    page = client.get(f"/observations/{new.id}").get_data(as_text=True)
    assert "amendment started" in page and "Балл 1-критерий боюнча ката" in page
    amend_log = db.session.scalar(select(AuditLog).where(AuditLog.action == "amend"))
    assert amend_log.entity_id == str(new.id) and amend_log.before["amends"] == obs.id
    assert amend_log.user_id == school.user("deputy").id


# --- who sees what ------------------------------------------------------------------------

def test_teachers_see_only_their_own_final_observations(school, other_school, protocols, login, client):
    mine = make_observation(school, protocols, teacher="teacher")
    draft = make_observation(school, protocols, teacher="teacher", final=False)
    theirs = make_observation(school, protocols, teacher="teacher2", cls=1)
    foreign = make_observation(other_school, protocols, teacher="teacher")
    login(school.user("teacher"))
    listing = client.get("/observations/").get_data(as_text=True)
    assert f"/observations/{mine.id}\"" in listing
    assert f"/observations/{draft.id}\"" not in listing and f"/observations/{theirs.id}\"" not in listing
    assert client.get(f"/observations/{mine.id}").status_code == 200
    assert client.get(f"/observations/{draft.id}").status_code == 404
    assert client.get(f"/observations/{theirs.id}").status_code == 404
    assert client.get(f"/observations/{foreign.id}").status_code == 404
    assert client.get("/observations/summary").status_code == 403
    assert client.get(f"/observations/teacher/{school.user('teacher2').id}").status_code == 404
    assert client.get("/observations/export.xlsx").status_code == 403


def test_mo_heads_see_their_mas_observations(school, protocols, login, client):
    in_ma = make_observation(school, protocols, teacher="teacher")  # maths belongs to the fixture's MA
    from app.models import MethodicalAssociation, Subject
    other_ma = MethodicalAssociation(school=school.school, name="Тилдер")
    lang = Subject(school=school.school, name="Кыргыз тили", ma=other_ma)
    db.session.add_all([other_ma, lang])
    db.session.commit()
    outside = svc.start_observation(actor(school.user("deputy")), instrument_id=protocols["lesson_observation"].id,
                                    teacher_id=school.user("class_teacher").id, observed_on=date(2026, 10, 6),
                                    purpose="control", year_id=school.year.id, subject_id=lang.id)
    svc.save_answers(actor(school.user("deputy")), outside, criterion_answers(lesson(protocols)))
    svc.finalize(actor(school.user("deputy")), outside)
    db.session.commit()
    login(school.user("mo_head"))
    assert client.get(f"/observations/{in_ma.id}").status_code == 200
    assert client.get(f"/observations/{outside.id}").status_code == 404
    summary = client.get("/observations/summary").get_data(as_text=True)
    assert "1 final observation counted" in summary


def test_teacher_acknowledges_with_a_comment(school, protocols, login, client):
    obs = make_observation(school, protocols, teacher="teacher")
    login(school.user("teacher2"))
    assert client.post(f"/observations/{obs.id}/acknowledge", data={"comment": "x"}).status_code == 404
    client.post("/logout")
    login(school.user("teacher"))
    page = client.get(f"/observations/{obs.id}").get_data(as_text=True)
    assert "I have read it (acknowledge)" in page
    response = client.post(f"/observations/{obs.id}/acknowledge", data={"comment": "Рахмат, макулмун"})
    assert response.status_code == 303
    db.session.refresh(obs)
    assert obs.acknowledged_at is not None and obs.teacher_comment == "Рахмат, макулмун"
    page = client.get(f"/observations/{obs.id}").get_data(as_text=True)
    assert "Рахмат, макулмун" in page and "Acknowledged on" in page
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "acknowledge")).user_id == obs.teacher_id
    # The observer cannot acknowledge for the teacher.
    client.post("/logout")
    login(school.user("deputy"))
    assert client.post(f"/observations/{obs.id}/acknowledge", data={}).status_code == 403


# --- aggregates ------------------------------------------------------------------------------

def test_aggregates_match_hand_computed_figures(school, protocols):
    protocol = lesson(protocols)
    n = len(protocol.criteria)  # 23 criteria scored 0..2: maximum 46
    # A: all 2 except goal_stated 0 -> 44/46; B: all 1 -> 23/46; C (teacher2): all 2 -> 46/46.
    a = make_observation(school, protocols, scores=criterion_answers(protocol, goal_stated=0), purpose="control",
                         observed_on=date(2026, 9, 20))
    b = make_observation(school, protocols, scores=criterion_answers(protocol, 1), purpose="open_school",
                         observed_on=date(2026, 11, 20), observer="mo_head")
    c = make_observation(school, protocols, teacher="teacher2", cls=1, purpose="control",
                         observed_on=date(2026, 10, 1))
    make_observation(school, protocols, final=False, scores=criterion_answers(protocol, 0))  # drafts never count
    assert n == 23
    totals = aggregates.observation_totals(a)
    assert (totals["points"], totals["max"], totals["pct"]) == (44, 46, round(100 * 44 / 46, 1))
    assert totals["sections"]["goals"] == {"points": 2, "max": 4, "n": 2, "pct": 50.0}
    assert aggregates.observation_totals(b)["pct"] == 50.0 and aggregates.observation_totals(c)["pct"] == 100.0
    sid, yid = school.school.id, school.year.id
    teachers = {r["name"]: r for r in aggregates.by_teacher(Principal.system(sid), yid)}
    t1 = teachers[school.user("teacher").full_name]
    assert t1["count"] == 2 and t1["pct"] == round(100 * (44 + 23) / 92, 1)
    assert teachers[school.user("teacher2").full_name]["pct"] == 100.0
    criteria = aggregates.by_criterion(Principal.system(sid), yid)
    assert criteria[0]["item"] == "goal_stated"  # the weakest: 0 + 1 + 2 of 6
    assert criteria[0]["pct"] == 50.0 and criteria[0]["mean"] == 1.0 and criteria[0]["count"] == 3
    purposes = {r["purpose"]: r for r in aggregates.by_purpose(Principal.system(sid), yid)}
    assert purposes["control"]["count"] == 2 and purposes["control"]["pct"] == round(100 * 90 / 92, 1)
    assert purposes["open_school"]["pct"] == 50.0
    mas = aggregates.by_ma(Principal.system(sid), yid)
    assert mas[0]["count"] == 3 and mas[0]["pct"] == round(100 * (44 + 23 + 46) / 138, 1)
    # Dynamics by quarter: Q1 (Sep 20) 44/46, Q2 (Nov 20) 23/46.
    dyn = aggregates.teacher_overall_dynamics(Principal.system(sid), school.user("teacher").id)
    assert [(r["term"].rsplit(" ", 1)[0], r["pct"]) for r in dyn] == [("Quarter 1", round(100 * 44 / 46, 1)), ("Quarter 2", 50.0)]
    # Observers against the plan.
    db.session.add(ObservationPlan(school_id=sid, year_id=yid, observer_id=school.user("deputy").id, planned=4))
    db.session.commit()
    plan = {r["name"]: r for r in aggregates.observers_vs_plan(Principal.system(sid), yid)}
    deputy = plan[school.user("deputy").full_name]
    assert (deputy["done"], deputy["drafts"], deputy["planned"], deputy["pct"]) == (2, 1, 4, 50.0)
    assert plan[school.user("mo_head").full_name]["done"] == 1
    assert plan[school.user("mo_head").full_name]["planned"] is None


def test_summary_page_shows_charts_and_tables(school, protocols, login, client):
    make_observation(school, protocols, scores=criterion_answers(lesson(protocols), goal_stated=0))
    login(school.user("deputy"))
    page = client.get("/observations/summary").get_data(as_text=True)
    assert "<svg" in page and "The lesson objective is stated clearly to students" in page
    assert "Download the workbook (.xlsx)" in page
    client.post("/language", data={"lang": "ru", "next": "/observations/summary"})
    page = client.get("/observations/summary").get_data(as_text=True)
    assert "Цель урока понятно сформулирована для учащихся" in page
    page = client.get(f"/observations/teacher/{school.user('teacher').id}").get_data(as_text=True)
    assert "<svg" in page


def test_plan_page_saves_and_refuses_bad_numbers(school, protocols, login, client):
    login(school.user("deputy"))
    deputy = school.user("deputy")
    assert client.post("/observations/plan", data={f"plan-{deputy.id}": "-3"}).status_code == 200
    assert db.session.scalar(select(func.count(ObservationPlan.id))) == 0
    assert client.post("/observations/plan", data={f"plan-{deputy.id}": "12"}).status_code == 303
    assert db.session.scalar(select(ObservationPlan.planned)) == 12


# --- the workbook ----------------------------------------------------------------------------

def test_export_command_writes_a_workbook_read_back(app, school, protocols, tmp_path):
    protocol = lesson(protocols)
    data = criterion_answers(protocol, goal_stated=1)
    data["value-strengths"] = "=HYPERLINK(\"http://evil\")"
    data["note-pacing"] = "+1+2"
    obs = make_observation(school, protocols, scores=data)
    obs.teacher_comment = "@SUM(A1)"
    db.session.commit()
    make_observation(school, protocols, key="parent_meeting", scores=criterion_answers(
        svc.protocol_of(protocols["parent_meeting"]), 1), subject=None)
    out = tmp_path / "obs.xlsx"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["export", "observations", "--year", "2026", "--school", "alpha", "-o", str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    names = book.sheetnames
    assert {"Lesson", "Extracurricular event", "Parent meeting"} <= set(names) and "By teacher" in names and "By criterion" in names
    assert "Comments" in names
    sheet = book["Lesson"]
    assert sheet["A1"].value == "Lesson observation protocol"
    header = [c.value for c in sheet[7]]
    row = [c.value for c in sheet[8]]
    assert header[:8] == ["Teacher", "Class", "Subject", "Date", "Observer", "Purpose", "Topic", "Version"]
    assert row[0] == school.user("teacher").full_name and row[1] == "7-А" and row[2] == "Математика"
    assert row[header.index("The lesson objective is stated clearly to students")] == 1
    assert row[header.index("Total points")] == 45 and row[header.index("Maximum")] == 46
    assert row[header.index("Percent")] == round(100 * 45 / 46, 1)
    comments = book["Comments"]
    texts = [c.value for c in comments["E"] if c.value]
    assert "'=HYPERLINK(\"http://evil\")" in texts and "'+1+2" in texts and "'@SUM(A1)" in texts
    for cell in comments["E"]:
        assert cell.data_type != "f"
    meeting = book["Parent meeting"]
    assert meeting.cell(8, 1).value == school.user("teacher").full_name
    by_criterion = book["By criterion"]
    # Weakest first: 50 % (the lesson's 1 of 2, then the parent meeting's all-1 criteria), then 100 %.
    assert by_criterion.cell(8, 3).value == "The lesson objective is stated clearly to students"
    assert by_criterion.cell(8, 6).value == 50.0 and by_criterion.cell(9, 1).value == "Parent meeting observation protocol"
    assert by_criterion.cell(by_criterion.max_row, 6).value == 100.0

    bad = runner.invoke(args=["export", "observations", "--year", "1999", "-o", str(out)])
    assert bad.exit_code == 1 and "No academic year 1999" in bad.output


def test_download_button_streams_the_workbook(school, protocols, login, client):
    make_observation(school, protocols)
    login(school.user("expert"))
    response = client.get("/observations/export.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    import io
    book = load_workbook(io.BytesIO(response.data))
    assert book["By teacher"].cell(8, 2).value == 1


# --- demo ------------------------------------------------------------------------------------

def test_demo_adds_observations(app):
    from app.services.core import demo

    ctx = demo.build_demo(scale="small", seed=3, today=date(2026, 11, 23))
    db.session.commit()
    count = db.session.scalar(select(func.count(Observation.id)))
    assert 30 <= count <= 50
    finals = db.session.scalar(select(func.count(Observation.id)).where(Observation.status == "final"))
    assert finals >= 30
    # Every stored score lies in its rubric range and every final one is complete.
    assert db.session.scalar(select(func.count(ObservationScore.id)).where(
        ObservationScore.score > ObservationScore.max_score)) == 0
    assert aggregates.by_criterion(Principal.system(ctx.school.id), ctx.current_year.id)
    assert aggregates.observers_vs_plan(Principal.system(ctx.school.id), ctx.current_year.id)[0]["planned"] is not None
