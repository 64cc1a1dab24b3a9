"""Test data, one module per domain: this one builds the small school every test starts from
(one current year with terms, two classes of students, a methodical association, subjects,
teaching assignments and one user per role, and its district with the district's admin and
specialist); surveys, observations, achievement, monitoring
and exports add a domain's rows to it (make_campaign, make_observation, make_assessment,
make_indicator_value, make_register_row, make_cyclogram_item, make_export_job). The
security tables and the feature tests use these, not copies of their own."""
from dataclasses import dataclass, field
from datetime import date

from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import (
    AcademicYear,
    ClassGroup,
    Enrollment,
    MethodicalAssociation,
    School,
    Student,
    Subject,
    TeachingAssignment,
    Term,
    User,
)
from config import TestingConfig
from tests.factories.district import make_district

PASSWORD = "correct-horse-42"
_HASH = generate_password_hash(PASSWORD, method=TestingConfig.PASSWORD_HASH_METHOD)


@dataclass
class SchoolFixture:
    school: School
    year: AcademicYear
    terms: list[Term]
    ma: MethodicalAssociation
    subjects: list[Subject]
    classes: list[ClassGroup]
    students: dict[int, list[Student]]  # class id -> students
    users: dict[str, User]  # role -> user
    extra: dict = field(default_factory=dict)

    def user(self, role: str) -> User:
        return self.users[role]


def make_user(school: School, role_or_roles, email: str, name: str | None = None) -> User:
    roles = [role_or_roles] if isinstance(role_or_roles, str) else list(role_or_roles)
    user = User(school=school, email=email, full_name=name or email.split("@")[0].title(),
                password_hash=_HASH, locale="en")
    user.set_roles(roles)
    db.session.add(user)
    return user


def make_school(code: str, class_size: int = 6) -> SchoolFixture:
    school = School(code=code, name=f"School {code}", name_ru=f"Школа {code}")
    year = AcademicYear(school=school, name="2026-2027", starts_on=date(2026, 9, 1),
                        ends_on=date(2027, 5, 31), is_current=True)
    terms = [
        Term(school=school, year=year, kind="quarter", number=n, name=f"Q{n}", starts_on=s, ends_on=e)
        for n, s, e in [(1, date(2026, 9, 1), date(2026, 10, 31)), (2, date(2026, 11, 10), date(2026, 12, 27)),
                        (3, date(2027, 1, 12), date(2027, 3, 20)), (4, date(2027, 4, 1), date(2027, 5, 25))]
    ]
    ma = MethodicalAssociation(school=school, name=f"Science {code}", name_ru=f"Естественные {code}")
    subjects = [Subject(school=school, name="Математика", name_ru="Математика", ma=ma),
                Subject(school=school, name="Физика", name_ru="Физика", ma=ma)]
    users = {
        role: make_user(school, roles, f"{role}@{code}.sapat.kg")
        for role, roles in {
            "admin": "admin", "deputy": "deputy", "mo_head": ["mo_head", "teacher"], "teacher": "teacher",
            "class_teacher": ["class_teacher", "teacher"], "psychologist": "psychologist", "nurse": "nurse",
            "expert": "expert",
        }.items()
    }
    users["teacher2"] = make_user(school, "teacher", f"teacher2@{code}.sapat.kg")
    classes = [ClassGroup(school=school, year=year, grade=7, letter="А", class_teacher=users["class_teacher"]),
               ClassGroup(school=school, year=year, grade=8, letter="Б")]
    db.session.add_all([school, year, *terms, ma, *subjects, *classes])
    ma.head = users["mo_head"]
    db.session.flush()
    students = {}
    for cls in classes:
        students[cls.id] = []
        for i in range(class_size):
            student = Student(school=school, code=f"{code}-{cls.grade}{cls.letter}-{i + 1}",
                              full_name=f"Student {cls.grade}{cls.letter} {i + 1}", gender="mf"[i % 2])
            db.session.add(student)
            db.session.flush()
            db.session.add(Enrollment(school=school, student_id=student.id, class_id=cls.id, year_id=year.id))
            students[cls.id].append(student)
    # teacher teaches maths in 7-А, teacher2 maths in 8-Б, mo_head physics in both.
    for teacher, subject, cls in [(users["teacher"], subjects[0], classes[0]),
                                  (users["teacher2"], subjects[0], classes[1]),
                                  (users["mo_head"], subjects[1], classes[0]),
                                  (users["mo_head"], subjects[1], classes[1])]:
        db.session.add(TeachingAssignment(school=school, teacher=teacher, subject_id=subject.id,
                                          class_id=cls.id, year_id=year.id))
    db.session.commit()
    fixture = SchoolFixture(school, year, terms, ma, subjects, classes, students, users)
    make_district(fixture, _HASH)  # the school's district, its district_admin and district_specialist
    return fixture


def make_year(school: SchoolFixture, name: str = "2025-2026", starts_on: date = date(2025, 9, 1),
              ends_on: date = date(2026, 5, 31), is_current: bool = False) -> AcademicYear:
    """Another academic year of the school (by default the one before the fixture's), flushed."""
    year = AcademicYear(school=school.school, name=name, starts_on=starts_on, ends_on=ends_on, is_current=is_current)
    db.session.add(year)
    db.session.flush()
    return year


def make_other_association(school: SchoolFixture) -> dict:
    """Another methodical association ("Humanities", no head) with its subject История, taught
    by a new teacher `historian` in both classes, and a second psychologist; committed. Outside
    the fixture's association (Science: maths and physics, headed by `mo_head`), the teacher's
    lessons (maths in 7-А) and the class teacher's class (7-А). Returns them by name: ma,
    history, historian, psychologist2."""
    hum = MethodicalAssociation(school_id=school.school.id, name="Humanities", name_ru="Гуманитарные")
    db.session.add(hum)
    db.session.flush()
    history = Subject(school_id=school.school.id, name="История", name_ru="История", ma_id=hum.id)
    code = school.school.code
    historian = make_user(school.school, "teacher", f"historian@{code}.sapat.kg", "Historian")
    psychologist2 = make_user(school.school, "psychologist", f"psychologist2@{code}.sapat.kg")
    db.session.add(history)
    db.session.flush()
    for cls in school.classes:
        db.session.add(TeachingAssignment(school_id=school.school.id, teacher_id=historian.id, subject_id=history.id,
                                          class_id=cls.id, year_id=school.year.id))
    db.session.commit()
    return {"ma": hum, "history": history, "historian": historian, "psychologist2": psychologist2}
