"""Security rows of the district pages: the school fixture's district (tests/factories/district.py)
holds its school; the district's admin and specialist are `school.users["district_admin"]` and
`["district_specialist"]`. Their rows of every school page are 403 (they reach no school page),
except the home page, which sends them to their district. The other school fixture is in another
district: its school's id on a district page is a 404. A canary: a school of a third district,
with marks and a remote school's package, changes no page of this district's staff. The packages
and averages pages (district_admin only) upload a signed package of a registered remote school and
an averages workbook."""
import io
from datetime import datetime, timezone

from openpyxl import Workbook

from app.extensions import db
from app.models import DistrictAverage, PackageResult, RatingWeight, RemoteSchool, SchoolPackage
from app.services.district import package_format
from tests.factories import SchoolFixture, make_school
from tests.factories.district import term_marks
from tests.security import Canary, FuzzForm, Tables, kept, kept_id

DISTRICT_ROLES = ("district_admin", "district_specialist")


def _refused(status: int = 403) -> dict:
    return {role: status for role in DISTRICT_ROLES}


def _third_district(s: SchoolFixture) -> SchoolFixture:
    """A school of another district (its own district and district users), made on first use;
    its district specialist is kept as `school.users["gamma_district_specialist"]` (the witness adds its
    district admin as `gamma_district_admin`)."""
    def make(s):
        gamma = make_school("gamma", class_size=3)
        s.users["gamma_district_specialist"] = gamma.users["district_specialist"]
        return gamma
    return kept(s, "third_district", make)


def remote_package(district_id: int, name: str, *, code: str = "remote", key: bytes | None = None,
                   register: bool = True) -> tuple[dict, bytes]:
    """A remote school of the district (registered with a new key) and its imported package of
    2026-2027 (7-А Математика 5 4 3, quarter 1); returns (payload, the signed file's bytes)."""
    key = key or package_format.new_private_key()
    payload = {"format": "sapat-district-package", "version": 1, "made_at": datetime(2026, 11, 1, tzinfo=timezone.utc)
               .isoformat(), "school": {"code": code, "name": name, "name_ru": None}, "year": "2026-2027",
               "results": [{"term_kind": "quarter", "term_number": 1, "grade": 7, "class_letter": "А",
                            "subject": "Математика", "n": 3, "n5": 1, "n4": 1, "n3": 1, "n2": 0, "n1": 0,
                            "absent": 0}], "indicators": [], "surveys": []}
    if register:
        remote = RemoteSchool(district_id=district_id, code=code, name=name,
                              public_key=package_format.public_key_text(key))
        db.session.add(remote)
        db.session.flush()
        package = SchoolPackage(remote_school_id=remote.id, year_name="2026-2027",
                                made_at=datetime(2026, 10, 1, tzinfo=timezone.utc), digest="0" * 64,
                                payload={"indicators": [], "surveys": []}, imported_at=datetime.now(timezone.utc))
        db.session.add(package)
        db.session.flush()
        db.session.add(PackageResult(package_id=package.id, term_kind="quarter", term_number=1, grade=7,
                                     class_letter="А", subject="Математика", n=2, n5=1, n4=1, n3=0, n2=0, n1=0,
                                     absent=0))
        db.session.flush()
    return payload, package_format.sign(payload, key)


def _package_upload(s: SchoolFixture) -> dict:
    """A newer package of a registered remote school: importing it would replace the older one."""
    key = package_format.new_private_key()
    _payload, data = remote_package(s.extra["district"].id, "Remote sample", code="sample", key=key)
    db.session.commit()
    return {"file": (io.BytesIO(data), "package.json")}


def averages_xlsx(rows: list) -> bytes:
    book = Workbook()
    book.active.append(["year", "level", "measure", "subject", "grade", "value", "n", "source"])
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _averages_upload(s: SchoolFixture) -> dict:
    return {"file": (io.BytesIO(averages_xlsx([["2026-2027", "region", "pass_rate", "", "", 85, 100, ""]])),
                     "averages.xlsx")}


def _third_district_marks(s: SchoolFixture) -> None:
    gamma = _third_district(s)
    gamma.school.name = "Canary district school"
    term_marks(gamma, gamma.classes[0], gamma.subjects[0], [5, 4, 2])
    remote_package(gamma.extra["district"].id, "Canary remote school", code="canary-remote")
    db.session.add(DistrictAverage(district_id=gamma.extra["district"].id, year_name="2026-2027", level="region",
                                   measure="pass_rate", subject="", value=12.5, source="Canary average"))
    db.session.commit()


def _third_witness(s: SchoolFixture):
    gamma = _third_district(s)
    s.users["gamma_district_admin"] = gamma.users["district_admin"]
    return "gamma_district_admin", ["/district/results", "/district/", "/district/packages", "/district/averages"]


def district_campaign(s: SchoolFixture):
    """A district campaign of the fixture's district over its school (draft), made on first use."""
    def make(s):
        from app.services.district import campaigns
        from tests.factories.surveys import small_instrument

        dc = campaigns.create(s.extra["district"], instrument=small_instrument(), title="District survey",
                              audience="parents", school_ids=[s.school.id], min_group_size=3)
        db.session.commit()
        return dc
    return kept(s, "district_campaign", make)


def district_report(s: SchoolFixture):
    """An issued report of the fixture's district, made on first use."""
    def make(s):
        from datetime import date

        from app.services.district import report

        doc = report.issue(district_id=s.extra["district"].id, year_name=s.year.name, lang="ky", version=1,
                           title="District report", number="1", issued_on=date(2026, 12, 1), author_id=None,
                           author_name="Specialist", figures={}, html="<article>District report</article>")
        db.session.commit()
        return doc
    return kept(s, "district_report", make)


def seed_xss(school: SchoolFixture, payloads: tuple) -> None:
    script, img, js = payloads
    school.school.name = f"School {script}"
    school.school.name_ru = f"Школа {img}"
    school.extra["district"].name = f"District {img}"
    school.users["district_specialist"].full_name = f"Specialist {script}"
    district_campaign(school).title = f"District survey {script}"
    district_report(school).number = f"{img}"
    term_marks(school, school.classes[0], school.subjects[0], [5, 4, 3, 2, 5, 4])
    remote_package(school.extra["district"].id, f"Remote {script}", code="xss-remote")
    db.session.add(DistrictAverage(district_id=school.extra["district"].id, year_name="2026-2027", level="region",
                                   measure="ort", subject=f"Subject {img}", value=100, source=f"Source {script}"))


def seed_backup(school: SchoolFixture, texts: tuple) -> None:
    school.extra["district"].name = texts[0]
    db.session.add(RatingWeight(district_id=school.extra["district"].id, indicator_key="pass_rate", weight=2.5))
    remote_package(school.extra["district"].id, texts[1], code="backup-remote")
    db.session.add(DistrictAverage(district_id=school.extra["district"].id, year_name="2026-2027", level="country",
                                   measure="quality", subject=texts[2], grade=7, value=40.5, n=10, source=texts[0]))
    district_campaign(school).title = texts[1]
    district_report(school).html = f"<article>{texts[2]}</article>"


_SCHOOL = {"code": "new-school", "name": "Жаңы мектеп", "name_ru": "Новая школа", "director_name": "Aibek Asanov",
           "director_email": "director@new-school.kg", "password": "a long new password 2026"}
_STAFF = {"full_name": "Gulnara Sadykova", "email": "gulnara@district.kg", "role": "district_specialist",
          "password": "another long password 2026"}

TABLES = Tables(
    url_args_by_name={"school_id": lambda s: s.school.id,
                      "dc_id": lambda s: kept_id(s, "district_campaign", district_campaign),
                      "report_id": lambda s: kept_id(s, "district_report", district_report)},
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
        FuzzForm("district_campaigns.new", "district_specialist", {
            "instrument_id": "id:instrument_id", "title": "text", "audience": "choice:parents,students,teachers,x",
            "schools": "id:school_id", "min_group_size": "int"}, max_examples=15),
        FuzzForm("district_campaigns.set_status", "district_specialist", {
            "status": "choice:open,closed,draft,x", "current": "choice:draft,open,closed,x"},
                 url_args=lambda s: {"dc_id": district_campaign(s).id}, max_examples=15),
        FuzzForm("district_reports.issue", "district_specialist", {
            "year": "choice:2026-2027,1999-2000,x,", "lang": "choice:ky,ru,en,x", "number": "text",
            "issued_on": "date"}, max_examples=15),
        FuzzForm("district.weights", "district_specialist", {
            "w_pass_rate": "text", "w_quality": "int", "w_open_lessons": "text"}, max_examples=15),
    ],
    csrf_sample_data={
        "district.school_new": lambda s: dict(_SCHOOL),
        "district.staff_page": lambda s: dict(_STAFF),
        "district.weights": lambda s: {"w_pass_rate": "3", "w_quality": "1"},
        "district.packages_page": _package_upload,
        "district.averages_page": _averages_upload,
        "district_campaigns.new": lambda s: {"title": "A district survey", "audience": "parents",
                                             "schools": str(s.school.id), "min_group_size": "5"},
        "district_campaigns.set_status": lambda s: {"status": "open", "current": "draft"},
        "district_reports.issue": lambda s: {"year": s.year.name, "lang": "ky", "number": "5",
                                             "issued_on": "2026-12-01"},
    },
    seed_xss=seed_xss,
    seed_backup=seed_backup,
    canaries=[
        Canary("a school of another district, its remote school and averages", frozenset(DISTRICT_ROLES),
               _third_district_marks, _third_witness,
               markers=("Canary district school", "Canary remote school", "Canary average")),
    ],
)
