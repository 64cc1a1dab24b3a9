"""Security rows of the district pages: the school fixture's district (tests/factories/district.py)
holds its school; the district's admin and specialist are `school.users["district_admin"]` and
`["district_specialist"]`. Their rows of every school page are 403 (they reach no school page),
except the home page, which sends them to their district. The other school fixture is in another
district: its school's id on a district page is a 404. A canary: a school of a third district,
with marks, changes no page of this district's staff."""
from app.extensions import db
from app.models import RatingWeight
from tests.factories import SchoolFixture, make_school
from tests.factories.district import term_marks
from tests.security import Canary, FuzzForm, Tables, kept

DISTRICT_ROLES = ("district_admin", "district_specialist")


def _refused(status: int = 403) -> dict:
    return {role: status for role in DISTRICT_ROLES}


def _third_district(s: SchoolFixture) -> SchoolFixture:
    """A school of another district (its own district and district users), made on first use;
    its district specialist is kept as `school.users["gamma_district_specialist"]`."""
    def make(s):
        gamma = make_school("gamma", class_size=3)
        s.users["gamma_district_specialist"] = gamma.users["district_specialist"]
        return gamma
    return kept(s, "third_district", make)


def _third_district_marks(s: SchoolFixture) -> None:
    gamma = _third_district(s)
    gamma.school.name = "Canary district school"
    term_marks(gamma, gamma.classes[0], gamma.subjects[0], [5, 4, 2])
    db.session.commit()


def _third_witness(s: SchoolFixture):
    _third_district(s)
    return "gamma_district_specialist", ["/district/results", "/district/"]


def seed_xss(school: SchoolFixture, payloads: tuple) -> None:
    script, img, js = payloads
    school.school.name = f"School {script}"
    school.school.name_ru = f"Школа {img}"
    school.extra["district"].name = f"District {img}"
    school.users["district_specialist"].full_name = f"Specialist {script}"
    term_marks(school, school.classes[0], school.subjects[0], [5, 4, 3, 2, 5, 4])


def seed_backup(school: SchoolFixture, texts: tuple) -> None:
    school.extra["district"].name = texts[0]
    db.session.add(RatingWeight(district_id=school.extra["district"].id, indicator_key="pass_rate", weight=2.5))


_SCHOOL = {"code": "new-school", "name": "Жаңы мектеп", "name_ru": "Новая школа", "director_name": "Aibek Asanov",
           "director_email": "director@new-school.kg", "password": "a long new password 2026"}
_STAFF = {"full_name": "Gulnara Sadykova", "email": "gulnara@district.kg", "role": "district_specialist",
          "password": "another long password 2026"}

TABLES = Tables(
    url_args_by_name={"school_id": lambda s: s.school.id},
    overrides={
        # A district user's home page is their district.
        "main.home": _refused(302),
        # Overrides of the school domains' own "*" rows: district users reach no school page.
        "exports.job": _refused(), "exports.job_status": _refused(), "exports.download": _refused(),
        "measures.index": _refused(),
    },
    fuzz_forms=[
        FuzzForm("district.school_new", "district_admin", {
            "code": "text", "name": "text", "name_ru": "text", "director_name": "text", "director_email": "email",
            "password": "text"}, max_examples=15),
        FuzzForm("district.staff_page", "district_admin", {
            "full_name": "text", "email": "email", "role": "choice:district_admin,district_specialist,admin,x,",
            "password": "text"}, max_examples=15),
        FuzzForm("district.weights", "district_specialist", {
            "w_pass_rate": "text", "w_quality": "int", "w_open_lessons": "text"}, max_examples=15),
    ],
    csrf_sample_data={
        "district.school_new": lambda s: dict(_SCHOOL),
        "district.staff_page": lambda s: dict(_STAFF),
        "district.weights": lambda s: {"w_pass_rate": "3", "w_quality": "1"},
    },
    seed_xss=seed_xss,
    seed_backup=seed_backup,
    canaries=[
        Canary("a school of another district", frozenset(DISTRICT_ROLES), _third_district_marks, _third_witness,
               markers=("Canary district school",)),
    ],
)
