"""Test fixtures: an app on SQLite (default) or on a fresh PostgreSQL database.

SAPAT_TEST_DB=postgres creates a database per run on 127.0.0.1:5432 and drops it after.
Tables are created once per run; every test starts from empty tables.
"""
import os
import re
import shutil
import tempfile
import threading
import uuid
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from app import create_app
from app.extensions import db, limiter
from app.i18n_catalogs import compile_all
from app.services.exports import queue as job_queue
from config import TestingConfig
from tests.factories import PASSWORD, SchoolFixture, make_school

PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _postgres_database():
    import psycopg

    name = f"sapat_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        # A throwaway database: a commit need not wait for the disk (a crash loses the run anyway).
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return name, f"{base}/{name}"


def _drop_postgres_database(name):
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pytest_configure(config):
    config.addinivalue_line("markers", "one_run(db, why): in `make test`, which runs the suite on SQLite and on "
                                       "PostgreSQL side by side, run this test on the `db` run only")
    config.addinivalue_line("markers", "both_runs(why): a Chromium test that `make test` runs on both databases "
                                       "(what it checks depends on the database: two tabs, stale pages, resends)")


# A Chromium test checks what a user sees and does in the browser; the database under the same
# pages is checked through the test client on both runs. So in `make test` a test that uses the
# `browser` fixture (phone, tablet, ...) runs on the SQLite run only, unless it is marked
# both_runs (races between tabs and devices, resent forms: the database decides those).
BROWSER_RUN = ("sqlite", "a Chromium test: the SQLite run drives the browser, both runs check the pages' data")


def pytest_collection_modifyitems(config, items):
    """`make test` sets SAPAT_TEST_BOTH=1: a test marked one_run("sqlite" | "postgres", why) checks
    what does not depend on the database (a page's HTML, a header, Redis) and runs on that run
    only; `make test-sqlite` / `make test-postgres` alone run it too."""
    if os.environ.get("SAPAT_TEST_BOTH") != "1":
        return
    current = os.environ.get("SAPAT_TEST_DB", "sqlite")
    for item in items:
        marker = item.get_closest_marker("one_run")
        run = marker.args if marker is not None else None
        if run is None and "browser" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("both_runs"):
            run = BROWSER_RUN
        if run is not None and run[0] != current:
            item.add_marker(pytest.mark.skip(reason=f"runs on the {run[0]} run of make test: {run[1]}"))


@pytest.fixture(scope="session")
def database_url():
    if os.environ.get("SAPAT_TEST_DB") == "postgres":
        name, url = _postgres_database()
        yield url
        _drop_postgres_database(name)
    else:
        # A file, not :memory:, so that a live server thread can share it (WAL mode).
        directory = tempfile.mkdtemp(prefix="sapat-test-")
        yield f"sqlite:///{directory}/test.db"
        shutil.rmtree(directory, ignore_errors=True)


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context (own `g`, own database session), as in
    production; the test's session commits before and forgets cached rows after."""

    def open(self, *args, **kwargs):
        db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture(scope="session")
def app(database_url):
    compile_all()
    config = type("RunConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": database_url})
    application = create_app(config)
    # Each run keeps its files (export files, import files the CLI reads) in its own folder,
    # so that the SQLite and PostgreSQL runs of `make test` can go side by side.
    application.instance_path = tempfile.mkdtemp(prefix="sapat-instance-")
    application.test_client_class = IsolatedClient
    with application.app_context():
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    shutil.rmtree(application.instance_path, ignore_errors=True)


def _wait_for_export_threads(app, timeout: float = 60.0) -> None:
    """Export jobs a test started run in the queue's background thread and keep a read
    transaction open; TRUNCATE would queue behind it and block the job's progress update on
    its other connection (a deadlock PostgreSQL cannot see). Let them finish first."""
    job_queue.wait_idle(app, timeout)


@pytest.fixture(autouse=True)
def _clean(app):
    """Each test gets empty tables and a fresh rate limiter."""
    ctx = app.app_context()
    ctx.push()
    limiter.reset()
    yield
    _wait_for_export_threads(app)
    db.session.rollback()
    db.session.remove()
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            _empty_postgres(conn, tables)
        else:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))
    ctx.pop()


def _empty_postgres(conn, tables: list[str]) -> None:
    """DELETE the rows of the tables a test filled, children first (`tables` is in reverse
    dependency order), then set every sequence that was used back to 1, so each test starts
    from id 1 as on SQLite. TRUNCATE would give each table a new file (1.5-7 s a test) and
    ALTER SEQUENCE changes the catalogue; DELETE of a test's few rows and setval cost
    milliseconds."""
    # A lock that is never released must fail the run, not hang it until CI's limit.
    conn.execute(text("SET LOCAL lock_timeout = '60s'"))
    probe = " UNION ALL ".join(f"(SELECT '{t}' FROM \"{t}\" LIMIT 1)" for t in tables)
    filled = {row[0] for row in conn.execute(text(probe))}
    for table in tables:
        if table in filled:
            conn.execute(text(f'DELETE FROM "{table}"'))
    conn.execute(text("SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false) "
                      "FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def school(app) -> SchoolFixture:
    return make_school("alpha")


@pytest.fixture
def other_school(app) -> SchoolFixture:
    return make_school("beta")


def csrf_of(page: str) -> str:
    """The CSRF token of the first form of an HTML page."""
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def do_login(client, user, password=PASSWORD):
    return client.post("/login", data={"email": user.email, "password": password})


@pytest.fixture
def login(client):
    """login(user) logs the test client in as that user."""
    def _login(user, password=PASSWORD):
        response = do_login(client, user, password)
        assert response.status_code == 303, response.data[:500]
        return client
    return _login


# --- real browser --------------------------------------------------------------------

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}
TABLET = {"width": 800, "height": 1280}


@pytest.fixture(scope="session")
def live_server(app):
    """The test app served over HTTP in a background thread; yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright. CI installs chromium; elsewhere a missing
    browser skips the browser tests with a clear reason."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run must apt-get install chromium")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield instance
        instance.close()


def _page(browser, viewport, java_script_enabled=True, locale="ky"):
    context = browser.new_context(viewport=viewport, java_script_enabled=java_script_enabled, locale=locale,
                                  device_scale_factor=1)
    return context, context.new_page()


@pytest.fixture
def phone(browser):
    """A 360x740 phone page with JavaScript on."""
    context, page = _page(browser, PHONE)
    yield page
    context.close()


@pytest.fixture
def phone_nojs(browser):
    context, page = _page(browser, PHONE, java_script_enabled=False)
    yield page
    context.close()


@pytest.fixture
def tablet(browser):
    context, page = _page(browser, TABLET)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG under tests/artifacts/screenshots/ for people to look at."""
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def browser_login(page, base_url, user, password=PASSWORD):
    page.goto(f"{base_url}/login")
    page.fill("#email", user.email)
    page.fill("#password", password)
    page.click("button.primary")
    page.wait_for_url(f"{base_url}/**")
