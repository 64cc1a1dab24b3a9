"""Security rows of the core pages: sign-in, the school's structure and its staff, the
published instruments (XLSForm upload and download); the structure the scope matrix's canaries
live in (another association, subject and teacher)."""
import io
from pathlib import Path

from app.extensions import db
from app.models import Instrument
from app.services.core import instruments, xlsform
from tests.factories import SchoolFixture, make_other_association
from tests.security import FuzzForm, Tables, kept

REAL_FORM = Path(__file__).resolve().parent.parent / "data" / "xlsform" / "yes_or_no_question.xlsx"


def instrument(s: SchoolFixture) -> Instrument:
    """A published instrument (instruments are shared by every school), made on first use."""
    return kept(s, "instrument", lambda s: instruments.ensure_published("teacher_survey"))


def _version_args(s: SchoolFixture) -> dict:
    row = instrument(s)
    return {"key": row.key, "version": row.version}


def _with_the_real_form(app, s: SchoolFixture, values: dict) -> dict:
    """The upload's file is a real public XLSForm; the other fields are generated."""
    return {**values, "file": (io.BytesIO(REAL_FORM.read_bytes()), "yes_or_no_question.xlsx")}


def _seed_instrument_xss(school: SchoolFixture, payloads: tuple) -> None:
    """An XLSForm whose title and question hold hostile text, published through the import;
    the instrument pages then show it."""
    script, img, js = payloads
    result = xlsform.import_xlsform(REAL_FORM.read_bytes(), f"{img}.xlsx", fallback="en", key="xss_probe",
                                    title=f"Title {script} {js}")
    assert result.ok, result.problems
    school.extra["instrument"] = result.published.row
    db.session.flush()


def scope(s: SchoolFixture) -> dict:
    """The places of the scope matrix's canaries: another association, its subject История, its
    teacher `historian`, a second psychologist (tests/factories: make_other_association)."""
    return kept(s, "scope", make_other_association)


def seed_xss(school: SchoolFixture, payloads: tuple) -> None:
    """Hostile names on the foundation's objects (users, classes, subjects, students, MA)."""
    script, img, js = payloads
    school.users["teacher"].full_name = f"Asan {script}"
    school.users["class_teacher"].full_name = f"Aida {img}"
    school.users["expert"].full_name = js
    school.subjects[0].name = f"Math {script}"
    school.subjects[0].name_ru = f"Матем {img}"
    school.subjects[1].name = js
    school.ma.name = f"MA {img}"
    school.ma.name_ru = f"МО {script}"
    school.terms[0].name = f"Q {img}"
    school.year.name = js
    for i, student in enumerate(school.students[school.classes[0].id][:3]):
        student.full_name = f"Student {payloads[i]}"
    _seed_instrument_xss(school, payloads)


TABLES = Tables(
    # argument name -> fn(school) -> value. Ids must be of objects of the given school.
    url_args_by_name={
        "class_id": lambda s: s.classes[0].id,
        "user_id": lambda s: s.users["teacher"].id,
        "student_id": lambda s: s.students[s.classes[0].id][0].id,
        "subject_id": lambda s: s.subjects[0].id,
        "term_id": lambda s: s.terms[0].id,
        "year_id": lambda s: s.year.id,
        "ma_id": lambda s: s.ma.id,
        "teacher_id": lambda s: s.users["teacher"].id,
        "filename": lambda s: "css/sapat.css",
    },
    url_args_by_endpoint={
        "admin.resource_list": lambda s: {"key": "subjects"},
        "admin.resource_new": lambda s: {"key": "subjects"},
        "admin.resource_edit": lambda s: {"key": "subjects", "obj_id": s.subjects[0].id},
        "admin.resource_delete": lambda s: {"key": "subjects", "obj_id": s.subjects[0].id},
        "instruments.show": _version_args,
        "instruments.download": _version_args,
    },
    overrides={
        # A logged-in user asking for the login page is sent home.
        "auth.login": {"anonymous": 200, "*": 302},
    },
    fuzz_forms=[
        FuzzForm("admin.user_new", "admin", {
            "full_name": "text", "email": "email", "roles": "choice:teacher,expert,admin,nope",
            "locale": "choice:ky,ru,en,xx", "active": "choice:y,", "password": "text"}),
        FuzzForm("admin.user_edit", "admin", {
            "full_name": "text", "email": "email", "roles": "choice:teacher,expert,nope",
            "locale": "choice:ky,ru,en,xx", "password": "text"},
            url_args=lambda s: {"user_id": s.users["teacher"].id}),
        FuzzForm("admin.resource_new", "admin", {"name": "text", "starts_on": "date", "ends_on": "date",
                                                 "is_current": "choice:y,"},
                 url_args=lambda s: {"key": "years"}),
        FuzzForm("admin.resource_new", "admin", {"year_id": "id:year_id", "kind": "choice:quarter,semester,bad",
                                                 "number": "int", "name": "text", "starts_on": "date",
                                                 "ends_on": "date"},
                 url_args=lambda s: {"key": "terms"}),
        FuzzForm("admin.resource_new", "admin", {"name": "text", "name_ru": "text", "head_id": "id:teacher_id"},
                 url_args=lambda s: {"key": "mas"}),
        FuzzForm("admin.resource_edit", "admin", {"name": "text", "name_ru": "text", "ma_id": "id:ma_id"},
                 url_args=lambda s: {"key": "subjects", "obj_id": s.subjects[0].id}),
        FuzzForm("admin.resource_new", "admin", {"year_id": "id:year_id", "grade": "int", "letter": "text",
                                                 "class_teacher_id": "id:teacher_id"},
                 url_args=lambda s: {"key": "classes"}),
        FuzzForm("admin.resource_new", "admin", {"teacher_id": "id:teacher_id", "subject_id": "id:subject_id",
                                                 "class_id": "id:class_id"},
                 url_args=lambda s: {"key": "assignments"}),
        FuzzForm("auth.change_password", "teacher", {"current_password": "text", "new_password": "text",
                                                     "confirm": "text"}),
        FuzzForm("auth.set_language", "teacher", {"lang": "choice:ky,ru,en,xx", "next": "text"}),
        FuzzForm("auth.login", "anonymous", {"email": "email", "password": "text", "next": "text"}),
        # The XLSForm upload without a file, then with a real form and generated options.
        FuzzForm("instruments.import_xlsform", "deputy", {
            "file": "text", "fallback": "choice:,ky,ru,en,xx", "language": "choice:,ky,ru,en,xx", "key": "text",
            "title": "text"}, max_examples=10),
        FuzzForm("instruments.import_xlsform", "admin", {
            "fallback": "choice:,en,ru,xx", "language": "choice:,en,xx", "key": "choice:,good_day,Good Day,x1",
            "title": "text"}, prepare=_with_the_real_form),
    ],
    # Form data that would change something if a POST without a CSRF token were accepted.
    csrf_sample_data={
        "admin.user_new": lambda s: {"full_name": "Csrf Victim", "email": "csrf@x.kg", "roles": "admin",
                                     "locale": "ky", "active": "y", "password": "long-enough-1"},
        "admin.user_edit": lambda s: {"full_name": "Renamed", "email": s.users["teacher"].email,
                                      "roles": "admin", "locale": "ky", "active": "y"},
        "admin.resource_new": lambda s: {"name": "Csrf subject", "name_ru": "", "ma_id": ""},
        "admin.resource_edit": lambda s: {"name": "Renamed", "name_ru": "", "ma_id": ""},
        "admin.resource_delete": lambda s: {},
        "auth.change_password": lambda s: {"current_password": "correct-horse-42", "new_password": "another-pass-9",
                                           "confirm": "another-pass-9"},
        "auth.set_language": lambda s: {"lang": "ru", "next": "/"},
        "instruments.import_xlsform": lambda s: {
            "file": (io.BytesIO(REAL_FORM.read_bytes()), "form.xlsx"), "fallback": "en", "key": "csrf_victim",
            "title": "Csrf"},
    },
    seed_xss=seed_xss,
    scope_world=scope,
    # Pages about another class, student, subject and teacher than the fixture's defaults.
    scope_url_variants={
        "class_id": lambda s: [s.classes[1].id],
        "student_id": lambda s: [s.students[s.classes[1].id][0].id],
        "subject_id": lambda s: [scope(s)["history"].id],
        "teacher_id": lambda s: [scope(s)["historian"].id, s.users["teacher2"].id],
        "user_id": lambda s: [scope(s)["historian"].id, s.users["teacher2"].id],
    },
    # Filters many pages take (a teacher, a class and subject, another term and basis).
    scope_query_variants=[
        lambda s: {"teacher_id": scope(s)["historian"].id},
        lambda s: {"class_id": s.classes[1].id, "subject_id": scope(s)["history"].id},
        lambda s: {"term": s.terms[0].id, "basis": "control"},
    ],
)
