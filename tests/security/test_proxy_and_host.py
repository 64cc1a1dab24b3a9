"""Limits behind a proxy and the host name: the client's address from a configured number of
proxies, survey limits that never refuse a classroom behind one address but stop one address
(or one link) from being flooded, limits shared through Redis, and printed addresses that no
Host header can change. Also HSTS and the flags of every cookie in production."""
import json
import os
import socket
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.models import AuditLog, Response
from app.services.surveys import public as service
from config import BASE_DIR, ProductionConfig, TestingConfig
from tests.factories import PASSWORD
from tests.factories.surveys import make_campaign
from tests.security.support import record_figure

ANSWERS = {"a": "4", "b": "2", "kids": "no"}


def _app(app, base=TestingConfig, **extra):
    config = type("C", (base,), {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], **extra})
    return create_app(config)


def _send(application, client, slug, addr, client_uuid=None, xff=None, **extra):
    """One send of a survey page: a fresh (or the given) signed UUID, from `addr`."""
    client_uuid = client_uuid or str(uuid.uuid4())
    signature = service._uuid_signature(application.config["SECRET_KEY"], slug, client_uuid)
    headers = {"X-Forwarded-For": xff} if xff else {}
    return client.post(f"/s/{slug}", data={"client_uuid": client_uuid, "signature": signature, **ANSWERS, **extra},
                       environ_base={"REMOTE_ADDR": addr}, headers=headers)


def _stored(campaign) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Response.id)).where(Response.campaign_id == campaign.id))


# --- the client's address -------------------------------------------------------------------

@pytest.mark.parametrize("proxies,expected", [(0, "127.0.0.1"), (1, "198.51.100.7"), (2, "203.0.113.5")])
def test_the_address_comes_from_the_trusted_proxies_only(app, school, proxies, expected):
    application = _app(app, TRUSTED_PROXIES=proxies)
    client = application.test_client()
    client.post("/login", data={"email": school.users["admin"].email, "password": PASSWORD},
                environ_base={"REMOTE_ADDR": "127.0.0.1"},
                headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.5, 198.51.100.7"})
    row = db.session.scalar(select(AuditLog).where(AuditLog.action == "login"))
    assert row.remote_addr == expected


# --- survey limits ----------------------------------------------------------------------------

def test_a_classroom_behind_one_address_is_never_refused(app, school):
    """60 parents behind one school Wi-Fi, each phone retrying its send twice (a timeout): all
    60 responses are stored once and nobody sees a 429."""
    campaign = make_campaign(school)
    slug = campaign.targets[0].slug
    client = app.test_client(use_cookies=False)  # many parents: no shared cookie jar
    codes = []
    for _parent in range(60):
        mine = str(uuid.uuid4())
        codes += [_send(app, client, slug, "10.20.30.40", mine).status_code for _ in range(3)]
    assert 429 not in codes and set(codes) == {303}
    assert _stored(campaign) == 60
    record_figure("survey_classroom_behind_one_address", {"parents": 60, "sends": len(codes), "refused": 0})


def test_one_address_cannot_flood_a_link(app, school):
    campaign = make_campaign(school)
    slug = campaign.targets[0].slug
    client = app.test_client(use_cookies=False)
    app.config["SURVEY_LINK_ADDRESS_LIMIT"] = "25 per hour"
    try:
        codes = [_send(app, client, slug, "203.0.113.9").status_code for _ in range(30)]
    finally:
        app.config["SURVEY_LINK_ADDRESS_LIMIT"] = TestingConfig.SURVEY_LINK_ADDRESS_LIMIT
    assert codes[:25] == [303] * 25 and codes[25:] == [429] * 5
    assert _stored(campaign) == 25
    # Another class's link from the same address is still open, and so is this link elsewhere.
    assert _send(app, client, campaign.targets[1].slug, "203.0.113.9").status_code == 303
    assert _send(app, client, slug, "198.51.100.1").status_code == 303


def test_rotating_addresses_cannot_flood_a_link(app, school):
    campaign = make_campaign(school)
    slug = campaign.targets[0].slug
    client = app.test_client(use_cookies=False)
    app.config["SURVEY_LINK_LIMIT"] = "40 per hour"
    try:
        codes = [_send(app, client, slug, f"100.64.{i // 250}.{i % 250}").status_code for i in range(45)]
    finally:
        app.config["SURVEY_LINK_LIMIT"] = TestingConfig.SURVEY_LINK_LIMIT
    assert codes.count(303) == 40 and codes.count(429) == 5
    assert _stored(campaign) == 40


def test_retries_and_refused_pages_cost_the_address_nothing(app, school):
    """Only stored new responses count towards the address limit."""
    campaign = make_campaign(school)
    slug = campaign.targets[0].slug
    client = app.test_client(use_cookies=False)
    app.config["SURVEY_ADDRESS_LIMIT"] = "3 per hour"
    try:
        refused = [_send(app, client, slug, "10.0.0.8", a="").status_code for _ in range(5)]  # incomplete
        stored = [_send(app, client, slug, "10.0.0.8").status_code for _ in range(4)]
    finally:
        app.config["SURVEY_ADDRESS_LIMIT"] = TestingConfig.SURVEY_ADDRESS_LIMIT
    assert refused == [400] * 5 and stored == [303, 303, 303, 429]


def test_wrong_codes_are_limited_per_link(app, school):
    campaign = make_campaign(school, mode="codes")
    slug = campaign.targets[0].slug
    client = app.test_client(use_cookies=False)
    codes = [_send(app, client, slug, f"10.1.{i}.1", code=f"WRONG{i}").status_code for i in range(31)]
    assert codes[:30] == [400] * 30 and codes[30] == 429
    good = service.issue_codes(campaign, campaign.targets[1], 1)[0]
    db.session.commit()
    assert _send(app, client, campaign.targets[1].slug, "10.2.0.1", code=good).status_code == 303


def _redis_up():
    try:
        socket.create_connection(("127.0.0.1", 6379), 1).close()
        return True
    except OSError:
        return False


REDIS_SCRIPT = r'''
import json, sys, uuid
from app import create_app
from app.extensions import db
from app.services.surveys import public as service
from config import TestingConfig
app = create_app(type("R", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": sys.argv[1],
                                             "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
                                             "SURVEY_LINK_ADDRESS_LIMIT": "5 per hour"}))
client = app.test_client(use_cookies=False)
codes = []
for _ in range(4):
    u = str(uuid.uuid4())
    sig = service._uuid_signature(app.config["SECRET_KEY"], sys.argv[2], u)
    codes.append(client.post("/s/" + sys.argv[2], data={"client_uuid": u, "signature": sig, "a": "4", "b": "2",
                                                        "kids": "no"}, environ_base={"REMOTE_ADDR": sys.argv[3]}
                             ).status_code)
print(json.dumps(codes))
'''


@pytest.mark.one_run("postgres", "the count is shared through Redis, not the database")
@pytest.mark.skipif(not _redis_up(), reason="Redis is not running on 127.0.0.1:6379")
def test_survey_limits_are_shared_through_redis(app, school):
    """Two processes (two gunicorn workers) count the same stored responses."""
    import redis

    campaign = make_campaign(school)
    slug = campaign.targets[0].slug
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.3"
    env = {**os.environ, "PYTHONPATH": str(BASE_DIR)}
    runs = [subprocess.run([sys.executable, "-c", REDIS_SCRIPT, app.config["SQLALCHEMY_DATABASE_URI"], slug, address],
                           env=env, cwd=str(BASE_DIR), capture_output=True, text=True, timeout=120) for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stderr[-2000:]
    first, second = (json.loads(r.stdout.strip().splitlines()[-1]) for r in runs)
    assert first == [303] * 4 and second == [303, 429, 429, 429]
    assert _stored(campaign) == 5
    client = redis.Redis(host="127.0.0.1", port=6379)
    keys = list(client.scan_iter(match=f"*{slug}*"))
    assert keys
    client.delete(*keys)


# --- the host name ----------------------------------------------------------------------------

def _client_for(application, user, host):
    client = application.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD}, base_url=f"http://{host}")
    assert response.status_code == 303
    return client


@pytest.mark.parametrize("page", ["notice", "codes", "detail"])
def test_printed_addresses_ignore_the_host_header(app, school, page):
    """TestingConfig's SERVER_NAME would hide the fault: these apps have none, as production."""
    application = _app(app, SERVER_NAME=None, PUBLIC_BASE_URL="https://sapat.example")
    campaign = make_campaign(school, mode="codes" if page == "codes" else "link")
    target = campaign.targets[0]
    client = _client_for(application, school.users["deputy"], "evil.example")
    if page == "notice":
        response = client.get(f"/surveys/{campaign.id}/notice/{target.id}", base_url="http://evil.example")
    elif page == "codes":
        response = client.post(f"/surveys/{campaign.id}/codes", data={"target_id": target.id, "count": 2},
                               base_url="http://evil.example", follow_redirects=True)
    else:
        response = client.get(f"/surveys/{campaign.id}", base_url="http://evil.example")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"https://sapat.example/s/{target.slug}" in body
    assert "evil.example" not in body


def test_an_unknown_host_is_refused_when_trusted_hosts_are_set(app, school):
    application = _app(app, SERVER_NAME=None, TRUSTED_HOSTS=["sapat.example"])
    client = application.test_client()
    assert client.get("/login", base_url="http://evil.example").status_code == 400
    assert client.get("/login", base_url="http://sapat.example").status_code == 200


# --- production: HSTS and cookies -------------------------------------------------------------

def _production(app, **extra):
    return _app(app, ProductionConfig, SECRET_KEY="p" * 40, RATELIMIT_STORAGE_URI="memory://",
                PUBLIC_BASE_URL="https://localhost", WTF_CSRF_ENABLED=False, **extra)


def test_hsts_on_https_in_production_only(app, school):
    production = _production(app)
    assert production.test_client().get("/login", base_url="https://localhost").headers[
        "Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in production.test_client().get("/login").headers
    assert "Strict-Transport-Security" not in app.test_client().get("/login", base_url="https://localhost").headers
    # Behind a TLS proxy the scheme comes from X-Forwarded-Proto of a trusted proxy.
    proxied = _production(app, TRUSTED_PROXIES=1)
    response = proxied.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers


def test_every_cookie_is_httponly_secure_and_samesite_in_production(app, school):
    production = _production(app)
    client = production.test_client()
    cookies = []
    response = client.post("/login", base_url="https://localhost", data={
        "email": school.users["admin"].email, "password": PASSWORD})
    assert response.status_code == 303
    cookies += response.headers.getlist("Set-Cookie")
    cookies += client.post("/language", base_url="https://localhost",
                           data={"lang": "ru", "next": "/"}).headers.getlist("Set-Cookie")
    names = {c.split("=", 1)[0] for c in cookies}
    assert {"session", "lang", "sapat_device"} <= names
    for cookie in cookies:
        assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie, cookie
