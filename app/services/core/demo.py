"""The demo school: a realistic Kyrgyz secondary school for trying and benchmarking Sapat.

`build_demo` creates the structure (years, terms, MAs, subjects, classes, students,
teachers, assignments); then the demo steps of the installed features add their data, lowest
order first (app/features/).
"""
import random
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, insert, select

from app.extensions import db
from app.features import installed
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
    UserRole,
)
from app.services.core import clock
from app.services.core.passwords import hash_password

DEMO_SCHOOL_CODE = "balasagyn"
DEMO_PASSWORD = "sapat-demo-2026"
DEMO_DOMAIN = "demo.sapat.kg"

SCALES = {
    # classes per grade 1..11, students per class, max classes per subject teacher
    "small": {"letters": [1] * 11, "class_size": 14, "teacher_load": 11},
    "large": {"letters": [8, 8, 8, 7, 7, 7, 7, 7, 7, 7, 7], "class_size": 25, "teacher_load": 8},
    # one school of `demo --scale district`: 32 classes of 31, about 1,000 students
    "district": {"letters": [3] * 10 + [2], "class_size": 31, "teacher_load": 8},
}
DISTRICT_SCHOOLS = 20  # `demo --scale district` builds this many schools unless --schools says otherwise
LETTERS = "АБВГДЕЖЗИК"

MAS = [
    ("primary", "Башталгыч класстар", "Начальные классы"),
    ("languages", "Тилдер жана адабият", "Языки и литература"),
    ("science", "Табигый-математикалык цикл", "Естественно-математический цикл"),
    ("social", "Коомдук илимдер", "Общественные науки"),
    ("arts", "Эстетика жана дене тарбия", "Эстетика и физическая культура"),
]
# key, Kyrgyz name, Russian name, MA, first grade, last grade, taught by the primary class teacher
SUBJECTS = [
    ("kyrgyz", "Кыргыз тили", "Кыргызский язык", "languages", 1, 11, True),
    ("kyrgyz_lit", "Кыргыз адабияты", "Кыргызская литература", "languages", 5, 11, False),
    ("russian", "Орус тили", "Русский язык", "languages", 1, 11, True),
    ("russian_lit", "Орус адабияты", "Русская литература", "languages", 5, 11, False),
    ("english", "Англис тили", "Английский язык", "languages", 3, 11, False),
    ("maths", "Математика", "Математика", "science", 1, 6, True),
    ("algebra", "Алгебра", "Алгебра", "science", 7, 11, False),
    ("geometry", "Геометрия", "Геометрия", "science", 7, 11, False),
    ("informatics", "Информатика", "Информатика", "science", 5, 11, False),
    ("physics", "Физика", "Физика", "science", 7, 11, False),
    ("chemistry", "Химия", "Химия", "science", 8, 11, False),
    ("biology", "Биология", "Биология", "science", 6, 11, False),
    ("geography", "География", "География", "science", 6, 11, False),
    ("history_kg", "Кыргызстан тарыхы", "История Кыргызстана", "social", 5, 11, False),
    ("history_world", "Дүйнө тарыхы", "Всемирная история", "social", 5, 11, False),
    ("society", "Адам жана коом", "Человек и общество", "social", 9, 11, False),
    ("homeland", "Мекен таануу", "Родиноведение", "primary", 1, 4, True),
    ("pe", "Дене тарбия", "Физическая культура", "arts", 1, 11, False),
    ("music", "Музыка", "Музыка", "arts", 1, 7, True),
    ("art", "Сүрөт искусствосу", "Изобразительное искусство", "arts", 1, 7, True),
]

KY_MALE = ["Азамат", "Бакыт", "Нурлан", "Эрлан", "Тилек", "Айбек", "Улан", "Данияр", "Бекзат", "Адилет",
           "Нурсултан", "Темирлан", "Эмир", "Байэл", "Арген", "Мирлан", "Жоомарт", "Алтынбек", "Талгат", "Элдияр"]
KY_FEMALE = ["Айгерим", "Айпери", "Нургүл", "Жылдыз", "Бегимай", "Айдана", "Асель", "Мээрим", "Гүлнура", "Назира",
             "Алина", "Элиза", "Айжан", "Сезим", "Каныкей", "Акмарал", "Чолпон", "Бермет", "Айсулуу", "Нуриза"]
KY_SURNAMES = ["Асанов", "Токтосунов", "Жумабеков", "Абдылдаев", "Осмонов", "Мамытов", "Сыдыков", "Бекмуратов",
               "Турдубаев", "Эсенбаев", "Кадыров", "Иманалиев", "Шамшиев", "Садыков", "Орозбеков",
               "Керимбеков", "Акматов", "Султанов", "Маматов", "Токтогулов"]
RU_MALE = ["Александр", "Дмитрий", "Максим", "Артём", "Иван", "Сергей", "Никита", "Андрей", "Егор", "Кирилл"]
RU_FEMALE = ["Анна", "Мария", "Екатерина", "Дарья", "Полина", "Ольга", "Виктория", "Софья", "Ксения", "Елена"]
RU_SURNAMES = ["Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Соколов", "Волков", "Никитин", "Морозов",
               "Павлов", "Ким", "Тен"]
RU_PATRONYMIC_ROOTS = ["Александр", "Сергее", "Владимир", "Николае", "Андрее", "Игор"]


@dataclass(frozen=True)
class DemoSchool:
    """Who a demo school is: its code, names and the domain of its staff's e-mail addresses."""

    code: str = DEMO_SCHOOL_CODE
    name: str = "Ж. Баласагын атындагы орто мектеп"
    name_ru: str = "Средняя школа им. Ж. Баласагына"
    address: str = "Ак-Бешим айылы, Чүй облусу"
    domain: str = DEMO_DOMAIN


def district_school(number: int) -> DemoSchool:
    """School `number` (1-based) of `demo --scale district`: the first is the demo school with the
    README's logins; the others are demo-02 ... with logins at sNN.demo.sapat.kg."""
    if number == 1:
        return DemoSchool()
    return DemoSchool(code=f"demo-{number:02d}", name=f"№{number} орто мектеп", name_ru=f"Средняя школа №{number}",
                      address="Чүй облусу", domain=f"s{number:02d}.{DEMO_DOMAIN}")


@dataclass
class DemoContext:
    """Everything a demo step needs; steps add rows for the school's current and last year."""

    school: School
    scale: str
    rng: random.Random
    years: list[AcademicYear]  # [last year, current year]
    terms: dict[int, list[Term]]  # year id -> terms (quarters, semesters, year)
    classes: dict[int, list[ClassGroup]]  # year id -> classes
    subjects: dict[str, Subject]
    teachers: list[User]
    staff: dict[str, User]  # demo login key -> user
    today: date  # the day the demo is built on: the current year holds nothing dated later
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role label, email, password)

    @property
    def big(self) -> bool:
        """A school of the large or district demo (more observations, registers, answers)."""
        return self.scale != "small"

    @property
    def current_year(self) -> AcademicYear:
        return self.years[-1]

    @property
    def last_year(self) -> AcademicYear:
        return self.years[0]


class DemoError(RuntimeError):
    pass


def weighted(rng: random.Random, table):
    """One value of `table`, pairs (share, value) whose shares sum to 1: drawn with one
    rng.random(), the value whose cumulative share first exceeds it (the last one otherwise)."""
    roll, total = rng.random(), 0.0
    for share, value in table:
        total += share
        if roll < total:
            return value
    return table[-1][1]


def _person(rng: random.Random, gender: str, adult: bool) -> str:
    if rng.random() < 0.8:
        first = rng.choice(KY_MALE if gender == "m" else KY_FEMALE)
        surname = rng.choice(KY_SURNAMES) + ("" if gender == "m" else "а")
        father = rng.choice(KY_MALE)
        return f"{surname} {first} {father} {'уулу' if gender == 'm' else 'кызы'}"
    first = rng.choice(RU_MALE if gender == "m" else RU_FEMALE)
    surname = rng.choice(RU_SURNAMES)
    if gender == "f" and surname not in ("Ким", "Тен"):
        surname += "а"
    root = rng.choice(RU_PATRONYMIC_ROOTS)
    suffix = ("вич" if root.endswith("е") else "ович") if gender == "m" else ("вна" if root.endswith("е") else "овна")
    return f"{surname} {first} {root}{suffix}"


def _school_year_start(today: date) -> int:
    return today.year if today.month >= 8 else today.year - 1


def _make_year(school: School, start: int, current: bool) -> tuple[AcademicYear, list[Term]]:
    year = AcademicYear(school=school, name=f"{start}-{start + 1}", starts_on=date(start, 9, 1),
                        ends_on=date(start + 1, 5, 31), is_current=current)
    n = start + 1
    spans = [
        ("quarter", 1, "1-чейрек", date(start, 9, 1), date(start, 10, 31)),
        ("quarter", 2, "2-чейрек", date(start, 11, 10), date(start, 12, 27)),
        ("quarter", 3, "3-чейрек", date(n, 1, 12), date(n, 3, 20)),
        ("quarter", 4, "4-чейрек", date(n, 4, 1), date(n, 5, 25)),
        ("semester", 1, "1-жарым жылдык", date(start, 9, 1), date(start, 12, 27)),
        ("semester", 2, "2-жарым жылдык", date(n, 1, 12), date(n, 5, 25)),
        ("year", 1, "Окуу жылы", date(start, 9, 1), date(n, 5, 31)),
    ]
    terms = [Term(school=school, year=year, kind=k, number=num, name=name, starts_on=s, ends_on=e)
             for k, num, name, s, e in spans]
    return year, terms


def build_demo(scale: str = "small", seed: int = 2026, today: date | None = None,
               who: DemoSchool = DemoSchool()) -> DemoContext:
    """Create a demo school (by default the demo school) in the current transaction and return its
    context. `today` (default: the school's clock) bounds the current year: every step adds only
    what could have happened by then; last year is complete. DemoError when `scale` is unknown or a school with `who.code` exists."""
    if scale not in SCALES:
        raise DemoError(f"unknown scale {scale!r}")
    if db.session.scalar(select(School).where(School.code == who.code)):
        raise DemoError("exists")
    rng = random.Random(seed)
    params = SCALES[scale]
    today = today or clock.today()
    start = _school_year_start(today)

    school = School(code=who.code, name=who.name, name_ru=who.name_ru, address=who.address)
    db.session.add(school)
    db.session.flush()

    years, terms = [], {}
    for offset, current in ((1, False), (0, True)):
        year, year_terms = _make_year(school, start - offset, current)
        db.session.add(year)
        db.session.add_all(year_terms)
        years.append(year)
        terms[year] = year_terms
    db.session.flush()
    terms = {year.id: t for year, t in terms.items()}

    password_hash = hash_password(DEMO_PASSWORD)
    staff: dict[str, User] = {}

    def add_user(key: str, roles: list[str], gender: str, email: str | None = None) -> User:
        user = User(school=school, email=email or f"{key}@{who.domain}", full_name=_person(rng, gender, True),
                    password_hash=password_hash, locale="ky")
        user.set_roles(roles)
        db.session.add(user)
        staff[key] = user
        return user

    add_user("director", ["admin"], "f")
    add_user("deputy", ["deputy", "teacher"], "f")
    add_user("upbringing", ["deputy"], "m")
    add_user("psychologist", ["psychologist"], "f")
    add_user("nurse", ["nurse"], "f")
    add_user("expert", ["expert"], "m")

    mas = {}
    for key, ky, ru in MAS:
        mas[key] = MethodicalAssociation(school=school, name=ky, name_ru=ru)
    db.session.add_all(mas.values())
    subjects = {}
    for key, ky, ru, ma, *_ in SUBJECTS:
        subjects[key] = Subject(school=school, name=ky, name_ru=ru, ma=mas[ma])
    db.session.add_all(subjects.values())
    db.session.flush()

    teachers: list[User] = []
    counter = iter(range(1, 10_000))

    def new_teacher(roles=("teacher",)) -> User:
        number = next(counter)
        user = add_user(f"t{number:03d}", list(roles), rng.choice("mfff"))
        teachers.append(user)
        return user

    # Fixed demo logins that the README prints.
    mo_head = new_teacher(("teacher", "mo_head"))
    mo_head.email = f"mohead@{who.domain}"
    staff["mohead"] = mo_head
    mas["languages"].head = mo_head

    classes: dict[int, list[ClassGroup]] = {}
    student_rows = []
    code_counter = iter(range(1, 1_000_000))
    for year in years:
        classes[year.id] = []
        for grade, count in enumerate(params["letters"], start=1):
            for letter in LETTERS[:count]:
                cls = ClassGroup(school=school, year=year, grade=grade, letter=letter)
                classes[year.id].append(cls)
    db.session.add_all([c for cs in classes.values() for c in cs])
    db.session.flush()

    # Students: this year's classes; last year each was one grade lower (graduates left, first graders new).
    current, last = years[1], years[0]
    last_by_grade_letter = {(c.grade, c.letter): c for c in classes[last.id]}
    for cls in classes[current.id]:
        for _ in range(params["class_size"]):
            gender = rng.choice("mf")
            age = 6 + cls.grade
            birth = date(start - age, rng.randint(1, 12), rng.randint(1, 28))
            student_rows.append({
                "school_id": school.id, "code": f"S{next(code_counter):05d}",
                "full_name": _person(rng, gender, False), "gender": gender, "birth_date": birth,
                "_class": cls, "_last": last_by_grade_letter.get((cls.grade - 1, cls.letter)),
            })
    # Last year's grade 11: its graduates have left (enrolled last year only; their own draws, so
    # that the rest of the demo stays as it was for a seed).
    leavers = random.Random(f"graduates-{seed}")
    for cls in (c for c in classes[last.id] if c.grade == 11):
        for _ in range(params["class_size"]):
            gender = leavers.choice("mf")
            student_rows.append({
                "school_id": school.id, "code": f"S{next(code_counter):05d}",
                "full_name": _person(leavers, gender, False), "gender": gender,
                "birth_date": date(start - 18, leavers.randint(1, 12), leavers.randint(1, 28)),
                "_class": None, "_last": cls,
            })
    db.session.execute(insert(Student), [{k: v for k, v in r.items() if not k.startswith("_")} for r in student_rows])
    ids = dict(db.session.execute(select(Student.code, Student.id).where(Student.school_id == school.id)).all())
    enrollments = []
    for r in student_rows:
        sid = ids[r["code"]]
        if r["_class"] is not None:
            enrollments.append({"school_id": school.id, "student_id": sid, "class_id": r["_class"].id,
                                "year_id": current.id})
        if r["_last"] is not None:
            enrollments.append({"school_id": school.id, "student_id": sid, "class_id": r["_last"].id,
                                "year_id": last.id})
    db.session.execute(insert(Enrollment), enrollments)

    # Teachers: a primary teacher per class of grades 1-4 (its class teacher and teacher of the
    # "primary" subjects); subject teachers for the rest, each with up to `teacher_load` classes.
    primary_teacher: dict[str, User] = {}
    assignments = []
    for cls in classes[current.id]:
        if cls.grade <= 4:
            teacher = new_teacher(("teacher", "class_teacher"))
            primary_teacher[cls.letter + str(cls.grade)] = teacher
            cls.class_teacher = teacher
    subject_teachers: dict[str, list[User]] = {}
    for key, _ky, _ru, _ma, first, last_grade, primary in SUBJECTS:
        pool: list[User] = []
        subject_teachers[key] = pool
        taught = [c for c in classes[current.id] if first <= c.grade <= last_grade]
        upper = [c for c in taught if not (primary and c.grade <= 4)]
        for cls in taught:
            if primary and cls.grade <= 4:
                assignments.append((primary_teacher[cls.letter + str(cls.grade)], key, cls))
        for index in range(0, len(upper), params["teacher_load"]):
            teacher = mo_head if key == "kyrgyz" and index == 0 else new_teacher()
            pool.append(teacher)
            for cls in upper[index:index + params["teacher_load"]]:
                assignments.append((teacher, key, cls))
    # Class teachers of grades 5-11 come from the subject teachers.
    upper_teachers = [t for t in teachers if not t.has_role("class_teacher")]
    rng.shuffle(upper_teachers)
    for cls, teacher in zip([c for c in classes[current.id] if c.grade >= 5], upper_teachers * 3):
        cls.class_teacher = teacher
        teacher.set_roles(teacher.roles | {"class_teacher"})
    # The deputy teaches a little, as deputies do.
    maths_class = next(c for c in classes[current.id] if c.grade == 5)
    assignments.append((staff["deputy"], "maths", maths_class))
    db.session.flush()
    db.session.execute(insert(TeachingAssignment), [
        {"school_id": school.id, "teacher_id": t.id, "subject_id": subjects[k].id, "class_id": c.id,
         "year_id": current.id}
        for t, k, c in {(t.id, k, c.id): (t, k, c) for t, k, c in assignments}.values()
    ])
    # Last year's assignments mirror this year's, one grade lower, for year-to-year dynamics.
    last_assignments = []
    for teacher, key, cls in assignments:
        prev = last_by_grade_letter.get((cls.grade, cls.letter))
        if prev is not None:
            last_assignments.append({"school_id": school.id, "teacher_id": teacher.id,
                                     "subject_id": subjects[key].id, "class_id": prev.id, "year_id": last.id})
    db.session.execute(insert(TeachingAssignment), list({(a["teacher_id"], a["subject_id"], a["class_id"]): a
                                                         for a in last_assignments}.values()))
    for prev in classes[last.id]:
        now = next((c for c in classes[current.id] if c.grade == prev.grade and c.letter == prev.letter), None)
        prev.class_teacher = now.class_teacher if now else None

    # Fixed logins for a maths teacher and a class teacher of grade 7.
    teacher = subject_teachers["algebra"][0]
    teacher.email = f"teacher@{who.domain}"
    staff["teacher"] = teacher
    class7 = next(c for c in classes[current.id] if c.grade == 7)
    class7.class_teacher.email = f"classteacher@{who.domain}"
    staff["classteacher"] = class7.class_teacher
    db.session.flush()

    ctx = DemoContext(school=school, scale=scale, rng=rng, years=years, terms=terms, classes=classes,
                      subjects=subjects, teachers=teachers, staff=staff, today=today)
    labels = [("director", "admin"), ("deputy", "deputy"), ("mohead", "mo_head"), ("teacher", "teacher"),
              ("classteacher", "class_teacher"), ("psychologist", "psychologist"), ("nurse", "nurse"),
              ("expert", "expert")]
    ctx.logins = [(role, staff[key].email, DEMO_PASSWORD) for key, role in labels]
    for step in installed().sorted("demo_steps"):
        step(ctx)
    db.session.flush()
    return ctx


def delete_demo() -> bool:
    """Remove the demo school, and the other schools of a district demo, with everything that
    belongs to them (foreign keys cascade). False when there was none."""
    codes = [district_school(n).code for n in range(1, 100)]
    school_ids = list(db.session.scalars(select(School.id).where(School.code.in_(codes))))
    if not school_ids:
        return False
    db.session.execute(delete(UserRole).where(UserRole.user_id.in_(
        select(User.id).where(User.school_id.in_(school_ids)))))
    db.session.execute(delete(School).where(School.id.in_(school_ids)))
    return True
