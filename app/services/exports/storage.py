"""Files every app node can serve: finished workbooks and saved problem lists kept in the
database (table export_chunk), cut into pieces of CHUNK_BYTES.

A web node that did not build a workbook reads it back from the database, so a download
may land on any node; the worker that built it may be gone. Each piece is written and read
in its own short statement, so memory holds one piece at a time. PostgreSQL keeps the pieces
out of line (TOAST, compressed when it helps); a 5 MB workbook is five rows.
"""
import os
from pathlib import Path
from typing import BinaryIO, Iterator, Optional, Union

from sqlalchemy import delete, func, insert, select

from app.extensions import db
from app.models import ExportChunk
from app.services.core.files import private_file

CHUNK_BYTES = 1024 * 1024
PREFIX = "db:"  # ExportJob.file_path of a workbook kept here


def reference(blob: str) -> str:
    """The ExportJob.file_path naming a blob kept in the database."""
    return PREFIX + blob


def blob_of(file_path: Optional[str]) -> Optional[str]:
    """The blob named by an ExportJob.file_path, or None for an older release's path on disk."""
    if file_path and file_path.startswith(PREFIX):
        return file_path[len(PREFIX):]
    return None


def save_stream(blob: str, stream: BinaryIO) -> int:
    """Store a readable binary stream as `blob` (replacing one of that name) in one transaction
    of its own connection. Returns the number of bytes stored."""
    size = 0
    with db.engine.begin() as conn:
        conn.execute(delete(ExportChunk).where(ExportChunk.blob == blob))
        seq = 0
        while True:
            data = stream.read(CHUNK_BYTES)
            if not data and seq:
                break
            conn.execute(insert(ExportChunk).values(blob=blob, seq=seq, data=data))
            size += len(data)
            seq += 1
            if not data:
                break
    return size


def save_file(blob: str, path: Union[str, os.PathLike]) -> int:
    """Store the file at `path` as `blob`; returns its size in bytes."""
    with open(path, "rb") as stream:
        return save_stream(blob, stream)


def exists(blob: str) -> bool:
    return db.session.scalar(select(ExportChunk.id).where(ExportChunk.blob == blob).limit(1)) is not None


def chunks(blob: str) -> Iterator[bytes]:
    """The pieces of `blob` in order, each read by its own query."""
    seq = 0
    while True:
        with db.engine.connect() as conn:
            data = conn.scalar(select(ExportChunk.data).where(ExportChunk.blob == blob, ExportChunk.seq == seq))
        if data is None:
            return
        yield bytes(data)
        seq += 1


def write_to(blob: str, path: Union[str, os.PathLike]) -> Optional[Path]:
    """Write `blob` into a new private file (0600) at `path`; None when there is no such blob."""
    if not exists(blob):
        return None
    path = private_file(path)
    with open(path, "wb") as out:
        for data in chunks(blob):
            out.write(data)
    return path


def size(blob: str) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(func.length(ExportChunk.data)), 0))
                                 .where(ExportChunk.blob == blob)))


def remove(*blobs: Optional[str]) -> None:
    """Delete these blobs (on their own connection, committed)."""
    names = [b for b in blobs if b]
    if names:
        with db.engine.begin() as conn:
            conn.execute(delete(ExportChunk).where(ExportChunk.blob.in_(names)))
