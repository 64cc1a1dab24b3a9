"""Export jobs: a big workbook is built by a queue worker while the user's page polls its
progress (0-100) and then downloads the file, from whichever app node answers.

A job is a row in export_job (random token id, owner, kind, params, status, progress, file).
start_job queues a message on the app's task queue (queue.py: Huey; in-process in
development, `flask worker` in production). The worker that takes it claims the row (queued ->
running, one attempt more), builds the workbook into a private file of its own machine, beats
the row's heartbeat while it builds and stores the finished file in the database (storage.py),
where every node reads it once and it is deleted when downloaded or expired.

A worker killed mid-job (SIGKILL, a crash, a lost machine) stops beating: after
QUEUE_LEASE_SECONDS `recover` queues the job again while it has attempts left
(QUEUE_MAX_ATTEMPTS), else fails it with a translated message. Nothing stays "running".
The kinds of workbook a job can build are declared by the features (Feature.export_kinds, an
ExportKind each); the CLI calls the same builders directly with a progress bar.
"""
import logging
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Optional

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select, update

from app.extensions import db
from app.features import installed
from app.models import ExportJob, User
from app.services.core import clock
from app.services.core.files import private_dir, private_file
from app.services.exports import queue, storage
from app.services.exports.core import in_language

log = logging.getLogger(__name__)

JOB_TTL = timedelta(hours=24)  # finished files and rows older than this are removed
STALE_RUNNING = timedelta(hours=2)  # a job still queued or running this long is failed
TASK = "export"  # the queue's task that builds one job


class ExportError(ValueError):
    """A workbook cannot be built for these parameters; the message is translated."""


class _GivenUp(Exception):
    """This attempt no longer owns its job (recovered as silent, expired, failed as stale):
    the builder stops at its next progress report and leaves the job to its new owner."""


@dataclass
class ExportKind:
    """A kind of workbook a job builds. `roles` may start it, watch it and download it (checked
    when it starts, when it runs and when it is fetched: a user who lost the role gets nothing);
    `build` writes what those roles may see (the annual workbook: the whole school)."""

    key: str
    label: Any  # lazy string
    roles: tuple[str, ...]
    # build(path, school_id, params, progress) -> download file name; progress(pct) 0-100
    build: Callable[[str, int, dict, Callable[[int], None]], str]


def kinds(app: Optional[Flask] = None) -> dict[str, ExportKind]:
    """The export kinds of every installed feature, by key."""
    return installed(app).export_kinds


def exports_dir(app: Optional[Flask] = None) -> Path:
    app = app or current_app
    return private_dir(app.config.get("EXPORTS_DIR") or Path(app.instance_path) / "exports")


def may_build(user: Optional[User], kind: str, app: Optional[Flask] = None) -> bool:
    """Whether an (active) user holds one of the roles of the export kind `kind`."""
    spec = kinds(app).get(kind)
    return spec is not None and user is not None and user.active and user.has_role(*spec.roles)


def install(app: Flask) -> None:
    """The exports feature's setup: the app's task queue with the task that builds a job."""
    queue.init_app(app, {TASK: run_job})


def lease(app: Optional[Flask] = None) -> timedelta:
    """How long a running job may go without a heartbeat before it counts as dead."""
    return timedelta(seconds=float((app or current_app).config.get("QUEUE_LEASE_SECONDS", 120)))


def start_job(*, school_id: int, user_id: int, kind: str, params: dict, locale: str,
              app: Optional[Flask] = None) -> ExportJob:
    """Record a job and queue it for a worker; returns the committed job.
    ExportError when the kind is unknown or the user may not build it."""
    if kind not in kinds():
        raise ExportError(_("Unknown export: %(kind)s", kind=kind))
    if not may_build(db.session.get(User, user_id), kind):
        raise ExportError(_("Your role does not give you this workbook."))
    app = app or current_app._get_current_object()
    cleanup(app)
    job = ExportJob(id=secrets.token_urlsafe(24), school_id=school_id, user_id=user_id, kind=kind,
                    params=dict(params), locale=locale or "ky", status="queued", progress=0, attempts=0)
    db.session.add(job)
    db.session.commit()
    if app.config.get("EXPORT_JOBS_INLINE"):
        run_job(app, job.id)
    else:
        queue.enqueue(TASK, job.id, app)
    return job


def _set(job_id: str, attempt: Optional[int] = None, **values) -> bool:
    """Update the job row on its own connection, so that the builder's session is untouched;
    with `attempt`, only while that attempt still owns the running job. True when updated."""
    where = [ExportJob.id == job_id]
    if attempt is not None:
        where += [ExportJob.status == "running", ExportJob.attempts == attempt]
    with db.engine.begin() as conn:
        return conn.execute(update(ExportJob).where(*where).values(**values)).rowcount == 1


def _claim(job_id: str) -> Optional[int]:
    """Take a queued job (one statement, so two workers given the same message cannot both
    build it); returns the attempt number, or None when it is not queued any more."""
    with db.engine.begin() as conn:
        attempt = conn.scalar(
            update(ExportJob).where(ExportJob.id == job_id, ExportJob.status == "queued")
            .values(status="running", attempts=ExportJob.attempts + 1, heartbeat_at=clock.now(), progress=1)
            .returning(ExportJob.attempts))
    return attempt


class _Heartbeat(threading.Thread):
    """Beats the job's heartbeat every quarter lease while its builder works; sets `lost` when
    the row says this attempt no longer owns the job."""

    def __init__(self, app: Flask, job_id: str, attempt: int):
        super().__init__(name=f"export-beat-{job_id[:8]}", daemon=True)
        self.app, self.job_id, self.attempt = app, job_id, attempt
        self.stopped, self.lost = threading.Event(), threading.Event()

    def run(self):
        every = max(lease(self.app).total_seconds() / 4, 0.2)
        while not self.stopped.wait(every):
            try:
                with self.app.app_context():
                    if not _set(self.job_id, self.attempt, heartbeat_at=clock.now()):
                        self.lost.set()
                        return
            except Exception:  # noqa: BLE001 - the next beat tries again
                log.warning("heartbeat of export job %s failed", self.job_id)


def run_job(app: Flask, job_id: str) -> None:
    """Build the workbook of one queued job (in its own app context, in the job's language)
    and store it in the database. A job that is not queued (taken by another worker, done,
    deleted) is left alone."""
    with app.app_context():
        attempt = _claim(job_id)
        if attempt is None:
            return
        job = db.session.get(ExportJob, job_id)
        kind, school_id, params, locale = kinds(app).get(job.kind), job.school_id, dict(job.params or {}), job.locale
        allowed = may_build(db.session.get(User, job.user_id), job.kind, app)
        db.session.rollback()
        partial = exports_dir(app) / f"{job_id}.part"
        beat = _Heartbeat(app, job_id, attempt)
        beat.start()
        try:
            private_file(partial)
            with in_language(locale):
                if kind is None:
                    raise ExportError(_("Unknown export: %(kind)s", kind=job.kind))
                if not allowed:
                    raise ExportError(_("Your role does not give you this workbook."))

                def report(pct: int) -> None:
                    if beat.lost.is_set() or not _set(job_id, attempt, progress=max(1, min(99, int(pct))),
                                                      heartbeat_at=clock.now()):
                        raise _GivenUp()

                name = kind.build(str(partial), school_id, params, report)
            blob = f"file-{job_id}"
            storage.save_file(blob, partial)
            partial.unlink(missing_ok=True)
            if not _set(job_id, attempt, status="done", progress=100, file_path=storage.reference(blob),
                        download_name=name, finished_at=clock.now()):
                storage.remove(blob)  # the job was given up meanwhile (expired, or failed as stale)
        except _GivenUp:
            # A worker that seemed silent (a loaded machine) lost the job to a new attempt: stop
            # building, so this worker's thread is free to take that attempt's message.
            log.warning("export job %s attempt %d given up: another attempt owns it", job_id, attempt)
            partial.unlink(missing_ok=True)
        except ExportError as error:
            _fail(job_id, attempt, partial, str(error))
        except Exception:  # noqa: BLE001 - the user gets a message, the log gets the trace
            log.exception("export job %s failed", job_id)
            with in_language(locale):
                message = _("The workbook could not be built. Please try again or tell the administrator.")
            _fail(job_id, attempt, partial, message)
        finally:
            beat.stopped.set()
            db.session.remove()


def _fail(job_id: str, attempt: int, partial: Path, message: str) -> None:
    partial.unlink(missing_ok=True)
    _set(job_id, attempt, status="failed", error=message, finished_at=clock.now())


def recover(app: Optional[Flask] = None, job_id: Optional[str] = None) -> dict[str, int]:
    """Jobs whose worker died (running, no heartbeat for a lease): queued again while they have
    attempts left, else failed with a translated message; jobs queued for a lease are queued
    once more (a message lost with a queue). Only `job_id` when given. Returns the counts
    {"retried", "failed", "requeued"}. Every change is conditional on the row as read, so
    workers and web nodes may run this at the same time."""
    app = app or current_app._get_current_object()
    now = clock.now()
    cutoff = now - lease(app)
    limit = int(app.config.get("QUEUE_MAX_ATTEMPTS", 2))
    counts = {"retried": 0, "failed": 0, "requeued": 0}
    dead = or_(ExportJob.heartbeat_at < cutoff, and_(ExportJob.heartbeat_at.is_(None), ExportJob.created_at < cutoff))
    query = select(ExportJob.id, ExportJob.status, ExportJob.attempts, ExportJob.locale).where(
        ExportJob.status.in_(("queued", "running")), dead)
    if job_id is not None:
        query = query.where(ExportJob.id == job_id)
    rows = db.session.execute(query).all()
    db.session.rollback()
    for found, status, attempts, locale in rows:
        same = [ExportJob.id == found, ExportJob.status == status, ExportJob.attempts == attempts, dead]
        if status == "running" and attempts >= limit:
            with in_language(locale):
                message = _("The workbook could not be built: the worker building it stopped %(n)d times. "
                            "Please start it again.", n=attempts)
            with db.engine.begin() as conn:
                changed = conn.execute(update(ExportJob).where(*same).values(
                    status="failed", error=message, finished_at=now)).rowcount
            counts["failed"] += changed
            continue
        with db.engine.begin() as conn:
            changed = conn.execute(update(ExportJob).where(*same).values(status="queued", heartbeat_at=now)).rowcount
        if changed:
            queue.enqueue(TASK, found, app)
            counts["retried" if status == "running" else "requeued"] += 1
    if any(counts.values()):
        log.warning("export jobs recovered: %s", counts)
    return counts


def maintain(app: Flask) -> None:
    """What `flask worker` does between jobs: recover jobs of dead workers, drop expired ones."""
    recover(app)
    cleanup(app)


def get_job(job_id: str, *, school_id: int, user_id: int) -> Optional[ExportJob]:
    """The job if it belongs to this user of this school and the user still holds a role of its
    kind, else None (the view makes it a 404). A running job without a heartbeat for a lease
    is recovered first, so its page never shows a dead job as running."""
    job = db.session.get(ExportJob, job_id)
    if job is None or job.school_id != school_id or job.user_id != user_id:
        return None
    if not may_build(db.session.get(User, user_id), job.kind):
        return None
    if job.status in ("queued", "running"):
        beat = job.heartbeat_at or job.created_at
        if beat is not None and _aware(beat) < clock.now() - lease():
            recover(job_id=job.id)
            db.session.expire_all()
            job = db.session.get(ExportJob, job_id)
    return job


def _aware(moment):
    """SQLite gives naive datetimes back (stored as UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def recent_jobs(*, school_id: int, user_id: int, limit: int = 10) -> list[ExportJob]:
    return list(db.session.scalars(
        select(ExportJob).where(ExportJob.school_id == school_id, ExportJob.user_id == user_id,
                                ExportJob.kind.in_(list(kinds())))
        .order_by(ExportJob.created_at.desc()).limit(limit)))


def take_file(job: ExportJob) -> Optional[str]:
    """The finished workbook for its one download, as a private file on this node (send_xlsx
    streams and deletes it); None when it is not ready or was taken already. Two downloads at
    once: one gets the file."""
    reference = job.file_path
    if not job.ready:
        return None
    blob = storage.blob_of(reference)
    if blob is None:  # written by an older release onto this node's disk
        local = Path(reference) if os.path.exists(reference) else None
    else:
        local = storage.write_to(blob, exports_dir() / f"{job.id}-{secrets.token_hex(4)}.xlsx")
    if local is None:
        return None
    taken = db.session.execute(update(ExportJob).where(ExportJob.id == job.id, ExportJob.file_path == reference)
                               .values(file_path=None)).rowcount == 1
    db.session.commit()
    if not taken:
        if blob is not None:
            local.unlink(missing_ok=True)
        return None
    storage.remove(blob)
    return str(local)


def cleanup(app: Optional[Flask] = None) -> int:
    """Delete expired jobs and their files; fail jobs queued or running for STALE_RUNNING."""
    app = app or current_app
    now = clock.now()
    removed = 0
    for job in db.session.scalars(select(ExportJob).where(ExportJob.created_at < now - JOB_TTL)):
        blob = storage.blob_of(job.file_path)
        if job.file_path and blob is None:
            Path(job.file_path).unlink(missing_ok=True)
        Path(exports_dir(app) / f"{job.id}.part").unlink(missing_ok=True)
        source = (job.params or {}).get("source")
        if source:  # the saved problems of a refused import
            Path(exports_dir(app) / Path(source).name).unlink(missing_ok=True)
        storage.remove(blob, Path(source).name if source else None)
        db.session.delete(job)
        removed += 1
    db.session.execute(
        update(ExportJob).where(ExportJob.status.in_(("queued", "running")),
                                ExportJob.created_at < now - STALE_RUNNING)
        .values(status="failed", error=_("The export was interrupted. Please start it again."),
                finished_at=now))
    db.session.commit()
    return removed
