"""A demo district: N small schools (three classes, three subjects, term marks of the year's
first terms, a few typed indicator values and an overdue measure), each with its director, and
the district's admin and specialist. Schools differ on purpose (one strong, one weak) so that the
side-by-side pages have differences beyond noise and differences within it."""
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import delete, select

from app.extensions import db
from app.models import (
    AcademicYear,
    Assessment,
    ClassGroup,
    District,
    Enrollment,
    Mark,
    RatingWeight,
    School,
    Student,
    Subject,
    TeachingAssignment,
    Term,
    User,
    UserRole,
)
from app.models.monitoring.indicators import Indicator, IndicatorValue
from app.models.monitoring.measures import Measure
from app.services.core import clock
from app.services.monitoring.catalogue import ensure_catalogue

DISTRICT_CODE = "demo-district"
PASSWORD = "sapat-demo-2026"
SUBJECTS = ("Математика", "Кыргыз тили", "Орус тили")
GRADES = (5, 7, 9)
NAMES = ["Айбек", "Айгүл", "Нурлан", "Жылдыз", "Бакыт", "Айпери", "Эрлан", "Гүлнара", "Тимур", "Асель",
         "Руслан", "Нургүл", "Азамат", "Бегимай"]
SURNAMES = ["Асанов", "Токтогулов", "Садыков", "Жумабаев", "Осмонов", "Абдыкадыров", "Исаков", "Мамытов"]


class DemoDistrictError(RuntimeError):
    pass


@dataclass
class DemoDistrict:
    district: District
    schools: list[School] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)  # (role, email)


def _user(email, name, roles, **home) -> User:
    user = User(email=email, full_name=name, locale="ky", password_hash="", **home)
    user.set_password(PASSWORD)
    user.set_roles(roles)
    db.session.add(user)
    return user


def _year(school: School, today: date) -> tuple[AcademicYear, list[Term]]:
    start = today.year if today.month >= 8 else today.year - 1
    year = AcademicYear(school=school, name=f"{start}-{start + 1}", starts_on=date(start, 9, 1),
                        ends_on=date(start + 1, 5, 31), is_current=True)
    spans = [(1, date(start, 9, 1), date(start, 10, 31)), (2, date(start, 11, 10), date(start, 12, 27)),
             (3, date(start + 1, 1, 12), date(start + 1, 3, 20)), (4, date(start + 1, 4, 1), date(start + 1, 5, 25))]
    terms = [Term(school=school, year=year, kind="quarter", number=n, name=f"{n}-чейрек", starts_on=s, ends_on=e)
             for n, s, e in spans]
    db.session.add_all([year, *terms])
    return year, terms


def _school(district: District, index: int, strength: float, rng: random.Random, today: date, out: DemoDistrict):
    code = f"{DISTRICT_CODE}-{index}"
    school = School(code=code, name=f"№{index} орто мектеби", name_ru=f"Средняя школа №{index}", district_id=district.id)
    db.session.add(school)
    db.session.flush()
    director = _user(f"director{index}@district.demo.sapat.kg", f"{rng.choice(SURNAMES)} {rng.choice(NAMES)}",
                     ["admin"], school_id=school.id)
    teacher = _user(f"teacher{index}@district.demo.sapat.kg", f"{rng.choice(SURNAMES)} {rng.choice(NAMES)}",
                    ["teacher"], school_id=school.id)
    year, terms = _year(school, today)
    subjects = [Subject(school=school, name=name, name_ru=name) for name in SUBJECTS]
    classes = [ClassGroup(school=school, year=year, grade=grade, letter="А") for grade in GRADES]
    db.session.add_all([*subjects, *classes])
    db.session.flush()
    done_terms = [t for t in terms if t.ends_on <= today]  # term marks only of the quarters ended by today
    for cls in classes:
        students = []
        for i in range(rng.randint(10, 16)):
            student = Student(school=school, code=f"{code}-{cls.grade}-{i + 1}",
                              full_name=f"{rng.choice(SURNAMES)} {rng.choice(NAMES)}", gender="mf"[i % 2])
            db.session.add(student)
            students.append(student)
        db.session.flush()
        db.session.add_all([Enrollment(school=school, student_id=s.id, class_id=cls.id, year_id=year.id)
                            for s in students])
        for subject in subjects:
            db.session.add(TeachingAssignment(school=school, teacher_id=teacher.id, subject_id=subject.id,
                                              class_id=cls.id, year_id=year.id))
            for term in done_terms:
                assessment = Assessment(school=school, term=term, class_id=cls.id, subject_id=subject.id, kind="term",
                                        date=term.ends_on, created_by_id=teacher.id)
                db.session.add(assessment)
                db.session.flush()
                for student in students:
                    value = max(1, min(5, round(rng.gauss(3.2 + strength, 0.8))))
                    db.session.add(Mark(school=school, assessment_id=assessment.id, student_id=student.id, value=value))
    ensure_catalogue(school.id)
    db.session.flush()
    indicators = {i.key: i for i in db.session.scalars(select(Indicator).where(Indicator.school_id == school.id))}
    for key, value in (("open_lessons", rng.randint(4, 12)), ("conferences", rng.randint(1, 5))):
        if key in indicators:
            db.session.add(IndicatorValue(school=school, indicator_id=indicators[key].id, year_id=year.id,
                                          value=value, entered_by_id=director.id))
    if index % 2:
        db.session.add(Measure(school=school, year_id=year.id, source="indicator", action="Ачык сабактарды көбөйтүү",
                               responsible_id=teacher.id, due_on=today - timedelta(days=7 * index), status="planned",
                               created_by_id=director.id))
    out.schools.append(school)
    out.logins.append(("admin", director.email))


def build_district(n: int, seed: int = 2026, today: date | None = None) -> DemoDistrict:
    """The demo district with `n` small schools, in the current transaction."""
    rng = random.Random(seed)
    today = today or clock.today()
    out = new_district()
    for index in range(1, n + 1):
        strength = 0.0 if n == 1 else -0.6 + 1.2 * (index - 1) / (n - 1)
        _school(out.district, index, strength, rng, today, out)
    db.session.flush()
    return out


def new_district(schools: list[School] = ()) -> DemoDistrict:
    """The demo district holding `schools` (none yet for build_district), with its admin, its
    specialist and the rating's indicators and weights, in the current transaction.
    Raises DemoDistrictError when the demo district exists."""
    if db.session.scalar(select(District).where(District.code == DISTRICT_CODE)):
        raise DemoDistrictError("exists")
    district = District(code=DISTRICT_CODE, name="Демо району", name_ru="Демо район")
    db.session.add(district)
    db.session.flush()
    out = DemoDistrict(district)
    admin = _user("district-admin@demo.sapat.kg", "Райондун администратору", ["district_admin"],
                  district_id=district.id)
    specialist = _user("district-specialist@demo.sapat.kg", "Райондун адиси", ["district_specialist"],
                       district_id=district.id)
    out.logins[:0] = [("district_admin", admin.email), ("district_specialist", specialist.email)]
    for key, weight in (("pass_rate", 2.0), ("quality", 2.0), ("open_lessons", 1.0)):
        db.session.add(RatingWeight(district_id=district.id, indicator_key=key, weight=weight))
    for school in schools:
        school.district_id = district.id
        out.schools.append(school)
    db.session.flush()
    return out


def delete_demo_district() -> bool:
    """Remove the demo district and its staff (its schools stay, with no district; `demo
    --replace` removes them with the demo school). False when there was none."""
    district_id = db.session.scalar(select(District.id).where(District.code == DISTRICT_CODE))
    if district_id is None:
        return False
    db.session.execute(delete(UserRole).where(UserRole.user_id.in_(
        select(User.id).where(User.district_id == district_id))))
    db.session.execute(delete(User).where(User.district_id == district_id))
    db.session.execute(delete(District).where(District.id == district_id))
    return True
