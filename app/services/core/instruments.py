"""Publishing instrument files as immutable Instrument versions.

    publish(instrument, source_file=None) -> (Instrument row, created: bool)
    publish_all(directory=None) -> PublishReport
    latest(key, kind=None) -> Instrument | None
    get_version(key, version) -> Instrument | None
    versions(kind=None) -> list[Instrument]  (latest version of each key)
    history(key) -> list[Instrument]         (every version of one key, oldest first)

The same content (hash) is never stored twice; a changed definition gets the next version
number of its key (the file's own `version` is kept when it is still free).
"""
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import func, select

from app.extensions import db
from app.models.instruments import Instrument
from surveys import loader
from surveys.schema import Instrument as Spec


@dataclass
class Published:
    row: Instrument
    created: bool
    requested_version: int


@dataclass
class PublishReport:
    published: list[Published] = field(default_factory=list)
    errors: list[loader.InstrumentError] = field(default_factory=list)


def publish(spec: Spec, source_file: Optional[str] = None) -> Published:
    """Store `spec` as a new version unless the same content is already stored."""
    digest = spec.content_hash()
    existing = db.session.scalar(select(Instrument).where(Instrument.key == spec.key,
                                                          Instrument.content_hash == digest))
    if existing is not None:
        return Published(existing, False, spec.version)
    highest = db.session.scalar(select(func.max(Instrument.version)).where(Instrument.key == spec.key)) or 0
    version = spec.version if spec.version > highest else highest + 1
    definition = spec.definition()
    definition["version"] = version
    row = Instrument(key=spec.key, version=version, kind=spec.kind, title=spec.title.ky[:300],
                     content_hash=digest, definition=definition, source_file=source_file)
    db.session.add(row)
    db.session.flush()
    return Published(row, True, spec.version)


def publish_all(directory=None) -> PublishReport:
    """Validate every file first; publish only when all are valid (nothing half-written)."""
    result = loader.load_all(directory)
    report = PublishReport(errors=result.errors)
    if result.errors:
        return report
    for path, spec in result.instruments:
        report.published.append(publish(spec, source_file=path.name))
    return report


def latest(key: str, kind: Optional[str] = None) -> Optional[Instrument]:
    query = select(Instrument).where(Instrument.key == key)
    if kind:
        query = query.where(Instrument.kind == kind)
    return db.session.scalar(query.order_by(Instrument.version.desc()).limit(1))


def get_version(key: str, version: int) -> Optional[Instrument]:
    return db.session.scalar(select(Instrument).where(Instrument.key == key, Instrument.version == version))


def versions(kind: Optional[str] = None, latest_only: bool = True) -> list[Instrument]:
    query = select(Instrument)
    if kind:
        query = query.where(Instrument.kind == kind)
    if latest_only:
        newest = select(Instrument.key, func.max(Instrument.version).label("v")).group_by(Instrument.key).subquery()
        query = query.join(newest, (newest.c.key == Instrument.key) & (newest.c.v == Instrument.version))
    return list(db.session.scalars(query.order_by(Instrument.key, Instrument.version)))


def history(key: str) -> list[Instrument]:
    return list(db.session.scalars(select(Instrument).where(Instrument.key == key).order_by(Instrument.version)))


# Parsed shipped files, by path, with the (modification time, size) they were read at: pages that
# list the shipped diagnostics or protocols call ensure_published on every request, and parsing
# the YAML each time cost about 0.1 s a page. A changed file is read again.
_PARSED: dict = {}


def _shipped_spec(key: str) -> Spec:
    path = loader.INSTRUMENTS_DIR / f"{key}.yaml"
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _PARSED.get(path)
    if cached is None or cached[0] != stamp:
        cached = _PARSED[path] = (stamp, loader.load_file(path))
    return cached[1]


def ensure_published(key: str) -> Instrument:
    """The latest version of a built-in instrument, publishing the file if it is new or changed
    (the file is parsed once per change, see _PARSED; the database is asked every time)."""
    return publish(_shipped_spec(key), source_file=f"{key}.yaml").row
