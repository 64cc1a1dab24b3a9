"""Headers, cookies, the login rate limit (memory and Redis) and error pages."""
import io
import json
import os
import socket
import subprocess
import sys
import uuid

import pytest
from flask_babel import gettext

from app import create_app
from config import BASE_DIR, ProductionConfig, TestingConfig
from tests.security.support import login_client, routes

PAGES = ["/login", "/", "/admin/", "/admin/users/", "/no-such-page", "/healthz"]


def _config(app, base=TestingConfig, **extra):
    return type("C", (base,), {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], **extra})


def test_security_headers_on_pages_errors_and_static(app, school):
    client = login_client(app, school.users["admin"])
    for path in PAGES + ["/static/css/sapat.css"]:
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";"))
        assert directives["default-src"] == "'self'", path
        assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'", path
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, path
        assert directives["frame-ancestors"] == "'none'", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin"), path
        assert response.headers["X-Frame-Options"] == "DENY", path
    # Private pages are not kept by shared caches or the back button of a shared computer.
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_scripts_styles_or_handlers(app, school):
    from tests.security.test_xss import assert_inert

    client = login_client(app, school.users["admin"])
    for path in PAGES:
        assert_inert(client.get(path).get_data(as_text=True), path)


def _set_cookie_headers(response, name):
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]


def test_session_cookie_is_httponly_and_samesite_lax(app, school):
    client = app.test_client()
    response = client.post("/login", data={"email": school.users["admin"].email, "password": "correct-horse-42"})
    cookies = _set_cookie_headers(response, "session")
    assert cookies, response.headers
    assert "HttpOnly" in cookies[0] and "SameSite=Lax" in cookies[0]
    assert "Secure" not in cookies[0]  # development and tests run on plain http


def test_production_cookies_are_secure(app, school, monkeypatch):
    production = create_app(_config(app, ProductionConfig, SECRET_KEY="x" * 40, RATELIMIT_STORAGE_URI="memory://",
                                    PUBLIC_BASE_URL="https://localhost"))
    client = production.test_client()
    response = client.post("/login", data={"email": school.users["admin"].email, "password": "correct-horse-42"},
                           base_url="https://localhost")
    # CSRF is on in production: the login form needs its token first.
    assert response.status_code == 400
    page = client.get("/login", base_url="https://localhost").get_data(as_text=True)
    token = page.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    response = client.post("/login", base_url="https://localhost", headers={"Referer": "https://localhost/login"},
                           data={
        "email": school.users["admin"].email, "password": "correct-horse-42", "csrf_token": token})
    assert response.status_code == 303
    cookie = _set_cookie_headers(response, "session")[0]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert production.config["REMEMBER_COOKIE_SECURE"] is True


def test_login_is_rate_limited_in_memory(app, school):
    client = app.test_client()
    codes = [client.post("/login", data={"email": "nobody@x.kg", "password": "wrong"},
                         environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code for _ in range(12)]
    assert codes[:10] == [200] * 10 and codes[10:] == [429, 429]
    # Another address is not affected.
    assert client.post("/login", data={"email": "nobody@x.kg", "password": "wrong"},
                       environ_base={"REMOTE_ADDR": "10.9.9.10"}).status_code == 200


def _redis_up():
    try:
        socket.create_connection(("127.0.0.1", 6379), 1).close()
        return True
    except OSError:
        return False


REDIS_SCRIPT = r'''
import json, os, sys
from app import create_app
from app.extensions import db, limiter
app = create_app("development")
app.config["WTF_CSRF_ENABLED"] = False  # the limit is what is tested here
with app.app_context():
    db.create_all()
client = app.test_client()
codes = [client.post("/login", data={"email": "nobody@x.kg", "password": "w"},
                     environ_base={"REMOTE_ADDR": sys.argv[1]}).status_code for _ in range(12)]
print(json.dumps({"codes": codes, "storage": type(limiter.storage).__name__}))
'''


@pytest.mark.one_run("postgres", "the count is shared through Redis, not the database")
@pytest.mark.skipif(not _redis_up(), reason="Redis is not running on 127.0.0.1:6379")
def test_login_rate_limit_is_shared_through_redis(tmp_path):
    """With RATELIMIT_STORAGE_URI set, the counters live in Redis, so that every gunicorn
    worker (here: two separate processes) counts the same attempts."""
    import redis

    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"
    env = {**os.environ, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379", "SECRET_KEY": "r" * 40,
           "DATABASE_URL": f"sqlite:///{tmp_path}/r.db", "SAPAT_ENV": "development"}
    env.pop("SAPAT_TEST_DB", None)
    first = subprocess.run([sys.executable, "-c", REDIS_SCRIPT, address], env=env, cwd=str(BASE_DIR),
                           capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr[-2000:]
    result = json.loads(first.stdout.strip().splitlines()[-1])
    assert result["storage"] == "RedisStorage"
    assert result["codes"][:10] == [200] * 10 and result["codes"][10:] == [429, 429]
    # A second process (another worker) is refused at once: the count is in Redis.
    second = subprocess.run([sys.executable, "-c", REDIS_SCRIPT, address], env=env, cwd=str(BASE_DIR),
                            capture_output=True, text=True, timeout=60)
    assert json.loads(second.stdout.strip().splitlines()[-1])["codes"][0] == 429
    client = redis.Redis(host="127.0.0.1", port=6379)
    keys = [k for k in client.scan_iter(match=f"*{address}*")]
    assert keys
    client.delete(*keys)


# --- errors --------------------------------------------------------------------------

def _boom_app(app):
    application = create_app(_config(app))

    @application.route("/boom-sql")
    def boom_sql():
        from sqlalchemy import text

        from app.extensions import db

        db.session.execute(text("SELECT secret_column FROM no_such_table"))

    @application.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    boom.public = boom_sql.public = True
    return application


@pytest.mark.parametrize("lang", ["ky", "ru", "en"])
def test_error_pages_are_in_the_visitors_language(app, lang):
    application = _boom_app(app)
    client = application.test_client()
    for path, code, message in [("/no-such-page", 404, "Page not found"),
                                ("/boom", 500, "Something went wrong on our side")]:
        response = client.get(path, headers={"Accept-Language": lang})
        body = response.get_data(as_text=True)
        assert response.status_code == code
        with application.test_request_context(headers={"Accept-Language": lang}):
            assert gettext(message) in body
        assert f'lang="{lang}"' in body


def test_server_errors_show_no_trace_or_sql_and_log_the_request_id(app):
    application = _boom_app(app)
    stream = io.StringIO()
    application.logger.handlers[0].setStream(stream)
    client = application.test_client()
    for path in ("/boom", "/boom-sql"):
        response = client.get(path, headers={"X-Request-Id": f"req-{path[1:]}-42"})
        body = response.get_data(as_text=True)
        assert response.status_code == 500
        for leak in ("Traceback", "secret internals", "no_such_table", "SELECT", "sqlalchemy", "File \""):
            assert leak not in body, leak
        assert response.headers["X-Request-Id"] == f"req-{path[1:]}-42"
    log = stream.getvalue()
    assert "[req-boom-42]" in log and "RuntimeError: secret internals" in log
    assert "[req-boom-sql-42]" in log and "no_such_table" in log  # the details are in the log only


def test_request_ids_are_made_when_missing_or_unsafe(client):
    made = client.get("/healthz").headers["X-Request-Id"]
    assert len(made) == 12
    other = client.get("/healthz").headers["X-Request-Id"]
    assert made != other
    forged = client.get("/healthz", headers={"X-Request-Id": "x] ERROR forged line"}).headers["X-Request-Id"]
    assert forged != "x] ERROR forged line" and len(forged) == 12


def test_json_clients_get_json_errors_without_details(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404 and set(response.json) == {"error", "detail"}


def test_no_route_uses_put_patch_or_delete_without_role(app):
    for route in routes(app):
        assert not {"PUT", "PATCH", "DELETE"} & set(route.methods) or route.allowed_roles, route.endpoint
