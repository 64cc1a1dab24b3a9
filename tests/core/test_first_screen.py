"""The first screen (issue 23): each role lands on what needs them today, with counts, and each
line opens its page for that role; the links stay below.

The small school of the fixture on 1 December 2026 (the second quarter, 10 November to
27 December): two open campaigns, observations waiting, marks with empty cells, students at
risk, cyclogram items, measures and an indicator below its threshold, all with known counts.
"""
import re
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import SupportAction, SupportPlan
from app.services.core import clock
from app.services.monitoring import indicators
from tests.factories.achievement import make_assessment
from tests.factories.monitoring import make_cyclogram_item, make_indicator_value, make_measure
from tests.factories.observations import make_observation
from tests.factories.surveys import answer, make_campaign

TODAY = date(2026, 12, 1)
ITEM = re.compile(r'<a class="today-item[^"]*" data-key="([a-z_]+)" href="([^"]+)">\s*'
                  r'<strong class="today-count">([\d\s\u00a0,.]+)</strong>\s*<span class="today-label">(.*?)</span>\s*</a>',
                  re.S)


@pytest.fixture
def school_today(school, monkeypatch):
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 12, 1, 6, 0, tzinfo=timezone.utc))
    s = school
    q2 = s.terms[1]
    seven, eight = s.classes
    # Surveys: the deputy's campaign over both classes (12 pupils), 3 answers; the
    # psychologist's own over 7-А (6 pupils), none yet; a closed one that needs no one.
    shared = make_campaign(s, title="Parents 2026")
    for _ in range(3):
        answer(shared, shared.targets[0], {"a": "4", "b": "2", "kids": "no"}, today=TODAY)
    own = make_campaign(s, title="Climate 7-А", classes=[seven])
    own.created_by_id = s.user("psychologist").id
    make_campaign(s, status="closed", title="Last year")
    # Observations: a final one of the teacher not yet acknowledged; the deputy's draft of
    # teacher2; the MO head's draft of the teacher.
    make_observation(s, observer="deputy", teacher="teacher")
    make_observation(s, observer="deputy", teacher="teacher2", final=False)
    make_observation(s, observer="mo_head", teacher="teacher", final=False, subject=1)
    # Marks of 7-А maths in the second quarter: a test with 2 empty cells, term marks with two 2s.
    make_assessment(s, seven, s.subjects[0], q2, [5, 4, 3, None, None, 4], kind="test", on=date(2026, 11, 20))
    make_assessment(s, seven, s.subjects[0], q2, [2, 2, 4, 5, 4, 3], kind="term", on=date(2026, 11, 30))
    first = s.students[seven.id][0]
    db.session.add(SupportAction(school_id=s.school.id, student_id=first.id, term_id=q2.id, action="Extra lessons",
                                 created_by_id=s.user("class_teacher").id))
    # The cyclogram: one overdue (the deputy's), one due this month (the psychologist's), one done.
    make_cyclogram_item(s, object="Reading check", method="expert", month_from=11, month_to=11,
                        due_on=date(2026, 11, 20), responsible_id=s.user("deputy").id)
    make_cyclogram_item(s, object="Climate", month_from=12, month_to=12, due_on=date(2026, 12, 20),
                        responsible_id=s.user("psychologist").id)
    make_cyclogram_item(s, object="Done", method="expert", month_from=11, month_to=11, due_on=date(2026, 11, 25),
                        status="done", done_on=date(2026, 11, 24))
    # Measures: the teacher's overdue one and their one due in March; a done one.
    make_measure(s, due_on=date(2026, 11, 15))
    make_measure(s)
    make_measure(s, due_on=date(2026, 11, 1), status="done", done_on=date(2026, 10, 30))
    # An indicator far below its threshold.
    make_indicator_value(s, "catering_coverage", 10.0)
    db.session.commit()
    return s


def first_screen(client, login, user, lang="en") -> dict[str, tuple[int, str, str]]:
    login(user)
    client.post("/language", data={"lang": lang})
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    items = {}
    for key, href, count, label in ITEM.findall(html):
        items.setdefault(key, []).append((int(re.sub(r"\D", "", count)), href.replace("&amp;", "&"),
                                          re.sub(r"<[^>]+>", " ", label)))
    # The links stay below the first screen.
    assert html.index('class="today"') < html.index('<nav class="tiles">')
    return html, items


def counts(items) -> dict[str, list[int]]:
    return {key: [n for n, _href, _label in rows] for key, rows in items.items()}


def opens(client, items) -> None:
    for rows in items.values():
        for _n, href, _label in rows:
            assert client.get(href, follow_redirects=True).status_code == 200, href


def test_the_director_sees_what_needs_the_school_today(client, login, school_today):
    html, items = first_screen(client, login, school_today.user("admin"))
    assert counts(items) == {
        "cyclogram_overdue": [1], "cyclogram_due": [1], "measures_overdue": [1], "at_risk": [2],
        "observation_drafts": [2], "observations_unacknowledged": [1], "campaign": [3, 0],
        "indicators_below": [counts(items)["indicators_below"][0]],
    }
    assert "1 of them without a support plan or action this quarter" in items["at_risk"][0][2]
    assert "3 of 12 answered (25 %)" in items["campaign"][0][2]
    assert "Parents 2026" in items["campaign"][0][2] and "Climate 7-А" in items["campaign"][1][2]
    assert "0 of 6 answered (0 %)" in items["campaign"][1][2]
    assert "Last year" not in html.split('class="today"')[1].split("</section>")[0]
    # Every indicator below target of the dashboard, the catering coverage among those below the threshold.
    dashboard = client.get("/monitoring/").get_data(as_text=True)
    below = len(re.findall(r'class="light light-(?:warn|bad)"', dashboard))
    assert items["indicators_below"][0][0] == below >= 1
    opens(client, items)


def test_each_role_gets_its_own_first_screen(app, school_today):
    s = school_today
    expected = {
        "deputy": {"cyclogram_overdue": [1], "cyclogram_due": [1], "measures_overdue": [1], "at_risk": [2],
                   "observation_drafts": [2], "observations_unacknowledged": [1], "campaign": [3, 0]},
        # The teacher: their marks grid, the observation of their lesson, their measures.
        "teacher": {"marks": [2], "observations_to_acknowledge": [1], "measures_overdue": [1], "measures_mine": [1]},
        # The class teacher: the students at risk of their class (7-А).
        "class_teacher": {"at_risk": [2]},
        # The MO head: their own draft, the overdue measure of their MA's teacher.
        "mo_head": {"observation_drafts": [1], "measures_overdue": [1]},
        # The psychologist: their campaign, their cyclogram task.
        "psychologist": {"cyclogram_due": [1], "campaign": [0]},
        # The expert reads: students at risk, overdue measures.
        "expert": {"measures_overdue": [1], "at_risk": [2]},
    }
    for role, wanted in expected.items():
        client = app.test_client()

        def login(user, client=client):
            assert client.post("/login", data={"email": user.email, "password": "correct-horse-42"}).status_code == 303
        _html, items = first_screen(client, login, s.user(role))
        got = counts(items)
        # The dashboard's readers see the indicators below target (counted against it above).
        assert (got.pop("indicators_below", None) is not None) == (role in indicators.READERS), role
        assert got == wanted, role
        opens(client, items)


@pytest.mark.parametrize("lang, words", [
    ("ky", ("Бүгүн сизди эмне күтүп турат", "Тобокелдиктеги окуучулар", "25 %")),
    ("ru", ("Что ждёт вас сегодня", "Ученики группы риска", "3 из 12 ответили (25 %)")),
    ("en", ("What needs you today", "Students at risk", "3 of 12 answered (25 %)")),
])
def test_the_first_screen_speaks_the_page_language(client, login, school_today, lang, words):
    html, items = first_screen(client, login, school_today.user("deputy"), lang)
    for word in words:
        assert word in html, (lang, word)


def test_nothing_waiting_says_so(client, login, school):
    html, items = first_screen(client, login, school.user("teacher2"))
    assert items == {} and "Nothing is waiting for you." in html
    assert db.session.scalar(select(SupportAction.id)) is None


def test_two_weeks_before_the_quarter_ends_missing_term_marks_show(client, login, school, monkeypatch):
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 12, 20, 6, 0, tzinfo=timezone.utc))
    html, items = first_screen(client, login, school.user("teacher2"), "ru")
    # teacher2 teaches maths in 8-Б (6 pupils) and no term marks are entered for the quarter.
    assert counts(items) == {"marks": [6]}
    assert "Оценки: 8-Б, Математика" in items["marks"][0][2]
    assert "четвертных оценок ещё нет (четверть заканчивается 27.12.2026)" in items["marks"][0][2]
    opens(client, items)


def test_a_support_plan_counts_as_support_on_the_first_screen(client, login, school_today):
    """The second student at risk (two in 7-А's Q2 term marks) gets a support plan: nobody is left
    without support; a cancelled plan does not count."""
    s = school_today
    second = s.students[s.classes[0].id][1]
    plan = SupportPlan(school_id=s.school.id, student_id=second.id, term_id=s.terms[1].id, status="open",
                       created_by_id=s.user("class_teacher").id)
    db.session.add(plan)
    db.session.commit()
    _html, items = first_screen(client, login, s.user("admin"))
    assert "0 of them without a support plan or action this quarter" in items["at_risk"][0][2]
    plan.status = "cancelled"
    db.session.commit()
    _html, items = first_screen(client, login, s.user("admin"))
    assert "1 of them without a support plan or action this quarter" in items["at_risk"][0][2]
