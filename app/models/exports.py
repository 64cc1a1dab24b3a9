"""Export jobs (workbooks built in the background with progress) and experts' scores."""
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import AwareDateTime, SchoolOwned, utcnow

JOB_STATUSES = ("queued", "running", "done", "failed")


class ExportJob(SchoolOwned, db.Model):
    """One workbook being built for one user; the status page polls it.

    The id is a random token (not guessable, not sequential); only its owner may read it.
    A worker claims it (queued -> running, `attempts` + 1) and beats `heartbeat_at` while it
    builds; a running job whose heartbeat is older than the lease died with its worker and is
    queued again or failed (app/services/exports/queue.py). `file_path` is "db:<blob>" for a
    finished file kept in export_chunk (older releases wrote a path on the web node's disk).
    """

    __tablename__ = "export_job"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
    )
    id: Mapped[str] = mapped_column(String(43), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    locale: Mapped[str] = mapped_column(String(5), default="ky")
    status: Mapped[str] = mapped_column(String(10), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    file_path: Mapped[Optional[str]] = mapped_column(String(500))
    download_name: Mapped[Optional[str]] = mapped_column(String(200))
    error: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    finished_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    heartbeat_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())

    user = relationship("User")

    @property
    def ready(self) -> bool:
        """The workbook is built and not downloaded yet (its one download forgets the file)."""
        return self.status == "done" and bool(self.file_path)


class ExportChunk(db.Model):
    """One piece (at most 1 MB) of a file that every app node must read: a finished workbook
    ("blob" = "file-<job id>") or the saved problems of a refused import. Pieces are read in
    `seq` order; a blob is deleted with its job (download or expiry)."""

    __tablename__ = "export_chunk"
    __table_args__ = (UniqueConstraint("blob", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    blob: Mapped[str] = mapped_column(String(80))
    seq: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ExpertScore(SchoolOwned, db.Model):
    """An expert's score (1-5) and comment for one indicator of one academic year, read
    back from the expert-assessment sheet of the annual workbook."""

    __tablename__ = "expert_score"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"), index=True)
    indicator_key: Mapped[str] = mapped_column(String(80), index=True)
    indicator_name: Mapped[str] = mapped_column(String(300), default="")
    expert_name: Mapped[str] = mapped_column(String(200))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    source_file: Mapped[str] = mapped_column(String(255), default="")
    imported_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    imported_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # The expert's own account when they uploaded the sheet themselves; None for the sheet of an
    # expert without an account (named in B2, uploaded by the director, a deputy or the CLI).
    expert_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)

    year = relationship("AcademicYear")
