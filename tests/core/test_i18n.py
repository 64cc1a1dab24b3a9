"""Every screen in Kyrgyz and Russian: complete catalogues, language choice, locale formats."""
from datetime import date

from flask_babel import force_locale, format_date, format_decimal

from app.extensions import db
from app.i18n_catalogs import missing
from app.models import User


def test_every_message_has_kyrgyz_and_russian_translations():
    problems = missing()
    assert problems == [], f"{len(problems)} untranslated messages, e.g. {problems[:10]}"


def test_anonymous_visitor_picks_a_language_with_a_cookie(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="ky"' in page  # Kyrgyz is the default
    response = client.post("/language", data={"lang": "ru", "next": "/login"})
    assert response.status_code == 303 and "lang=ru" in response.headers["Set-Cookie"]
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="ru"' in page and "Войти" in page


def test_logged_in_user_language_is_stored(client, school, login):
    user = school.user("teacher")
    login(user)
    client.post("/language", data={"lang": "ky", "next": "/"})
    assert db.session.get(User, user.id).locale == "ky"
    page = client.get("/").get_data(as_text=True)
    assert 'lang="ky"' in page and "Башкы бет" in page


def test_director_pages_in_kyrgyz_and_russian(client, school, login):
    admin = school.user("admin")
    admin.locale = "ru"
    db.session.commit()
    login(admin)
    assert "Классы" in client.get("/admin/classes/").get_data(as_text=True)
    client.post("/language", data={"lang": "ky", "next": "/"})
    page = client.get("/admin/classes/").get_data(as_text=True)
    assert "Класстар" in page and "Класс жетекчи" in page


def test_numbers_and_dates_are_formatted_per_locale(app):
    with force_locale("ru"):
        assert format_decimal(1234.5) == "1\xa0234,5"
    with force_locale("en"):
        assert format_decimal(1234.5) == "1,234.5"
    with force_locale("ky"):
        assert "ноябрь" in format_date(date(2026, 11, 23), "long")


def test_counts_agree_with_numbers_in_russian(client, school, login):
    admin = school.user("admin")
    admin.locale = "ru"
    db.session.commit()
    login(admin)
    page = client.get("/").get_data(as_text=True)
    assert "<strong>2</strong> класса" in page  # two classes
    assert "<strong>12</strong> учеников" in page  # twelve students
