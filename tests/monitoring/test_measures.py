"""The register of measures (issue 19 part 1): a measure created from a red indicator shows
on the dashboard, in the справка and, after the next period, beside the re-checked value;
the responsible person sets the status; MO heads see their association's; every change is
audited."""
import re
from datetime import date

import openpyxl
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog
from app.models.monitoring.measures import Measure
from app.services.monitoring import measures
from tests.conftest import csrf_of, do_login
from tests.factories import make_year
from tests.factories.achievement import make_assessment
from tests.factories.monitoring import indicator, make_indicator_value, make_measure


def _red_catering(school):
    """Hot meals coverage of the fixture's year at 50 % (target 100, threshold 80: red)."""
    make_indicator_value(school, "catering_coverage", 50.0)
    school.user("teacher").full_name = "Aibek Teacherov"
    db.session.commit()
    return indicator(school, "catering_coverage")


def _create_measure(client, school, ind, action="Agree a second catering shift", due="2026-10-01"):
    """Create a measure through the prefilled form opened from the red indicator."""
    form = client.get(f"/monitoring/measures/new?year_id={school.year.id}&indicator={ind.id}")
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert re.search(r'name="value_before"[^>]*value="50(\.0)?"', page)  # prefilled from the indicator
    assert f'<option selected value="{ind.id}"' in page or f'value="{ind.id}" selected' in page
    response = client.post(f"/monitoring/measures/new?year_id={school.year.id}", data={
        "csrf_token": csrf_of(page), "source": "indicator", "source_ref": "Hot meals: 50 %",
        "indicator_id": str(ind.id), "term_id": "", "value_before": "50", "action": action,
        "responsible_id": str(school.user("teacher").id), "due_on": due, "status": "planned",
        "evidence_note": "", "evidence_ref": ""})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return db.session.scalar(select(Measure).where(Measure.action == action))


def test_measure_from_a_red_indicator_on_dashboard_note_and_recheck(client, login, school):
    ind = _red_catering(school)
    login(school.user("deputy"))
    dashboard = client.get(f"/monitoring/?year_id={school.year.id}").get_data(as_text=True)
    assert f"indicator={ind.id}" in dashboard and "Create a measure" in dashboard  # the one-click link

    measure = _create_measure(client, school, ind)
    assert measure.year_id == school.year.id and measure.value_before == 50.0
    assert measure.created_by_id == school.user("deputy").id and measure.status == "planned"
    audit = db.session.scalar(select(AuditLog).where(AuditLog.entity == "measure", AuditLog.entity_id == str(measure.id)))
    assert audit.action == "create" and audit.after["action"] == "Agree a second catering shift"

    dashboard = client.get(f"/monitoring/?year_id={school.year.id}").get_data(as_text=True)
    overdue = dashboard[dashboard.index('id="overdue-measures"'):]
    assert "Overdue measures (1)" in dashboard and "Agree a second catering shift" in overdue[:2000]

    note = client.get(f"/monitoring/note?indicator={ind.id}&year_id={school.year.id}").get_data(as_text=True)
    section = note[note.index("Measures taken"):]
    assert "Agree a second catering shift" in section and school.user("teacher").full_name in section
    report = client.get(f"/monitoring/report?year_id={school.year.id}").get_data(as_text=True)
    assert "Agree a second catering shift" in report
    parents = client.get(f"/monitoring/report?year_id={school.year.id}&version=parents").get_data(as_text=True)
    assert "Agree a second catering shift" in parents and school.user("teacher").full_name not in parents

    page = client.get(f"/monitoring/measures/{measure.id}/status").get_data(as_text=True)
    assert "at the next period" in page  # no next year yet
    # The next period: the year 2027-2028, in which coverage reached 95 %.
    nxt = make_year(school, "2027-2028", date(2027, 9, 1), date(2028, 5, 31))
    make_indicator_value(school, "catering_coverage", 95.0, year=nxt)
    db.session.commit()
    page = client.get(f"/monitoring/measures/{measure.id}/status").get_data(as_text=True)
    recheck = page[page.index('class="recheck"'):]
    assert "2027-2028: 95.0 %" in recheck[:300] and "better" in recheck[:300]
    listing = client.get(f"/monitoring/measures/?year_id={school.year.id}").get_data(as_text=True)
    assert "2027-2028: 95.0 % better" in listing and "50.0 %" in listing


def _client(app, user):
    client = app.test_client()
    assert do_login(client, user).status_code == 303
    return client


def test_the_responsible_person_sets_the_status_and_mo_heads_see_their_associations(app, school):
    ind = _red_catering(school)
    measure = _create_measure(_client(app, school.user("deputy")), school, ind, due="2027-03-01")

    client = _client(app, school.user("teacher"))  # the responsible person
    assert client.get(f"/monitoring/measures/new?year_id={school.year.id}").status_code == 403
    assert client.get(f"/monitoring/measures/{measure.id}").status_code == 403  # the edit form: managers only
    mine = client.get("/monitoring/measures/").get_data(as_text=True)
    assert "Agree a second catering shift" in mine
    page = client.get(f"/monitoring/measures/{measure.id}/status").get_data(as_text=True)
    response = client.post(f"/monitoring/measures/{measure.id}/status", data={
        "csrf_token": csrf_of(page), "status": "done", "evidence_note": "Second shift from 1 March",
        "evidence_ref": "order-12.pdf"})
    assert response.status_code == 303
    db.session.expire_all()
    measure = db.session.get(Measure, measure.id)
    assert measure.status == "done" and measure.done_on is not None and measure.evidence_ref == "order-12.pdf"
    update = db.session.scalar(select(AuditLog).where(AuditLog.entity == "measure", AuditLog.action == "update"))
    assert update.before["status"] == "planned" and update.after["status"] == "done"

    client = _client(app, school.user("mo_head"))  # the teacher teaches maths, a subject of the mo_head's association
    assert "Agree a second catering shift" in client.get("/monitoring/measures/").get_data(as_text=True)
    assert client.get(f"/monitoring/measures/{measure.id}/status").status_code == 200
    assert client.post(f"/monitoring/measures/{measure.id}/status", data={"status": "planned"}).status_code in (400, 403)

    client = _client(app, school.user("teacher2"))  # another teacher: not theirs
    assert "Agree a second catering shift" not in client.get("/monitoring/measures/").get_data(as_text=True)
    assert client.get(f"/monitoring/measures/{measure.id}/status").status_code == 404


def test_the_annual_workbook_lists_the_measures_with_the_rechecked_value(app, school, tmp_path):
    school.user("teacher").full_name = "Aibek Teacherov"
    make_measure(school, action="=HYPERLINK(\"http://evil\",\"x\")")  # user text: never a formula (quoted)
    make_measure(school, action="Agree a second catering shift", status="done", done_on=date(2027, 2, 1))
    nxt = make_year(school, "2027-2028", date(2027, 9, 1), date(2028, 5, 31))
    make_indicator_value(school, "catering_coverage", 95.0, year=nxt)
    db.session.commit()
    path = tmp_path / "annual.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "annual", "--year", "2026-2027", "-o", str(path),
                                                "--lang", "en"])
    assert result.exit_code == 0, result.stderr
    sheet = openpyxl.load_workbook(path)["Measures"]
    rows = [r for r in sheet.iter_rows(min_row=8, values_only=True) if r[1]]
    assert rows == [
        ("Hot meals coverage", '\'=HYPERLINK("http://evil","x")', "Aibek Teacherov", "2027-03-01", "planned", 50, 95),
        ("Hot meals coverage", "Agree a second catering shift", "Aibek Teacherov", "2027-03-01", "done", 50, 95),
    ]
    raw = openpyxl.load_workbook(path, data_only=False)["Measures"]
    assert all(c.data_type != "f" for row in raw.iter_rows() for c in row)


def test_a_measure_of_a_quarter_is_rechecked_at_the_next_quarter(school):
    make_assessment(school, marks=[5, 4, 3, 2, 5, 4])  # Q1: 5 of 6 pass
    measure = make_measure(school, "pass_rate", term_id=school.terms[0].id, value_before=83.3)
    db.session.commit()
    assert measures.next_period(measure) == (school.year, school.terms[1])
    assert measures.recheck(measure).value is None  # no marks of Q2 yet
    make_assessment(school, term=school.terms[1], marks=[5, 4, 3, 3, 5, 4])  # Q2: all pass
    found = measures.recheck(measure)
    assert (found.label, found.value, found.status, found.helped) == ("Quarter 2", 100.0, "ok", True)  # named in the page's language
    last = make_measure(school, "pass_rate", term_id=school.terms[3].id, value_before=100.0)
    assert measures.next_period(last) is None  # no quarter after Q4 in the calendar yet


def test_a_measure_opened_from_an_indicator_is_described_in_each_readers_language(client, login, school):
    """The prefilled form stores the indicator and its value, no sentence in its author's
    language: a Russian-reading deputy and a Kyrgyz-reading director read it in their own."""
    ind = _red_catering(school)
    login(school.user("deputy"))
    form = client.get(f"/monitoring/measures/new?year_id={school.year.id}&indicator={ind.id}").get_data(as_text=True)
    assert re.search(r'name="source_ref"[^>]*value="[^"]', form) is None  # nothing typed for the author
    data = dict(re.findall(r'name="(csrf_token|_once)"[^>]*value="([^"]*)"', form))
    response = client.post(f"/monitoring/measures/new?year_id={school.year.id}", data={
        **data, "source": "indicator", "source_ref": "", "indicator_id": str(ind.id), "term_id": "",
        "value_before": "50", "action": "Second shift", "responsible_id": "", "due_on": "2026-10-01",
        "status": "planned", "evidence_note": "", "evidence_ref": ""})
    assert response.status_code == 303
    measure = db.session.scalar(select(Measure).where(Measure.action == "Second shift"))
    assert not measure.source_ref  # nothing in the author's language
    url = f"/monitoring/measures/{measure.id}/status"
    en = client.get(f"{url}?lang=en").get_data(as_text=True)
    ru = client.get(f"{url}?lang=ru").get_data(as_text=True)
    assert f"{ind.name_in('en')}: 50.0 %" in en and "(target" in en
    ky = client.get(f"{url}?lang=ky").get_data(as_text=True)
    assert f"{ind.name_in('ru')}: 50.0 % (цель" in ru and f"{ind.name_in('ky')}: 50.0 % (максат" in ky
