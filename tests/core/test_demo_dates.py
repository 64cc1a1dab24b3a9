"""The demo school holds nothing dated after today: its current year shows only what could have
happened by then (marks of ended terms and of works dated up to today, no annual marks or ORT
before the year ends, observations, answers, diagnostics, register rows, done dates up to
today), whatever day it is built on. Every Date/DateTime column of every model is walked, so a
new table is covered without touching this test."""
from datetime import date, datetime, time, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import Date, DateTime, func, select

from app.extensions import db
from app.models import Assessment, Mark, Term
from app.services.core import clock
from app.services.core.demo import build_demo

# (table, column) -> why it may lie after today: dates that are by nature in the future.
FUTURE_BY_NATURE = {
    ("academic_year", "ends_on"): "the current year ends in May",
    ("term", "starts_on"): "the later terms of the current year have not begun",
    ("term", "ends_on"): "the current and later terms end after today",
    ("campaign", "closes_on"): "the open survey campaign closes in a month",
    ("measure", "due_on"): "a planned measure's deadline",
    ("cyclogram_item", "due_on"): "the cyclogram's planned items of the rest of the year",
    ("staff_record", "next_attestation_on"): "a teacher's next attestation is planned five years after the last",
}


def _dated_columns():
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, (Date, DateTime)):
                yield table, column


def _later_than_today(today: date) -> dict[tuple[str, str], object]:
    """(table, column) -> the latest value after today, for every column that has one."""
    tomorrow = datetime.combine(today + timedelta(days=1), time(), tzinfo=clock.zone(None)).astimezone(timezone.utc)
    found = {}
    for table, column in _dated_columns():
        bound = tomorrow if isinstance(column.type, DateTime) else today
        if isinstance(column.type, DateTime):
            cut = bound if column.type.timezone or db.engine.dialect.name == "postgresql" \
                else bound.replace(tzinfo=None)
            latest = db.session.scalar(select(func.max(column)).where(column >= cut))
        else:
            latest = db.session.scalar(select(func.max(column)).where(column > bound))
        if latest is not None:
            found[(table.name, column.name)] = latest
    return found


@pytest.mark.parametrize("today", [date(2026, 12, 1), date(2027, 3, 1)], ids=str)
def test_demo_holds_nothing_dated_after_today(app, today):
    noon = datetime.combine(today, time(6, 0), tzinfo=timezone.utc)  # 12:00 in Bishkek
    with time_machine.travel(noon, tick=False):
        assert clock.today() == today
        ctx = build_demo("small", seed=7)
        db.session.flush()
        later = _later_than_today(today)
    unexpected = {key: value for key, value in later.items() if key not in FUTURE_BY_NATURE}
    assert not unexpected, sorted(unexpected.items())
    # Every exception names a real column (a renamed one must not leave a hole).
    columns = {(t.name, c.name) for t, c in _dated_columns()}
    assert set(FUTURE_BY_NATURE) <= columns

    year = ctx.current_year
    kinds = dict(db.session.execute(select(Assessment.kind, func.max(Assessment.date))
                                    .join(Term, Term.id == Assessment.term_id)
                                    .where(Term.year_id == year.id).group_by(Assessment.kind)).all())
    # Term marks only of ended quarters, no ORT (the year has not ended), control works up to today.
    ended = [t for t in ctx.terms[year.id] if t.kind == "quarter" and t.ends_on <= today]
    assert kinds["term"] == max(t.ends_on for t in ended)
    assert "ort" not in kinds and kinds["control"] <= today
    terms_marked = set(db.session.scalars(select(Term.number).join(Assessment, Assessment.term_id == Term.id)
                                          .where(Term.year_id == year.id, Assessment.kind == "term").distinct()))
    assert terms_marked == {t.number for t in ended}
    # Last year is complete: four quarters of term marks and the ORT of its grade 11.
    last = dict(db.session.execute(select(Assessment.kind, func.count(func.distinct(Term.number)))
                                   .join(Term, Term.id == Assessment.term_id)
                                   .where(Term.year_id == ctx.last_year.id).group_by(Assessment.kind)).all())
    assert last["term"] == 4 and last.get("ort") == 1
    ort = db.session.scalar(select(func.count(Mark.id)).join(Assessment, Assessment.id == Mark.assessment_id)
                            .where(Assessment.kind == "ort"))
    assert ort >= 14 * 3  # last year's graduates (a class of 14) in three subjects
    assert db.session.scalar(select(func.count(Mark.id))) > 1000
