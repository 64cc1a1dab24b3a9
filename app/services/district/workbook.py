"""The district's expert workbook: one XlsxWriter builder (app.services.exports.core.WorkbookWriter:
SafeWorkbook cells, the school workbooks' number formats, title blocks, notes sheet), written
from overview.collect, so that it holds the figures the district pages and report show.

Sheets: learning results (one row per school and the district's row: marks n, pass rate, quality,
SOU, mean; with the chart of pass rate and quality the school's workbook has), one sheet per
direction of R3 (one row per school plus the district's, each indicator's value and its n), and
one sheet per district campaign of the year (respondents, each scale's index and n, the index;
a withheld school's cells are blank and grey; with the chart of the index the school's survey
sheet has). `build(target, data, lang)` writes to a path or a file object."""
from flask_babel import gettext as _

from app.services.exports.core import INT, MEAN, PCT, TEXT, Column, WorkbookWriter, kind_of_unit
from app.services.monitoring.labels import DIRECTION_LABELS, DIRECTION_SHEET_NAMES


def _name(school: dict, lang: str) -> str:
    return school["name_ru"] if lang == "ru" and school.get("name_ru") else school["name"]


def _learning(book: WorkbookWriter, data: dict, lang: str) -> None:
    sheet = book.add_table(_("Learning results"), _("Learning results of the district's schools (%(term)s)",
                                                    term=data["term_label"]),
                           [Column(_("School"), TEXT, 36), Column(_("Marks (n)"), INT), Column(_("Pass rate, %"), PCT),
                            Column(_("Quality of knowledge, %"), PCT), Column(_("SOU, %"), PCT),
                            Column(_("Mean mark"), MEAN)],
                           _("Term marks of every school and of the whole district, computed from all the marks "
                             "(not an average of the schools' percentages): pass rate = marks 3-5 / n, quality = "
                             "marks 4-5 / n, SOU = (100 n5 + 64 n4 + 36 n3 + 16 n2 + 7 n1) / n, mean = sum / n."))
    learning = data["learning"]
    for school, m in zip(data["schools"], learning["schools"]):
        sheet.write_row([_name(school, lang), *(_learning_values(m))])
    sheet.write_row([_("District"), *(_learning_values(learning["district"]))])
    sheet.finish()
    sheet.add_chart(_("Pass rate and quality of knowledge by school"), [2, 3], kind="column", y_title="%", y_max=100)


def _learning_values(m):
    if m is None:
        return [None] * 5
    return [m["n"], m["pass_rate"], m["quality"], m["sou"], m["mean"]]


def _directions(book: WorkbookWriter, data: dict, lang: str) -> None:
    for number, label in DIRECTION_LABELS.items():
        items = data["directions"].get(str(number), [])
        columns = [Column(_("School"), TEXT, 36)]
        for item in items:
            columns += [Column(item["name"].get(lang) or item["name"]["en"], kind_of_unit(item["unit"]), 16),
                        Column(_("n"), INT, 6)]
        sheet = book.add_table(str(DIRECTION_SHEET_NAMES[number]),
                               _("Direction %(n)d: %(name)s", n=number, name=str(label)), columns,
                               _("Direction %(n)d (R3): each indicator's value and its n per school and for the "
                                 "district; the district's value pools the schools' values by their n "
                                 "(sum of value x n / sum of n; counts are summed).", n=number))
        for index, school in enumerate(data["schools"]):
            values = [_name(school, lang)]
            for item in items:
                v = item["schools"][index]
                values += [v["value"], v["n"]]
            sheet.write_row(values)
        sheet.write_row([_("District"), *[x for item in items for x in (item["district"]["value"],
                                                                          item["district"]["n"])]])
        sheet.finish()


def _campaigns(book: WorkbookWriter, data: dict, lang: str) -> None:
    for number, campaign in enumerate(data["campaigns"], start=1):
        scales = campaign["scales"]
        columns = [Column(_("School"), TEXT, 36), Column(_("Respondents (n)"), INT), Column(_("Index (0-100)"), PCT)]
        for scale in scales:
            columns += [Column(scale["title"].get(lang) or scale["title"]["en"], PCT, 16), Column(_("n"), INT, 6)]
        sheet = book.add_table(_("Survey %(n)d", n=number), campaign["title"], columns,
                               _("District campaign \"%(title)s\": respondents, index and each scale's index "
                                 "with its n per school and for the district, from every answer. Blank grey "
                                 "cells: a school withheld (fewer respondents than the minimum group, or "
                                 "withheld so that a smaller one cannot be worked out).", title=campaign["title"]))
        width = len(columns)
        for school, f in zip(data["schools"], campaign["schools"]):
            if f is None:
                continue
            if f["withheld"]:
                sheet.write_row([_name(school, lang)], suppressed=range(1, width))
                continue
            sheet.write_row([_name(school, lang), *_campaign_values(f, scales)])
        sheet.write_row([_("District"), *_campaign_values(campaign["district"], scales)])
        sheet.finish()
        sheet.add_chart(_("Satisfaction index by school"), [2], kind="bar", y_max=100, size=(720, 480))


def _campaign_values(f, scales):
    values = [f["respondents"], f["index"]]
    for scale in scales:
        index, n = f["scales"].get(scale["key"], [None, None])
        values += [index, n]
    return values


def build(target, data: dict, lang: str) -> None:
    """Write the workbook of `data` (overview.collect) in the current language."""
    period = f"{data['year'] or ''} {data['term_label']}".strip()
    name = data["district_ru"] if lang == "ru" and data.get("district_ru") else data["district"]
    with WorkbookWriter(target, school_name=name, period=period, constant_memory=False) as book:
        _learning(book, data, lang)
        _directions(book, data, lang)
        _campaigns(book, data, lang)


