"""The observations' part of the annual workbook: % of the maximum by protocol section and
by methodical association, over the final observations of the year."""
from flask_babel import gettext as _

from app.security import Principal
from app.services.exports.annual import Context, Section
from app.services.exports.core import INT, PCT, TEXT, Column, WorkbookWriter
from app.services.observations import aggregates
from app.services.observations.protocols import criterion_labels


def _fetch_observations(ctx: Context) -> dict:
    """The whole school's figures: the annual workbook is for the whole-school roles only
    (exports.annual.ANNUAL_ROLES)."""
    school = Principal.system(ctx.school_id)
    labels = criterion_labels(ctx.lang)
    sections = aggregates.by_section(school, ctx.year_id)
    return {
        "sections": [(labels.get((r["protocol"], r["section"]), (r["section"],))[0], r["count"], r["pct"])
                     for r in sections],
        "mas": [(r["name_ru"] if ctx.lang == "ru" and r["name_ru"] else r["name"], r["count"], r["pct"])
                for r in aggregates.by_ma(school, ctx.year_id)],
        "total": aggregates.counted_count(school, ctx.year_id),
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


SECTION = Section("observations", _fetch_observations, _write_observations)
