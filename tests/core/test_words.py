"""Words on pages (issue 23): no English on Kyrgyz and Russian pages, names made in the page's
language, one term for one thing (docs/glossary.yaml against the catalogues)."""
import re

import pytest
from flask_babel import force_locale

from app.models.school import term_label


@pytest.mark.parametrize("lang, message", [
    ("ky", "Бул баракты ачуу үчүн системага кириңиз."),
    ("ru", "Войдите, чтобы открыть эту страницу."),
    ("en", "Please log in to access this page."),
])
def test_logged_out_visitor_is_asked_to_log_in_in_the_page_language(client, lang, message):
    client.post("/language", data={"lang": lang, "next": "/login"})
    response = client.get("/achievement/", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert f'lang="{lang}"' in page and message in page
    if lang != "en":
        assert "Please log in" not in page


@pytest.mark.parametrize("lang, names", [
    ("ky", ["2-чейрек", "1-жарым жылдык", "Окуу жылы"]),
    ("ru", ["2-я четверть", "1-е полугодие", "Учебный год"]),
    ("en", ["Quarter 2", "Half-year 1", "School year"]),
])
def test_term_names_are_made_in_the_page_language(app, lang, names):
    with app.test_request_context(), force_locale(lang):
        assert [term_label("quarter", 2), term_label("semester", 1), term_label("year", 1)] == names


def test_results_page_names_terms_in_russian(client, school, login):
    login(school.user("deputy"))
    client.post("/language", data={"lang": "ru", "next": "/"})
    page = client.get("/achievement/").get_data(as_text=True)
    assert "1-я четверть (2026-2027)" in page and "4-я четверть" in page
    assert "чейрек" not in page and ">Q1<" not in page
    client.post("/language", data={"lang": "en", "next": "/"})
    page = client.get("/achievement/at-risk").get_data(as_text=True)
    assert "Quarter 1 (2026-2027)" in page and "чейрек" not in page


@pytest.mark.parametrize("lang, title, other, indicator", [
    ("ru", "Входные контрольные работы", "Киришүү текшерүү иштери", "Успеваемость"),
    ("en", "Entry control works", "Киришүү текшерүү иштери", "Pass rate"),
])
def test_cyclogram_items_speak_the_page_language_without_keys(client, school, login, lang, title, other, indicator):
    from app.extensions import db
    from app.services.monitoring import planning

    planning.create_default(school.school.id, school.year, lang="ky")
    db.session.commit()
    login(school.user("admin"))
    client.post("/language", data={"lang": lang, "next": "/"})
    page = client.get("/cyclogram/").get_data(as_text=True)
    assert title in page and other not in page
    assert indicator in page
    for key in ("pass_rate", "failing_students", "mean_mark", "textbook_provision"):
        assert key not in page


def test_audit_log_reads_in_words_and_dates_like_every_other_page(client, school, login):
    from datetime import datetime, timezone

    from app.extensions import db
    from app.services.core import audit as audit_service

    row = audit_service.record("finalize", "observation", 7, school_id=school.school.id, user_id=None,
                         before={"status": "draft", "answers": {"collaboration": [1, None, None]}},
                         after={"status": "final", "finalized_at": "2026-11-30T09:15:00+00:00",
                                "observed_on": "2026-11-30", "active": True})
    row.created_at = datetime(2026, 11, 30, 9, 15, tzinfo=timezone.utc)  # before it is written
    audit_service.record("acknowledge", "observation", 7, school_id=school.school.id, user_id=None)
    db.session.commit()
    login(school.user("admin"))
    client.post("/language", data={"lang": "ru", "next": "/"})
    html = client.get("/security/audit").get_data(as_text=True)
    page = re.sub(r"<[^>]+>", " ", html)  # what a reader sees (option values are not shown)
    assert "30.11.2026" in page and "30/11/26" not in page and "2026-11-30" not in page
    for raw in ("finalize", "acknowledge", "finalized_at", "observed_on", "{&#39;", "[1, None", "True", "None"):
        assert raw not in page, raw
    assert "Наблюдение урока" in page or "Посещение урока" in page or "observation" not in page
