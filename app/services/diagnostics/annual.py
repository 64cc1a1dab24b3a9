"""The diagnostics' part of the annual workbook (a Section, declared by the diagnostics feature).

Sheet *Diagnostics*: each indicator computed from diagnostics (instruments.RULES) for the school,
then per grade and per methodical association (`aggregates.by_ma`: the classes its subjects are
taught in): the students
diagnosed (n), the favourable records, the value (favourable / n · 100, or the number of records
for a count rule), last year's school value and the change. Sheet *Diagnostic outcomes*: per
instrument, how many students got each outcome (a level, a group, a destination) and their share
of the instrument's n.

The workbook is for the whole-school roles (exports.annual.ANNUAL_ROLES), so it counts every
record of the school except confidential instruments' (the psychologist's and the director's
only). As on the monitoring sheets (monitoring.reports.suppress), a value resting on fewer
students than the minimum group (monitoring.indicators.MIN_GROUP) is left blank, with its n shown:
how many were diagnosed names no one's outcome.
"""
from typing import Optional

from flask_babel import gettext as _

from app.models import Diagnostic
from app.services.diagnostics import aggregates
from app.services.diagnostics.instruments import RULES, newest, outcome_label
from app.services.diagnostics.monitoring import indicator_names
from app.services.exports.annual import Context, Section
from app.services.exports.core import INT, PCT, TEXT, Column, WorkbookWriter
from app.services.monitoring.indicators import MIN_GROUP
from app.services.surveys.disclosure import below_minimum

NOT_CONFIDENTIAL = (Diagnostic.confidential.is_(False),)


def _value(found: aggregates.Figure) -> Optional[float]:
    return None if found.value is None else round(found.value, 1)


def _fetch(ctx: Context) -> dict:
    names = indicator_names(ctx.lang)
    rows = []
    for key, rule in RULES.items():
        unit = "%" if rule.unit == "percent" else _("students")
        now = aggregates.school_figure(rule, ctx.school_id, ctx.year_id, NOT_CONFIDENTIAL)
        before = aggregates.school_figure(rule, ctx.school_id, ctx.prev_id, NOT_CONFIDENTIAL) if ctx.prev_id else None
        groups = [(_("School"), now, before)]
        groups += [(_("Grade %(grade)d", grade=grade), found, None)
                   for grade, found in aggregates.by_grade(rule, ctx.school_id, ctx.year_id, NOT_CONFIDENTIAL)]
        groups += [(_("MA: %(name)s", name=name), found, None)
                   for name, found in aggregates.by_ma(rule, ctx.school_id, ctx.year_id, NOT_CONFIDENTIAL, ctx.lang)]
        for group, found, previous in groups:
            rows.append({"name": names.get(key, key), "group": group, "unit": unit, "rule": rule,
                         "now": found, "previous": previous})
    outcomes = []
    totals: dict[str, int] = {}
    counted = aggregates.outcome_counts(ctx.school_id, ctx.year_id, NOT_CONFIDENTIAL)
    for key, _outcome, n in counted:
        totals[key] = totals.get(key, 0) + n
    specs = {}
    for key, outcome, n in counted:
        if key not in specs:
            row = newest(key)
            specs[key] = row.spec if row is not None else None
        spec = specs[key]
        title = spec.title.pick(ctx.lang) if spec is not None else key
        label = (outcome_label(spec, outcome, ctx.lang) if spec is not None else outcome) or _("no outcome")
        outcomes.append((title, label, n, totals[key]))
    return {"rows": rows, "outcomes": outcomes}


def _write(book: WorkbookWriter, ctx: Context, data: dict) -> None:
    sheet = book.add_table(
        _("Diagnostics"), _("Indicators computed from the diagnostics of named students"),
        [Column(_("Indicator"), TEXT, 40), Column(_("Group"), TEXT, 24), Column(_("Unit"), TEXT, 10),
         Column(_("Students diagnosed (n)"), INT), Column(_("Favourable"), INT), Column(_("Value"), PCT),
         Column(_("Previous year"), PCT), Column(_("Change"), PCT)],
        _("Per indicator: the school, each grade and each methodical association. Value = favourable records / "
          "students diagnosed · 100 (the number of records for the gifted-children programme); a value resting "
          "on fewer than %(min)d students is left blank.", min=MIN_GROUP))
    for row in data["rows"]:
        now, previous, rule = row["now"], row["previous"], row["rule"]
        hidden = below_minimum(now.n, MIN_GROUP)
        favourable = now.favourable if rule.unit == "percent" else None
        before = _value(previous) if previous is not None and not below_minimum(previous.n, MIN_GROUP) else None
        value = _value(now)
        change = round(value - before, 1) if value is not None and before is not None and not hidden else None
        sheet.write_row([row["name"], row["group"], row["unit"], now.n, favourable, value, before, change],
                        suppressed=(4, 5, 7) if hidden else ())
    if not data["rows"]:
        sheet.write_row(["", _("No diagnostics this year.")])
    sheet.finish()
    sheet = book.add_table(
        _("Diagnostic outcomes"), _("Students by the outcome of each diagnostic"),
        [Column(_("Diagnostic"), TEXT, 44), Column(_("Outcome"), TEXT, 28), Column(_("Students"), INT),
         Column(_("% of diagnosed"), PCT), Column(_("Students diagnosed (n)"), INT)],
        _("Each diagnostic of the year: how many students got each outcome, as a share of the students diagnosed "
          "with it; below %(min)d students diagnosed the counts are left blank.", min=MIN_GROUP))
    for title, label, n, total in data["outcomes"]:
        share = round(100.0 * n / total, 1) if total else None
        sheet.write_row([title, label, n, share, total], suppressed=(2, 3) if below_minimum(total, MIN_GROUP) else ())
    if not data["outcomes"]:
        sheet.write_row(["", _("No diagnostics this year.")])
    sheet.finish()


SECTION = Section("diagnostics", _fetch, _write)
