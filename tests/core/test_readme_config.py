"""The README stays true: every variable its configuration table names is read from the
environment (issue 23: SURVEY_RATE_LIMIT was documented but never read)."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# How each documented variable shows: a setting of config.Config (read in a fresh process with
# the variable set), or a file that reads it.
CONFIG_ATTRIBUTES = {
    "SECRET_KEY_FALLBACKS": ("SECRET_KEY_FALLBACKS", "old-key-one", ["old-key-one"]),
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", "postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    "RATELIMIT_STORAGE_URI": ("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379", "redis://127.0.0.1:6379"),
    "PUBLIC_BASE_URL": ("PUBLIC_BASE_URL", "https://sapat.example.kg/", "https://sapat.example.kg"),
    "TRUSTED_HOSTS": ("TRUSTED_HOSTS", "a.kg, b.kg", ["a.kg", "b.kg"]),
    "SAPAT_TRUSTED_PROXIES": ("TRUSTED_PROXIES", "2", 2),
    "SURVEY_RATE_LIMIT": ("SURVEY_RATE_LIMIT", "7 per minute", "7 per minute"),
    "API_RATE_LIMIT": ("API_RATE_LIMIT", "14 per minute", "14 per minute"),
    "SURVEY_LINK_ADDRESS_LIMIT": ("SURVEY_LINK_ADDRESS_LIMIT", "8 per hour", "8 per hour"),
    "SURVEY_ADDRESS_LIMIT": ("SURVEY_ADDRESS_LIMIT", "9 per hour", "9 per hour"),
    "SURVEY_LINK_LIMIT": ("SURVEY_LINK_LIMIT", "11 per hour", "11 per hour"),
    "SURVEY_UUID_LIMIT": ("SURVEY_UUID_LIMIT", "12 per minute", "12 per minute"),
    "SURVEY_WRONG_CODE_LIMIT": ("SURVEY_WRONG_CODE_LIMIT", "13 per 10 minutes", "13 per 10 minutes"),
    "QUEUE_URL": ("QUEUE_URL", "redis://127.0.0.1:6379/1", "redis://127.0.0.1:6379/1"),
    "QUEUE_IN_PROCESS": ("QUEUE_IN_PROCESS", "1", True),
    "QUEUE_WORKERS": ("QUEUE_WORKERS", "3", 3),
    "QUEUE_LEASE_SECONDS": ("QUEUE_LEASE_SECONDS", "30", 30.0),
    "QUEUE_MAX_ATTEMPTS": ("QUEUE_MAX_ATTEMPTS", "4", 4),
    "QUEUE_NAME": ("QUEUE_NAME", "district", "district"),
}
READ_IN_FILES = {
    "SAPAT_ENV": ("wsgi.py", 'os.environ.get("SAPAT_ENV")'),
    "SAPAT_LANG": ("app/__init__.py", 'os.environ.get("SAPAT_LANG")'),
    "SECRET_KEY": ("config.py", 'os.environ.get("SECRET_KEY")'),
    "PORT": ("Makefile", "PORT ?= 5000"),
    "HOST": ("Makefile", "HOST ?= 127.0.0.1"),
}


def documented() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    table = [line for line in section.splitlines() if line.startswith("| `")]
    return [name for line in table for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1])]


def test_every_documented_variable_is_checked_here():
    names = documented()
    assert "SURVEY_RATE_LIMIT" in names and "PORT" in names
    assert sorted(set(names) - set(CONFIG_ATTRIBUTES) - set(READ_IN_FILES)) == []


def test_documented_settings_are_read_from_the_environment():
    env = {k: v for k, v in os.environ.items() if k not in CONFIG_ATTRIBUTES}
    env.update({name: value for name, (_attr, value, _expected) in CONFIG_ATTRIBUTES.items()})
    script = ("import json, config; print(json.dumps({a: getattr(config.Config, a) for a in %r}))"
              % [attr for attr, _value, _expected in CONFIG_ATTRIBUTES.values()])
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout
    seen = json.loads(out)
    wrong = {name: seen[attr] for name, (attr, _value, expected) in CONFIG_ATTRIBUTES.items() if seen[attr] != expected}
    assert wrong == {}


def test_documented_variables_read_by_other_files():
    for name, (path, text) in READ_IN_FILES.items():
        assert text in (ROOT / path).read_text(encoding="utf-8"), (name, path)


def test_make_run_prints_the_open_demo_survey_link(app, client, monkeypatch):
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    output = app.test_cli_runner().invoke(args=["demo", "--scale", "small", "--seed", "7"]).output
    link = re.search(r"(http://127\.0\.0\.1:8123/s/\S+)", output)
    assert link, output
    assert client.get(link.group(1).replace("http://127.0.0.1:8123", "")).status_code == 200
    again = app.test_cli_runner().invoke(args=["demo", "--if-empty"]).output
    assert link.group(1) in again
