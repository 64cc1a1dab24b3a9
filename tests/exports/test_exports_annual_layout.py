"""The annual workbook's layout (issue 23): whole counts in an integer format, rates and
indices with one decimal, means with two, in every sheet (the format "0.##" showed 17 as
"17."); short sheet names in ky/ru/en that Excel's 31 characters never cut, with the full
title in each sheet's first row."""
import openpyxl
from sqlalchemy import select

from app.extensions import db
from app.models.monitoring.indicators import Indicator
from app.models.monitoring.measures import Measure
from app.services.core.demo import build_demo

SHEETS = {
    "en": ["Summary", "D1 Results", "D2 Teaching quality", "D3 Olympiads", "D4 Innovation", "D5 Provision",
           "D6 Upbringing", "D7 Health and safety", "Registers", "Measures", "Results by quarter",
           "Results by class", "Results by subject", "Class x subject", "Survey indices", "Survey by class",
           "Observations", "Observations by MA", "Diagnostics", "Diagnostic outcomes", "Expert assessment", "Notes"],
    "ru": ["Сводка", "Н1 Результаты", "Н2 Качество обучения", "Н3 Олимпиады", "Н4 Инновации", "Н5 Обеспечение",
           "Н6 Воспитание", "Н7 Здоровье и безопасность", "Реестры", "Мероприятия", "По четвертям", "По классам",
           "По предметам", "Класс x предмет", "Индексы анкетирования", "Анкетирование по классам", "Наблюдения",
           "Наблюдения по МО", "Диагностика", "Итоги диагностик", "Экспертная оценка", "Пояснения"],
    "ky": ["Жыйынтык таблица", "Б1 Натыйжалар", "Б2 Окутуу сапаты", "Б3 Олимпиадалар", "Б4 Инновациялар",
           "Б5 Камсыздоо", "Б6 Тарбия", "Б7 Ден соолук жана коопсуздук", "Реестрлер", "Чаралар", "Чейректер боюнча",
           "Класстар боюнча", "Сабактар боюнча", "Класс x сабак", "Сурамжылоо индекстери",
           "Сурамжылоо класстар боюнча", "Байкоолор", "Байкоолор МБ боюнча", "Диагностика",
           "Диагностикалардын жыйынтыктары", "Эксперттик баалоо", "Эскертүүлөр"],
}
# The number format of each kind of figure, by its column's header in the English workbook.
COUNT, RATE, MEAN = "0", "0.0", "0.00"
COLUMNS = {
    "Grade": COUNT, "Classes": COUNT, "Students": COUNT, "This year": COUNT, "Previous year": COUNT,
    "n": COUNT, "n5": COUNT, "n4": COUNT, "n3": COUNT, "n2": COUNT, "n1": COUNT, "absent": COUNT,
    "pass rate %": RATE, "quality %": RATE, "SOU %": RATE, "mean": MEAN,
    "Responses": COUNT, "Response rate %": RATE, "Index 0-100": RATE, "Observations": COUNT, "% of maximum": RATE,
}
# Sheets whose columns of the same name hold another kind of figure.
SHEET_COLUMNS = {
    "Diagnostics": {"Students diagnosed (n)": COUNT, "Favourable": COUNT, "Value": RATE, "Previous year": RATE,
                    "Change": RATE},
    "Diagnostic outcomes": {"Students": COUNT, "% of diagnosed": RATE, "Students diagnosed (n)": COUNT},
}
# An indicator's value (and previous value, and a measure's values) by the indicator's unit.
UNITS = {"%": RATE, "count": COUNT, "index 0-100": RATE, "mean": MEAN, "points": MEAN, "ratio": MEAN,
         "yes = 1 / no = 0": COUNT}


def _export(app, tmp_path, year, code, lang):
    path = tmp_path / f"annual-{lang}.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "annual", "--year", year, "-o", str(path),
                                                "--lang", lang, "--school", code])
    assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(path)


def _numbers(ws, first_row=8):
    for row in ws.iter_rows(min_row=first_row):
        for cell in row:
            if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                yield cell


def test_counts_rates_and_means_have_their_formats_in_every_sheet(app, tmp_path):
    ctx = build_demo(scale="small", seed=11)
    indicators = {i.unit: i for i in db.session.scalars(select(Indicator).where(  # the school's, not an MA's own
        Indicator.school_id == ctx.school.id, Indicator.ma_id.is_(None)))}
    for unit, value in (("count", 17.0), ("percent", 62.5), ("mean", 3.456)):  # a measure on each kind
        db.session.add(Measure(school_id=ctx.school.id, year_id=ctx.current_year.id, indicator_id=indicators[unit].id,
                               value_before=value, action="Extra lessons", due_on=ctx.current_year.ends_on))
    db.session.commit()
    book = _export(app, tmp_path, ctx.current_year.name, ctx.school.code, "en")
    units, by_name = {}, {}  # indicator key / name -> the format of its unit
    checked: dict[str, set] = {}
    for ws in book.worksheets:
        if ws.title in ("Notes", "Expert assessment"):
            continue
        header = [c.value for c in ws[7]]
        for cell in _numbers(ws):
            name = header[cell.column - 1]
            if ws.title[:1] == "D" and ws.title[1].isdigit() and name in ("Value", "Previous year"):
                expected = UNITS[ws.cell(cell.row, 3).value]
                units[ws.cell(cell.row, 1).value] = by_name[ws.cell(cell.row, 2).value] = expected
            elif ws.title == "Measures":  # after the direction sheets: by its indicator's unit
                expected = by_name[ws.cell(cell.row, 1).value]
            else:
                expected = SHEET_COLUMNS.get(ws.title, COLUMNS)[name]
            assert cell.number_format == expected, (ws.title, cell.coordinate, name, cell.value)
            if expected == COUNT:
                assert float(cell.value).is_integer(), (ws.title, cell.coordinate, cell.value)
            checked.setdefault(ws.title, set()).add(cell.number_format)
    # Every kind of figure was met: counts, rates and means, and an indicator of each kind.
    assert {COUNT, RATE, MEAN} <= {f for formats in checked.values() for f in formats}
    assert set(units.values()) == {COUNT, RATE, MEAN}
    for title in ("Summary", "Registers", "Results by quarter", "Results by class", "Results by subject",
                  "Class x subject", "Survey indices", "Survey by class", "Observations", "Observations by MA",
                  "Measures"):
        assert title in checked, f"{title} has no figures to check"
    assert {RATE, MEAN} <= checked["Results by class"] and COUNT in checked["Results by class"]
    # The expert sheet's values take their indicator's format too.
    expert = book["Expert assessment"]
    values = [(expert.cell(r, 1).value, expert.cell(r, 4)) for r in range(8, expert.max_row + 1)]
    assert any(cell.value is not None for _key, cell in values)
    for key, cell in values:
        if isinstance(cell.value, (int, float)):
            assert cell.number_format == units[key], (key, cell.value, cell.number_format)
    assert "0.##" not in {c.number_format for ws in book.worksheets for c in _numbers(ws, 1)}


def test_sheet_names_are_short_whole_names_and_the_title_is_in_the_first_row(app, school, tmp_path):
    from app.services.exports.core import SHEET_NAME_LIMIT

    for lang, names in SHEETS.items():
        book = _export(app, tmp_path, "2026-2027", school.school.code, lang)
        assert book.sheetnames == names, lang
        for ws in book.worksheets:
            assert len(ws.title) <= SHEET_NAME_LIMIT
            assert ws["A1"].value and ws["A1"].font.b, (lang, ws.title)
        # A direction's sheet has its direction's full title, longer than any sheet name.
        assert book.worksheets[2]["A1"].value.startswith(
            {"en": "Direction 2: Quality of implementation of the educational process",
             "ru": "Направление 2: Качество реализации образовательного процесса",
             "ky": "2-багыт: Билим берүү процессин ишке ашыруунун сапаты"}[lang])
