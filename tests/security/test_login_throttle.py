"""The login throttle and the password rules: nobody learns which accounts exist, guessing is
slowed for every worker at once, the owner is never locked out, and passwords on every
attacker's list are refused."""
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from app.extensions import db, limiter
from app.models import AuditLog, LoginThrottle, User
from config import BASE_DIR, Config
from tests.factories import PASSWORD
from tests.security.support import login_client, record_figure

# --- the login throttle ---------------------------------------------------------------------

def _login(client, email, password, addr="10.1.1.1", device=None):
    if device:
        client.set_cookie("sapat_device", device, domain="localhost")
    start = time.perf_counter()
    response = client.post("/login", data={"email": email, "password": password},
                           environ_base={"REMOTE_ADDR": addr}, headers={"Accept-Language": "en"})
    return response, (time.perf_counter() - start) * 1000


def _page(response, email):
    """The answer without what differs by design: the email typed and CSRF tokens."""
    return re.sub(r'value="[\w.-]{40,}"', 'value="token"', response.get_data(as_text=True).replace(email, "E"))


def test_existing_and_missing_accounts_get_the_same_answers(app, school):
    director = school.users["admin"]
    missing = "nobody@alpha.sapat.kg"
    for _attempt in range(9):
        limiter.reset()
        a, _ms = _login(app.test_client(), director.email, "wrong-guess", addr="10.2.0.1")
        b, _ms = _login(app.test_client(), missing, "wrong-guess", addr="10.2.0.2")
        assert a.status_code == b.status_code == 200
        assert _page(a, director.email) == _page(b, missing)
        assert "Wrong email or password" in a.get_data(as_text=True)
    # Both are waiting now; the right password of the director is not even checked.
    r, _ms = _login(app.test_client(), director.email, PASSWORD, addr="10.2.0.1")
    assert r.status_code == 200 and "Wrong email or password" in r.get_data(as_text=True)


def test_existing_and_missing_accounts_take_the_same_time(app, school, monkeypatch):
    # With production's hash (scrypt, about 0.1 s a check), not the suite's cheap one.
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", Config.PASSWORD_HASH_METHOD)
    director = school.users["admin"]
    director.set_password(PASSWORD)
    db.session.commit()
    assert director.password_hash.startswith("scrypt:")
    existing, missing = [], []
    for i in range(7):
        limiter.reset()
        existing.append(_login(app.test_client(), director.email, "wrong", addr=f"10.3.{i}.1")[1])
        missing.append(_login(app.test_client(), "nobody@alpha.sapat.kg", "wrong", addr=f"10.3.{i}.2")[1])
    ratio = statistics.median(existing) / statistics.median(missing)
    print(f"\nlogin timing, median of 7: existing {statistics.median(existing):.1f} ms, "
          f"missing {statistics.median(missing):.1f} ms, ratio {ratio:.2f}")
    record_figure("login_timing_ms", {"existing": round(statistics.median(existing), 1),
                                      "missing": round(statistics.median(missing), 1)})
    assert 0.5 < ratio < 2


def test_strangers_cannot_lock_the_owner_out(app, school):
    director = school.users["admin"]
    owner = app.test_client()
    response, _ms = _login(owner, director.email, PASSWORD, addr="10.4.0.1")
    assert response.status_code == 303
    device = owner.get_cookie("sapat_device").value
    owner.post("/logout")
    # 40 wrong guesses from 40 addresses (beyond the per-account allowance) and from the
    # school's own Wi-Fi address.
    for i in range(40):
        limiter.reset()
        _login(app.test_client(), director.email, "guess", addr=f"10.5.{i}.9")
        _login(app.test_client(), director.email, "guess", addr="10.4.0.1")
    limiter.reset()
    stranger, _ms = _login(app.test_client(), director.email, PASSWORD, addr="10.6.0.1")
    assert stranger.status_code == 200  # without the device cookie: wait
    response, _ms = _login(owner, director.email, PASSWORD, addr="10.4.0.1", device=device)
    assert response.status_code == 303  # the owner's browser gets in at once
    assert db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "lockout")) >= 1


def test_a_device_cookie_is_bound_to_its_account(app, school):
    teacher = login_client(app, school.users["teacher"])
    device = teacher.get_cookie("sapat_device").value
    director = school.users["admin"]
    for _ in range(5):
        _login(app.test_client(), director.email, "guess", addr="10.7.0.1")
    other, _ms = _login(app.test_client(), director.email, PASSWORD, addr="10.7.0.1", device=device)
    assert other.status_code == 200  # the teacher's cookie does not open the director's door


def test_the_wait_doubles_and_stops_at_15_minutes(app, school):
    from app.services.core import login_throttle as throttle

    keys = throttle.keys_for("someone@alpha.sapat.kg", "10.8.0.1", None)[:1]
    now = datetime(2026, 10, 1, 8, 0, tzinfo=timezone.utc)
    waits = []
    for _ in range(12):
        numbers = throttle.claim(keys, now)
        if numbers is None:
            now += timedelta(seconds=1)
            continue
        throttle.settle(keys, numbers, False, now)
        row = db.session.get(LoginThrottle, keys[0][0])
        db.session.refresh(row)
        blocked = row.blocked_until.replace(tzinfo=timezone.utc) if row.blocked_until else None
        waits.append(int((blocked - now).total_seconds()) if blocked else 0)
        if blocked:  # an attempt before the wait is over is refused and not counted
            assert throttle.claim(keys, blocked - timedelta(seconds=1)) is None
        now = (blocked or now) + timedelta(seconds=1)
    assert waits[:9] == [0, 0, 0, 0, 30, 60, 120, 240, 480]
    assert waits[9:] == [900, 900, 900]
    # A day without failures starts the count again.
    numbers = throttle.claim(keys, now + timedelta(hours=25))
    assert numbers == [1]


def test_parallel_wrong_logins_check_at_most_the_allowed_number(app, school, live_server, monkeypatch):
    import http.client
    import urllib.parse

    from app.services.core import accounts

    deputy = school.users["deputy"]
    real_hash = deputy.password_hash
    checked = []
    original = accounts.check_password_hash

    def counting(hashed, password):
        if hashed == real_hash:
            checked.append(password)
        return original(hashed, password)

    monkeypatch.setattr(accounts, "check_password_hash", counting)
    limiter.enabled = False  # the per-address limit aside: does the database counter hold?
    host, port = live_server.split("//")[1].split(":")
    barrier = threading.Barrier(40)

    def attempt(i):
        body = urllib.parse.urlencode({"email": deputy.email, "password": f"wrong-{i}"})
        barrier.wait()
        conn = http.client.HTTPConnection(host, int(port), timeout=120)
        conn.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
        conn.getresponse().read()
        conn.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(40)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        limiter.enabled = True
    print(f"\n40 parallel wrong logins: {len(checked)} passwords checked (LOGIN_MAX_FAILURES=5)")
    record_figure("parallel_wrong_logins", {"attempts": 40, "passwords_checked": len(checked)})
    assert len(checked) <= app.config["LOGIN_MAX_FAILURES"]


COUNT_SCRIPT = r'''
import json, sys
from app import create_app
from config import TestingConfig
app = create_app(type("P", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": sys.argv[1]}))
client = app.test_client()
codes = []
for password in sys.argv[3:]:
    r = client.post("/login", data={"email": sys.argv[2], "password": password},
                    environ_base={"REMOTE_ADDR": "10.9.0.1"})
    codes.append(r.status_code)
print(json.dumps(codes))
'''


@pytest.mark.one_run("postgres", "the count is shared through Redis, not the database")
def test_the_count_is_shared_between_processes(app, school):
    """Two workers (here: two processes on the same database) count the same attempts."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    email = school.users["teacher"].email
    env = {**os.environ, "PYTHONPATH": str(BASE_DIR)}
    first = subprocess.run([sys.executable, "-c", COUNT_SCRIPT, url, email, "a1", "a2", "a3"], env=env,
                           cwd=str(BASE_DIR), capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr[-2000:]
    second = subprocess.run([sys.executable, "-c", COUNT_SCRIPT, url, email, "b1", "b2", PASSWORD], env=env,
                            cwd=str(BASE_DIR), capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr[-2000:]
    assert json.loads(second.stdout.strip().splitlines()[-1]) == [200, 200, 200]  # the 6th attempt waits
    assert login_client(app, school.users["deputy"]).get("/").status_code == 200


# --- passwords -----------------------------------------------------------------------------

WEAK = ["12345678", "aaaaaaaa", "password", "qwerty123", "йцукенгш", "пароль123", "gfhjkm123", "Бишкек2024",
        "мектеп-сабак", "teacher2026"]


@pytest.mark.parametrize("password", WEAK)
def test_common_passwords_are_refused_everywhere(app, school, password):
    director = login_client(app, school.users["admin"])
    r1 = director.post("/admin/users/new", data={"full_name": "New Teacher", "email": "newteacher@alpha.kg",
                                                 "roles": "teacher", "locale": "en", "active": "y",
                                                 "password": password}, headers={"Accept-Language": "en"})
    teacher = login_client(app, school.users["teacher"])
    r2 = teacher.post("/password", data={"current_password": PASSWORD, "new_password": password,
                                         "confirm": password}, headers={"Accept-Language": "en"})
    result = app.test_cli_runner().invoke(args=["create-user", "cli@alpha.kg", "--role", "teacher",
                                                "--school", "alpha"], env={"SAPAT_PASSWORD": password,
                                                                           "SAPAT_LANG": "en"})
    assert r1.status_code == 200 and "too common or too easy to guess" in r1.get_data(as_text=True)
    assert r2.status_code == 200 and "too common or too easy to guess" in r2.get_data(as_text=True)
    assert result.exit_code == 1 and "too common or too easy to guess" in result.output
    assert db.session.scalar(select(func.count(User.id)).where(User.email.in_(["newteacher@alpha.kg",
                                                                               "cli@alpha.kg"]))) == 0


@pytest.mark.parametrize("password", ["tulip-river-lantern", "көк-жайлоо-кымыз-2026", "correct-horse-42",
                                      "Ысык-Көл жайкы лагерь", "x7#Qm2!vR9zL"])
def test_good_passphrases_pass(app, school, password):
    from app.services.core.passwords import password_problems

    with app.test_request_context():
        assert password_problems(password, ["teacher@alpha.sapat.kg", "Teacher"]) == []


def test_long_passwords_are_fine_up_to_200_characters(app, school):
    from app.services.core.passwords import password_problems

    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert password_problems("river lantern " * 14 + "ok") == []  # 198 characters, zxcvbn sees 72
        assert password_problems("r" * 201) == ["The password must be at most 200 characters long."]
        assert password_problems("short") == ["The password must be at least 8 characters long."]


@pytest.mark.parametrize("lang,phrase", [("ru", "слишком распространён"), ("ky", "өтө кеңири")])
def test_password_messages_are_translated(app, school, lang, phrase):
    from app.services.core.passwords import password_problems

    with app.test_request_context(headers={"Accept-Language": lang}):
        assert phrase in password_problems("12345678")[0]
