"""The annual expert workbook: everything the school monitored in one academic year, for
the experts who assess it (R1, R2 expert assessment; R3 directions).

Sheets: a summary (students and classes by grade, with a chart), one sheet per monitoring
direction with its indicators (value, target, previous year, status), the learning results
(by quarter, class, subject, and class x subject, with native charts), the other features'
summaries, the expert-assessment sheet (score 1-5 from a validation list, a comment per
indicator), and the notes.

Numbers come from the domains' services; this module only lays them out. It writes the
summary by grade and the expert sheet itself; every other part is a Section that an installed
feature declares (Feature.annual_sections, with its order): `fetch` reads its data (in a worker
thread with its own database session, so that the queries of the next sheets run while this
one is written) and `write` lays it out in order (constant_memory). The monitoring domain's
direction sheets leave the year's indicators in `ctx.data["indicators"]` for the expert sheet.
"""
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.features import installed
from app.i18n import current_language
from app.models import AcademicYear, ClassGroup, Enrollment, School
from app.services.core import clock
from app.services.core import school as school_service
from app.services.exports.core import INT, Column, Progress, WorkbookWriter, in_language
from app.services.exports.expert import ExpertRow, write_expert_sheet
from app.services.exports.jobs import ExportError
from app.services.monitoring.labels import DIRECTION_SHORT_LABELS


@dataclass
class AnnualIndicator:
    direction: int
    key: str
    name: str
    unit: str
    value: Optional[float]
    target: Optional[str]
    previous: Optional[float]
    status: str  # translated label ("met", "below target", "no data", ...)
    suppressed: bool = False  # fewer respondents than the minimum group: value left blank
    kind: str = "number"  # the value's number format by its unit (core.kind_of_unit)


@dataclass
class Context:
    """Plain values only: sections read them from worker threads."""

    school_id: int
    school_name: str
    year_id: int
    year_name: str
    prev_id: Optional[int]
    prev_name: Optional[str]
    lang: str
    data: dict = field(default_factory=dict)


@dataclass
class Section:
    """`write` lays out the fetched data. A section whose fetch is slow and whose sheets come
    early may also give `open` (create its sheets in their place, return them) and `fill`
    (write their rows later): when its data is not ready yet, the writer opens its sheets and
    goes on with the next sections, and fills them once the data arrives (XlsxWriter's
    constant_memory mode keeps each sheet's rows in order, not the sheets')."""

    key: str
    fetch: Callable[[Context], Any]
    write: Callable[[WorkbookWriter, Context, Any], None]
    open: Optional[Callable[[WorkbookWriter, Context], Any]] = None
    fill: Optional[Callable[[WorkbookWriter, Context, Any, Any], None]] = None
    prepare: Optional[Callable[[int], None]] = None  # prepare(school_id), in the request's thread, first


def year_named(school_id: int, spec) -> AcademicYear:
    """The school's year named `spec` ("2025-2026" or "2025", core.school.find_year), else an
    ExportError saying so."""
    year = school_service.find_year(school_id, str(spec))
    if year is None:
        raise ExportError(_("No academic year “%(year)s” in this school.", year=str(spec).strip()))
    return year


def year_of(ctx: Context, previous: bool = False) -> Optional[AcademicYear]:
    year_id = ctx.prev_id if previous else ctx.year_id
    return db.session.get(AcademicYear, year_id) if year_id else None


# --- summary by grade -----------------------------------------------------------------------

def _fetch_grades(ctx: Context) -> list[tuple]:
    stmt = (select(ClassGroup.grade, func.count(func.distinct(ClassGroup.id)), func.count(Enrollment.id))
            .join(Enrollment, Enrollment.class_id == ClassGroup.id)
            .where(ClassGroup.school_id == ctx.school_id, ClassGroup.year_id == ctx.year_id)
            .group_by(ClassGroup.grade).order_by(ClassGroup.grade))
    return [tuple(r) for r in db.session.execute(stmt)]


def _write_grades(book: WorkbookWriter, ctx: Context, rows: list[tuple]) -> None:
    summary = book.add_table(_("Summary"), _("Students and classes by grade"), [
        Column(_("Grade"), INT), Column(_("Classes"), INT), Column(_("Students"), INT)],
        _("Classes and students of the year by grade (from the school's registers)."))
    summary.write_rows(rows)
    summary.finish()
    summary.add_chart(_("Students by grade"), [2], y_title=_("Students"))


# --- the expert sheet ------------------------------------------------------------------------

def _write_expert(book: WorkbookWriter, ctx: Context, _data) -> None:
    indicators = ctx.data.get("indicators", [])
    write_expert_sheet(book, [
        ExpertRow(i.key, str(DIRECTION_SHORT_LABELS.get(i.direction, i.direction)), i.name,
                  None if i.suppressed else i.value, i.target, i.status, unit_kind=i.kind)
        for i in indicators], lang=ctx.lang, year_name=ctx.year_name)
    book.add_note(_("Status"), _("“met” when the value reaches the target; “below target” otherwise."))


# The workbook's own first and last parts; the installed features' sections come between them.
GRADES_SECTION = Section("grades", _fetch_grades, _write_grades)
EXPERT_SECTION = Section("expert", lambda ctx: None, _write_expert)


def sections() -> list[Section]:
    """Every part of the workbook, in the order of its sheets."""
    return [GRADES_SECTION, *installed().sorted("annual_sections"), EXPERT_SECTION]


# --- building -------------------------------------------------------------------------------

def context(school_id: int, year: AcademicYear, lang: str) -> Context:
    school = db.session.get(School, school_id)
    prev = school_service.previous_year(year)
    return Context(school_id=school_id, school_name=school.name, year_id=year.id, year_name=year.name,
                   prev_id=prev.id if prev else None, prev_name=prev.name if prev else None, lang=lang)


def _fetch_in_thread(app, fetch, ctx: Context):
    with app.app_context():
        try:
            with in_language(ctx.lang):
                return fetch(ctx)
        finally:
            db.session.remove()


def build_annual(path, school_id: int, year: AcademicYear, progress: Optional[Callable[[int], None]] = None,
                 lang: Optional[str] = None) -> dict:
    """Write the annual workbook to `path`; returns figures (cells, charts, sheets).

    The sections' queries run in worker threads (EXPORT_FETCH_THREADS, default 2; 0 runs
    them in this thread) while the sheets are written here, in order, except that a section
    with `open`/`fill` whose data is not ready is filled later (before the expert sheet).
    """
    lang = lang or current_language()
    parts = sections()
    for section in parts:
        if section.prepare:
            section.prepare(school_id)
    ctx = context(school_id, year, lang)
    steps = Progress(progress, total=2 * len(parts))
    app = current_app._get_current_object()
    threads = int(app.config.get("EXPORT_FETCH_THREADS", 2))
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="annual-fetch") if threads else None
    try:
        if pool:
            pending = [pool.submit(_fetch_in_thread, app, s.fetch, ctx) for s in parts]
        with WorkbookWriter(path, school=clock.school_zone(ctx.school_id).key, school_name=ctx.school_name, period=_("Academic year %(year)s", year=year.name),
                            filters={_("Previous year"): ctx.prev_name or "—"}) as book:
            opened = []  # (section, its sheets, its future): filled before the expert sheet
            for index, section in enumerate(parts):
                if section is EXPERT_SECTION:
                    for waiting, sheets, future in opened:
                        waiting.fill(book, ctx, sheets, future.result())
                        steps.advance()
                if pool and section.open and not pending[index].done():
                    opened.append((section, section.open(book, ctx), pending[index]))
                    steps.advance()
                    continue
                data = pending[index].result() if pool else section.fetch(ctx)
                steps.advance()
                section.write(book, ctx, data)
                steps.advance()
            figures = {"cells": book.cells, "charts": book.charts}
    finally:
        if pool:
            pool.shutdown(wait=True, cancel_futures=True)
    figures["sheets"] = len(book.sheet_names)
    steps.finish()
    return figures


def build_job(path: str, school_id: int, params: dict, progress) -> str:
    """The export-job entry point (see jobs.ExportKind)."""
    year = year_named(school_id, params.get("year", ""))
    build_annual(path, school_id, year, progress)
    return f"sapat-annual-{year.name}.xlsx"
