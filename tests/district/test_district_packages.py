"""Packages passed upward between installations: the school bravo (as if on its own installation)
makes a key, exports its signed package; the district of alpha registers bravo's public key and
imports the package; the district page then shows bravo's figures equal to bravo's own, and the
district's figure from the summed counts. Tampered, unsigned, wrongly signed and foreign packages
are refused and change nothing; the same package twice changes nothing; a newer one replaces."""
import io
import json
import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog
from app.models.district import PackageResult, RemoteSchool, SchoolPackage
from app.security import Principal
from app.services.achievement.metrics import term_metrics
from app.services.district import package_format
from tests.conftest import csrf_of
from tests.district.support import marks, rows
from tests.factories import make_school

ONCE = re.compile(r'name="_once" value="([^"]+)"')
RESULTS = "/district/results?year=2026-2027&term=quarter-1"


def _counts():
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (RemoteSchool, SchoolPackage, PackageResult))


def _package_audits():
    return db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity == "district.package",
                                                                            AuditLog.action != "export"))


def _bravo_package(app, tmp_path, school, register=True):
    """bravo (another installation, here another district) with 7-А maths 3 3 2 5: its key, its
    package, and (register) its public key registered in alpha's district."""
    bravo = make_school("bravo", class_size=4)
    marks(bravo, [3, 3, 2, 5])
    runner = app.test_cli_runner()
    key = tmp_path / "bravo.pem"
    made = runner.invoke(args=["district", "make-key", "--school", "bravo", "--key", str(key)])
    assert made.exit_code == 0, made.output
    public = made.output.strip().splitlines()[-1]
    assert package_format.public_key(public) is not None and oct(key.stat().st_mode)[-3:] == "600"
    if register:
        done = runner.invoke(args=["district", "register-school", "bravo", "School bravo", "--district",
                                   school.extra["district"].code, "--public-key", public])
        assert done.exit_code == 0, done.output
    out = tmp_path / "bravo-2026-2027.json"
    exported = runner.invoke(args=["district", "export-package", "--school", "bravo", "--year", "2026-2027",
                                   "-o", str(out), "--key", str(key)])
    assert exported.exit_code == 0, exported.output
    return bravo, out, runner


def _import(runner, school, path):
    return runner.invoke(args=["district", "import-package", str(path), "--district", school.extra["district"].code])


def test_an_imported_school_stands_beside_the_hosted_ones_with_its_own_figures(app, tmp_path, client, login, school):
    marks(school, [5, 4, 3, 2, 5, 4])  # alpha 7-А maths, hosted here
    bravo, path, runner = _bravo_package(app, tmp_path, school)
    done = _import(runner, school, path)
    assert done.exit_code == 0 and "is imported" in done.output
    login(school.user("district_specialist"))
    table = rows(client.get(RESULTS).get_data(as_text=True))
    # As in test_district_results: district n 10 (n5 3, n4 2, n3 3, n2 2): pass 80.0 %, quality 50.0 %,
    # SOU (300+128+108+32)/10 = 56.8 %, mean 3.60; from the summed counts of alpha's marks and bravo's package.
    assert table["District"] == ["10", "80.0 %", "50.0 %", "56.8 %", "3.60"]
    remote = table["School bravo imported package"]
    # bravo 3 3 2 5: pass 3/4 = 75.0 %, quality 1/4 = 25.0 %, SOU (100+72+16)/4 = 47.0 %, mean 13/4 = 3.25.
    assert remote[0] == "4" and remote[1].startswith("75.0 %") and remote[2].startswith("25.0 %")
    assert remote[3].startswith("47.0 %") and remote[4].startswith("3.25")
    own = term_metrics(Principal.system(bravo.school.id), bravo.terms[0].id, "school")[0]
    assert remote[1].startswith(f"{own.pass_rate:.1f} %") and remote[4].startswith(f"{own.mean:.2f}")
    # By subject and grade too.
    page = client.get(RESULTS).get_data(as_text=True)
    maths = rows(page[page.index("<h3>Математика</h3>"):])
    assert maths["School bravo imported package"][0] == "4" and maths["District"][0] == "10"
    # The indicators and surveys pages list the school too.
    assert "School bravo" in client.get("/district/indicators?year=2026-2027").get_data(as_text=True)
    assert "School bravo" in client.get("/district/surveys?year=2026-2027").get_data(as_text=True)


def test_no_personal_data_travels(app, tmp_path, school):
    bravo, path, _runner = _bravo_package(app, tmp_path, school, register=False)
    data = path.read_bytes()
    people = [s for students in bravo.students.values() for s in students]
    assert people
    for student in people:
        assert student.full_name.encode() not in data and student.code.encode() not in data
    for user in bravo.users.values():
        assert user.email.encode() not in data and user.full_name.encode() not in data
    payload = json.loads(data)["payload"]
    assert set(payload) == {"format", "version", "made_at", "school", "year", "results", "indicators", "surveys"}
    assert set(payload["results"][0]) == {"term_kind", "term_number", "grade", "class_letter", "subject", "n", "n5",
                                          "n4", "n3", "n2", "n1", "absent"}


def test_refused_packages_change_nothing(app, tmp_path, school):
    _bravo, path, runner = _bravo_package(app, tmp_path, school)
    before = _counts()
    original = path.read_bytes()
    envelope = json.loads(original)

    def refused(data: bytes, words: str):
        bad = tmp_path / "bad.json"
        bad.write_bytes(data)
        result = _import(runner, school, bad)
        assert result.exit_code == 1, result.output
        assert words in result.output, result.output
        assert _counts() == before and _package_audits() == 0

    # One byte of the signature flipped.
    signature = envelope["signature"]
    flipped = ("B" if signature[10] == "A" else "A")
    refused(original.replace(signature.encode(), (signature[:10] + flipped + signature[11:]).encode()),
            "signature does not match")
    # A figure changed (still a well-formed package: n and n5 raised together).
    changed = json.loads(original)
    changed["payload"]["results"][0]["n5"] += 1
    changed["payload"]["results"][0]["n"] += 1
    refused(json.dumps(changed).encode(), "signature does not match")
    # One byte of the file flipped anywhere (here inside the school's name): refused too.
    at = original.index(b"School bravo")
    refused(original[:at] + b"X" + original[at + 1:], "signature does not match")
    # Cut in half: not a package at all.
    refused(original[: len(original) // 2], "not a school's package")
    # Absurdly deep nesting (a hostile file): refused like any other non-package.
    refused(b"[" * 200_000 + b"]" * 200_000, "not a school's package")
    # Unsigned.
    unsigned = json.loads(original)
    del unsigned["signature"]
    refused(json.dumps(unsigned).encode(), "not signed")
    # Signed with another key than the one registered.
    other_key = package_format.new_private_key()
    refused(package_format.sign(envelope["payload"], other_key), "signature does not match")
    # A school this district has not registered (signed with its own key).
    foreign = dict(envelope["payload"], school={"code": "gamma", "name": "School gamma", "name_ru": None})
    refused(package_format.sign(foreign, other_key), "not registered in this district")
    # And the real package is still accepted.
    assert _import(runner, school, path).exit_code == 0


def test_a_package_made_outside_1900_2199_is_refused_even_when_signed(app, tmp_path, client, login, school):
    """A school's clock set to the year 1 signs a package that says so: refused like one from the
    future (the year 1 at +14:00 is no time at all in UTC: a 500 once), and nothing is written."""
    _bravo, path, runner = _bravo_package(app, tmp_path, school)
    pem = (tmp_path / "bravo.pem").read_bytes()
    payload = json.loads(path.read_bytes())["payload"]
    before = _counts()
    for made_at, shown in (("0001-01-01T00:00:00+14:00", "01.01.0001"), ("1899-12-31T23:59:59+00:00", "31.12.1899")):
        bad = tmp_path / "old.json"
        bad.write_bytes(package_format.sign(dict(payload, made_at=made_at), pem))
        result = _import(runner, school, bad)
        assert result.exit_code == 1, result.output
        assert (f"The package says it was made on {shown}, outside 01.01.1900-31.12.2199: the clock of the "
                "school's installation is wrong") in result.output
        assert _counts() == before and _package_audits() == 0
    login(school.user("district_admin"))
    form = client.get("/district/packages").get_data(as_text=True)
    response = client.post("/district/packages", data={
        "csrf_token": csrf_of(form), "_once": ONCE.search(form).group(1),
        "file": (io.BytesIO(package_format.sign(dict(payload, made_at="0001-01-01T00:00:00+00:00"), pem)),
                 "bravo.json")}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "made on 01.01.0001, outside 01.01.1900-31.12.2199" in response.get_data(as_text=True)
    assert _counts() == before and _package_audits() == 0
    assert _import(runner, school, path).exit_code == 0  # the real package is still accepted


def test_the_same_package_twice_changes_nothing_and_a_newer_one_replaces_the_older(app, tmp_path, school):
    bravo, path, runner = _bravo_package(app, tmp_path, school)
    assert _import(runner, school, path).exit_code == 0
    first = _counts()
    assert first == (1, 1, 1) and _package_audits() == 1
    again = _import(runner, school, path)
    assert again.exit_code == 0 and "nothing was changed" in again.output
    assert _counts() == first and _package_audits() == 1
    # bravo enters physics marks and sends a newer package: it replaces the older one, audited.
    marks(bravo, [5, 5, 4, 4], subject_index=1)
    newer = tmp_path / "newer.json"
    assert runner.invoke(args=["district", "export-package", "--school", "bravo", "--year", "2026-2027", "-o",
                               str(newer), "--key", str(tmp_path / "bravo.pem")]).exit_code == 0
    replaced = _import(runner, school, newer)
    assert replaced.exit_code == 0 and "replaced" in replaced.output
    assert _counts() == (1, 1, 2) and _package_audits() == 2
    audit = db.session.scalar(select(AuditLog).where(AuditLog.entity == "district.package", AuditLog.action == "update"))
    assert audit.before["digest"] != audit.after["digest"]
    # The older package is now refused.
    older = _import(runner, school, path)
    assert older.exit_code == 1 and "newer package" in older.output and _counts() == (1, 1, 2)


def test_the_district_admin_uploads_a_package(app, tmp_path, client, login, school):
    _bravo, path, _runner = _bravo_package(app, tmp_path, school)
    login(school.user("district_admin"))

    def post(data: bytes):
        form = client.get("/district/packages").get_data(as_text=True)
        return client.post("/district/packages", data={
            "csrf_token": csrf_of(form), "_once": ONCE.search(form).group(1),
            "file": (io.BytesIO(data), "bravo.json")}, content_type="multipart/form-data")

    bad = post(path.read_bytes().replace(b'"n5": 1', b'"n5": 2', 1))
    assert bad.status_code == 422 and "signature does not match" in bad.get_data(as_text=True)
    assert _counts() == (1, 0, 0)
    good = post(path.read_bytes())
    assert good.status_code == 303
    page = client.get("/district/packages").get_data(as_text=True)
    assert "is imported" in page and "2026-2027" in page and _counts() == (1, 1, 1)
    assert post(path.read_bytes()).status_code == 303 and _counts() == (1, 1, 1)
    assert "already imported" in client.get("/district/packages").get_data(as_text=True)
    # The specialist has no upload page.
    client.post("/logout", data={"csrf_token": csrf_of(page)})
    login(school.user("district_specialist"))
    assert client.get("/district/packages").status_code == 403
