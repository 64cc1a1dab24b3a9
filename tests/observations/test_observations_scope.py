"""Scope of observation figures (issue 17): every aggregate counts only the observations its
reader may open (`access.counted`, the rule of the lists): a teacher's page, the summary, the
profiles and the workbook."""
import io
import re
from collections import defaultdict
from datetime import date

import openpyxl
import pytest

from app.models import ClassGroup
from app.security import Principal
from app.services.monitoring import profiles
from app.services.observations import access, aggregates
from app.services.observations.monitoring import class_observations
from tests.factories import make_other_association
from tests.factories.observations import make_observation, observation_protocols


@pytest.fixture
def world(school):
    """The historian (another association) observed three times by the deputy at 0 % and once
    by the MO head at 100 %; the deputy's final observation of `teacher` (maths, the MO head's
    association) at 100 % and a draft of it."""
    other = make_other_association(school)
    protocols = observation_protocols()
    hidden = [make_observation(school, protocols, teacher=other["historian"], subject=other["history"],
                               observed_on=date(2026, 10, day), score=0) for day in (5, 6, 7)]
    own = make_observation(school, protocols, observer="mo_head", teacher=other["historian"],
                           subject=other["history"], observed_on=date(2026, 10, 8), score=2)
    maths = make_observation(school, protocols, observed_on=date(2026, 10, 9), score=2)
    draft = make_observation(school, protocols, observed_on=date(2026, 10, 12), final=False)
    return {**other, "hidden": hidden, "own": own, "maths": maths, "draft": draft}


def test_an_mo_heads_teacher_page_counts_only_observations_they_may_open(client, login, school, world):
    """The named case: 25.0 % (own 100 % and three hidden 0 %) became 100.0 %."""
    login(school.user("mo_head"))
    assert [client.get(f"/observations/{o.id}").status_code for o in world["hidden"]] == [404, 404, 404]
    body = client.get(f"/observations/teacher/{world['historian'].id}").get_data(as_text=True)
    shown = re.findall(r"(\d+\.\d)%", body)
    assert shown and set(shown) <= {"100.0"}, shown
    client.post("/logout")
    login(school.user("admin"))
    body = client.get(f"/observations/teacher/{world['historian'].id}").get_data(as_text=True)
    assert "25.0%" in body


def test_summary_by_teacher_follows_the_list(school, world):
    mo_head = Principal.of(school.user("mo_head"))
    rows = {r["teacher_id"]: (r["count"], r["pct"]) for r in aggregates.by_teacher(mo_head, school.year.id)}
    assert rows == {world["historian"].id: (1, 100.0), school.user("teacher").id: (1, 100.0)}
    whole = {r["teacher_id"]: (r["count"], r["pct"])
             for r in aggregates.by_teacher(Principal.system(school.school.id), school.year.id)}
    assert whole[world["historian"].id] == (4, 25.0)


def _observed_lessons(cls: ClassGroup, viewer: Principal):
    """(lessons, quality %) per quarter of the class profile's "Observed lessons" section."""
    section = class_observations(cls, viewer)
    return [(n, float(re.sub(r"[^\d.,]", "", pct).replace(",", "."))) for _quarter, n, pct in section.rows]


def test_a_class_profile_counts_the_lessons_its_reader_may_open(app, school, world):
    """7-А, Q1: the MO head opens 2 lessons (their own of the historian, the deputy's of the
    maths teacher), both 100 %; the director all 5 (3 at 0 %): 2 of 5 = 40 %; the teacher
    their own one."""
    c7 = school.classes[0]
    with app.test_request_context():
        assert _observed_lessons(c7, Principal.of(school.user("mo_head"))) == [(2, 100.0)]
        assert _observed_lessons(c7, Principal.system(school.school.id)) == [(5, 40.0)]
        assert _observed_lessons(c7, Principal.of(school.user("teacher"))) == [(1, 100.0)]
        assert [s for s in profiles.class_profile(c7, Principal.of(school.user("mo_head")))
                if s.rows == class_observations(c7, Principal.of(school.user("mo_head"))).rows]


@pytest.mark.parametrize("role", ["admin", "deputy", "mo_head", "teacher", "expert", "class_teacher"])
def test_every_aggregate_equals_the_aggregate_of_its_list(school, world, role):
    """For each role: the summaries by teacher and the count are the same sums over the
    observations the role's list shows (current finals), computed here in Python."""
    actor = Principal.of(school.user(role))
    listed = [o for o in access.list_observations(actor, year_id=school.year.id, status="final") if o.is_current]
    points = defaultdict(lambda: [0, 0, 0])
    for obs in listed:
        totals = aggregates.observation_totals(obs)
        acc = points[obs.teacher_id]
        acc[0], acc[1], acc[2] = acc[0] + 1, acc[1] + totals["points"], acc[2] + totals["max"]
    expected = {t: (n, round(100.0 * p / m, 1)) for t, (n, p, m) in points.items()}
    got = {r["teacher_id"]: (r["count"], r["pct"]) for r in aggregates.by_teacher(actor, school.year.id)}
    assert got == expected
    assert aggregates.counted_count(actor, school.year.id) == len(listed)
    assert sum(r["count"] for r in aggregates.by_purpose(actor, school.year.id)) == len(listed)


def test_drafts_are_counted_only_for_those_who_see_them(school, world):
    plan = {r["observer_id"]: r for r in aggregates.observers_vs_plan(Principal.of(school.user("deputy")),
                                                                      school.year.id)}
    assert plan[school.user("deputy").id]["drafts"] == 1 and plan[school.user("deputy").id]["done"] == 4
    plan = {r["observer_id"]: r for r in aggregates.observers_vs_plan(Principal.of(school.user("expert")),
                                                                      school.year.id)}
    assert plan[school.user("deputy").id]["drafts"] == 0 and plan[school.user("deputy").id]["done"] == 4


def test_the_mo_heads_workbook_holds_only_what_they_may_open(client, login, school, world):
    login(school.user("mo_head"))
    response = client.get("/observations/export.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    by_teacher = book["By teacher"]
    rows = [r for r in by_teacher.iter_rows(min_row=8, values_only=True) if r[0]]
    assert sorted((name, n, pct) for name, n, pct in rows) == sorted(
        [("Historian", 1, 100.0), (school.user("teacher").full_name, 1, 100.0)])
    assert "Observers" not in book.sheetnames and "By MA" not in book.sheetnames
