"""Export jobs: a workbook is built by the task queue (in-process in the tests), the page polls its progress,
the owner downloads it once; nobody else can see it."""
import io
import threading
import time

import openpyxl
import pytest

from app.extensions import db
from app.models import ExportJob
from app.services.exports import jobs, storage
from tests.factories.exports import make_export_job


@pytest.fixture(autouse=True)
def _exports_dir(app, tmp_path):
    app.config["EXPORTS_DIR"] = str(tmp_path / "exports")
    yield
    app.config.pop("EXPORTS_DIR", None)


def _wait(client, job_id, timeout=120.0):  # returns as soon as the job ends; the bound is for a loaded CI machine
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = client.get(f"/exports/jobs/{job_id}.json").get_json()
        if data["status"] in ("done", "failed"):
            return data
        time.sleep(0.1)
    raise AssertionError("the export job did not finish")


def _start_annual(client, year="2026-2027"):
    response = client.post("/exports/annual", data={"year": year})
    assert response.status_code == 303, response.data[:300]
    job_id = response.headers["Location"].rsplit("/", 1)[1]
    return job_id


def test_annual_workbook_builds_in_background_and_downloads_once(school, login):
    client = login(school.user("deputy"))
    job_id = _start_annual(client)
    page = client.get(f"/exports/jobs/{job_id}")
    assert page.status_code == 200
    assert b'<progress id="export-progress"' in page.data
    assert b"js/exports.js" in page.data
    data = _wait(client, job_id)
    assert data["status"] == "done" and data["progress"] == 100
    assert data["download"] == f"/exports/jobs/{job_id}/download"
    job = db.session.get(ExportJob, job_id)
    blob = storage.blob_of(job.file_path)  # kept in the database: any app node serves it
    assert blob and storage.exists(blob) and job.attempts == 1
    assert not list(jobs.exports_dir().iterdir()), "nothing is left on the worker's disk"

    response = client.get(data["download"], buffered=True)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('sapat-annual-2026-2027.xlsx')
    body = response.get_data()
    book = openpyxl.load_workbook(io.BytesIO(body))
    assert "Expert assessment" in book.sheetnames
    assert not storage.exists(blob), "the file is deleted after its download"
    assert not list(jobs.exports_dir().iterdir())

    again = client.get(data["download"])
    assert again.status_code == 302
    page = client.get(f"/exports/jobs/{job_id}")
    assert b"already downloaded" in page.data
    index = client.get("/exports/")
    assert b"downloaded" in index.data


def test_progress_is_visible_while_the_workbook_is_built(school, login):
    halfway, release = threading.Event(), threading.Event()

    def slow_build(path, school_id, params, progress):
        progress(40)
        halfway.set()
        release.wait(10)
        progress(90)
        with open(path, "wb") as f:
            f.write(b"PK fake")
        return "slow.xlsx"

    jobs.kinds()["slow-test"] = jobs.ExportKind("slow-test", "Slow", ("deputy",), slow_build)
    try:
        user = school.user("deputy")
        client = login(user)
        job = jobs.start_job(school_id=school.school.id, user_id=user.id, kind="slow-test", params={},
                             locale="en")
        assert halfway.wait(10)
        data = client.get(f"/exports/jobs/{job.id}.json").get_json()
        assert data == {"status": "running", "progress": 40, "error": None, "download": None}
        page = client.get(f"/exports/jobs/{job.id}")
        # Without JavaScript the page refreshes itself and offers a "check again" link.
        assert b'<noscript><meta http-equiv="refresh" content="2"></noscript>' in page.data
        assert b"Check again" in page.data
        assert b'value="40"' in page.data
        release.set()
        assert _wait(client, job.id)["status"] == "done"
        assert b"http-equiv" not in client.get(f"/exports/jobs/{job.id}").data
    finally:
        release.set()
        jobs.kinds().pop("slow-test", None)


def test_a_failing_export_reports_a_message_and_leaves_no_file(school, login):
    def broken(path, school_id, params, progress):
        with open(path, "wb") as f:
            f.write(b"half")
        raise RuntimeError("boom")

    jobs.kinds()["broken-test"] = jobs.ExportKind("broken-test", "Broken", ("deputy",), broken)
    try:
        user = school.user("deputy")
        client = login(user)
        job = jobs.start_job(school_id=school.school.id, user_id=user.id, kind="broken-test", params={},
                             locale="en")
        data = _wait(client, job.id)
        assert data["status"] == "failed"
        assert "could not be built" in data["error"] and "boom" not in data["error"]
        assert not any(p.name.startswith(job.id) for p in jobs.exports_dir().iterdir())
        assert client.get(f"/exports/jobs/{job.id}/download").status_code == 302
    finally:
        jobs.kinds().pop("broken-test", None)


def test_unknown_year_fails_with_a_translated_message(school, login):
    client = login(school.user("deputy"))
    user = school.user("deputy")
    job = jobs.start_job(school_id=school.school.id, user_id=user.id, kind="annual",
                         params={"year": "1999-2000"}, locale="en")
    data = _wait(client, job.id)
    assert data["status"] == "failed"
    assert data["error"] == "No academic year “1999-2000” in this school."


def test_only_the_owner_sees_a_job(school, other_school, login, client):
    owner = school.user("deputy")
    job = jobs.start_job(school_id=school.school.id, user_id=owner.id, kind="annual",
                         params={"year": "2026-2027"}, locale="en")
    login(owner)
    _wait(client, job.id)
    client.post("/logout")
    for intruder in (school.user("admin"), other_school.user("deputy")):
        login(intruder)
        for url in (f"/exports/jobs/{job.id}", f"/exports/jobs/{job.id}.json", f"/exports/jobs/{job.id}/download"):
            assert client.get(url).status_code == 404, url
        client.post("/logout")
    assert db.session.get(ExportJob, job.id).file_path  # still there for its owner


def test_roles(school, login, client):
    login(school.user("teacher"))
    assert client.get("/exports/").status_code == 403
    assert client.post("/exports/annual", data={"year": "2026-2027"}).status_code == 403
    client.post("/logout")
    login(school.user("expert"))
    assert client.get("/exports/").status_code == 200


def test_expired_jobs_and_files_are_removed(school, app):
    from datetime import timedelta

    from app.models.base import utcnow

    path = jobs.exports_dir() / "old-job.xlsx"
    path.write_bytes(b"x")
    make_export_job(school, job_id="old-job", params={}, status="done", progress=100, file_path=str(path),
                    created_at=utcnow() - timedelta(days=2))
    make_export_job(school, job_id="dead-job", params={}, status="running", progress=30,
                    created_at=utcnow() - timedelta(hours=3))
    assert jobs.cleanup(app) == 1
    assert not path.exists()
    assert db.session.get(ExportJob, "old-job") is None
    assert db.session.get(ExportJob, "dead-job").status == "failed"


def test_the_list_of_recent_workbooks_dates_them_like_every_other_page(school, login):
    """The recent workbooks' times were Babel's short form ("1/12/26, 21:01" in Kyrgyz); every other
    page writes 01.12.2026 21:01, in the school's time zone."""
    from datetime import datetime, timezone

    client = login(school.user("deputy"))
    client.post("/language", data={"lang": "ky", "next": "/"})
    db.session.add(ExportJob(id="j" * 43, user_id=school.user("deputy").id, school_id=school.school.id, kind="annual",
                             params={}, status="done", progress=100,
                             created_at=datetime(2026, 12, 1, 15, 1, tzinfo=timezone.utc)))
    db.session.commit()
    page = client.get("/exports/").get_data(as_text=True)
    assert "01.12.2026 21:01" in page and "1/12/26" not in page
