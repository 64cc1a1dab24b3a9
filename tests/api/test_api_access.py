"""Who reads what through the API: every endpoint × {no token, the school's token, another
school's token (same district), the district's token, another district's token, a revoked
token} answers the expected status; a token whose owner lost the role is 403; a session cookie
opens nothing; each token has its own rate limit (429, JSON); errors speak ky, ru and en; the
tokens page makes a token shown once and stored hashed, audits it, and revokes it."""
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ApiToken, AuditLog
from app.services.api import tokens
from tests.api.support import get, token_of
from tests.conftest import csrf_of
from tests.district.support import join, marks
from tests.factories.surveys import answer, make_campaign

OK, NONE, GONE = 200, 401, 404
# endpoint -> statuses for (none, school, other school, district, other district, revoked)
ROWS = {
    "schools": (NONE, OK, GONE, OK, GONE, NONE),
    "years": (NONE, OK, GONE, OK, GONE, NONE),
    "indicators": (NONE, OK, GONE, OK, GONE, NONE),
    "results": (NONE, OK, GONE, OK, GONE, NONE),
    "campaigns": (NONE, OK, GONE, OK, GONE, NONE),
    "survey-indices": (NONE, OK, GONE, OK, GONE, NONE),
    "openapi.json": (OK, OK, OK, OK, OK, OK),
}
HOLDERS = ("none", "school", "other school", "district", "other district", "revoked")


def _world(school, other_school):
    bravo = join(school, "bravo", class_size=3)  # another school of the same district
    marks(school, [5, 4, 3])
    campaign = make_campaign(school, status="open", min_group_size=1)
    answer(campaign, campaign.targets[0], {"a": "4", "b": "2", "kids": "no"})
    campaign.status = "closed"
    db.session.commit()
    revoked = token_of(school.user("deputy"), "old")
    tokens.revoke(school.user("deputy"), db.session.scalar(select(ApiToken.id).where(ApiToken.name == "old")))
    db.session.commit()
    held = {"none": None, "school": token_of(school.user("admin")), "other school": token_of(bravo.user("admin")),
            "district": token_of(school.user("district_specialist")),
            "other district": token_of(other_school.user("district_admin")), "revoked": revoked}
    sid = school.school.id
    urls = {"schools": f"schools?school_id={sid}", "years": f"years?school_id={sid}",
            "indicators": f"indicators?school_id={sid}&year=2026-2027",
            "results": f"results?school_id={sid}&year=2026-2027&term=quarter-1",
            "campaigns": f"campaigns?school_id={sid}", "survey-indices": f"survey-indices?campaign_id={campaign.id}",
            "openapi.json": "openapi.json"}
    return held, urls


def test_every_endpoint_for_every_kind_of_token(client, school, other_school):
    held, urls = _world(school, other_school)
    failures = []
    for endpoint, expected in ROWS.items():
        for holder, status in zip(HOLDERS, expected):
            response = get(client, f"/api/v1/{urls[endpoint]}", held[holder])
            if response.status_code != status:
                failures.append(f"{endpoint} with {holder}'s token: {response.status_code}, expected {status}")
            assert response.is_json, endpoint
            assert "Set-Cookie" not in response.headers
    assert not failures, "\n".join(failures)
    # Lists without a school show only the token's schools.
    other = get(client, "/api/v1/schools", held["other district"]).get_json()["items"]
    assert [s["id"] for s in other] == [other_school.school.id]
    # A path the API does not have is a 404 and a write a 405, with or without a token, in JSON.
    response = get(client, "/api/v1/students", held["district"])
    assert response.status_code == 404 and response.get_json()["code"] == 404
    response = client.post("/api/v1/schools", headers={"Authorization": f"Bearer {held['district']}"})
    assert response.status_code == 405 and response.get_json()["status"] == "Method Not Allowed"


def test_a_token_whose_owner_lost_the_role_is_refused_and_a_session_opens_nothing(client, login, school):
    deputy = school.user("deputy")
    token = token_of(deputy)
    assert get(client, "/api/v1/schools", token).status_code == 200
    deputy.set_roles(["teacher"])
    db.session.commit()
    response = get(client, "/api/v1/schools", token)
    assert response.status_code == 403 and response.get_json()["code"] == 403
    deputy.active = False
    db.session.commit()
    assert get(client, "/api/v1/schools", token).status_code == 401
    # Signed in on the site, without a token: 401 all the same.
    login(school.user("admin"))
    response = client.get("/api/v1/schools")
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    for bad in ("Bearer", "Bearer sapat_nope", "Basic c2FwYXQ6eA==", "bearer " + token[:-1]):
        assert client.get("/api/v1/schools", headers={"Authorization": bad}).status_code == 401, bad


def test_each_token_has_its_own_rate_limit(app, client, school, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    first, second = token_of(school.user("admin"), "one"), token_of(school.user("deputy"), "two")
    assert [get(client, "/api/v1/years", first).status_code for _ in range(3)] == [200, 200, 200]
    response = get(client, "/api/v1/years", first, lang="ru")
    assert response.status_code == 429
    assert response.get_json() == {"code": 429, "status": "Too Many Requests",
                                   "message": "Слишком много запросов с этим токеном: подождите минуту и повторите."}
    assert get(client, "/api/v1/years", second).status_code == 200


def test_the_openapi_document_is_not_rate_limited(app, client, monkeypatch):
    """Anonymous requests are limited by address, but the OpenAPI document is the same for everyone."""
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "2 per minute")
    assert [client.get("/api/v1/openapi.json").status_code for _ in range(5)] == [200] * 5
    assert [client.get("/api/v1/years").status_code for _ in range(3)] == [401, 401, 429]


@pytest.mark.parametrize("lang, unauthorized, not_found", [
    ("en", "A valid API token is needed", "Not found, or not among this token's schools."),
    ("ru", "Нужен действующий токен API", "Не найдено или не относится к школам этого токена."),
    ("ky", "API'нин жарактуу токени керек", "Табылган жок же бул токендин мектептерине кирбейт."),
])
def test_errors_are_json_in_the_readers_language(client, school, lang, unauthorized, not_found):
    response = get(client, "/api/v1/schools", lang=lang)
    assert response.status_code == 401 and response.get_json()["message"].startswith(unauthorized)
    token = token_of(school.user("admin"))
    assert get(client, "/api/v1/schools?school_id=999999", token, lang=lang).get_json()["message"] == not_found
    response = get(client, "/api/v1/results?term=week-1", token, lang=lang)
    assert response.status_code == 422 and "term" in response.get_json()["errors"]["query"]


def test_the_tokens_page_makes_a_token_once_keeps_its_hash_and_revokes_it(client, login, school):
    admin = school.user("admin")
    login(admin)
    page = client.get("/api/tokens/").get_data(as_text=True)
    response = client.post("/api/tokens/", data={"name": "District reports", "csrf_token": csrf_of(page)})
    assert response.status_code == 303
    page = client.get("/api/tokens/").get_data(as_text=True)
    secret = re.search(r"<code>(sapat_[A-Za-z0-9_-]+)</code>", page).group(1)
    assert "District reports" in page and "never" in page
    assert secret not in client.get("/api/tokens/").get_data(as_text=True)  # shown once
    row = db.session.scalar(select(ApiToken).where(ApiToken.name == "District reports"))
    assert row.token_hash == tokens.digest(secret) and secret not in (row.prefix, row.token_hash)
    assert row.user_id == admin.id and row.last_used_at is None
    created = db.session.scalar(select(AuditLog).where(AuditLog.entity == "api_token", AuditLog.action == "create"))
    assert created.user_id == admin.id and "token_hash" not in created.after and secret not in str(created.after)

    assert get(client, "/api/v1/schools", secret).status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).last_used_at is not None

    # Another user's token: 404, nothing revoked.
    other = token_of(school.user("deputy"), "deputy's")
    other_id = db.session.scalar(select(ApiToken.id).where(ApiToken.name == "deputy's"))
    page = client.get("/api/tokens/").get_data(as_text=True)
    assert client.post("/api/tokens/revoke", data={"token_id": other_id, "csrf_token": csrf_of(page)}).status_code == 404
    assert get(client, "/api/v1/schools", other).status_code == 200

    response = client.post("/api/tokens/revoke", data={"token_id": row.id, "csrf_token": csrf_of(page)})
    assert response.status_code == 303
    assert get(client, "/api/v1/schools", secret).status_code == 401
    assert db.session.scalar(select(AuditLog).where(AuditLog.entity == "api_token", AuditLog.action == "revoke"))
    assert "revoked" in client.get("/api/tokens/").get_data(as_text=True)


def test_the_tokens_page_in_russian_and_kyrgyz_and_for_other_roles(client, login, school):
    user = school.user("district_admin")
    user.locale = "ru"
    db.session.commit()
    login(user)
    page = client.get("/api/tokens/").get_data(as_text=True)
    assert "Токены API" in page and "школ вашего района" in page
    client.post("/logout")
    teacher = school.user("teacher")
    login(teacher)
    assert client.get("/api/tokens/").status_code == 403
