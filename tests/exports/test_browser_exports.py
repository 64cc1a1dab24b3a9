"""Real browser at phone size: start the annual workbook, watch the progress, download it;
the same without JavaScript (the page refreshes itself)."""
import threading

import pytest
from playwright.sync_api import expect

from app.services.exports import jobs
from tests.conftest import browser_login, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def gated_kind():
    """An export that waits at 60 % until the test lets it finish."""
    halfway, release = threading.Event(), threading.Event()

    def build(path, school_id, params, progress):
        from app.services.exports.annual import build_job

        progress(60)
        halfway.set()
        release.wait(20)
        return build_job(path, school_id, params, lambda pct: None)

    kinds = jobs.kinds()
    original = kinds["annual"]
    kinds["annual"] = jobs.ExportKind("annual", original.label, original.roles, build)
    yield halfway, release
    release.set()
    kinds["annual"] = original


def test_progress_and_download_on_a_phone(live_server, phone, school, gated_kind, tmp_path):
    halfway, release = gated_kind
    page = phone
    browser_login(page, live_server, school.user("deputy"))
    page.goto(f"{live_server}/exports/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "exports-index-phone")
    page.click("form.export-form button.primary")
    page.wait_for_url(f"{live_server}/exports/jobs/**")
    assert halfway.wait(10)
    expect(page.locator("#export-percent")).to_have_text("60", timeout=10000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "exports-progress-phone")
    release.set()
    page.wait_for_selector("#export-download:not([hidden])", timeout=20000)
    screenshot(page, "exports-ready-phone")
    with page.expect_download() as info:
        page.click("#export-download-link")
    download = info.value
    assert download.suggested_filename == "sapat-annual-2026-2027.xlsx"
    saved = tmp_path / "annual.xlsx"
    download.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK"


def test_progress_without_javascript(live_server, phone_nojs, school, gated_kind):
    halfway, release = gated_kind
    page = phone_nojs
    browser_login(page, live_server, school.user("deputy"))
    page.goto(f"{live_server}/exports/")
    page.click("form.export-form button.primary")
    page.wait_for_url(f"{live_server}/exports/jobs/**")
    assert halfway.wait(10)
    assert page.locator("text=Check again").count() == 1
    release.set()
    # The <noscript> meta refresh reloads the page until the workbook is ready.
    page.wait_for_selector("#export-download-link", state="visible", timeout=20000)
    screenshot(page, "exports-ready-phone-nojs")
