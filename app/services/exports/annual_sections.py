"""The features' parts of the annual workbook, each through its own service.

Indicators of the seven directions come from app.services.monitoring (value, target,
previous year, status; values resting on fewer than the minimum group are left blank);
registers' counts from the foundation and the monitoring registers; survey indices from
app.services.surveys.scale_indices (the scale part of its results, with the suppression of
small classes); the observation summary from app.services.observations.

Learning results come from app.services.achievement (the same SQL metrics as its pages and
its term workbook): by quarter for this and the previous year, by class (with the
distribution of marks), by subject (with quality), and class x subject for every quarter.
"""
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.i18n import localized_name
from app.models import Term
from app.services.core import school as school_service
from app.services.exports.annual import (
    INDICATOR_SOURCES,
    AnnualIndicator,
    Context,
    Section,
    _year,
    add_section,
)
from app.services.exports.core import INT, PCT, TEXT, Column, WorkbookWriter


# --- indicators (feat/monitoring) ----------------------------------------------------------

def _monitoring_indicators(ctx: Context) -> list[AnnualIndicator]:
    from app.services.monitoring import indicators as monitoring
    from app.services.monitoring.labels import STATUS_LABELS, UNIT_LABELS, fmt
    from app.services.monitoring.reports import suppress

    out = []
    for row in monitoring.evaluate(ctx.school_id, _year(ctx)):
        ind = row.indicator
        hidden = suppress(row)
        target = None if ind.target is None else ("≤ " if ind.good == "lower" else "≥ ") + fmt(ind.target, ind.unit)
        out.append(AnnualIndicator(
            ind.direction, ind.key, ind.name_in(ctx.lang), str(UNIT_LABELS.get(ind.unit, ind.unit)),
            None if hidden else row.value, target, None if hidden else row.previous,
            str(STATUS_LABELS.get(row.status, row.status)), suppressed=hidden))
    return out


INDICATOR_SOURCES[:] = [_monitoring_indicators]


def known_indicator_keys(school_id: int) -> set[str]:
    from app.services.monitoring import indicators as monitoring

    ensure_indicators(school_id)
    return {i.key for i in monitoring.indicators(school_id, active_only=False)}


def ensure_indicators(school_id: int) -> None:
    """The monitoring catalogue must exist before worker threads read it (committed here)."""
    from app.services.monitoring.catalogue import ensure_catalogue

    if ensure_catalogue(school_id):
        db.session.commit()


# --- registers' counts (foundation + feat/monitoring) ---------------------------------------

def _fetch_registers(ctx: Context) -> dict:
    from app.services.monitoring.calculators import Period, student_breakdown, teacher_breakdown

    year = _year(ctx)
    prev = _year(ctx, previous=True)
    return {
        "counts": school_service.school_counts(ctx.school_id, ctx.year_id),
        "previous": school_service.school_counts(ctx.school_id, ctx.prev_id) if ctx.prev_id else {},
        "teachers": [tuple(r) for r in teacher_breakdown(ctx.school_id, Period.of_year(year))],
        "students": [tuple(r) for r in student_breakdown(ctx.school_id, Period.of_year(year))],
        "students_prev": [tuple(r) for r in student_breakdown(ctx.school_id, Period.of_year(prev))] if prev else [],
    }


def _write_registers(book: WorkbookWriter, ctx: Context, data: dict) -> None:
    from app.services.monitoring.labels import LEVEL_LABELS, RESULT_LABELS, TEACHER_KIND_LABELS

    sheet = book.add_table(_("Registers"), _("Counts from the school's registers"),
                           [Column(_("Register"), TEXT, 44), Column(_("This year"), INT),
                            Column(_("Previous year"), INT)],
                           _("Students, classes, teachers and subjects; teacher achievements by type and level; "
                             "students' olympiad and competition results by level."))
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
    sheet.finish()


# --- survey indices (feat/surveys) ------------------------------------------------------------

def _fetch_surveys(ctx: Context) -> list[dict]:
    from app.models import Campaign
    from app.services.surveys import campaigns as surveys

    campaigns = db.session.scalars(select(Campaign).where(
        Campaign.school_id == ctx.school_id, Campaign.year_id == ctx.year_id,
        Campaign.status != "draft").order_by(Campaign.opens_on, Campaign.id)).all()
    out = []
    for campaign in campaigns:
        spec = campaign.instrument.spec
        respondents = surveys.respondents_of(campaign.id)
        overall, classes = surveys.scale_indices(campaign, spec)
        scales = [(s.key, surveys.label_text(s.title, ctx.lang) if hasattr(s, "title") else s.key)
                  for s in spec.scales]
        out.append({
            "title": campaign.title, "respondents": respondents,
            "suppressed": respondents < campaign.min_group_size,
            "min_group": campaign.min_group_size, "scales": scales,
            "overall": {k: v.get("index") for k, v in overall.items()},
            "classes": [{"label": c["label"], "responses": c["responses"], "rate": c["rate"],
                         "suppressed": c["suppressed"], "scales": dict(c["scales"])} for c in classes],
        })
    return out


def _write_surveys(book: WorkbookWriter, ctx: Context, campaigns: list[dict]) -> None:
    columns = [Column(_("Survey"), TEXT, 36), Column(_("Class"), TEXT, 10), Column(_("Scale"), TEXT, 30),
               Column(_("Responses"), INT), Column(_("Response rate %"), PCT), Column(_("Index 0-100"), PCT)]
    overall = book.add_table(_("Survey indices"), _("Survey indices of the year"), columns[:1] + columns[2:4]
                             + columns[5:], _("Each survey of the year: respondents and the index (0-100) of "
                                              "every scale. A survey with fewer respondents than its minimum "
                                              "group is left blank."))
    for c in campaigns:
        for key, label in c["scales"]:
            overall.write_row([c["title"], label, c["respondents"], c["overall"].get(key)],
                              suppressed=(3,) if c["suppressed"] else ())
    overall.finish()
    overall.add_chart(_("Satisfaction index by survey and scale"), [3], kind="bar", y_max=100, size=(720, 480))
    by_class = book.add_table(_("Survey by class"), _("Survey indices by class"), columns,
                              _("Index per class and scale. Classes with fewer respondents than the survey's "
                                "minimum group are left blank (anonymity)."))
    for c in campaigns:
        for cls in c["classes"]:
            for key, label in c["scales"]:
                hidden = cls["suppressed"] or c["suppressed"]
                by_class.write_row([c["title"], cls["label"], label, cls["responses"], cls["rate"],
                                    cls["scales"].get(key)], suppressed=(5,) if hidden else ())
    by_class.finish()
    if 0 < by_class.last_row - 6 <= 120:
        by_class.add_chart(_("Satisfaction index by class"), [5], category_column=1, kind="column", y_max=100,
                           size=(1000, 400))


# --- observation summary (feat/observations) ---------------------------------------------------

def _fetch_observations(ctx: Context) -> dict:
    from app.services.observations import records as observations

    labels = observations.criterion_labels(ctx.lang)
    sections = observations.by_section(ctx.school_id, ctx.year_id)
    return {
        "sections": [(labels.get((r["protocol"], r["section"]), (r["section"],))[0], r["count"], r["pct"])
                     for r in sections],
        "mas": [(r["name_ru"] if ctx.lang == "ru" and r["name_ru"] else r["name"], r["count"], r["pct"])
                for r in observations.by_ma(ctx.school_id, ctx.year_id)],
        "total": observations.counted_count(ctx.school_id, ctx.year_id),
    }


def _write_observations(book: WorkbookWriter, ctx: Context, data: dict) -> None:
    sheet = book.add_table(_("Observations"), _("Observed lessons and events: % of the maximum by section"),
                           [Column(_("Section"), TEXT, 48), Column(_("Observations"), INT),
                            Column(_("% of maximum"), PCT)],
                           _("Final observations of the year (%(n)d): points scored as a share of the maximum, "
                             "per protocol section.", n=data["total"]))
    sheet.write_rows(data["sections"])
    sheet.finish()
    sheet.add_chart(_("Observation % by section"), [2], kind="bar", y_max=100, size=(720, 480))
    sheet = book.add_table(_("Observations by MA"), _("Observed lessons by methodical association"),
                           [Column(_("Methodical association"), TEXT, 40), Column(_("Observations"), INT),
                            Column(_("% of maximum"), PCT)],
                           _("Final observations of the year per methodical association."))
    sheet.write_rows(data["mas"])
    sheet.finish()


# --- learning results (feat/marks) ---------------------------------------------------------

def _fetch_achievement(ctx: Context) -> dict:
    from app.models import Assessment
    from app.services.achievement import metrics as svc

    years = [y for y in (ctx.prev_id, ctx.year_id) if y]
    quarters = db.session.execute(
        select(Term.id, Term.name, Term.year_id).where(Term.school_id == ctx.school_id, Term.year_id.in_(years),
                                                       Term.kind == "quarter").order_by(Term.starts_on)).all()
    this_year = [q.id for q in quarters if q.year_id == ctx.year_id]
    base = (Assessment.school_id == ctx.school_id, Assessment.kind == "term")

    def run(keys, *where):
        return svc.run_metrics(svc.metrics_select(keys, *base, *where), keys)

    names = svc.names(ctx.school_id)
    teachers = svc.teachers_by_pair(ctx.school_id, ctx.year_id)
    users = {u.id: u.full_name for u in names["users"].values()}
    # Two scans of the marks: this year's class x subject x quarter, rolled up to quarter,
    # class and subject; and the previous year by quarter.
    detail = run({"term_id": Assessment.term_id, "class_id": Assessment.class_id,
                  "subject_id": Assessment.subject_id}, Assessment.term_id.in_(this_year))
    last_year = [q.id for q in quarters if q.year_id != ctx.year_id]
    earlier = run({"term_id": Assessment.term_id}, Assessment.term_id.in_(last_year)) if last_year else []
    return {
        "quarters": {q.id: (q.name, ctx.year_name if q.year_id == ctx.year_id else ctx.prev_name) for q in quarters},
        "quarter_order": [q.id for q in quarters],
        "by_quarter": earlier + svc.rollup(detail, "term_id"),
        "by_class": svc.rollup(detail, "class_id"),
        "by_subject": svc.rollup(detail, "subject_id"),
        "detail": detail,
        "classes": {c.id: (c.grade, c.letter, c.name) for c in names["classes"].values()},
        "subjects": {s.id: localized_name(s) for s in names["subjects"].values()},
        "teachers": {pair: ", ".join(users[t] for t in ids if t in users) for pair, ids in teachers.items()},
    }


def _write_achievement(book: WorkbookWriter, ctx: Context, data: dict) -> None:
    from app.services.achievement.workbook import _metric_columns, _metric_values

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


add_section(Section("registers", _fetch_registers, _write_registers))
add_section(Section("achievement", _fetch_achievement, _write_achievement))
add_section(Section("surveys", _fetch_surveys, _write_surveys))
add_section(Section("observations", _fetch_observations, _write_observations))
