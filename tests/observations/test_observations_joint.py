"""Joint observations (issue 20): a lesson observed by two observers counts once (their mean per
criterion) in the teacher's percentage, the summaries, the workbook and the lesson-quality
indicator; the observers' agreement (exact, within one level, weighted kappa) and the
calibration page and sheets, against hand computations."""
import io
import re
import textwrap
from datetime import date

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.models import Observation
from app.security import Principal
from app.services.core import instruments as instrument_service
from app.services.monitoring.calculators import Period, compute
from app.services.observations import aggregates, agreement, records
from surveys.loader import load_text
from tests.conftest import csrf_of

T = "{ky: к, ru: р, en: e}"
LEVELS = f"[{{score: 0, label: {T}, descriptor: {T}}}, {{score: 1, label: {T}, descriptor: {T}}}, " \
         f"{{score: 2, label: {T}, descriptor: {T}}}]"
# Ten criteria scored 0..2 in two sections.
CRITERIA = [f"c{i}" for i in range(1, 11)]
PROTOCOL = """
key: joint_check
version: 1
kind: observation
title: {ky: Биргелешкен, ru: Совместное, en: Joint check}
sections:
  - key: first
    title: {ky: Биринчи, ru: Первый, en: First}
    items:
""" + "".join(f"      - {{key: {c}, type: criterion, text: {{ky: {c}, ru: {c}, en: Criterion {c}}}, "
              f"levels: {LEVELS}}}\n" for c in CRITERIA)

# Two observers' levels on the 10 criteria (hand computation of the agreement):
A = [2, 2, 1, 1, 0, 2, 1, 0, 2, 1]
B = [2, 1, 1, 2, 0, 2, 1, 1, 2, 0]
# Pairs equal on c1 c3 c5 c6 c7 c9: exact = 6/10; no pair differs by 2: within one = 10/10.
# Quadratic weights with k = 3 levels: w = 0 (same), 1/4 (one apart), 1 (two apart).
#   observed weighted disagreement = 4 pairs one apart x 1/4 / 10 = 0.1
#   marginals: A levels 0,1,2 -> 2,4,4 of 10; B -> 2,4,4 of 10: p = q = (0.2, 0.4, 0.4)
#   expected = 1/4 (p0q1 + p1q0 + p1q2 + p2q1) + 1 (p0q2 + p2q0)
#            = 1/4 (0.08 + 0.08 + 0.16 + 0.16) + (0.08 + 0.08) = 0.12 + 0.16 = 0.28
#   kappa_w = 1 - 0.1 / 0.28 = 9/14 = 0.642857...
KAPPA = 9 / 14


@pytest.fixture
def protocol(app):
    row = instrument_service.publish(load_text(textwrap.dedent(PROTOCOL), "joint_check.yaml")).row
    db.session.commit()
    return row


def observe(school, protocol, levels, *, observer="deputy", observed_on=date(2026, 10, 5), joint_with=None,
            subject=0):
    actor = Principal.of(school.user(observer))
    obs = records.start_observation(actor, instrument_id=protocol.id, teacher_id=school.user("teacher").id,
                                    observed_on=observed_on, purpose="control", year_id=school.year.id,
                                    class_id=school.classes[0].id, subject_id=school.subjects[subject].id,
                                    joint_with_id=joint_with)
    records.save_answers(actor, obs, {f"score-{c}": str(v) for c, v in zip(CRITERIA, levels, strict=True)})
    records.finalize(actor, obs)
    db.session.commit()
    return obs


def test_two_observers_agreement_equals_the_hand_computation(school, protocol):
    first = observe(school, protocol, A)
    observe(school, protocol, B, observer="mo_head")
    [lesson] = agreement.joint_lessons(Principal.system(school.school.id), school.year.id)
    assert lesson.lesson_id == first.id and len(lesson.observations) == 2
    stats = agreement.lesson_stats(lesson)
    assert stats.n == 10 and stats.exact == pytest.approx(0.6) and stats.within_one == pytest.approx(1.0)
    assert stats.kappa == pytest.approx(KAPPA)
    assert agreement.overall([lesson]) == stats
    c2 = next(r for r in agreement.by_criterion([lesson]) if r["item"] == "c2")["stats"]
    assert (c2.n, c2.exact, c2.within_one) == (1, 0.0, 1.0)
    # Calibration: the deputy's levels minus the MO head's: 0+1+0-1+0+0+0-1+0+1 = 0 -> mean 0.
    rows = {r["name"]: r for r in agreement.calibration([lesson])}
    deputy = rows[school.user("deputy").full_name]["stats"]
    assert deputy.n == 10 and deputy.kappa == pytest.approx(KAPPA) and deputy.mean_difference == pytest.approx(0.0)


def test_a_joint_lesson_counts_once_in_the_teachers_percentage(school, protocol):
    # Joint lesson: the deputy scores every criterion 2 (20 / 20), the MO head 1 (10 / 20): the
    # observers' mean is 1.5 per criterion, 15 of 20 points. A second lesson, the deputy alone: 0 / 20.
    # Teacher: (15 + 0) / (20 + 20) = 37.5 % over 2 lessons (counted twice it was 30 / 60 = 50 %).
    observe(school, protocol, [2] * 10)
    observe(school, protocol, [1] * 10, observer="mo_head")
    observe(school, protocol, [0] * 10, observed_on=date(2026, 10, 12))
    system = Principal.system(school.school.id)
    [row] = aggregates.by_teacher(system, school.year.id)
    assert row["count"] == 2 and row["pct"] == 37.5
    [section] = aggregates.by_section(system, school.year.id)
    assert section["count"] == 2 and section["pct"] == 37.5
    c1 = next(r for r in aggregates.by_criterion(system, school.year.id) if r["item"] == "c1")
    assert c1["count"] == 2 and c1["mean"] == 0.75 and c1["pct"] == 37.5  # (1.5 + 0) / 2
    [purpose] = aggregates.by_purpose(system, school.year.id)
    assert purpose["count"] == 2 and purpose["pct"] == 37.5
    [overall] = aggregates.teacher_overall_dynamics(system, school.user("teacher").id)
    assert overall["count"] == 2 and overall["pct"] == 37.5
    result = compute("lesson_quality", school.school.id, Period.of_year(school.year))
    assert result.value == pytest.approx(37.5) and result.n == 2
    # Each observation keeps its own totals.
    totals = aggregates.totals_by_observation(system, school.year.id)
    assert sorted(t[2] for t in totals.values()) == [0.0, 50.0, 100.0]


def test_the_same_observer_twice_is_two_lessons_and_a_link_joins_different_headers(school, protocol):
    observe(school, protocol, [2] * 10)
    observe(school, protocol, [0] * 10)  # same observer, same key: another lesson that day
    system = Principal.system(school.school.id)
    assert aggregates.by_teacher(system, school.year.id)[0]["count"] == 2
    assert agreement.joint_lessons(system, school.year.id) == []
    # The MO head's observation recorded with another subject, linked explicitly to the first.
    first = db.session.scalar(db.select(Observation).order_by(Observation.id))
    linked = observe(school, protocol, [1] * 10, observer="mo_head", joint_with=first.id)
    assert linked.joint_with_id == first.id and linked.subject_id == first.subject_id  # taken from the first
    linked.subject_id = school.subjects[1].id
    db.session.commit()
    [lesson] = agreement.joint_lessons(system, school.year.id)
    assert {o[0] for o in lesson.observations} == {first.id, linked.id}
    # Lessons: (2 + 1) / 2 = 1.5 -> 15 / 20 and 0 / 20 -> 37.5 %
    row = aggregates.by_teacher(system, school.year.id)[0]
    assert row["count"] == 2 and row["pct"] == 37.5


def test_joining_from_the_page_and_each_observers_scores(client, school, login, protocol):
    first = observe(school, protocol, A)
    login(school.user("mo_head"))
    page = client.get(f"/observations/{first.id}").get_data(as_text=True)
    assert f'href="/observations/new?joint={first.id}"' in page
    form = client.get(f"/observations/new?joint={first.id}").get_data(as_text=True)
    assert 'id="joint-note"' in form and f'name="joint_with_id" type="hidden" value="{first.id}"' in form
    token = csrf_of(form)
    response = client.post("/observations/new", data={
        "csrf_token": token, "instrument_id": str(protocol.id), "joint_with_id": str(first.id),
        "observed_on": "2026-10-20", "purpose": "methodical_help"})
    assert response.status_code == 303
    second = db.session.scalar(db.select(Observation).where(Observation.observer_id == school.user("mo_head").id))
    assert second.joint_with_id == first.id and second.observed_on == date(2026, 10, 5)
    actor = Principal.of(school.user("mo_head"))
    records.save_answers(actor, second, {f"score-{c}": str(v) for c, v in zip(CRITERIA, B, strict=True)})
    records.finalize(actor, second)
    db.session.commit()

    client.post("/logout")
    login(school.user("teacher"))
    page = client.get(f"/observations/{first.id}").get_data(as_text=True)
    card = page.split('id="joint-lesson"')[1]
    assert school.user("mo_head").full_name in card and school.user("deputy").full_name in card
    c2 = re.search(r'<tr data-criterion="c2">(.*?)</tr>', card, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]+)</td>', c2) == ["2", "1", "1.5"]
    assert "exact 60.0%, within one level 100.0%, weighted kappa 0.64" in card
    assert 'id="join-link"' not in page


def test_calibration_page_and_workbook_sheets(client, school, login, protocol):
    observe(school, protocol, A)
    observe(school, protocol, B, observer="mo_head")
    login(school.user("deputy"))
    page = client.get(f"/observations/calibration?year={school.year.id}").get_data(as_text=True)
    overall = re.search(r'<section class="card" id="overall">(.*?)</section>', page, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]+)</td>', overall) == ["1", "10", "60.0%", "100.0%", "0.64", "—"]
    deputy = re.search(rf'<tr data-observer="{school.user("deputy").id}">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]+)</td>', deputy) == ["1", "10", "60.0%", "100.0%", "0.64", "+0.00"]
    # c4: one pair (1, 2): observed 1/4, expected p1 q2 x 1/4 = 1/4 -> kappa 1 - 1 = 0
    c4 = re.search(r'<tr data-criterion="c4">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]+)</td>', c4) == ["1", "1", "0.0%", "100.0%", "0.00", "—"]

    book = load_workbook(io.BytesIO(client.get(f"/observations/export.xlsx?year={school.year.id}").data))
    rows = list(book["Agreement"].iter_rows(min_row=7, values_only=True))
    assert rows[0] == ("Protocol", "Criterion", "Joint lessons", "Pairs", "Exact agreement, %",
                       "Within one level, %", "Weighted kappa", "Fleiss' kappa")
    assert rows[1] == ("All protocols", "All criteria", 1, 10, 60.0, 100.0, 0.64, None)
    # c1: one pair (2, 2): both observers used one level only, kappa is 0/0 (blank)
    assert rows[2] == ("Joint check", "Criterion c1", 1, 1, 100.0, 100.0, None, None)
    calibration = list(book["Observer calibration"].iter_rows(min_row=8, values_only=True))
    assert sorted(r[0] for r in calibration) == sorted([school.user("deputy").full_name,
                                                        school.user("mo_head").full_name])
    assert all(r[1:] == (1, 10, 60.0, 100.0, 0.64, 0.0) for r in calibration)
    by_teacher = list(book["By teacher"].iter_rows(min_row=8, values_only=True))
    # (12 + 12) / 2 points of 20 -> 60 %, one lesson
    assert by_teacher == [(school.user("teacher").full_name, 1, 60.0)]


def test_calibration_page_is_for_the_management(client, school, login):
    for role, status in [("admin", 200), ("deputy", 200), ("mo_head", 403), ("teacher", 403)]:
        client.post("/logout")
        login(school.user(role))
        assert client.get("/observations/calibration").status_code == status, role
