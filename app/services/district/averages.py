"""Regional and national averages a district imports from an .xlsx, to show them beside its
schools' results: a row per (year, level, measure, subject, grade) with its value (and n when
the source gives one). Measures: pass_rate, quality, sou (percent, 0-100) and mean (1-5) of term
marks, with the formulas of achievement.metrics; ort, the mean ORT score by subject (0-245).

The file is read by the core's safe readers (xlsx_input.read_rows: package checks, a bounded
parser in a child process, a formula read as its saved value, error cells refused with their
address); headers and level / measure words in Kyrgyz, Russian or English. All or nothing: a file
with any bad row writes nothing and names the row. A valid file replaces the district's averages
of the years it names (the same file twice leaves the same rows), audited."""
from typing import IO, Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from app.extensions import db
from app.models.district import AVERAGE_LEVELS, AVERAGE_MEASURES, DistrictAverage
from app.services.core.audit import record
from app.services.core.text import whole
from app.services.core.xlsx_input import ImportReport, SpreadsheetError, read_rows, template_workbook, text

COLUMNS = {
    "year": ("Academic year", "Окуу жылы", "Учебный год", "Жыл", "Год"),
    "level": ("Level", "Деңгээл", "Уровень"),
    "measure": ("Measure", "Көрсөткүч", "Показатель"),
    "subject": ("Subject", "Предмет", "Предмет", "Сабак"),
    "grade": ("Grade", "Класс"),
    "value": ("Value", "Маани", "Значение"),
    "n": (),
    "source": ("Source", "Булак", "Источник"),
}
REQUIRED = ("year", "level", "measure", "value")
LEVEL_LABELS = {"region": _l("Region"), "country": _l("Country")}
MEASURE_LABELS = {"pass_rate": _l("Pass rate"), "quality": _l("Quality of knowledge"), "sou": _l("SOU"),
                  "mean": _l("Mean mark"), "ort": _l("ORT mean score")}
LEVEL_WORDS = {"region": ("region", "регион", "область", "облус", "аймак"),
               "country": ("country", "national", "республика", "страна", "өлкө", "кр")}
MEASURE_WORDS = {"pass_rate": ("pass rate", "успеваемость", "үлгүрүү"),
                 "quality": ("quality", "качество знаний", "качество", "билим сапаты", "сапат"),
                 "sou": ("соу", "степень обученности", "окуу даражасы"),
                 "mean": ("mean mark", "средний балл", "орточо баа"),
                 "ort": ("орт", "жрт")}
MAX_N = 10_000_000  # a national cohort fits; the column is a 32-bit integer on PostgreSQL
RANGES = {"pass_rate": (0, 100), "quality": (0, 100), "sou": (0, 100), "mean": (1, 5), "ort": (0, 245)}
_LEVELS = {w: key for key, words in LEVEL_WORDS.items() for w in (key, *words)}
_MEASURES = {w: key for key, words in MEASURE_WORDS.items() for w in (key, key.replace("_", " "), *words)}
assert set(_LEVELS.values()) == set(AVERAGE_LEVELS) and set(_MEASURES.values()) == set(AVERAGE_MEASURES)


def _number(value) -> Optional[float]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raw = text(value).replace(",", ".").replace("%", "").strip()
    try:
        return float(raw) if raw else None
    except ValueError:
        return None


def _row(number: int, row: dict, report: ImportReport) -> Optional[DistrictAverage]:
    year, subject, source = text(row.get("year")), text(row.get("subject")), text(row.get("source"))
    level = _LEVELS.get(text(row.get("level")).lower())
    measure = _MEASURES.get(text(row.get("measure")).lower())
    value = _number(row.get("value"))
    grade_raw, n_raw = text(row.get("grade")), text(row.get("n"))
    problems = []
    if not year or len(year) > 40:
        problems.append(("year", _("an academic year such as 2026-2027 is needed")))
    if level is None:
        problems.append(("level", _("the level is region or country")))
    if measure is None:
        problems.append(("measure", _("the measure is one of: %(names)s", names=", ".join(AVERAGE_MEASURES))))
    if value is None:
        problems.append(("value", _("a number is needed")))
    elif measure is not None and not RANGES[measure][0] <= value <= RANGES[measure][1]:
        low, high = RANGES[measure]
        problems.append(("value", _("the value lies outside %(low)s-%(high)s", low=low, high=high)))
    if grade_raw and not 1 <= (whole(grade_raw) or 0) <= 11:
        problems.append(("grade", _("the grade is 1-11 or empty")))
    if n_raw and not 0 <= (whole(n_raw) if whole(n_raw) is not None else -1) <= MAX_N:
        problems.append(("n", _("n is a whole number or empty")))
    if len(subject) > 200 or len(source) > 500:
        problems.append(("subject", _("the text is too long")))
    for column, message in problems:
        report.add(number, column, message)
    if problems:
        return None
    return DistrictAverage(year_name=year, level=level, measure=measure, subject=subject,
                           grade=whole(grade_raw) if grade_raw else None, value=value,
                           n=whole(n_raw) if n_raw else None, source=source or None)


def import_averages(stream: IO[bytes], *, district_id: int, user_id: Optional[int],
                    remote_addr: Optional[str] = None) -> ImportReport:
    """Check every row; when all are valid, replace the averages of the file's years (flushed,
    audited; the caller commits). Otherwise the report lists the problems and nothing is written."""
    report = ImportReport(counts={"rows": 0, "years": 0})
    try:
        rows = read_rows(stream, COLUMNS, REQUIRED, report)
    except SpreadsheetError as error:
        report.add(0, None, str(error))
        return report
    kept, seen = [], {}
    for number, row in rows:
        average = _row(number, row, report)
        if average is None:
            continue
        key = (average.year_name, average.level, average.measure, average.subject.lower(), average.grade)
        if key in seen:
            report.add(number, "measure", _("the same average as row %(row)d", row=seen[key]))
            continue
        seen[key] = number
        kept.append(average)
    if not kept and report.ok:
        report.add(0, None, _("The workbook has a header but no averages."))
    if not report.ok:
        return report
    years = sorted({a.year_name for a in kept})
    db.session.execute(delete(DistrictAverage).where(DistrictAverage.district_id == district_id,
                                                     DistrictAverage.year_name.in_(years)))
    for average in kept:
        average.district_id = district_id
    db.session.add_all(kept)
    db.session.flush()
    report.counts.update(rows=len(kept), years=len(years))
    record("import", "district.average", None, school_id=None, user_id=user_id, remote_addr=remote_addr,
           after={"district_id": district_id, "years": years, "rows": len(kept)})
    return report


def averages(district_id: int, year_name: Optional[str]) -> list[DistrictAverage]:
    if not year_name:
        return []
    return list(db.session.scalars(select(DistrictAverage).where(
        DistrictAverage.district_id == district_id, DistrictAverage.year_name == year_name)
        .order_by(DistrictAverage.measure, DistrictAverage.subject, DistrictAverage.grade, DistrictAverage.level)))


def beside(rows: list[DistrictAverage]) -> dict[tuple, dict[str, dict[str, DistrictAverage]]]:
    """(subject lower-cased or "", grade or None) -> level -> measure -> average: what a results
    table of that grouping shows under its district row (the total: ("", None))."""
    out: dict[tuple, dict[str, dict[str, DistrictAverage]]] = {}
    for a in rows:
        out.setdefault((a.subject.lower(), a.grade), {}).setdefault(a.level, {})[a.measure] = a
    return out


def template(lang: str):
    """An upload template with the headers in the user's language and two example rows."""
    index = {"ky": 1, "ru": 2}.get(lang, 0)
    headers = [names[min(index, len(names) - 1)] if names else key for key, names in COLUMNS.items()]
    examples = [("2026-2027", "region", "pass_rate", "Математика", "9", "91.5", "4210", ""),
                ("2026-2027", "country", "ort", "Математика", "", "112.4", "", "")]
    notes = [_("One row per average: level region or country; measure pass_rate, quality, sou (percent), mean "
               "(1-5) or ort (mean ORT score); subject and grade empty for all subjects or all grades.")]
    return template_workbook("averages", headers, examples, notes, {0: 12, 3: 20, 7: 30})
