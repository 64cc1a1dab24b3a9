"""The task queue of export jobs (issue 22): a job whose worker died is queued again or failed
with a translated message, never left running; a message given twice builds once; finished
files are kept in the database in pieces that any app node reads back."""
import io
import os
import time
from datetime import timedelta

import openpyxl
import pytest

from app.extensions import db
from app.models import ExportChunk, ExportJob
from app.models.base import utcnow
from app.services.exports import jobs, queue, storage
from config import ConfigError
from tests.factories.exports import make_export_job


@pytest.fixture(autouse=True)
def _exports_dir(app, tmp_path):
    app.config["EXPORTS_DIR"] = str(tmp_path / "exports")
    yield
    app.config.pop("EXPORTS_DIR", None)


def _status(client, job_id):
    return client.get(f"/exports/jobs/{job_id}.json").get_json()


def _wait(client, job_id, timeout=120.0):  # returns as soon as the job ends; the bound is for a loaded CI machine
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = _status(client, job_id)
        if data["status"] in ("done", "failed"):
            return data
        time.sleep(0.1)
    raise AssertionError("the export job did not finish")


def _dead(school, **values):
    """A job a worker was building when it was killed: running, its heartbeat a lease old."""
    return make_export_job(school, status="running", progress=40, heartbeat_at=utcnow() - timedelta(minutes=3),
                           **values)


def test_a_job_whose_worker_died_is_built_again(school, login):
    job = _dead(school, attempts=1)
    client = login(school.user("deputy"))
    data = _wait(client, job.id)  # the status page notices the silence and queues it again
    assert data["status"] == "done", data
    db.session.expire_all()
    assert db.session.get(ExportJob, job.id).attempts == 2
    response = client.get(data["download"], buffered=True)
    assert response.status_code == 200
    assert "Expert assessment" in openpyxl.load_workbook(io.BytesIO(response.get_data())).sheetnames


@pytest.mark.parametrize("locale, words", [
    ("en", "the worker building it stopped 2 times"),
    ("ru", "процесс, который её формировал, останавливался 2 раз(а)"),
    ("ky", "сервердик процесс 2 жолу токтоп калды"),
])
def test_a_job_that_died_with_every_attempt_fails_in_its_language(school, login, locale, words):
    job = _dead(school, attempts=2, locale=locale)
    client = login(school.user("deputy"))
    data = _status(client, job.id)
    assert data["status"] == "failed" and words in data["error"]
    assert data["download"] is None


def test_the_worker_maintenance_recovers_dead_and_forgotten_jobs(school, app):
    retried = _dead(school, attempts=1)
    failed = _dead(school, attempts=2)
    alive = make_export_job(school, status="running", progress=10, attempts=1, heartbeat_at=utcnow())
    lost = make_export_job(school, created_at=utcnow() - timedelta(minutes=5))  # its message was lost
    counts = jobs.recover(app)
    assert counts == {"retried": 1, "failed": 1, "requeued": 1}
    assert queue.wait_idle(app, 30)
    db.session.expire_all()
    assert db.session.get(ExportJob, retried.id).status == "done"
    assert db.session.get(ExportJob, lost.id).status == "done"
    assert db.session.get(ExportJob, failed.id).status == "failed"
    assert db.session.get(ExportJob, alive.id).status == "running"  # its worker still beats
    assert jobs.recover(app) == {"retried": 0, "failed": 0, "requeued": 0}


def test_a_message_given_twice_builds_the_job_once(school, app):
    job = make_export_job(school)
    jobs.run_job(app, job.id)
    jobs.run_job(app, job.id)  # a doubled message, or a second worker: the job is not queued any more
    db.session.expire_all()
    job = db.session.get(ExportJob, job.id)
    assert job.status == "done" and job.attempts == 1
    assert db.session.query(ExportChunk).filter_by(blob=storage.blob_of(job.file_path)).count() >= 1


def _run_with_builder(app, school, build):
    """Run one job of a test export kind built by `build`, as a worker would; the job row."""
    jobs.kinds()["test-kind"] = jobs.ExportKind("test-kind", "Test", ("deputy",), build)
    try:
        job = make_export_job(school, kind="test-kind")
        jobs.run_job(app, job.id)
    finally:
        jobs.kinds().pop("test-kind", None)
    return job


def test_a_worker_that_lost_its_job_does_not_overwrite_it(school, app):
    """The job was failed as stale while its slow worker still built it: the late result is
    dropped with its file, the failure stays."""
    def late(path, school_id, params, progress):
        db.session.execute(db.update(ExportJob).values(status="failed", error="stale"))
        db.session.commit()
        with open(path, "wb") as f:
            f.write(b"late")
        return "late.xlsx"

    job = _run_with_builder(app, school, late)
    db.session.expire_all()
    job = db.session.get(ExportJob, job.id)
    assert job.status == "failed" and job.file_path is None
    assert db.session.query(ExportChunk).count() == 0


def test_an_attempt_that_lost_its_job_stops_at_its_next_progress_report(school, app):
    """A loaded worker seemed silent and its job was queued again: the old attempt stops building
    at its next report (its thread is free for the new attempt) and writes nothing."""
    reached = []

    def recovered_away(path, school_id, params, progress):
        progress(10)
        db.session.execute(db.update(ExportJob).values(status="queued", heartbeat_at=utcnow()))
        db.session.commit()
        for pct in (20, 30, 40):
            progress(pct)
            reached.append(pct)
        with open(path, "wb") as f:
            f.write(b"late")
        return "late.xlsx"

    job = _run_with_builder(app, school, recovered_away)
    assert reached == []
    db.session.expire_all()
    job = db.session.get(ExportJob, job.id)
    assert (job.status, job.attempts, job.progress, job.file_path) == ("queued", 1, 10, None)
    assert db.session.query(ExportChunk).count() == 0
    assert not list((jobs.exports_dir(app)).glob("*.part"))


def test_files_are_kept_in_pieces_and_read_back_whole(app, tmp_path):
    data = os.urandom(storage.CHUNK_BYTES * 2 + 12345)
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    assert storage.save_file("file-test", source) == len(data)
    assert db.session.query(ExportChunk).filter_by(blob="file-test").count() == 3
    assert storage.size("file-test") == len(data)
    copy = storage.write_to("file-test", tmp_path / "copy.bin")
    assert copy.read_bytes() == data and (copy.stat().st_mode & 0o777) == 0o600
    storage.save_stream("file-test", io.BytesIO(b""))  # an empty file is one empty piece
    assert storage.write_to("file-test", tmp_path / "empty.bin").read_bytes() == b""
    storage.remove("file-test")
    assert storage.write_to("file-test", tmp_path / "gone.bin") is None


def test_the_queue_url_chooses_the_storage(tmp_path):
    assert type(queue.make_huey(f"sqlite:///{tmp_path}/q.db", "sapat")).__name__ == "SqliteHuey"
    assert type(queue.make_huey("redis://127.0.0.1:6379/15", "sapat")).__name__ == "RedisHuey"
    assert type(queue.make_huey("memory://", "sapat")).__name__ == "MemoryHuey"
    with pytest.raises(ConfigError):
        queue.make_huey("amqp://localhost", "sapat")


def test_the_worker_command_is_installed(app):
    result = app.test_cli_runner().invoke(args=["worker", "--help"])
    assert result.exit_code == 0 and "--threads" in result.output


def test_the_embedded_sqlite_queue_builds_a_job_in_process(app, school, tmp_path):
    """What `make run` uses: the queue in a SQLite file, run by a thread of the web process."""
    saved, url = app.extensions[queue.EXTENSION_KEY], app.config["QUEUE_URL"]
    app.config["QUEUE_URL"] = f"sqlite:///{tmp_path}/queue.db"
    jobs.install(app)
    embedded = queue.get(app)
    try:
        assert type(embedded.huey).__name__ == "SqliteHuey"
        user = school.user("deputy")
        job = jobs.start_job(school_id=school.school.id, user_id=user.id, kind="annual",
                             params={"year": school.year.name}, locale="en")
        assert queue.wait_idle(app, 60)
        db.session.expire_all()
        assert db.session.get(ExportJob, job.id).status == "done"
        assert (tmp_path / "queue.db").exists()
    finally:
        queue.stop(embedded)
        app.extensions[queue.EXTENSION_KEY], app.config["QUEUE_URL"] = saved, url
