"""The learning results' part of the annual workbook, from the same SQL metrics as the
achievement pages and its term workbook: by quarter for this and the previous year, by class
(with the distribution of marks), by subject (with quality), and class x subject for every
quarter."""
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.i18n import localized_name
from app.models import Assessment, Term
from app.models.school import term_label
from app.services.achievement import analysis, metrics
from app.services.achievement.workbook import _metric_columns, _metric_values
from app.services.exports.annual import Context, Section
from app.services.exports.core import TEXT, Column, WorkbookWriter


def _fetch_achievement(ctx: Context) -> dict:
    years = [y for y in (ctx.prev_id, ctx.year_id) if y]
    quarters = db.session.execute(
        select(Term.id, Term.number, Term.year_id).where(Term.school_id == ctx.school_id, Term.year_id.in_(years),
                                                       Term.kind == "quarter").order_by(Term.starts_on)).all()
    this_year = [q.id for q in quarters if q.year_id == ctx.year_id]
    base = (Assessment.school_id == ctx.school_id, Assessment.kind == "term")

    def run(keys, *where):
        return metrics.run_metrics(metrics.metrics_select(keys, *base, *where, schools=ctx.school_id), keys)

    names = analysis.names(ctx.school_id)
    teachers = analysis.teachers_by_pair(ctx.school_id, ctx.year_id)
    users = {u.id: u.full_name for u in names["users"].values()}
    # Two scans of the marks: this year's class x subject x quarter, rolled up to quarter,
    # class and subject; and the previous year by quarter.
    detail = run({"term_id": Assessment.term_id, "class_id": Assessment.class_id,
                  "subject_id": Assessment.subject_id}, Assessment.term_id.in_(this_year))
    last_year = [q.id for q in quarters if q.year_id != ctx.year_id]
    earlier = run({"term_id": Assessment.term_id}, Assessment.term_id.in_(last_year)) if last_year else []
    return {
        "quarters": {q.id: (term_label("quarter", q.number), ctx.year_name if q.year_id == ctx.year_id else ctx.prev_name) for q in quarters},
        "quarter_order": [q.id for q in quarters],
        "by_quarter": earlier + metrics.rollup(detail, "term_id"),
        "by_class": metrics.rollup(detail, "class_id"),
        "by_subject": metrics.rollup(detail, "subject_id"),
        "detail": detail,
        "classes": {c.id: (c.grade, c.letter, c.name) for c in names["classes"].values()},
        "subjects": {s.id: localized_name(s) for s in names["subjects"].values()},
        "teachers": {pair: ", ".join(users[t] for t in ids if t in users) for pair, ids in teachers.items()},
    }


def _write_achievement(book: WorkbookWriter, ctx: Context, data: dict) -> None:
    metric_columns = _metric_columns()
    order = {term_id: index for index, term_id in enumerate(data["quarter_order"])}
    classes, subjects = data["classes"], data["subjects"]

    sheet = book.add_table(_("Results by quarter"), _("Learning results by quarter, this year and last year"),
                           [Column(_("Quarter"), TEXT, 24)] + metric_columns,
                           _("Term marks of every quarter of the school (this year and the previous year)."))
    for m in sorted(data["by_quarter"], key=lambda m: order.get(m.term_id, 0)):
        name, year = data["quarters"].get(m.term_id, ("", ""))
        sheet.write_row([f"{year} {name}"] + _metric_values(m))
    sheet.finish()
    sheet.add_chart(_("Pass rate and quality by quarter"), [8, 9], kind="column", y_title="%", y_max=100)

    sheet = book.add_table(_("Results by class"), _("Learning results by class (term marks of the year)"),
                           [Column(_("Class"), TEXT, 10)] + metric_columns,
                           _("All term marks of the year per class; the chart shows the distribution of marks."))
    for m in sorted(data["by_class"], key=lambda m: classes.get(m.class_id, (0, ""))[:2]):
        sheet.write_row([classes.get(m.class_id, (0, "", "—"))[2]] + _metric_values(m))
    sheet.finish()
    sheet.add_chart(_("Distribution of marks by class"), [2, 3, 4, 5, 6], kind="column", subtype="percent_stacked",
                    y_title="%", size=(1100, 420))

    sheet = book.add_table(_("Results by subject"), _("Learning results by subject (term marks of the year)"),
                           [Column(_("Subject"), TEXT, 28)] + metric_columns,
                           _("All term marks of the year per subject; the chart shows the quality of knowledge."))
    for m in sorted(data["by_subject"], key=lambda m: subjects.get(m.subject_id, "")):
        sheet.write_row([subjects.get(m.subject_id, "—")] + _metric_values(m))
    sheet.finish()
    sheet.add_chart(_("Quality of knowledge by subject"), [9], kind="bar", y_max=100, size=(720, 520))

    sheet = book.add_table(_("Class x subject"), _("Learning results by class and subject, every quarter"),
                           [Column(_("Quarter"), TEXT, 14), Column(_("Class"), TEXT, 8),
                            Column(_("Subject"), TEXT, 24), Column(_("Teacher"), TEXT, 30)] + metric_columns,
                           _("Term marks per class and subject in each quarter of the year."))
    rows = sorted(data["detail"], key=lambda m: (order.get(m.term_id, 0), classes.get(m.class_id, (0, ""))[:2],
                                                 subjects.get(m.subject_id, "")))
    for m in rows:
        sheet.write_row([data["quarters"].get(m.term_id, ("", ""))[0], classes.get(m.class_id, (0, "", "—"))[2],
                         subjects.get(m.subject_id, "—"), data["teachers"].get((m.class_id, m.subject_id), "")]
                        + _metric_values(m))
    sheet.finish()


SECTION = Section("achievement", _fetch_achievement, _write_achievement)
