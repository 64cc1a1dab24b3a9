"""The surveys' part of the annual workbook: the index of every scale of each campaign of the
year, overall and by class, through the campaigns' own results: what `disclosure` lets them
publish (no small class, none that gives a small one back, nothing of an open campaign)."""
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import Campaign
from app.services.exports.annual import Context, Section
from app.services.exports.core import INT, PCT, TEXT, Column, WorkbookWriter
from app.services.surveys import disclosure, results


def _fetch_surveys(ctx: Context) -> list[dict]:
    campaigns = db.session.scalars(select(Campaign).where(
        Campaign.school_id == ctx.school_id, Campaign.year_id == ctx.year_id,
        Campaign.status != "draft").order_by(Campaign.opens_on, Campaign.id)).all()
    out = []
    for campaign in campaigns:
        spec = campaign.instrument.spec
        respondents = results.respondents_of(campaign.id)
        overall, classes = results.scale_indices(campaign, spec)
        scales = [(s.key, results.label_text(s.title, ctx.lang) if hasattr(s, "title") else s.key)
                  for s in spec.scales]
        out.append({
            "title": campaign.title, "respondents": respondents,
            "suppressed": respondents < campaign.min_group_size or not disclosure.released(campaign),
            "min_group": campaign.min_group_size, "scales": scales,
            "overall": {k: v.get("index") for k, v in overall.items()},
            "classes": [{"label": c["label"], "responses": c["responses"], "rate": c["rate"], "over": c["rate_over"],
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
                                "minimum group are left blank (anonymity), and so is the next smallest class when "
                                "the totals would otherwise give a small one back; an open survey has no index yet. "
                                "A blank rate: more responses than pupils (an open link)."))
    for c in campaigns:
        for cls in c["classes"]:
            for key, label in c["scales"]:
                hidden = cls["suppressed"] or c["suppressed"]
                blank = ((3, 4, 5) if cls["suppressed"] else (5,) if hidden else ()) + ((4,) if cls["over"] else ())
                by_class.write_row([c["title"], cls["label"], label, cls["responses"], cls["rate"],
                                    cls["scales"].get(key)], suppressed=blank)
    by_class.finish()
    if 0 < by_class.last_row - 6 <= 120:
        by_class.add_chart(_("Satisfaction index by class"), [5], category_column=1, kind="column", y_max=100,
                           size=(1000, 400))


SECTION = Section("surveys", _fetch_surveys, _write_surveys)
