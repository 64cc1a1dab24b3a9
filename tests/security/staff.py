"""Security rows of the staff and programme records (/staff/): the staff records are personal
(the director and deputies; an MO head reads their association's teachers); the programme
register is also read by experts."""
from datetime import date

from app.extensions import db
from app.models.monitoring.staff import ProgrammeDocument, StaffRecord
from tests.factories import SchoolFixture
from tests.security import Canary, FuzzForm, Tables, kept, kept_id
from tests.security.core import scope


def staff_record(s: SchoolFixture):
    """The staff record of `teacher` (who teaches maths, a subject of the mo_head's association)."""
    def make(s):
        row = StaffRecord(school_id=s.school.id, user_id=s.users["teacher"].id, category="first",
                          education="higher_pedagogical", teaching_since=2008, hired_on=date(2012, 8, 20),
                          next_attestation_on=date(2028, 4, 1))
        db.session.add(row)
        db.session.commit()
        return row
    return kept(s, "staff_record", make)


def programme(s: SchoolFixture, name: str = "programme"):
    """A work programme for maths, grade 7; the delete route gets its own (name="programme_to_delete")."""
    def make(s):
        row = ProgrammeDocument(school_id=s.school.id, kind="work", title="Maths 7", subject_id=s.subjects[0].id,
                                grade=7, approved_on=date(2026, 8, 28), approved_by="Order 12")
        db.session.add(row)
        db.session.commit()
        return row
    return kept(s, name, make)


def _args(key: str, name: str = ""):
    def args(s: SchoolFixture) -> dict:
        if not name:
            return {"key": key}
        make = staff_record if key == "teachers" else (lambda s: programme(s, name))
        return {"key": key, "obj_id": kept_id(s, name, make)}
    return args


def seed_xss(school: SchoolFixture, payloads: tuple) -> None:
    script, img, js = payloads
    record = staff_record(school)
    record.notes = f"Note {script}"
    doc = programme(school)
    doc.title, doc.approved_by, doc.notes = f"Programme {script}", f"Order {img}", js


def scope_world(s: SchoolFixture) -> None:
    scope(s)
    staff_record(s)
    programme(s)


def _historian_record(s: SchoolFixture) -> None:
    """The staff record of another association's teacher: not the mo_head's to read."""
    db.session.add(StaffRecord(school_id=s.school.id, user_id=scope(s)["historian"].id, category="highest",
                               education="higher_other", teaching_since=1999, hired_on=date(2001, 9, 1),
                               next_attestation_on=date(2026, 1, 10)))
    db.session.commit()


TABLES = Tables(
    url_args_by_endpoint={
        "staff.record_list": _args("teachers"),
        "staff.record_new": _args("programmes"),
        "staff.record_edit": _args("teachers", "staff_record"),
        "staff.record_delete": _args("programmes", "programme_to_delete"),
    },
    overrides={
        # Staff records are personal: experts read only the programme register.
        "staff.record_list": {"expert": 403},
    },
    fuzz_forms=[
        FuzzForm("staff.record_new", "deputy", {
            "user_id": "id:teacher_id", "category": "choice:none,first,highest,x",
            "education": "choice:higher_pedagogical,secondary,x", "teaching_since": "int",
            "last_attestation_on": "date", "next_attestation_on": "date", "hired_on": "date", "left_on": "date",
            "notes": "text"}, url_args=_args("teachers"), max_examples=15),
        FuzzForm("staff.record_new", "deputy", {
            "kind": "choice:development,work,x", "title": "text", "subject_id": "id:subject_id", "grade": "int",
            "approved_on": "date", "approved_by": "text", "notes": "text"}, url_args=_args("programmes"),
            max_examples=15),
    ],
    csrf_sample_data={
        "staff.record_new": lambda s: {"kind": "education", "title": "Csrf", "subject_id": "",
                                       "approved_on": "2026-08-28", "approved_by": "Csrf"},
        "staff.record_edit": lambda s: {"user_id": str(s.users["teacher"].id), "category": "highest",
                                        "education": "secondary", "notes": "Csrf"},
        "staff.record_delete": lambda s: {},
    },
    seed_xss=seed_xss,
    seed_backup=seed_xss,
    scope_world=scope_world,
    # Experts are not among hidden_from: they read no staff record (the access matrix: 403), but
    # the annual workbook they build counts the school's teachers by category and overdue
    # attestations, whole-school figures by design.
    canaries=[
        Canary("another association's teacher's staff record",
               frozenset({"mo_head", "teacher", "class_teacher", "psychologist", "nurse"}),
               _historian_record, lambda s: ("admin", ["/staff/teachers/"])),
    ],
    school_totals={
        "staff.index": "the school's staff and programme indicators, as on the monitoring dashboard",
    },
)
