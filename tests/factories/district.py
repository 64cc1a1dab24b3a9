"""Test data of the district domain: a district holding a school fixture's school, with one
district admin and one district specialist (kept in the fixture's `users` as district_admin and
district_specialist), and term marks chosen by hand."""
from datetime import date

from app.extensions import db
from app.models import Assessment, District, Mark, User


def make_district(school, password_hash: str, code: str | None = None) -> District:
    """A district of the fixture's school with its two district users; committed. Returns the
    district; the users are added to `school.users`."""
    code = code or f"d-{school.school.code}"
    district = District(code=code, name=f"District {code}", name_ru=f"Район {code}")
    db.session.add(district)
    db.session.flush()
    school.school.district_id = district.id
    for role in ("district_admin", "district_specialist"):
        user = User(email=f"{role}@{code}.sapat.kg", full_name=role.replace("_", " ").title(), locale="en",
                    password_hash=password_hash, district_id=district.id)
        user.set_roles([role])
        db.session.add(user)
        school.users[role] = user
    db.session.commit()
    school.extra["district"] = district
    return district


def term_marks(school, cls, subject, values, term=None) -> Assessment:
    """Term marks of `cls` in `subject` for the fixture's first quarter: one mark per student
    from `values` (None: absent), flushed."""
    term = term or school.terms[0]
    assessment = Assessment(school_id=school.school.id, term_id=term.id, class_id=cls.id, subject_id=subject.id,
                            kind="term", date=term.ends_on or date(2026, 10, 31))
    db.session.add(assessment)
    db.session.flush()
    for student, value in zip(school.students[cls.id], values):
        db.session.add(Mark(school_id=school.school.id, assessment_id=assessment.id, student_id=student.id,
                            value=value, absent=value is None))
    db.session.flush()
    return assessment
