"""Export jobs: a big workbook is built in a background thread of the worker that accepted
the request, while the user's page polls its progress (0-100) and then downloads the file.

A job is a row in export_job (random token id, owner, kind, params, status, progress, file);
the file is written under instance/exports/ and deleted when it is downloaded or expires.
The kinds of workbook a job can build are declared by the features (Feature.export_kinds, an
ExportKind each); the CLI calls the same builders directly with a progress bar.
"""
import logging
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Optional

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from app.extensions import db
from app.features import installed
from app.models import ExportJob, User
from app.services.core import clock
from app.services.core.files import private_dir, private_file
from app.services.exports.core import in_language

log = logging.getLogger(__name__)

JOB_TTL = timedelta(hours=24)  # finished files and rows older than this are removed
STALE_RUNNING = timedelta(hours=2)  # a "running" job this old died with its worker


class ExportError(ValueError):
    """A workbook cannot be built for these parameters; the message is translated."""


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


def start_job(*, school_id: int, user_id: int, kind: str, params: dict, locale: str,
              app: Optional[Flask] = None) -> ExportJob:
    """Record a job and start building it in a background thread; returns the committed job.
    ExportError when the kind is unknown or the user may not build it."""
    if kind not in kinds():
        raise ExportError(_("Unknown export: %(kind)s", kind=kind))
    if not may_build(db.session.get(User, user_id), kind):
        raise ExportError(_("Your role does not give you this workbook."))
    app = app or current_app._get_current_object()
    cleanup(app)
    job = ExportJob(id=secrets.token_urlsafe(24), school_id=school_id, user_id=user_id, kind=kind,
                    params=dict(params), locale=locale or "ky", status="queued", progress=0)
    db.session.add(job)
    db.session.commit()
    if app.config.get("EXPORT_JOBS_INLINE"):
        run_job(app, job.id)
    else:
        threading.Thread(target=run_job, args=(app, job.id), name=f"export-{job.id[:8]}", daemon=True).start()
    return job


def _set(app: Flask, job_id: str, **values) -> None:
    """Update the job row on its own connection, so that the builder's session is untouched."""
    with db.engine.begin() as conn:
        conn.execute(update(ExportJob).where(ExportJob.id == job_id).values(**values))


def run_job(app: Flask, job_id: str) -> None:
    """Build the workbook of one job (in its own app context, in the job's language)."""
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        if job is None or job.status != "queued":
            return
        kind, school_id, params, locale = kinds(app).get(job.kind), job.school_id, dict(job.params or {}), job.locale
        allowed = may_build(db.session.get(User, job.user_id), job.kind, app)
        db.session.rollback()
        final = exports_dir(app) / f"{job_id}.xlsx"
        partial = final.with_suffix(".part")
        _set(app, job_id, status="running", progress=1)
        try:
            private_file(partial)
            with in_language(locale):
                if kind is None:
                    raise ExportError(_("Unknown export: %(kind)s", kind=job.kind))
                if not allowed:
                    raise ExportError(_("Your role does not give you this workbook."))

                def report(pct: int) -> None:
                    _set(app, job_id, progress=max(1, min(99, int(pct))))

                name = kind.build(str(partial), school_id, params, report)
            os.replace(partial, final)
            _set(app, job_id, status="done", progress=100, file_path=str(final), download_name=name,
                 finished_at=clock.now())
        except ExportError as error:
            _fail(app, job_id, partial, str(error))
        except Exception:  # noqa: BLE001 - the user gets a message, the log gets the trace
            log.exception("export job %s failed", job_id)
            with in_language(locale):
                message = _("The workbook could not be built. Please try again or tell the administrator.")
            _fail(app, job_id, partial, message)
        finally:
            db.session.remove()


def _fail(app: Flask, job_id: str, partial: Path, message: str) -> None:
    partial.unlink(missing_ok=True)
    _set(app, job_id, status="failed", error=message, finished_at=clock.now())


def get_job(job_id: str, *, school_id: int, user_id: int) -> Optional[ExportJob]:
    """The job if it belongs to this user of this school and the user still holds a role of its
    kind, else None (the view makes it a 404)."""
    job = db.session.get(ExportJob, job_id)
    if job is None or job.school_id != school_id or job.user_id != user_id:
        return None
    if not may_build(db.session.get(User, user_id), job.kind):
        return None
    return job


def recent_jobs(*, school_id: int, user_id: int, limit: int = 10) -> list[ExportJob]:
    return list(db.session.scalars(
        select(ExportJob).where(ExportJob.school_id == school_id, ExportJob.user_id == user_id,
                                ExportJob.kind.in_(list(kinds())))
        .order_by(ExportJob.created_at.desc()).limit(limit)))


def take_file(job: ExportJob) -> Optional[str]:
    """The finished file for its one download; the job forgets it (send_xlsx deletes it)."""
    path = job.file_path
    if not job.ready or not os.path.exists(path):
        return None
    job.file_path = None
    db.session.commit()
    return path


def cleanup(app: Optional[Flask] = None) -> int:
    """Delete expired jobs and their files; mark jobs that died with their worker as failed."""
    app = app or current_app
    now = clock.now()
    removed = 0
    for job in db.session.scalars(select(ExportJob).where(ExportJob.created_at < now - JOB_TTL)):
        if job.file_path:
            Path(job.file_path).unlink(missing_ok=True)
        Path(exports_dir(app) / f"{job.id}.part").unlink(missing_ok=True)
        if (job.params or {}).get("source"):  # the saved problems of a refused import
            Path(exports_dir(app) / Path(job.params["source"]).name).unlink(missing_ok=True)
        db.session.delete(job)
        removed += 1
    db.session.execute(
        update(ExportJob).where(ExportJob.status.in_(("queued", "running")),
                                ExportJob.created_at < now - STALE_RUNNING)
        .values(status="failed", error=_("The export was interrupted. Please start it again."),
                finished_at=now))
    db.session.commit()
    return removed
