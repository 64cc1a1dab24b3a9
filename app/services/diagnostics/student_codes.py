"""Diagnostics the students fill in themselves: named, not anonymous, with personal codes.

An instrument with `respondent: student` (surveys/instruments/adaptation_grade10.yaml) is filled
in by the student about themself, where the school's rule allows it (School.student_diagnostics,
switched on by the director). The class teacher (the psychologist or the administration; for a
confidential instrument the psychologist or the director) starts a round for a class and prints
one slip per student: the round's public link (/d/<slug>) and a single-use code of the student,
kept only as a salted hash (the survey codes' alphabet and hashing, app/services/surveys/
public.py). The student sends the one-page questionnaire with the code; the answers become the
student's Diagnostic record (respondent "student", records.save), which the class, grade and
school indicators count like any other. A code works once; closing the round deletes the
unspent codes, so they stop working.

    allowed(school) -> bool                    the school's rule
    set_rule(principal, school, on)            the director's switch, audited
    may_start(principal, cls, spec) -> bool    who starts a round and prints its slips
    start(principal, cls, instrument) -> DiagnosticRound           RoundError("not_allowed" |
                                               "not_student" | "open")
    issue_codes(principal, rnd, seen, replace=False, seed=None) -> [(Student, printed code)]
                                               codes of the students without one; with `replace`
                                               also new codes of those whose code is unspent (their
                                               printed slips stop working). RoundError("closed" |
                                               "codes_changed": `seen`, the round's codes_version
                                               the page was rendered with, is not the current one,
                                               so codes were issued meanwhile and nothing changes |
                                               "nothing_to_issue")
    batch_slips(rnd, seed, student_ids) -> [(Student, printed code)]   a batch's slips again, from
                                               its seed; codes since voided (or of students
                                               gone from the class) are left out
    unspent(rnd) -> int                        codes printed and not yet used (a reissue voids them)
    without_code(rnd) -> int                   students of the class with no code of the round
    close(principal, rnd)                      closed, unspent codes deleted
    counts(rnd) -> (students, codes, used)
    round_by_slug(slug) -> DiagnosticRound | None
    submit(rnd, code, answers, today) -> Diagnostic                RoundError("not_allowed" |
                                               "closed" | "code_required" | "code_used" |
                                               "code_unknown"); in the caller's transaction
"""
from __future__ import annotations

import secrets
from datetime import date
from typing import Any, Optional

from sqlalchemy import case, delete, func, select, update

from app.extensions import db
from app.models import ClassGroup, DiagnosticCode, DiagnosticRound, Enrollment, School, Student
from app.security import Principal
from app.services.core import clock
from app.services.core.audit import record as audit_record
from app.services.core.text import fold_latin
from app.services.diagnostics import access, records
from app.services.surveys.public import code_hash, derived_code, new_seed, printed

STARTERS = ("admin", "deputy", "psychologist")  # besides the class teacher of the class


class RoundError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def allowed(school: School) -> bool:
    return bool(school.student_diagnostics)


def set_rule(principal: Principal, school: School, on: bool) -> None:
    before = allowed(school)
    school.student_diagnostics = bool(on)
    audit_record("update", "school", school.id, school_id=school.id, user_id=principal.user_id,
                 before={"student_diagnostics": before}, after={"student_diagnostics": bool(on)},
                 remote_addr=principal.remote_addr)


def may_start(principal: Principal, cls: ClassGroup, spec) -> bool:
    """The class teacher of the class and the whole-school roles; a confidential instrument
    only the psychologist and the director (access.CONFIDENTIAL_READERS)."""
    if cls.school_id != principal.school_id or not spec.filled_by_student:
        return False
    if spec.confidential:
        return principal.has_role(*access.CONFIDENTIAL_READERS)
    if principal.has_role(*STARTERS):
        return True
    return principal.has_role("class_teacher") and cls.class_teacher_id == principal.user_id


def _audit(principal: Principal, action: str, rnd: DiagnosticRound, after: dict) -> None:
    audit_record(action, "diagnostic_round", rnd.id, school_id=rnd.school_id, user_id=principal.user_id,
                 after={"class_id": rnd.class_id, "instrument": rnd.instrument_key, **after},
                 remote_addr=principal.remote_addr)


def open_round(class_id: int, key: str) -> Optional[DiagnosticRound]:
    return db.session.scalar(select(DiagnosticRound).where(
        DiagnosticRound.class_id == class_id, DiagnosticRound.instrument_key == key,
        DiagnosticRound.status == "open").order_by(DiagnosticRound.id.desc()).limit(1))


def rounds_of(class_id: int, key: str) -> list[DiagnosticRound]:
    return list(db.session.scalars(select(DiagnosticRound).where(
        DiagnosticRound.class_id == class_id, DiagnosticRound.instrument_key == key).order_by(DiagnosticRound.id)))


def start(principal: Principal, cls: ClassGroup, instrument) -> DiagnosticRound:
    if not allowed(cls.school):
        raise RoundError("not_allowed")
    if not instrument.spec.filled_by_student:
        raise RoundError("not_student")
    if open_round(cls.id, instrument.key) is not None:
        raise RoundError("open")
    rnd = DiagnosticRound(school_id=cls.school_id, instrument_id=instrument.id, instrument_key=instrument.key,
                          class_id=cls.id, year_id=cls.year_id, slug=secrets.token_urlsafe(6)[:8],
                          code_salt=secrets.token_hex(16), status="open", started_by_id=principal.user_id)
    db.session.add(rnd)
    db.session.flush()
    _audit(principal, "create", rnd, {"status": "open"})
    return rnd


def _students(class_id: int) -> list[Student]:
    return list(db.session.scalars(select(Student).join(Enrollment, Enrollment.student_id == Student.id)
                                   .where(Enrollment.class_id == class_id).order_by(Student.full_name)))


def unspent(rnd: DiagnosticRound) -> int:
    """Codes of the round printed and not yet used: the slips a reissue would void."""
    return int(db.session.scalar(select(func.count(DiagnosticCode.id)).where(
        DiagnosticCode.round_id == rnd.id, DiagnosticCode.used.is_(False))) or 0)


def _with_code(rnd: DiagnosticRound):
    return select(DiagnosticCode.student_id).where(DiagnosticCode.round_id == rnd.id)


def without_code(rnd: DiagnosticRound) -> int:
    """Students of the class who have no code of the round (none printed yet, or new in the class)."""
    return int(db.session.scalar(select(func.count(Enrollment.id)).where(
        Enrollment.class_id == rnd.class_id, Enrollment.student_id.not_in(_with_code(rnd)))) or 0)


def issue_codes(principal: Principal, rnd: DiagnosticRound, seen: Optional[int],
                replace: bool = False, seed: Optional[str] = None) -> list[tuple[Student, str]]:
    """Codes for the students of the class who have none; with `replace` also new codes for
    those whose code is not spent, whose printed slips then stop working. Only hashes are
    kept, so the printed codes are returned once, and can be derived again from `seed` (a new
    one if None) with `batch_slips`: a student's code is derived_code(seed, student id, attempt),
    the first attempt whose code no other code of the round has.

    `seen` is the round's codes_version on the page the request came from. Codes issued since
    (another tab, another user, a double submit) make it stale: RoundError("codes_changed"),
    and nothing is issued or voided. One conditional UPDATE moves the version on, so of two
    requests from pages of the same moment only one issues (the other waits for its row lock,
    then finds the version moved)."""
    if rnd.status != "open":
        raise RoundError("closed")
    if seen is None or seen != rnd.codes_version:
        raise RoundError("codes_changed")
    moved = db.session.execute(update(DiagnosticRound).where(
        DiagnosticRound.id == rnd.id, DiagnosticRound.codes_version == seen)
        .values(codes_version=DiagnosticRound.codes_version + 1))
    if moved.rowcount != 1:
        raise RoundError("codes_changed")
    voided = 0
    if replace:
        voided = db.session.execute(delete(DiagnosticCode).where(
            DiagnosticCode.round_id == rnd.id, DiagnosticCode.used.is_(False))).rowcount
    has_code = set(db.session.scalars(_with_code(rnd)))
    slips, hashes = [], set(db.session.scalars(select(DiagnosticCode.code_hash).where(
        DiagnosticCode.round_id == rnd.id)))
    seed = seed or new_seed()
    for student in _students(rnd.class_id):
        if student.id in has_code:
            continue
        attempt = 0
        while code_hash(rnd.code_salt, code := derived_code(seed, student.id, attempt)) in hashes:
            attempt += 1
        digest = code_hash(rnd.code_salt, code)
        hashes.add(digest)
        db.session.add(DiagnosticCode(school_id=rnd.school_id, round_id=rnd.id, student_id=student.id,
                                      code_hash=digest, used=False))
        slips.append((student, printed(code)))
    if not slips:
        raise RoundError("nothing_to_issue")
    db.session.flush()
    db.session.refresh(rnd, ["codes_version"])
    _audit(principal, "issue_codes", rnd, {"codes": len(slips), "voided": voided, "batch": rnd.codes_version})
    return slips


def batch_slips(rnd: DiagnosticRound, seed: str, student_ids: list[int]) -> list[tuple[Student, str]]:
    """The slips of a batch `issue_codes` issued with `seed` to these students, in their order,
    leaving out each student whose code has since stopped working (voided by a reissue, the round
    closed, or the student no longer in the class, whose code `submit` refuses): a stale slips page
    never shows a code that no longer opens the form."""
    stored = dict(db.session.execute(select(DiagnosticCode.student_id, DiagnosticCode.code_hash).where(
        DiagnosticCode.round_id == rnd.id, DiagnosticCode.used.is_(False),
        DiagnosticCode.student_id.in_(student_ids),
        DiagnosticCode.student_id.in_(select(Enrollment.student_id).where(Enrollment.class_id == rnd.class_id)),
    )).all())
    students = {s.id: s for s in db.session.scalars(select(Student).where(Student.id.in_(list(stored))))}
    out = []
    for student_id in student_ids:
        if student_id not in stored or student_id not in students:
            continue
        for attempt in range(ATTEMPTS_SHOWN):
            code = derived_code(seed, student_id, attempt)
            if code_hash(rnd.code_salt, code) == stored[student_id]:
                out.append((students[student_id], printed(code)))
                break
    return out


ATTEMPTS_SHOWN = 8  # a code is taken by another of the round's codes once in about 10^9 issues


def close(principal: Principal, rnd: DiagnosticRound) -> None:
    """Close the round: the public page refuses answers and the unspent codes are deleted."""
    if rnd.status == "closed":
        return
    rnd.status = "closed"
    rnd.closed_on = clock.today(rnd.class_group.school)
    db.session.execute(delete(DiagnosticCode).where(DiagnosticCode.round_id == rnd.id,
                                                    DiagnosticCode.used.is_(False)))
    _audit(principal, "close", rnd, {"status": "closed"})


def counts(rnd: DiagnosticRound) -> tuple[int, int, int]:
    """(students in the class, codes kept, codes spent)."""
    students = db.session.scalar(select(func.count(Enrollment.id)).where(Enrollment.class_id == rnd.class_id))
    issued, used = db.session.execute(select(
        func.count(DiagnosticCode.id), func.sum(case((DiagnosticCode.used, 1), else_=0)))
        .where(DiagnosticCode.round_id == rnd.id)).one()
    return int(students or 0), int(issued or 0), int(used or 0)


def round_by_slug(slug: str) -> Optional[DiagnosticRound]:
    # Copied from paper on a Cyrillic keyboard: look-alikes as Latin (slugs are Latin).
    return db.session.scalar(select(DiagnosticRound).where(DiagnosticRound.slug == fold_latin(slug.strip())[:16]))


def accepts(rnd: DiagnosticRound) -> Optional[str]:
    """None when the round takes answers, else the reason (a RoundError code)."""
    if not allowed(rnd.class_group.school):
        return "not_allowed"
    if rnd.status != "open":
        return "closed"
    return None


def student_of(rnd: DiagnosticRound, code: Optional[str]) -> Optional[Student]:
    """The student whose unspent code this is (to greet them by name), else None."""
    if not code or not code.strip():
        return None
    row = db.session.scalar(select(DiagnosticCode).where(
        DiagnosticCode.round_id == rnd.id, DiagnosticCode.code_hash == code_hash(rnd.code_salt, code),
        DiagnosticCode.used.is_(False)))
    return db.session.get(Student, row.student_id) if row is not None else None


def code_spent(rnd: DiagnosticRound, code: str) -> bool:
    """Is this a code of the round that was already used (its answers received)?"""
    return db.session.scalar(select(DiagnosticCode.id).where(
        DiagnosticCode.round_id == rnd.id, DiagnosticCode.code_hash == code_hash(rnd.code_salt, code),
        DiagnosticCode.used.is_(True))) is not None


def submit(rnd: DiagnosticRound, code: Optional[str], answers: dict[str, Any], today: date):
    """Spend the code and store the answers as the student's record, in the caller's
    transaction (a refused save rolls the code back with it). Two sends of one code: the
    conditional UPDATE lets one through (the other waits for its row lock, then finds it used)."""
    reason = accepts(rnd)
    if reason:
        raise RoundError(reason)
    if not code or not code.strip():
        raise RoundError("code_required")
    digest = code_hash(rnd.code_salt, code)
    row = db.session.execute(select(DiagnosticCode.id, DiagnosticCode.student_id).where(
        DiagnosticCode.round_id == rnd.id, DiagnosticCode.code_hash == digest)).first()
    if row is None:
        raise RoundError("code_unknown")
    spent = db.session.execute(update(DiagnosticCode).where(
        DiagnosticCode.id == row.id, DiagnosticCode.used.is_(False)).values(used=True))
    if spent.rowcount != 1:
        raise RoundError("code_used")
    cls, student = rnd.class_group, db.session.get(Student, row.student_id)
    if not access.enrolled(student.id, cls):
        raise RoundError("code_unknown")
    principal = Principal(rnd.school_id)  # no user: the record's filler is the student
    return records.save(principal, cls, student, rnd.instrument, answers, on=today, respondent="student")
