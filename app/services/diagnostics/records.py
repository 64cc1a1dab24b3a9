"""Filling in a diagnostic: one record per student, instrument key and academic year.

    record_of(student_id, year_id, key) -> Diagnostic | None
    save(principal, cls, student, instrument, answers, on, respondent) -> Diagnostic
        creates the record or corrects it (same student, year and instrument key: the newest
        version of the instrument is kept), rewrites its answers (one DiagnosticAnswer per
        answered key, the columns of app/services/observations/answers.py), sets the outcome
        (instruments.outcome_of) and writes the audit log in the same transaction.
        ValueError("student") when the student is not in the class. respondent "student": the
        student filled it in (student_codes.submit; the principal has no user).
    answers_of(record) -> {answer key: answer}
"""
from datetime import date
from typing import Any, Optional

from sqlalchemy import select

from app.extensions import db
from app.models import ClassGroup, Diagnostic, DiagnosticAnswer, Student
from app.security import Principal
from app.services.core import clock
from app.services.core.audit import record as audit_record
from app.services.diagnostics import access
from app.services.diagnostics.instruments import outcome_of
from app.services.observations import answers as stored


def record_of(student_id: int, year_id: int, key: str) -> Optional[Diagnostic]:
    return db.session.scalar(select(Diagnostic).where(
        Diagnostic.student_id == student_id, Diagnostic.year_id == year_id, Diagnostic.instrument_key == key))


def answers_of(record: Diagnostic) -> dict[str, Any]:
    spec = record.instrument.spec
    by_key = {row.item_key: row for row in record.answers}
    out = {}
    for item in spec.items():
        for key in item.answer_keys():
            row = by_key.get(key)
            if row is not None:
                out[key] = stored.answer_of(item, row)
    return out


def _summary(record: Diagnostic, answers: dict) -> dict:
    return {"student_id": record.student_id, "class_id": record.class_id, "year_id": record.year_id,
            "instrument": f"{record.instrument_key} v{record.instrument.version}", "outcome": record.outcome,
            "respondent": record.respondent,
            "answers": {k: v for k, v in answers.items() if v is not None}}


def save(principal: Principal, cls: ClassGroup, student: Student, instrument, answers: dict[str, Any],
         on: Optional[date] = None, respondent: str = "staff") -> Diagnostic:
    """Store one student's answers to a diagnostic (see the module's docstring)."""
    if not access.enrolled(student.id, cls):
        raise ValueError("student")
    spec = instrument.spec
    day = on or clock.today(cls.school)  # before the new row joins the session (a lazy load flushes)
    record = record_of(student.id, cls.year_id, spec.key)
    before = _summary(record, answers_of(record)) if record is not None else None
    if record is None:
        record = Diagnostic(school_id=cls.school_id, student_id=student.id, year_id=cls.year_id,
                            instrument_key=spec.key)
        db.session.add(record)
    record.instrument_id, record.instrument = instrument.id, instrument
    record.class_id = cls.id
    record.filled_by_id = principal.user_id
    record.respondent = respondent
    record.filled_on = day
    record.confidential = bool(spec.confidential)
    record.outcome = outcome_of(spec, answers)
    record.answers = []
    db.session.flush()
    for section, position, item in spec.placed():
        for key in item.answer_keys():
            value = answers.get(key)
            comment = answers.get(f"{item.key}.comment") if item.has_comment else None
            if value is None and not comment:
                continue
            lo, hi = stored.score_range(item)
            columns = stored.columns(item, key, value)
            if comment and "text" not in columns:
                columns["text"] = comment
            record.answers.append(DiagnosticAnswer(
                school_id=cls.school_id, section_key=section.key, item_key=key, item_kind=item.type,
                position=position, min_score=lo, max_score=hi, **columns))
    db.session.flush()
    audit_record("update" if before else "create", "diagnostic", record.id, school_id=cls.school_id,
                 user_id=principal.user_id, before=before, after=_summary(record, answers),
                 remote_addr=principal.remote_addr)
    return record
