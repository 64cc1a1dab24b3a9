"""Diagnostic records: make_diagnostic(school, student, key, answers, cls=...) fills in one
student's diagnostic through the service (as the class teacher by default)."""
from app.extensions import db
from app.security import Principal
from app.services.diagnostics import records
from app.services.diagnostics.instruments import ensure_instruments
from tests.factories import SchoolFixture

UPBRINGING = {"diligence": 2, "responsibility": 1, "respect": 2, "nature": 1, "civic": 0}


def diagnostic_instruments():
    rows = ensure_instruments()
    db.session.commit()
    return rows


def make_diagnostic(s: SchoolFixture, student, key="upbringing_level", answers=None, *, cls=None, by="class_teacher",
                    instrument=None):
    """One student's record of `key` (answers: the upbringing criteria with level 'high' by default)."""
    instrument = instrument or diagnostic_instruments()[key]
    cls = cls or s.classes[0]
    given = dict(UPBRINGING, level="high") if answers is None else answers
    record = records.save(Principal.of(s.user(by)), cls, student, instrument, given)
    db.session.commit()
    return record
