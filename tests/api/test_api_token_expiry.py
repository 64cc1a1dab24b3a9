"""Every token of the read API expires: its owner chooses 30, 90 or 365 days on the tokens page
(default 90), the list shows each token's date (dd.mm.yyyy, on the school's clock) and marks
expired ones; a token opens the API until one second before its expiry and is refused from then
on with a 401 that says, in the caller's language, that it has expired and where a new one is
made; a revoked token stays revoked; the rate limit still counts an expired token's requests;
finding a token stays one query on its hash; a hostile lifetime makes nothing."""
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, inspect, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import ApiToken, AuditLog
from app.services.api import tokens
from app.services.core import clock
from tests.api.support import get
from tests.conftest import csrf_of
from tests.page_text import visible_texts

MADE = datetime(2026, 12, 1, 6, 0, tzinfo=timezone.utc)  # 12:00 in Bishkek
SECOND = timedelta(seconds=1)
EXPIRED = {
    "ky": "Бул API токенинин мөөнөтү бүттү: «API токендери» бетинде (/api/tokens/) жаңысын түзүңүз.",
    "ru": "Срок действия этого токена API истёк: создайте новый на странице «Токены API» (/api/tokens/).",
    "en": "This API token has expired: make a new one on the API tokens page (/api/tokens/).",
}


def page_text(html: str) -> str:
    return " ".join(visible_texts(html))


LIFETIME_MESSAGE = "Choose how long the token stays valid: 30, 90, 365 days."


class Clock:
    """Sapat's clock (app.services.core.clock) stopped at `moment`; move it with .now = ..."""

    def __init__(self, monkeypatch, moment: datetime):
        self.now = moment
        monkeypatch.setattr(clock, "utcnow", lambda: self.now)


@pytest.fixture
def stopped(monkeypatch) -> Clock:
    return Clock(monkeypatch, MADE)


def _made(user, name="script", days=30) -> tuple[ApiToken, str]:
    row, secret = tokens.create(user, name, days=days)
    db.session.commit()
    return row, secret


def test_a_token_opens_until_one_second_before_its_expiry_and_then_says_it_has_expired(client, school, stopped):
    row, secret = _made(school.user("admin"), days=30)
    assert row.created_at == MADE and row.expires_at == MADE + timedelta(days=30)

    stopped.now = row.expires_at - SECOND
    assert get(client, "/api/v1/schools", secret).status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).last_used_at == row.expires_at - SECOND

    stopped.now = row.expires_at  # its expiry is the first instant it opens nothing
    assert get(client, "/api/v1/schools", secret).status_code == 401
    stopped.now = row.expires_at + SECOND
    for lang, message in EXPIRED.items():
        response = get(client, "/api/v1/years", secret, lang=lang)
        assert response.status_code == 401 and response.is_json
        assert response.get_json() == {"code": 401, "status": "Unauthorized", "message": message}
        assert response.headers["WWW-Authenticate"] == (
            'Bearer realm="sapat", error="invalid_token", error_description="The token has expired"')
        assert response.headers["Cache-Control"] == "no-store"
    # Refused requests leave no trace of use; a year later it is still refused.
    stopped.now = row.expires_at + timedelta(days=365)
    assert get(client, "/api/v1/schools", secret, lang="ru").get_json()["message"] == EXPIRED["ru"]
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).last_used_at == row.expires_at - SECOND


def test_a_revoked_token_stays_revoked_before_and_after_its_expiry(client, school, stopped):
    admin = school.user("admin")
    row, secret = _made(admin, days=90)
    tokens.revoke(admin, row.id)
    db.session.commit()
    for moment in (MADE + SECOND, row.expires_at + SECOND):
        stopped.now = moment
        response = get(client, "/api/v1/schools", secret, lang="ru")
        assert response.status_code == 401
        assert response.get_json()["message"].startswith("Нужен действующий токен API")
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="sapat"'


def test_an_expired_tokens_requests_still_count_against_its_rate_limit(app, client, school, stopped, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    old, old_secret = _made(school.user("admin"), "old", days=30)
    _new, new_secret = _made(school.user("deputy"), "new", days=365)
    stopped.now = old.expires_at + SECOND
    assert [get(client, "/api/v1/years", old_secret).status_code for _ in range(4)] == [401, 401, 401, 429]
    response = get(client, "/api/v1/years", old_secret, lang="ky")
    assert response.status_code == 429
    assert response.get_json()["message"] == "Бул токен менен суроолор өтө көп: бир мүнөт күтүп, кайра аракет кылыңыз."
    assert [get(client, "/api/v1/years", new_secret).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_finding_a_token_stays_one_query_on_its_unique_hash(client, school, stopped):
    row, secret = _made(school.user("admin"), days=30)
    unique = [c["column_names"] for c in inspect(db.engine).get_unique_constraints("api_token")]
    assert ["token_hash"] in unique
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        for moment, status in ((row.expires_at - SECOND, 200), (row.expires_at + SECOND, 401)):
            stopped.now = moment
            statements.clear()
            assert get(client, "/api/v1/schools", secret).status_code == status
            on_tokens = [s for s in statements if "api_token" in s]
            if status == 200:  # first use: last_used_at written once
                assert len(on_tokens) == 2 and on_tokens[1].startswith("UPDATE api_token SET last_used_at")
            else:
                assert len(on_tokens) == 1
            assert on_tokens[0].startswith("SELECT") and "WHERE api_token.token_hash = " in on_tokens[0]
            assert "expires_at" not in on_tokens[0].split("WHERE")[1]  # read on the row, not a second query
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)


@pytest.mark.parametrize("made, days, shown", [
    (MADE, 30, "31.12.2026"),
    (MADE, 90, "01.03.2027"),
    (MADE, 365, "01.12.2027"),
    # 20:00 UTC is 02:00 of the next day in Bishkek: the date is read on the school's clock.
    (datetime(2026, 12, 1, 20, 0, tzinfo=timezone.utc), 30, "01.01.2027"),
])
def test_the_lifetime_chosen_on_the_page_gives_the_expiry_date(client, login, school, monkeypatch, made, days, shown):
    Clock(monkeypatch, made)
    admin = school.user("admin")
    login(admin)
    page = client.get("/api/tokens/").get_data(as_text=True)
    assert re.search(r'<option selected value="90">90 days</option>', page)  # the default
    response = client.post("/api/tokens/", data={"name": "Reports", "lifetime": str(days),
                                                 "csrf_token": csrf_of(page)}, follow_redirects=True)
    text = page_text(response.get_data(as_text=True))
    assert f"The token Reports is made; it is valid until {shown}." in text
    row = db.session.scalar(select(ApiToken).where(ApiToken.name == "Reports"))
    assert row.created_at == made and row.expires_at == made + timedelta(days=days)
    cells = re.search(r'<tr data-state="active">(.*?)</tr>', response.get_data(as_text=True), re.S).group(1)
    assert f">{shown}</time>" in cells
    created = db.session.scalar(select(AuditLog).where(AuditLog.entity == "api_token", AuditLog.action == "create"))
    assert created.after["expires_at"].startswith((made + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M"))
    # The audit log names the field and shows the moment on the school's clock.
    audit = page_text(client.get("/security/audit").get_data(as_text=True))
    local = (made + timedelta(days=days)).astimezone(ZoneInfo("Asia/Bishkek")).strftime("%d.%m.%Y %H:%M")
    assert f"Valid until {local}" in audit and local.startswith(shown)


@pytest.mark.parametrize("lang, label, thirty, expired", [
    ("ky", "Жарактуулук мөөнөтү", "30 күн", "мөөнөтү бүткөн"),
    ("ru", "Срок действия", "30 дней", "истёк"),
])
def test_the_list_marks_expired_tokens_in_kyrgyz_and_russian(client, login, school, stopped, lang, label, thirty,
                                                             expired):
    admin = school.user("admin")
    admin.locale = lang
    db.session.commit()
    short, _secret = _made(admin, "short", days=30)
    _made(admin, "long", days=365)
    stopped.now = short.expires_at + SECOND
    login(admin)
    html = client.get("/api/tokens/").get_data(as_text=True)
    assert label in html and f">{thirty}</option>" in html
    rows = re.findall(r'<tr data-state="(\w+)"[^>]*>\s*<td>(\w+)</td>(.*?)</tr>', html, re.S)
    assert [(state, name) for state, name, _ in rows] == [("active", "long"), ("expired", "short")]
    expired_cells = rows[1][2]
    assert expired in expired_cells and ">31.12.2026</time>" in expired_cells
    assert "token_id" not in expired_cells  # nothing to revoke: it opens nothing already


def test_expired_tokens_do_not_count_among_the_active_ones(school, stopped):
    admin = school.user("admin")
    for n in range(tokens.MAX_ACTIVE):
        _made(admin, f"t{n}", days=30)
    with pytest.raises(tokens.TokenError):
        tokens.create(admin, "one too many", days=30)
    db.session.rollback()
    stopped.now = MADE + timedelta(days=30)
    row, _secret = _made(admin, "after", days=90)
    assert row.expires_at == stopped.now + timedelta(days=90)


@pytest.mark.parametrize("value", ["0", "-1", str(10**20), "abc", "366", "", "9_0", "٩٠", "90.0"])
def test_a_hostile_lifetime_is_refused_on_the_page_and_makes_no_token(client, login, school, value):
    login(school.user("admin"))
    page = client.get("/api/tokens/").get_data(as_text=True)
    response = client.post("/api/tokens/", data={"name": "Reports", "lifetime": value, "csrf_token": csrf_of(page)})
    assert response.status_code == 200
    text = page_text(response.get_data(as_text=True))
    assert text.count(LIFETIME_MESSAGE) == 1 and "This number is too large." not in text
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0
    assert db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.entity == "api_token")) == 0


def test_a_hostile_lifetime_is_refused_in_russian(client, login, school):
    admin = school.user("admin")
    admin.locale = "ru"
    db.session.commit()
    login(admin)
    page = client.get("/api/tokens/").get_data(as_text=True)
    response = client.post("/api/tokens/", data={"name": "Отчёты", "lifetime": "366", "csrf_token": csrf_of(page)})
    assert "Выберите, сколько дней токен будет действовать: 30, 90, 365." in page_text(response.get_data(as_text=True))
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0


@pytest.mark.parametrize("days", [0, -1, 10**20, "abc", 366, "90", 90.0, True, None])
def test_the_service_makes_no_token_without_an_offered_lifetime(school, days):
    with pytest.raises(tokens.TokenError) as refused:
        tokens.create(school.user("admin"), "script", days=days)
    assert str(refused.value) == LIFETIME_MESSAGE
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0


def test_the_database_keeps_no_token_without_an_expiry(school):
    db.session.add(ApiToken(user_id=school.user("admin").id, name="raw", prefix="sapat_x", token_hash="0" * 64))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_openapi_document_says_tokens_expire(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "A token expires 30, 90 or 365 days after it is made" in document["info"]["description"]
    unauthorized = document["paths"]["/api/v1/schools"]["get"]["responses"]["401"]["description"]
    assert unauthorized.startswith("no valid token: none, unknown, revoked or expired")
