"""The annual expert workbook from the command line: sheets, numbers equal to the services,
user text never a formula, native charts, the expert sheet's validation list, and a clean
conversion to PDF by LibreOffice."""
import os
import shutil
import subprocess
import zipfile

import openpyxl
import pytest

from app.extensions import db
from app.security import Principal
from app.services.core import school as school_service
from app.services.exports import annual

HOSTILE = ['=HYPERLINK("http://evil","x")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3"]


def export(app, path, *extra):
    return app.test_cli_runner().invoke(
        args=["export", "annual", "--year", "2026-2027", "-o", str(path), *extra])


def test_cli_writes_the_workbook_with_a_progress_bar_on_stderr(app, school, tmp_path):
    path = tmp_path / "annual.xlsx"
    result = export(app, path, "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert "Annual workbook" in result.stderr and "100%" in result.stderr
    assert f"Wrote {path}" in result.stdout
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "Summary"
    assert "Expert assessment" in book.sheetnames and book.sheetnames[-1] == "Notes"
    summary = book["Summary"]
    assert summary["A1"].value == "Students and classes by grade"
    assert summary["A2"].value == school.school.name
    rows = list(summary.iter_rows(min_row=8, values_only=True))
    assert rows == [(7, 1, 6), (8, 1, 6)]  # grade, classes, students of the fixture
    # Every indicator of the monitoring service is on its direction's sheet with the same value.
    from app.services.monitoring.indicators import evaluate
    from app.services.monitoring.reports import suppress

    rows = evaluate(school.school.id, school.year)
    assert len(rows) >= 40
    values = {}
    directions = set()
    for ws in book.worksheets:
        if ws.title[:1] == "D" and ws.title[1].isdigit():
            directions.add(int(ws.title[1]))
            for row in ws.iter_rows(min_row=8, values_only=True):
                values[row[0]] = (row[3], row[5])
    assert directions == set(range(1, 8))
    # Values resting on fewer than the minimum group are blank (the monitoring service's rule).
    assert any(suppress(r) for r in rows)
    assert values == {r.indicator.key: (None, None) if suppress(r) else (r.value, r.previous) for r in rows}
    registers = {r[0]: r[1] for r in book["Registers"].iter_rows(min_row=8, values_only=True)}
    counts = school_service.school_counts(school.school.id, school.year.id)
    assert registers["Students"] == counts["students"] == 12


def test_the_expert_sheet_has_a_score_list_and_charts_are_native(app, school, tmp_path):
    path = tmp_path / "annual.xlsx"
    assert export(app, path, "--lang", "en").exit_code == 0
    book = openpyxl.load_workbook(path)
    sheet = book["Expert assessment"]
    assert sheet["A7"].value == "Key" and sheet["G7"].value == "Score (1-5)"
    assert sheet["B3"].value == "2026-2027"
    validations = sheet.data_validations.dataValidation
    assert len(validations) == 1
    assert validations[0].type == "list" and validations[0].formula1 == '"1,2,3,4,5"'
    assert str(validations[0].sqref).startswith("G8")
    with zipfile.ZipFile(path) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert charts, "the workbook has native Excel charts"
    assert book["Summary"]._charts


def test_user_text_can_never_become_a_formula(app, school, tmp_path):
    school.school.name = HOSTILE[0]
    school.year.name = HOSTILE[1][:20]
    db.session.commit()
    path = tmp_path / "annual.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "annual", "--year", HOSTILE[1][:20], "-o", str(path)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
    # Text that begins like a formula carries a leading apostrophe (OWASP ASVS 1.2.10).
    assert book["Summary"]["A2"].value == "'" + HOSTILE[0]
    assert book["Expert assessment"]["B3"].value == "'" + HOSTILE[1][:20]


def test_headers_follow_the_language_option(app, school, tmp_path):
    path = tmp_path / "annual-ru.xlsx"
    assert export(app, path, "--lang", "ru").exit_code == 0
    book = openpyxl.load_workbook(path)
    assert "Экспертная оценка" in book.sheetnames
    ru_summary = book.worksheets[0]
    path_ky = tmp_path / "annual-ky.xlsx"
    assert export(app, path_ky, "--lang", "ky").exit_code == 0
    ky = openpyxl.load_workbook(path_ky)
    assert "Эксперттик баалоо" in ky.sheetnames
    assert ru_summary["A7"].value != "Grade" and ky.worksheets[0]["A7"].value != "Grade"


def test_bad_year_or_folder_is_refused_and_nothing_is_written(app, school, tmp_path):
    path = tmp_path / "annual.xlsx"
    result = app.test_cli_runner().invoke(
        args=["export", "annual", "--year", "1999", "-o", str(path), "--lang", "en"])
    assert result.exit_code == 1
    assert "No academic year “1999” in this school." in result.stderr
    assert not path.exists()
    result = export(app, tmp_path / "missing" / "a.xlsx", "--lang", "en")
    assert result.exit_code == 1 and "does not exist" in result.stderr
    assert os.listdir(tmp_path) == []


def test_libreoffice_opens_the_workbook_and_converts_it_to_pdf(app, school, tmp_path):
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is not installed: .ci/run installs libreoffice-calc-nogui")
        pytest.skip("LibreOffice is not installed")
    path = tmp_path / "annual.xlsx"
    assert export(app, path).exit_code == 0
    profile = tmp_path / "lo-profile"
    result = subprocess.run([office, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                             "--outdir", str(tmp_path), str(path)], capture_output=True, text=True, timeout=180)
    pdf = tmp_path / "annual.pdf"
    assert result.returncode == 0, result.stderr
    assert pdf.exists() and pdf.read_bytes()[:5] == b"%PDF-"


def test_learning_results_equal_the_marks_service(app, school, tmp_path):
    from app.services.achievement import metrics
    from tests.factories.achievement import make_assessment

    maths, physics = school.subjects
    q1, q2 = school.terms[0], school.terms[1]
    c7, c8 = school.classes
    make_assessment(school, c7, maths, q1, [5, 4, 4, 3, 2, "н"])
    make_assessment(school, c7, physics, q1, [5, 5, 4, 3, 3, 3])
    make_assessment(school, c8, maths, q2, [2, 3, 4, 5, 5, None])
    make_assessment(school, c8, maths, q1, [1, 1, 2, 3, 4, 5], kind="control")  # not a term mark: not counted
    path = tmp_path / "annual.xlsx"
    assert export(app, path, "--lang", "en").exit_code == 0
    book = openpyxl.load_workbook(path)
    assert {"Results by quarter", "Results by class", "Results by subject", "Class x subject"} <= set(book.sheetnames)

    def table(name):
        ws = book[name]
        header = [c.value for c in ws[7]]
        return [dict(zip(header, row)) for row in ws.iter_rows(min_row=8, values_only=True)]

    scope = Principal.system(school.school.id)
    expected = {(m.class_id, m.subject_id): m.rounded() for m in metrics.term_metrics(scope, q1.id, "class_subject")}
    detail = [r for r in table("Class x subject") if r["Quarter"] == "Quarter 1"]
    assert len(detail) == 2
    for r in detail:
        cls = c7 if r["Class"] == "7-А" else c8
        subject = maths if r["Subject"] == maths.name else physics
        m = expected[(cls.id, subject.id)]
        assert (r["n"], r["n5"], r["absent"], r["pass rate %"], r["quality %"], r["SOU %"], r["mean"]) == (
            m["n"], m["n5"], m["absent"], m["pass_rate"], m["quality"], m["sou"], m["mean"])
    assert detail[0]["Teacher"] == school.user("teacher").full_name
    by_class = {r["Class"]: r for r in table("Results by class")}
    assert by_class["7-А"]["n"] == 11 and by_class["7-А"]["absent"] == 1
    assert by_class["8-Б"]["n"] == 5  # the control work is not a term mark
    quarters = {r["Quarter"]: r for r in table("Results by quarter")}
    school_q1 = metrics.term_metrics(scope, q1.id, "school")[0].rounded()
    assert quarters["2026-2027 Quarter 1"]["quality %"] == school_q1["quality"]
    # Native charts: the distribution of marks per class and quality by subject.
    assert book["Results by class"]._charts and book["Results by subject"]._charts


def test_demo_school_survey_and_observation_sheets_equal_their_services(app, tmp_path):
    """On the demo school: survey indices equal surveys.results (small classes blank) and the
    observation summary equals observations.by_section."""
    from sqlalchemy import select

    from app.models import Campaign
    from app.security import Principal
    from app.services.core.demo import build_demo
    from app.services.observations import aggregates as observations
    from app.services.surveys import results as surveys

    ctx = build_demo(scale="small", seed=11)
    db.session.commit()
    year = ctx.current_year
    path = tmp_path / "annual.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "annual", "--year", year.name, "-o", str(path),
                                                "--lang", "en", "--school", ctx.school.code])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(path)

    def table(name):
        ws = book[name]
        header = [c.value for c in ws[7]]
        return [dict(zip(header, row)) for row in ws.iter_rows(min_row=8, values_only=True)]

    campaigns = db.session.scalars(select(Campaign).where(Campaign.school_id == ctx.school.id,
                                                          Campaign.year_id == year.id,
                                                          Campaign.status != "draft")).all()
    assert campaigns, "the demo has surveys this year"
    by_class = table("Survey by class")
    suppressed_seen = 0
    for campaign in campaigns:
        r = surveys.results(campaign)
        for cls in r.classes:
            for scale in r.spec.scales:
                row = next(x for x in by_class if x["Survey"] == campaign.title and x["Class"] == cls["label"]
                           and x["Scale"] == surveys.label_text(scale.title, "en"))
                assert row["Responses"] == cls["responses"]
                if cls["suppressed"] or r.suppressed:
                    assert row["Index 0-100"] is None
                    suppressed_seen += 1
                else:
                    assert row["Index 0-100"] == pytest.approx(cls["scales"][scale.key])
    assert suppressed_seen, "the demo has classes below the minimum group: they must be blank"
    sections = table("Observations")
    expected = observations.by_section(Principal.system(ctx.school.id), year.id)
    assert [(r["Observations"], r["% of maximum"]) for r in sections] == [(e["count"], e["pct"]) for e in expected]
    assert book["Observations"]._charts and book["Survey indices"]._charts
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"


def _cells(path):
    book = openpyxl.load_workbook(path)
    return {ws.title: [row for row in ws.iter_rows(min_row=7, values_only=True)] for ws in book.worksheets}


def test_late_indicators_fill_their_sheets_in_place(app, school, tmp_path, monkeypatch):
    """When the indicators arrive after the later sheets were written, their sheets (opened in
    their place) end up with exactly what the in-order build writes, sheet order included; a
    direction without active indicators says so."""
    import threading

    from app.models.monitoring.indicators import Indicator
    from app.services.monitoring.annual import ensure_indicators

    ensure_indicators(school.school.id)
    db.session.execute(db.update(Indicator).where(Indicator.school_id == school.school.id,
                                                  Indicator.direction == 4).values(active=False))
    db.session.commit()
    with app.app_context():
        app.config["EXPORT_FETCH_THREADS"] = 0
        annual.build_annual(tmp_path / "in_order.xlsx", school.school.id, school.year, lang="en")

    registers_written = threading.Event()
    sections = {s.key: s for s in annual.sections()}
    fetch, write = sections["directions"].fetch, sections["registers"].write

    def late_fetch(ctx):
        assert registers_written.wait(30)
        return fetch(ctx)

    def signalling_write(book, ctx, data):
        write(book, ctx, data)
        registers_written.set()

    monkeypatch.setattr(sections["directions"], "fetch", late_fetch)
    monkeypatch.setattr(sections["registers"], "write", signalling_write)
    with app.app_context():
        app.config["EXPORT_FETCH_THREADS"] = 2
        annual.build_annual(tmp_path / "late.xlsx", school.school.id, school.year, lang="en")

    in_order, late = _cells(tmp_path / "in_order.xlsx"), _cells(tmp_path / "late.xlsx")
    assert list(late) == list(in_order)
    assert late == in_order
    assert [row[:2] for row in late["D4 Innovation"][1:]] == [(None, "No active indicators in this direction.")]
