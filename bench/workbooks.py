"""The workbooks `bench_exports` measures: name -> build(output_path) -> figures (cells, charts).

Each builds from the large demo school (code `balasagyn`) through the same service the CLI
and the download page use.
"""
from sqlalchemy import select

from app.extensions import db
from app.models import School
from app.services.core import school as school_service


def _school():
    return db.session.scalar(select(School).where(School.code == "balasagyn"))


def annual(output: str) -> dict:
    from app.services.exports.annual import build_annual

    school = _school()
    year = school_service.current_year(school.id)
    return build_annual(output, school.id, year, lang="ky")


def annual_context(lang: str):
    """The context the annual workbook's sections read (for measuring its writing alone)."""
    from app.services.exports.annual import context
    from app.services.monitoring.annual import ensure_indicators

    school = _school()
    ensure_indicators(school.id)
    return context(school.id, school_service.current_year(school.id), lang)


WORKBOOKS = {"annual": annual}


def achievement(output: str) -> dict:
    """The term workbook of the marks feature for the last quarter of the current year."""
    from app.models import Term
    from app.security import Principal
    from app.services.achievement.workbook import build_achievement_workbook
    from app.services.exports import core

    school = _school()
    year = school_service.current_year(school.id)
    term = db.session.scalar(select(Term).where(Term.year_id == year.id, Term.kind == "quarter")
                             .order_by(Term.number.desc()).limit(1))
    cells = {"n": 0}
    original = core.WorkbookWriter.close

    def counting_close(book):
        cells["n"] = book.cells
        cells["charts"] = book.charts
        original(book)

    core.WorkbookWriter.close = counting_close
    try:
        build_achievement_workbook(Principal.system(school.id), term, output)
    finally:
        core.WorkbookWriter.close = original
    return {"cells": cells["n"], "charts": cells.get("charts", 0)}


WORKBOOKS["achievement"] = achievement
