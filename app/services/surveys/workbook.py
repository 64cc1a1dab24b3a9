"""The campaign workbook: summary per item, scales, per-class sheet and raw answers.

Numbers are rounded as on the results page (means to 2 decimals, indices and percentages to 1),
so the workbook and the screen show the same values. What is shown follows `disclosure`: hidden
classes (too small, or hidden so that a small one cannot be worked out) are blank with a note,
an open campaign has no figures, every percentage names its base, and the raw sheet has no
identifying data (no dates, no codes, no class of a hidden class, rows in a random order).
"""
from flask_babel import gettext as _

from app.models import Campaign
from app.services.exports.core import INT, MEAN, NUMBER, PCT, TEXT, Column, WorkbookWriter
from app.services.surveys import consistency, results


def r1(v):
    return None if v is None else round(v, 1)


def r2(v):
    return None if v is None else round(v, 2)


def write_campaign_workbook(campaign: Campaign, target, lang: str | None = None) -> None:
    from app.i18n import current_language

    lang = lang or current_language()
    res = results.results(campaign)
    spec = res.spec
    school = campaign.school
    period = " — ".join(d.strftime("%d.%m.%Y") for d in (campaign.opens_on, campaign.closes_on) if d)
    filters = {_("Questionnaire"): f"{spec.title.pick(lang)} (v{campaign.instrument.version})",
               _("Respondents"): str(res.respondents),
               _("Minimum group size"): str(campaign.min_group_size)}
    hidden_note = hidden_class_note(campaign.min_group_size)
    withheld = None if res.shown else (
        _("Results are shown when the campaign is closed, so that they do not change with each answer.")
        if not res.released else _("fewer than %(n)d respondents: not shown", n=campaign.min_group_size))
    with WorkbookWriter(target, school=school, school_name=school.name, period=period or campaign.title, filters=filters) as book:
        max_options = max((len(it.options) for it in res.items), default=0)
        columns = [Column(_("Key"), TEXT, 12), Column(_("Question"), TEXT, 60), Column(_("Scale"), TEXT, 16),
                   Column(_("Reverse"), TEXT, 8), Column("n", INT), Column(_("Mean"), MEAN),
                   Column(_("Index 0-100"), PCT), Column(_("Top-2, %(unit)s of n", unit="%"), PCT),
                   Column(_("Base: saw the question"), INT), Column(_("None chosen"), INT)]
        columns += [Column(_("Option %(n)d, %% of base", n=i + 1), PCT) for i in range(max_options)]
        columns.append(Column(_("Options"), TEXT, 50))
        sheet = book.add_table(_("Summary"), campaign.title, columns,
                               _("One row per question: n (answered it), mean score (reverse items reversed), "
                                 "index 0-100 = (mean - min) / (max - min) x 100, share of the two highest answers "
                                 "(of n), the base (respondents who saw the question), those who chose nothing, and "
                                 "the percentage of the base for each option in the order of the Options column."))
        scale_titles = {s.key: s.title.pick(lang) for s in spec.scales}
        numeric_cols = list(range(4, len(columns) - 1))
        for it in res.items:
            if it.kind == "text":
                continue
            pcts = [r1(o.pct) for o in it.options] + [None] * (max_options - len(it.options))
            options = "; ".join(f"{i + 1}: {results.label_text(o.label, lang)}" for i, o in enumerate(it.options))
            sheet.write_row([it.key, it.title(lang), scale_titles.get(it.scale, ""), _("yes") if it.reverse else "",
                             it.n, r2(it.mean), r1(it.index), r1(it.top2), it.base, it.blank, *pcts, options],
                            suppressed=numeric_cols if not res.shown else ())
        if withheld:
            sheet.write_row(["", withheld])
        sheet.finish()

        if spec.scales:
            columns = [Column(_("Scale"), TEXT, 30), Column(_("Mean"), MEAN), Column(_("Index 0-100"), PCT)]
            if res.previous:
                columns += [Column(_("Previous: %(title)s", title=res.previous["campaign"].title), PCT, 22),
                            Column(_("Change"), PCT)]
            sheet = book.add_table(_("Scales"), campaign.title, columns,
                                   _("Scale mean = mean over respondents of each respondent's mean on the scale's "
                                     "items; the index is on 0-100. Previous: the last earlier campaign of the same "
                                     "questionnaire."))
            for s in spec.scales:
                v = res.scales[s.key]
                row = [s.title.pick(lang), r2(v["mean"]), r1(v["index"])]
                if res.previous:
                    p = res.previous["scales"].get(s.key)
                    row += [r1(p), r1(v["index"] - p) if p is not None and v["index"] is not None else None]
                sheet.write_row(row, suppressed=range(1, len(row)) if not res.shown else ())
            sheet.finish()

        columns = [Column(_("Class"), TEXT, 12), Column(_("Responses"), INT),
                   Column(_("Codes issued") if campaign.access_mode == "codes" else _("Class size"), INT),
                   Column(_("Rate") + ", %", PCT)]
        columns += [Column(s.title.pick(lang), PCT, 14) for s in spec.scales]
        columns.append(Column(_("Note"), TEXT, 34))
        sheet = book.add_table(_("By class"), campaign.title, columns,
                               _("Responses and response rate per class, and scale indices. A class with fewer "
                                 "respondents than the minimum group is blank, and so is the next smallest class "
                                 "when otherwise the totals would give the small one back."))
        for c in res.classes:
            label = _("Whole school") if c["label"] == "*" else c["label"]
            values = [label, c["responses"], c["expected"], r1(c["rate"])]
            values += [c["scales"][s.key] if c["scales"][s.key] is None else r1(c["scales"][s.key]) for s in spec.scales]
            values.append(hidden_note if c["suppressed"] else (rate_over_note() if c["rate_over"] else ""))
            hidden = set() if res.shown else set(range(4, 4 + len(spec.scales)))
            if c["rate_over"]:
                hidden.add(3)
            if c["suppressed"]:
                hidden |= {1, 3, *range(4, 4 + len(spec.scales))}
            sheet.write_row(values, suppressed=sorted(hidden))
        sheet.finish()

        consistency.write_sheet(book, campaign, lang)

        keys = spec.answer_keys()
        numeric_keys = {k for it in spec.items() if it.type in ("likert", "matrix", "number", "criterion")
                        for k in it.answer_keys()}
        keys += [f"{it.key}.comment" for it in spec.items() if it.type == "criterion"]
        sheet = book.add_table(_("Answers"), campaign.title,
                               [Column("No.", INT), Column(_("Class"), TEXT, 10)]
                               + [Column(k, NUMBER if k in numeric_keys else TEXT, 10) for k in keys],
                               _("One row per complete response, one column per question (matrix rows as "
                                 "question.row). Numbers are the answer points as given (before reverse scoring). "
                                 "No names, dates, codes or devices are stored."))
        if withheld:
            sheet.write_row([None, withheld])
        else:
            labels = {c["target"].id: (_("Whole school") if c["label"] == "*" else c["label"]) for c in res.classes}
            hidden_targets = {c["target"].id for c in res.classes if c["suppressed"]}
            for number, target_id, values in results.raw_rows(campaign, hidden_targets):
                row = [number, labels.get(target_id, "") if target_id else ""]
                for k in keys:
                    v = values.get(k)
                    row.append(int(v) if isinstance(v, float) and v.is_integer() else v)
                sheet.write_row(row)
        sheet.finish()



def hidden_class_note(min_group: int) -> str:
    return _("not shown: fewer than %(n)d respondents, or hidden so that a smaller class cannot be worked out",
             n=min_group)


def rate_over_note() -> str:
    return _("more responses than pupils: with an open link several parents of a pupil, or anyone who has the "
             "link, can answer; no rate is given")
