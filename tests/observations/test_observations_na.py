"""Criteria with `allow_na`: "not applicable" is a choice on the checklist, stored as no score
with a marker, left out of n and of the maximum in every aggregate (pages, workbook, the
lesson-quality indicator), and an observation may be finished with it. Figures by hand.
Also: the observation_score constraints and the upgrade from the previous release."""
import textwrap
from datetime import date

import pytest
from flask_migrate import upgrade
from openpyxl import load_workbook
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from app import create_app
from app.extensions import db
from app.models import Observation, ObservationScore
from app.security import Principal
from app.services.core import instruments as instrument_service
from app.services.monitoring.calculators import Period, compute
from app.services.observations import aggregates, records
from config import TestingConfig
from surveys.items import ITEM_TYPES
from surveys.loader import load_text
from tests.core.test_migrations import _fresh_database_url

T = "{ky: к, ru: р, en: e}"
LEVELS = f"[{{score: 0, label: {T}, descriptor: {T}}}, {{score: 1, label: {T}, descriptor: {T}}}, " \
         f"{{score: 2, label: {T}, descriptor: {{ky: т, ru: т, en: Fully}}}}]"
# Four criteria scored 0..2 in two sections; c1 and c3 may be "not applicable".
PROTOCOL = f"""
key: na_check
version: 1
kind: observation
title: {{ky: Текшерүү, ru: Проверка, en: NA check}}
sections:
  - key: first
    title: {{ky: Биринчи, ru: Первый, en: First}}
    items:
      - {{key: c1, type: criterion, allow_na: true, text: {{ky: к1, ru: к1, en: Criterion one}}, levels: {LEVELS}}}
      - {{key: c2, type: criterion, text: {{ky: к2, ru: к2, en: Criterion two}}, levels: {LEVELS}}}
  - key: second
    title: {{ky: Экинчи, ru: Второй, en: Second}}
    items:
      - {{key: c3, type: criterion, allow_na: true, text: {{ky: к3, ru: к3, en: Criterion three}}, levels: {LEVELS}}}
      - {{key: c4, type: criterion, text: {{ky: к4, ru: к4, en: Criterion four}}, levels: {LEVELS}}}
      - {{key: present, type: number, min: 0, max: 40, required: false, text: {{ky: к, ru: р, en: Present}}}}
"""


@pytest.fixture
def protocol(app):
    row = instrument_service.publish(load_text(textwrap.dedent(PROTOCOL), "na_check.yaml")).row
    db.session.commit()
    return row


def observe(school, protocol, scores: dict, *, final=True, observed_on=date(2026, 10, 5), teacher="teacher"):
    actor = Principal.of(school.user("deputy"))
    obs = records.start_observation(actor, instrument_id=protocol.id, teacher_id=school.user(teacher).id,
                                    observed_on=observed_on, purpose="control", year_id=school.year.id,
                                    class_id=school.classes[0].id, subject_id=school.subjects[0].id)
    records.save_answers(actor, obs, {f"score-{k}": v for k, v in scores.items()})
    if final:
        records.finalize(actor, obs)
    db.session.commit()
    return obs


def test_not_applicable_is_left_out_of_every_aggregate(app, school, protocol, tmp_path):
    # A: c1 n/a, c2 2, c3 1, c4 0 -> 3 of 6 points (3 scored criteria) = 50.0 %
    # B: c1 2, c2 1, c3 n/a, c4 2 -> 5 of 6 = 83.3 %
    a = observe(school, protocol, {"c1": "na", "c2": "2", "c3": "1", "c4": "0"}, observed_on=date(2026, 9, 20))
    b = observe(school, protocol, {"c1": "2", "c2": "1", "c3": "na", "c4": "2"}, observed_on=date(2026, 11, 20))
    row = db.session.scalar(select(ObservationScore).where(ObservationScore.observation_id == a.id,
                                                           ObservationScore.item_key == "c1"))
    assert row.score is None and row.not_applicable is True and (row.min_score, row.max_score) == (0, 2)
    totals = aggregates.observation_totals(a)
    assert (totals["points"], totals["max"], totals["pct"]) == (3, 6, 50.0)
    assert totals["sections"] == {"first": {"points": 2, "max": 2, "n": 1, "pct": 100.0},
                                  "second": {"points": 1, "max": 4, "n": 2, "pct": 25.0}}
    assert aggregates.observation_totals(b)["pct"] == round(100 * 5 / 6, 1)
    sid, yid = school.school.id, school.year.id
    assert aggregates.totals_by_observation(Principal.system(sid), yid) == {a.id: (3, 6, 50.0), b.id: (5, 6, 83.3)}
    # The teacher: (3 + 5) / (6 + 6) = 66.7 %, not (3 + 5) / (8 + 8).
    assert aggregates.by_teacher(Principal.system(sid), yid)[0]["pct"] == round(100 * 8 / 12, 1)
    criteria = {r["item"]: r for r in aggregates.by_criterion(Principal.system(sid), yid)}
    assert (criteria["c1"]["count"], criteria["c1"]["pct"], criteria["c1"]["mean"]) == (1, 100.0, 2.0)
    assert (criteria["c2"]["count"], criteria["c2"]["pct"], criteria["c2"]["mean"]) == (2, 75.0, 1.5)
    assert (criteria["c3"]["count"], criteria["c3"]["pct"], criteria["c3"]["mean"]) == (1, 50.0, 1.0)
    assert (criteria["c4"]["count"], criteria["c4"]["pct"], criteria["c4"]["mean"]) == (2, 50.0, 1.0)
    # Sections: first = c1 2, c2 2 + 1 -> 5 of 6; second = c3 1, c4 0 + 2 -> 3 of 6.
    sections = {r["section"]: r["pct"] for r in aggregates.by_section(Principal.system(sid), yid)}
    assert sections == {"first": round(100 * 5 / 6, 1), "second": 50.0}
    assert aggregates.by_purpose(Principal.system(sid), yid)[0]["pct"] == round(100 * 8 / 12, 1)
    assert aggregates.by_ma(Principal.system(sid), yid)[0]["pct"] == round(100 * 8 / 12, 1)
    dynamics = aggregates.teacher_overall_dynamics(Principal.system(sid), school.user("teacher").id)
    assert [r["pct"] for r in dynamics] == [50.0, round(100 * 5 / 6, 1)]
    # The monitoring indicator: observed lesson quality over the year, 8 / 12.
    quality = compute("lesson_quality", sid, Period.of_year(school.year))
    assert quality.value == pytest.approx(100 * 8 / 12, abs=0.01) and quality.n == 2

    out = tmp_path / "obs.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "observations", "--year", "2026", "--school", "alpha",
                                                "-o", str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    sheet = book["na_check"]
    header = [c.value for c in sheet[7]]
    first = dict(zip(header, [c.value for c in sheet[8]]))
    assert first["Criterion one"] == "not applicable" and first["Criterion two"] == 2
    assert (first["Total points"], first["Maximum"], first["Percent"]) == (3, 6, 50.0)
    second = dict(zip(header, [c.value for c in sheet[9]]))
    assert second["Criterion three"] == "not applicable" and second["Percent"] == round(100 * 5 / 6, 1)
    by_criterion = {r[2].value: (r[3].value, r[5].value) for r in book["By criterion"].iter_rows(min_row=8)}
    assert by_criterion["Criterion one"] == (1, 100.0) and by_criterion["Criterion three"] == (1, 50.0)
    assert book["By teacher"].cell(8, 3).value == round(100 * 8 / 12, 1)


def test_the_checklist_offers_not_applicable_only_where_allowed(school, protocol, login, client):
    obs = observe(school, protocol, {}, final=False)
    login(school.user("deputy"))
    page = client.get(f"/observations/{obs.id}").get_data(as_text=True)
    assert 'id="s-c1-na" value="na"' in page and 'id="s-c3-na" value="na"' in page
    assert 's-c2-na' not in page and 's-c4-na' not in page
    assert "0 of 4 scored" in page
    # N/A where it is not allowed is refused, as any score outside the rubric; nothing is written.
    response = client.post(f"/observations/{obs.id}/save", data={"score-c1": "na", "score-c2": "na"})
    assert response.status_code == 400
    assert "The score na for “Criterion two” is outside the rubric range 0–2." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ObservationScore.id))) == 0
    # Allowed: saved, shown as chosen, counted as done; an empty optional number is no error.
    response = client.post(f"/observations/{obs.id}/save", data={"score-c1": "na", "score-c2": "1",
                                                                 "value-present": "", "section": "first"})
    assert response.status_code == 303
    page = client.get(f"/observations/{obs.id}").get_data(as_text=True)
    assert 'id="s-c1-na" value="na" checked' in page and "2 of 4 scored" in page
    # Finishing needs the other criteria; then it may finish with N/A.
    response = client.post(f"/observations/{obs.id}/save", data={"score-c3": "2", "action": "finish"})
    assert "Score every criterion before finishing; 1 left" in response.get_data(as_text=True)
    sync = client.post(f"/observations/{obs.id}/sync", json={"answers": {"score-c4": "na"}})
    assert sync.status_code == 400 and "outside the rubric range" in sync.get_json()["error"]
    sync = client.post(f"/observations/{obs.id}/sync", json={"answers": {"score-c3": "na", "score-c4": "2"}})
    assert sync.get_json()["progress"]["done"] == 4
    response = client.post(f"/observations/{obs.id}/save", data={"action": "finish"})
    assert response.status_code == 303
    db.session.refresh(obs)
    assert obs.status == "final"
    page = client.get(f"/observations/{obs.id}").get_data(as_text=True)
    # 1 + 2 of 2 scored criteria (max 4) = 75.0 %; the two N/A criteria say so.
    assert "75.0%" in page and page.count("not applicable") == 2 and "3 of 4 points" in page
    # An amendment keeps the marker.
    client.post(f"/observations/{obs.id}/amend", data={"reason": "check"})
    amended = db.session.scalar(select(Observation).where(Observation.amends_id == obs.id))
    assert {r.item_key for r in amended.scores if r.not_applicable} == {"c1", "c3"}


def test_a_score_and_not_applicable_together_are_refused_by_the_database(school, protocol):
    obs = observe(school, protocol, {"c1": "na"}, final=False)
    row = obs.scores[0]
    row.score = 1
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    row = db.session.scalar(select(ObservationScore))
    row.item_kind = "nonsense"
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_upgrade_from_the_previous_release_keeps_observation_scores(database_url, tmp_path):
    """A database at 0009 with an observation and its four kinds of rows upgrades to head: the
    rows stay (not applicable: false), and the rebuilt item_kind constraint takes every item
    type of the registry and still refuses others."""
    url, pg_name = _fresh_database_url(database_url, tmp_path)
    application = create_app(type("M", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    now = "2026-09-01 08:00:00"
    try:
        with application.app_context():
            upgrade(revision="0009_covering_indexes")
            statements = [
                f"INSERT INTO school (id, code, name, created_at) VALUES (1, 'old', 'Old school', '{now}')",
                "INSERT INTO academic_year (id, name, starts_on, ends_on, is_current, school_id) "
                "VALUES (1, '2026-2027', '2026-09-01', '2027-05-31', true, 1)",
                "INSERT INTO \"user\" (id, school_id, email, full_name, password_hash, active, failed_logins, "
                f"session_version, created_at) VALUES (1, 1, 'a@b.kg', 'A', 'x', true, 0, 1, '{now}')",
                "INSERT INTO instrument (id, key, version, kind, title, content_hash, definition, created_at) "
                f"VALUES (1, 'lesson_observation', 1, 'observation', 'T', 'h', '{{}}', '{now}')",
                "INSERT INTO observation (id, school_id, instrument_id, year_id, kind, observer_id, teacher_id, "
                "observed_on, purpose, status, version, is_current, updated_at, revision, created_at) VALUES "
                f"(1, 1, 1, 1, 'lesson', 1, 1, '2026-10-05', 'control', 'final', 1, true, '{now}', 2, '{now}')",
                "INSERT INTO observation_score (id, school_id, observation_id, section_key, item_key, item_kind, "
                "position, score, min_score, max_score, number, text) VALUES "
                "(1, 1, 1, 'goals', 'goal_stated', 'criterion', 0, 2, 0, 2, NULL, 'note'), "
                "(2, 1, 1, 'facts', 'lesson_plan', 'yes_no', 1, 1, 0, 1, NULL, NULL), "
                "(3, 1, 1, 'facts', 'students_present', 'number', 2, NULL, NULL, NULL, 24, NULL), "
                "(4, 1, 1, 'facts', 'strengths', 'text', 3, NULL, NULL, NULL, NULL, 'Good')",
            ]
            with db.engine.begin() as conn:
                for statement in statements:
                    conn.execute(text(statement))
            upgrade()
            with db.engine.connect() as conn:
                rows = conn.execute(text("SELECT item_kind, score, number, text, not_applicable "
                                         "FROM observation_score ORDER BY id")).all()
            assert [tuple(r) for r in rows] == [("criterion", 2, None, "note", False), ("yes_no", 1, None, None, False),
                                                ("number", None, 24.0, None, False), ("text", None, None, "Good", False)]
            insert = ("INSERT INTO observation_score (id, school_id, observation_id, section_key, item_key, item_kind, "
                      "position, score, min_score, max_score, not_applicable) VALUES "
                      "(:id, 1, 1, 's', :key, :kind, 9, :score, 1, 5, :na)")
            with db.engine.begin() as conn:
                conn.execute(text(insert), {"id": 5, "key": "grid.x", "kind": "matrix", "score": 4, "na": False})
                conn.execute(text(insert), {"id": 6, "key": "mood", "kind": "likert", "score": None, "na": True})
            for bad in ({"id": 7, "key": "x1", "kind": "slider", "score": 1, "na": False},
                        {"id": 8, "key": "x2", "kind": "criterion", "score": 1, "na": True}):
                with pytest.raises(IntegrityError), db.engine.begin() as conn:
                    conn.execute(text(insert), bad)
            # Every item type of the registry can be stored: a new type needs its migration.
            with db.engine.begin() as conn:
                for n, kind in enumerate(ITEM_TYPES):
                    conn.execute(text(insert), {"id": 20 + n, "key": f"t{n}", "kind": kind, "score": None, "na": False})
            db.engine.dispose()
    finally:
        if pg_name:
            import psycopg

            from tests.conftest import PG_ADMIN_URL

            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
