"""The monitoring programme's part of the annual workbook: one sheet per direction of R3
with its indicators (value, target, previous year, status; values resting on fewer than the
minimum group are left blank), the counts of the registers, and the measures of the year on
the indicators (with the value when decided and the re-checked value). The registers' sheet also
counts the teachers by qualification category, the overdue attestations and the programme
documents current and older than 3 years (counts only: staff records are personal).

`indicator_keys` and `annual_indicators` give the expert sheet and the experts' import the
indicators of a year.
"""
from flask_babel import gettext as _

from app.extensions import db
from app.models import AcademicYear
from app.services.core import school as school_service
from app.services.exports.annual import AnnualIndicator, Context, Section, context, year_of
from app.services.exports.core import INT, NUMBER, TEXT, Column, WorkbookWriter, kind_of_unit
from app.services.monitoring import indicators as monitoring
from app.services.monitoring import measures as measure_service
from app.services.monitoring import staff
from app.services.monitoring.calculators import Period, student_breakdown, teacher_breakdown
from app.services.monitoring.catalogue import ensure_catalogue
from app.services.monitoring.labels import (
    CATEGORY_LABELS,
    DIRECTION_LABELS,
    DIRECTION_SHEET_NAMES,
    LEVEL_LABELS,
    MEASURE_STATUS_LABELS,
    RESULT_LABELS,
    STATUS_LABELS,
    TEACHER_KIND_LABELS,
    UNIT_LABELS,
    fmt,
)
from app.services.monitoring.reports import suppress


def ensure_indicators(school_id: int) -> None:
    """The monitoring catalogue must exist before worker threads read it (committed here)."""
    if ensure_catalogue(school_id):
        db.session.commit()


def fetch_indicators(ctx: Context) -> list[AnnualIndicator]:
    out = []
    for row in monitoring.evaluate(ctx.school_id, year_of(ctx)):
        ind = row.indicator
        hidden = suppress(row)
        target = None if row.target is None else ("≤ " if ind.good == "lower" else "≥ ") + fmt(row.target, ind.unit)
        out.append(AnnualIndicator(
            ind.direction, ind.key, ind.name_in(ctx.lang), str(UNIT_LABELS.get(ind.unit, ind.unit)),
            None if hidden else row.value, target, None if hidden else row.previous,
            str(STATUS_LABELS.get(row.status, row.status)), suppressed=hidden, kind=kind_of_unit(ind.unit)))
    return out


def annual_indicators(school_id: int, year: AcademicYear) -> list[AnnualIndicator]:
    """The indicators of a year as the annual workbook shows them."""
    from app.i18n import current_language

    ensure_indicators(school_id)
    return fetch_indicators(context(school_id, year, current_language()))


def indicator_keys(school_id: int) -> set[str]:
    ensure_indicators(school_id)
    return {i.key for i in monitoring.indicators(school_id, active_only=False)}


# --- one sheet per direction -------------------------------------------------------------------

def _open_directions(book: WorkbookWriter, ctx: Context) -> dict:
    """One sheet per direction of R3, all seven: a direction without active indicators shows
    so (the regulation monitors every direction)."""
    columns = [Column(_("Key"), TEXT, 16), Column(_("Indicator"), TEXT, 48), Column(_("Unit"), TEXT, 8),
               Column(_("Value"), NUMBER), Column(_("Target"), TEXT), Column(_("Previous year"), NUMBER),
               Column(_("Status"), TEXT, 14)]
    return {number: book.add_table(str(DIRECTION_SHEET_NAMES[number]),
                                   _("Direction %(n)d: %(name)s", n=number, name=str(label)), columns,
                                   _("Indicators of direction %(n)d (R3): value this year, target, previous "
                                     "year and status.", n=number))
            for number, label in DIRECTION_LABELS.items()}


def _fill_directions(book: WorkbookWriter, ctx: Context, sheets: dict, indicators: list[AnnualIndicator]) -> None:
    for number, sheet in sheets.items():
        rows = [i for i in indicators if i.direction == number]
        for i in rows:
            sheet.write_row([i.key, i.name, i.unit, i.value, i.target, i.previous, i.status],
                            suppressed=(3, 5) if i.suppressed else (), kinds={3: i.kind, 5: i.kind})
        if not rows:
            sheet.write_row(["", _("No active indicators in this direction.")])
        sheet.finish()
    ctx.data["indicators"] = indicators


def _write_directions(book: WorkbookWriter, ctx: Context, indicators: list[AnnualIndicator]) -> None:
    _fill_directions(book, ctx, _open_directions(book, ctx), indicators)


# --- registers' counts ----------------------------------------------------------------------------

def _fetch_registers(ctx: Context) -> dict:
    year = year_of(ctx)
    prev = year_of(ctx, previous=True)
    return {
        "counts": school_service.school_counts(ctx.school_id, ctx.year_id),
        "previous": school_service.school_counts(ctx.school_id, ctx.prev_id) if ctx.prev_id else {},
        "teachers": [tuple(r) for r in teacher_breakdown(ctx.school_id, Period.of_year(year))],
        "students": [tuple(r) for r in student_breakdown(ctx.school_id, Period.of_year(year))],
        "students_prev": [tuple(r) for r in student_breakdown(ctx.school_id, Period.of_year(prev))] if prev else [],
        "staff": staff.year_counts(ctx.school_id, year),
        "staff_prev": dict(staff.year_counts(ctx.school_id, prev)) if prev else {},
    }


def _write_registers(book: WorkbookWriter, ctx: Context, data: dict) -> None:
    sheet = book.add_table(_("Registers"), _("Counts from the school's registers"),
                           [Column(_("Register"), TEXT, 44), Column(_("This year"), INT),
                            Column(_("Previous year"), INT)],
                           _("Students, classes, teachers and subjects; teacher achievements by type and level; "
                             "students' olympiad and competition results by level; teachers by qualification "
                             "category and programme documents."))
    now, before = data["counts"], data["previous"]
    for key, label in (("students", _("Students")), ("classes", _("Classes")), ("teachers", _("Teachers")),
                       ("subjects", _("Subjects"))):
        sheet.write_row([label, now.get(key), before.get(key)])
    previous = {(level, result): n for level, result, n in data["students_prev"]}
    for level, result, n in sorted(data["students"], key=lambda r: (r[0] or "", r[1] or "")):
        sheet.write_row([_("Students' results: %(level)s, %(result)s", level=str(LEVEL_LABELS.get(level, level)),
                           result=str(RESULT_LABELS.get(result, result))), n, previous.get((level, result))])
    for kind, level, n in sorted(data["teachers"], key=lambda r: (r[0] or "", r[1] or "")):
        sheet.write_row([_("Teachers' achievements: %(kind)s, %(level)s",
                           kind=str(TEACHER_KIND_LABELS.get(kind, kind)), level=str(LEVEL_LABELS.get(level, level))),
                         n, None])
    for key, n in data["staff"]:  # counts only: staff records are personal
        sheet.write_row([_staff_label(key), n, data["staff_prev"].get(key)])
    sheet.finish()


def _staff_label(key: str) -> str:
    if key.startswith("category:"):
        return _("Teachers: %(category)s", category=str(CATEGORY_LABELS[key.split(":", 1)[1]]))
    return {"attestation_overdue": _("Teachers with an overdue attestation"),
            "programmes_current": _("Programme documents approved within 3 years"),
            "programmes_overdue": _("Programme documents older than 3 years")}[key]


# --- measures ------------------------------------------------------------------------------------

def _fetch_measures(ctx: Context) -> list[tuple]:
    """The year's measures as plain rows: indicator, action, responsible, deadline (ISO),
    status, value when decided, re-checked value (None until the next period has one), and the
    number kind of the indicator's unit."""
    out = []
    for m in measure_service.of_year(ctx.school_id, ctx.year_id):
        found = measure_service.recheck(m)
        out.append((m.indicator.name_in(ctx.lang) if m.indicator else "", m.action,
                    m.responsible.full_name if m.responsible else "", m.due_on.isoformat(),
                    str(MEASURE_STATUS_LABELS.get(m.status, m.status)), m.value_before,
                    found.value if found else None, kind_of_unit(m.indicator.unit if m.indicator else "")))
    return out


def _write_measures(book: WorkbookWriter, ctx: Context, rows: list[tuple]) -> None:
    sheet = book.add_table(_("Measures"), _("Measures taken on the monitoring figures"),
                           [Column(_("Indicator"), TEXT, 40), Column(_("What is to be done"), TEXT, 48),
                            Column(_("Responsible"), TEXT, 24), Column(_("Deadline"), TEXT, 12),
                            Column(_("Status"), TEXT, 12), Column(_("Value when decided"), NUMBER),
                            Column(_("Re-checked"), NUMBER)],
                           _("The administration's decisions on the figures (monitoring regulation §2.19, "
                             "§4.1–4.2): who does what by when, and the indicator's value at the next period."))
    for row in rows:
        sheet.write_row(list(row[:7]), kinds={5: row[7], 6: row[7]})
    if not rows:
        sheet.write_row(["", _("No measures yet.")])
    sheet.finish()


DIRECTIONS_SECTION = Section("directions", fetch_indicators, _write_directions, _open_directions, _fill_directions,
                             prepare=ensure_indicators)
REGISTERS_SECTION = Section("registers", _fetch_registers, _write_registers)
MEASURES_SECTION = Section("measures", _fetch_measures, _write_measures)
