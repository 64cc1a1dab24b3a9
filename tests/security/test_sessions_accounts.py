"""Sessions: no key in the source, and sessions that end (logout, deactivation, password reset,
restore, 12 hours). The login throttle and passwords are in test_login_throttle.py."""
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.models import AuditLog
from config import BASE_DIR, ConfigError, DevelopmentConfig, ProductionConfig, TestingConfig, instance_secret_key
from tests.security.support import login_client

OLD_BUILTIN = "sapat-development-key-not-for-production"
STRONG = "k" * 20 + "-strong-enough-key-for-tests"


def _config(app, base, **extra):
    return type("C", (base,), {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], **extra})


def _cookie(app, user, key=None):
    """A session cookie for `user` signed with `key` (default: the app's own)."""
    signer_app = create_app(_config(app, TestingConfig, SECRET_KEY=key)) if key else app
    return signer_app.session_interface.get_signing_serializer(signer_app).dumps(
        {"_user_id": f"{user.id}:{user.session_version}", "_fresh": True})


def _with_cookie(app, cookie):
    client = app.test_client()
    client.set_cookie("session", cookie, domain="localhost")
    return client


# --- the key ------------------------------------------------------------------------------

def test_a_server_started_with_nothing_set_refuses_to_start(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    result = subprocess.run([sys.executable, "-c", "import wsgi"], env=env, capture_output=True, text=True,
                            cwd=str(BASE_DIR), timeout=60)
    assert result.returncode != 0
    assert "Sapat cannot start: SECRET_KEY is not set" in result.stderr and "Traceback" not in result.stderr
    # gunicorn stops at once (the worker's boot error) instead of starting workers forever.
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run([str(gunicorn), "-b", "127.0.0.1:0", "wsgi:app"], env=env, capture_output=True,
                            text=True, cwd=str(BASE_DIR), timeout=60)
    assert result.returncode == 3 and "Sapat cannot start: SECRET_KEY is not set" in result.stderr

def test_gunicorn_defaults_to_production_and_the_flask_command_to_development():
    from config import default_env

    assert default_env("/srv/sapat/.venv/bin/gunicorn") == "production"
    assert default_env("-c") == "production"
    assert default_env("/srv/sapat/.venv/bin/flask") == "development"
    assert default_env("/usr/lib/python3/site-packages/flask/__main__.py") == "development"


@pytest.mark.parametrize("base", [DevelopmentConfig, ProductionConfig])
@pytest.mark.parametrize("key", [OLD_BUILTIN, "x", "sapat-testing", "change-me" + " " * 30])
def test_built_in_and_short_keys_are_refused(app, base, key):
    with pytest.raises(ConfigError, match="SECRET_KEY is too weak"):
        create_app(_config(app, base, SECRET_KEY=key, RATELIMIT_STORAGE_URI="memory://",
                           PUBLIC_BASE_URL="https://sapat.example"))


def test_production_needs_shared_limits_and_a_public_address(app):
    with pytest.raises(ConfigError, match="RATELIMIT_STORAGE_URI"):
        create_app(_config(app, ProductionConfig, SECRET_KEY=STRONG, RATELIMIT_STORAGE_URI=None,
                           PUBLIC_BASE_URL="https://sapat.example"))
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        create_app(_config(app, ProductionConfig, SECRET_KEY=STRONG, RATELIMIT_STORAGE_URI="memory://",
                           PUBLIC_BASE_URL=None, TRUSTED_HOSTS=None))
    assert create_app(_config(app, ProductionConfig, SECRET_KEY=STRONG, RATELIMIT_STORAGE_URI="memory://",
                              PUBLIC_BASE_URL=None, TRUSTED_HOSTS=["sapat.example"]))


def test_the_development_key_is_generated_once_and_private(tmp_path):
    old = os.umask(0o022)
    try:
        first = instance_secret_key(tmp_path / "instance")
        second = instance_secret_key(tmp_path / "instance")
    finally:
        os.umask(old)
    assert first == second and len(first) == 64 and first not in (OLD_BUILTIN,)
    assert stat.S_IMODE((tmp_path / "instance" / "secret_key").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "instance").stat().st_mode) == 0o700


def test_development_signs_with_its_generated_key_not_the_old_built_in_one(app, school, tmp_path, monkeypatch):
    import config

    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "instance")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    dev = create_app(_config(app, DevelopmentConfig, WTF_CSRF_ENABLED=False))
    assert dev.config["SECRET_KEY"] == (tmp_path / "instance" / "secret_key").read_text().strip()
    director = school.users["admin"]
    forged = _with_cookie(dev, _cookie(app, director, key=OLD_BUILTIN))
    assert forged.get("/admin/users/").status_code == 302  # to the login page
    genuine = _with_cookie(dev, _cookie(dev, director))
    assert genuine.get("/admin/users/").status_code == 200


def test_an_old_key_in_fallbacks_still_opens_sessions(app, school):
    old_key = "o" * 40
    director = school.users["admin"]
    cookie = _cookie(app, director, key=old_key)
    rotated = create_app(_config(app, TestingConfig, SECRET_KEY=STRONG, SECRET_KEY_FALLBACKS=[old_key]))
    assert _with_cookie(rotated, cookie).get("/admin/users/").status_code == 200
    plain = create_app(_config(app, TestingConfig, SECRET_KEY=STRONG, SECRET_KEY_FALLBACKS=[]))
    assert _with_cookie(plain, cookie).get("/admin/users/").status_code == 302


# --- sessions that end ----------------------------------------------------------------------

def test_logout_ends_copied_cookies_and_other_devices(app, school):
    teacher = school.users["teacher"]
    laptop, phone = login_client(app, teacher), login_client(app, teacher)
    copied = laptop.get_cookie("session").value
    assert laptop.post("/logout").status_code == 303
    assert _with_cookie(app, copied).get("/").status_code == 302
    assert phone.get("/").status_code == 302
    assert db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "logout")) == 1
    assert login_client(app, teacher).get("/").status_code == 200  # logging in again works


def test_deactivation_ends_sessions_for_good(app, school):
    teacher = school.users["teacher"]
    cookie = login_client(app, teacher).get_cookie("session").value
    director = login_client(app, school.users["admin"])
    form = {"full_name": teacher.full_name, "email": teacher.email, "roles": "teacher", "locale": "en"}
    assert director.post(f"/admin/users/{teacher.id}", data=form).status_code == 303  # active unticked
    assert _with_cookie(app, cookie).get("/").status_code == 302
    assert director.post(f"/admin/users/{teacher.id}", data={**form, "active": "y"}).status_code == 303
    assert _with_cookie(app, cookie).get("/").status_code == 302  # re-activation brings nothing back
    assert login_client(app, teacher).get("/").status_code == 200


def test_a_password_reset_by_the_director_ends_the_users_sessions(app, school):
    teacher = school.users["teacher"]
    cookie = login_client(app, teacher).get_cookie("session").value
    director = login_client(app, school.users["admin"])
    assert director.post(f"/admin/users/{teacher.id}", data={
        "full_name": teacher.full_name, "email": teacher.email, "roles": "teacher", "locale": "en", "active": "y",
        "password": "tulip-river-lantern"}).status_code == 303
    assert _with_cookie(app, cookie).get("/").status_code == 302


def test_a_restore_ends_every_session(app, school, tmp_path):
    teacher = school.users["teacher"]
    cookie = login_client(app, teacher).get_cookie("session").value
    path = tmp_path / "backup.jsonl.gz"
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", "--format", "jsonl", str(path)]).exit_code == 0
    assert _with_cookie(app, cookie).get("/").status_code == 200
    result = runner.invoke(args=["restore", "--force", str(path)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert _with_cookie(app, cookie).get("/").status_code == 302


def test_a_session_cookie_is_worth_nothing_after_12_hours(app, school, monkeypatch):
    import itsdangerous.timed

    teacher = school.users["teacher"]
    real = time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() - 13 * 3600)
    old = _cookie(app, teacher)
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() - 11 * 3600)
    recent = _cookie(app, teacher)
    monkeypatch.setattr(itsdangerous.timed.time, "time", real)
    assert _with_cookie(app, old).get("/").status_code == 302
    assert _with_cookie(app, recent).get("/").status_code == 200
