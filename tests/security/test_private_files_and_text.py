"""Files only Sapat's user may read (backups, export files, the instance folder), and text in
every workbook that can never turn into a formula, not even after a CSV re-save."""
import io
import os
import shutil
import stat
import subprocess

import openpyxl
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ExpertScore, ExportJob, Student
from app.services.exports import jobs
from tests import xlsx_bombs as bombs
from tests.security.support import login_client

PAYLOADS = ["=1+2", "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "\tX", "\rY", '=HYPERLINK("http://x","y")']
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.parametrize("fmt", ["sqlite", "jsonl"])
def test_backups_are_readable_by_sapat_only(app, school, tmp_path, umask_022, fmt):
    if fmt == "sqlite" and db.engine.dialect.name != "sqlite":
        pytest.skip("the .db copy is SQLite's")
    path = tmp_path / f"backup.{fmt}"
    result = app.test_cli_runner().invoke(args=["backup", "--format", fmt, str(path)])
    assert result.exit_code == 0, result.output
    assert _mode(path) == 0o600


def test_export_files_and_folders_are_private(app, school, tmp_path, umask_022):
    app.config.update(EXPORT_JOBS_INLINE=True, EXPORTS_DIR=str(tmp_path / "exports"))
    try:
        client = login_client(app, school.users["deputy"])
        assert client.post("/exports/annual", data={"year": school.year.name}).status_code == 303
        # The finished workbook waits in the database; its download is a private file of the node.
        path = jobs.take_file(db.session.scalar(select(ExportJob)))
        assert path and _mode(path) == 0o600
        os.remove(path)
        assert _mode(tmp_path / "exports") == 0o700
    finally:
        app.config["EXPORT_JOBS_INLINE"] = False
        app.config.pop("EXPORTS_DIR")
    out = tmp_path / "cli.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "annual", "--year", school.year.name, "-o", str(out),
                                                "--school", school.school.code])
    assert result.exit_code == 0, result.output
    assert _mode(out) == 0o600
    roster, problems = tmp_path / "roster.xlsx", tmp_path / "problems.xlsx"
    roster.write_bytes(bombs.many_bad_rows(60))
    app.test_cli_runner().invoke(args=["import-roster", str(roster), "--problems", str(problems)])
    assert _mode(problems) == 0o600
    assert _mode(app.instance_path) == 0o700


# --- formula-like text ------------------------------------------------------------------------

def _seed_payloads(school):
    from app.models import Assessment, Mark

    kids = school.students[school.classes[0].id]
    for kid, payload in zip(kids, PAYLOADS):
        kid.full_name = payload
    school.subjects[1].name = PAYLOADS[-1]
    school.school.name = "=SUM(A1)"
    assessment = Assessment(school_id=school.school.id, class_id=school.classes[0].id,
                            subject_id=school.subjects[1].id, term_id=school.terms[0].id, kind="term",
                            date=school.terms[0].ends_on)
    db.session.add(assessment)
    db.session.flush()
    for kid in kids:
        db.session.add(Mark(school_id=school.school.id, assessment_id=assessment.id, student_id=kid.id, value=4))
    db.session.commit()


def _check_workbook(data: bytes, name: str) -> set[str]:
    """Every cell of every sheet: no formula, no text that begins with a trigger; returns the
    apostrophe-prefixed texts found. The notes say why."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    prefixed, notes = set(), []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{name} {sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(TRIGGERS), (name, sheet.title, cell.coordinate, cell.value)
                    if cell.value.startswith("'") and cell.value[1:2] in TRIGGERS:
                        prefixed.add(cell.value)
                    if "leading apostrophe" in cell.value:
                        notes.append(cell.value)
    assert notes, f"{name}: the notes do not mention the apostrophe"
    return prefixed


def test_formula_like_text_gets_an_apostrophe_in_every_workbook(app, school, tmp_path):
    from app.services.core.xlsx_input import RowError
    from app.services.exports.problems import write_problems

    _seed_payloads(school)
    client = login_client(app, school.users["admin"])
    books = {
        "achievement": client.get(f"/achievement/export?term={school.terms[0].id}").data,
        "roster template": client.get("/admin/roster/template.xlsx").data,
        "marks template": client.get("/achievement/import/template.xlsx").data,
    }
    annual = tmp_path / "annual.xlsx"
    assert app.test_cli_runner().invoke(args=["export", "annual", "--year", school.year.name, "-o", str(annual),
                                              "--lang", "en"]).exit_code == 0
    books["annual"] = annual.read_bytes()
    buffer = io.BytesIO()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        write_problems(buffer, [("=evil.xlsx", RowError(3, "class", "unknown class")),
                                ("@x.xlsx", RowError(0, None, "the file"))], school_name="-s", title="+t")
    books["problems"] = buffer.getvalue()
    found = {name: _check_workbook(data, name) for name, data in books.items()}
    assert {"'" + PAYLOADS[-1], "'=SUM(A1)"} <= found["achievement"]  # subject and school names
    assert "'" + PAYLOADS[-1] in found["annual"] and "'=SUM(A1)" in found["annual"]
    assert {"'=evil.xlsx", "'@x.xlsx", "'-s", "'+t"} <= found["problems"]


def test_sapat_reads_its_own_apostrophes_back(app, school, blank_sheet, tmp_path):
    from app.services.core.xlsx_input import text
    from tests.exports.test_expert_import import fill

    assert [text("'" + p) for p in PAYLOADS[:4]] == PAYLOADS[:4]
    assert text("'plain") == "'plain" and text("-") == "-"
    deputy = login_client(app, school.users["deputy"])
    roster = [bombs.ROSTER_HEADER, ["7-А", "S-Q1", "'=1+2"], ["7-А", "S-Q2", "'@Name"]]
    response = deputy.post("/admin/roster", data={"file": (io.BytesIO(bombs.raw_sheet(roster)), "r.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    assert sorted(db.session.scalars(select(Student.full_name).where(Student.code.in_(["S-Q1", "S-Q2"])))) == [
        "=1+2", "@Name"]
    sheet = fill(blank_sheet, tmp_path / "e.xlsx", "'=Expert", {"pass_rate": 4}, {"pass_rate": "'-fine"})
    assert app.test_cli_runner().invoke(args=["import-expert", str(sheet)]).exit_code == 0
    score = db.session.scalar(select(ExpertScore))
    assert (score.expert_name, score.comment) == ("=Expert", "-fine")


@pytest.fixture
def blank_sheet(app, school, tmp_path):
    path = tmp_path / "annual.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "annual", "--year", "2026-2027", "-o", str(path),
                                                "--school", school.school.code, "--lang", "en"])
    assert result.exit_code == 0, result.output
    return path


def _csv_round_trip(office, path, tmp_path) -> openpyxl.Workbook:
    """Save the workbook as CSV and open that CSV again, as a user re-saving it would."""
    profile = tmp_path / "lo-profile"
    base = [office, f"-env:UserInstallation=file://{profile}", "--headless"]
    out = tmp_path / "out"
    for target, source in (("csv", path), ("xlsx", out / (path.stem + ".csv"))):
        result = subprocess.run([*base, "--convert-to", target, "--outdir", str(out), str(source)],
                                capture_output=True, text=True, timeout=180)
        assert result.returncode == 0, result.stderr
    return openpyxl.load_workbook(out / (path.stem + ".xlsx"))


def test_a_csv_re_save_keeps_the_text_text(app, tmp_path):
    """LibreOffice saves a Sapat workbook as CSV and reads that CSV back: the formula-like
    names stay text. Without the apostrophe (the control) they come back as formulas."""
    import xlsxwriter

    from app.services.core.xlsx_output import SafeWorkbook

    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is not installed: .ci/run installs libreoffice-calc-nogui")
        pytest.skip("LibreOffice is not installed")
    names = ["=1+2", "=SUM(3;4)", "Plain name"]
    for kind, book_class in (("safe", SafeWorkbook), ("plain", xlsxwriter.Workbook)):
        path = tmp_path / f"{kind}.xlsx"
        book = book_class(str(path), {"strings_to_formulas": False})
        sheet = book.add_worksheet("names")
        for row, name in enumerate(names):
            sheet.write_string(row, 0, name)
        book.close()
        cells = [c for row in _csv_round_trip(office, path, tmp_path / kind).active.iter_rows() for c in row]
        formulas = [c.value for c in cells if c.data_type == "f"]
        if kind == "safe":
            assert formulas == []
        else:
            assert formulas  # the control: the fault is real
