"""The learning-results workbook of a term: class x subject indicators, roll-ups by grade,
MA, subject and teacher, the school total, and internal marks against external results.
The figures come from the same SQL as the pages, rounded the same way."""
from typing import Optional

from flask import current_app
from flask_babel import gettext as _

from app.i18n import localized_name
from app.security import Principal
from app.services.achievement import analysis, metrics
from app.services.exports.core import INT, MEAN, NUMBER, PCT, TEXT, Column, WorkbookWriter, new_temp_path


def _metric_columns():
    return [Column("n", INT), Column("n5", INT), Column("n4", INT), Column("n3", INT), Column("n2", INT),
            Column("n1", INT), Column(_("absent"), INT), Column(_("pass rate") + " %", PCT),
            Column(_("quality") + " %", PCT), Column(_("SOU") + " %", PCT), Column(_("mean"), MEAN)]


def _metric_values(m: metrics.Metrics) -> list:
    r = m.rounded()
    return [r["n"], r["n5"], r["n4"], r["n3"], r["n2"], r["n1"], r["absent"], r["pass_rate"], r["quality"],
            r["sou"], r["mean"]]


def build_achievement_workbook(scope: Principal, term, target: Optional[str] = None,
                               threshold: Optional[float] = None, basis: str = "term") -> str:
    """Write the workbook to `target` (a new temporary file when None) and return its path."""
    from app.extensions import db
    from app.models import School

    path = target or new_temp_path("sapat-achievement-")
    school = db.session.get(School, scope.school_id)
    summary = analysis.summary(scope, term, analysis.BASES[basis])
    if threshold is None:
        threshold = float(current_app.config.get("ACHIEVEMENT_EXTERNAL_THRESHOLD", analysis.DEFAULT_THRESHOLD))
    period = f"{term.label} ({term.year.name})"
    with WorkbookWriter(path, school=school, school_name=localized_name(school), period=period,
                        filters={_("Marks"): _("term marks") if basis == "term" else _("control works and tests")}) as book:
        sheet = book.add_table(_("Summary"), _("Learning results by class and subject"),
                               [Column(_("class"), TEXT), Column(_("subject"), TEXT, 24),
                                Column(_("teacher"), TEXT, 30)] + _metric_columns(),
                               _("One row per class and subject: the counts of marks 5..1, the absent, "
                                 "and the indicators computed from them."))
        for row in summary.rows:
            sheet.write_row([row["class"].name, localized_name(row["subject"]), row["teacher"]]
                            + _metric_values(row["m"]))
        sheet.finish()
        for key, name, title in [
            ("grade", _("By grade"), _("Learning results by grade")),
            ("ma", _("By MA"), _("Learning results by methodical association")),
            ("subject", _("By subject"), _("Learning results by subject")),
            ("teacher", _("By teacher"), _("Learning results by teacher")),
            ("school", _("School"), _("Learning results of the school")),
        ]:
            sheet = book.add_table(name, title, [Column(name, TEXT, 30)] + _metric_columns(),
                                   _("Computed from all marks of the group, not by averaging percentages."))
            for group in summary.groups[key]:
                label = localized_name(group["obj"]) if group.get("obj") is not None else group["label"]
                sheet.write_row([label] + _metric_values(group["m"]))
            sheet.finish()
        rows = analysis.compare_external(scope, term.year_id, threshold)
        sheet = book.add_table(
            _("Internal vs external"), _("Internal marks against external results (ORT, NTS)"),
            [Column(_("class"), TEXT), Column(_("subject"), TEXT, 24), Column(_("students"), INT),
             Column(_("internal mean"), MEAN), Column(_("external score"), NUMBER),
             Column(_("external on the 5-point scale"), MEAN), Column(_("difference"), MEAN),
             Column(_("flag"), TEXT)],
            _("Students with both results. External on the 5-point scale = 2 + 3 x score / maximum score. "
              "Flagged when the difference exceeds %(t)s.", t=f"{threshold:g}"))
        for r in rows:
            sheet.write_row([r["class"].name, localized_name(r["subject"]), r["n"], r["internal"], r["raw"],
                             r["external"], r["diff"], _("check") if r["flag"] else ""])
        sheet.finish()
        book.add_note(_("pass rate") + " %", "(n5 + n4 + n3) / n x 100")
        book.add_note(_("quality") + " %", "(n5 + n4) / n x 100")
        book.add_note(_("SOU") + " %", "(100 n5 + 64 n4 + 36 n3 + 16 n2 + 7 n1) / n")
        book.add_note("n", _("Students with a mark; the absent are counted apart and not in n."))
    return path
