"""The public report for parents and the community (issue 19 part 4, frozen as in part 5):
it opens without an account at a stable address, withholds small groups, stays byte for
byte what was published after marks change until it is published again, and a withdrawn
report answers 410 with a translated page."""
import re

from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog
from app.models.monitoring.measures import IssuedDocument, PublicReport
from tests.conftest import csrf_of
from tests.factories.achievement import make_assessment
from tests.factories.monitoring import make_indicator_value, make_measure


def _publish(client, year_id: int, number: str):
    page = client.get(f"/monitoring/public?year_id={year_id}").get_data(as_text=True)
    response = client.post(f"/monitoring/public/publish?year_id={year_id}",
                           data={"csrf_token": csrf_of(page), "number": number, "issued_on": "2027-06-10"})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return db.session.scalar(select(PublicReport))


def _body(html: str) -> str:
    return html[html.index('<div class="issued-body public-report">'):html.index("</main>")]


def _learning(html: str) -> str:
    return html[html.index("Learning results"):html.index("</table>", html.index("Learning results"))]


def test_public_report_opens_without_login_withholds_small_classes_and_stays_frozen(app, client, login, school):
    c7, c8 = school.classes
    # 7-А: six students with term marks 5 4 3 2 5 4; 8-Б: only two students with marks (5, 2).
    make_assessment(school, cls=c7, marks=[5, 4, 3, 2, 5, 4])
    make_assessment(school, cls=c8, marks=[5, 2, None, None, None, None])
    make_indicator_value(school, "catering_coverage", 50.0)
    make_measure(school, action="Second catering shift")
    make_measure(school, action="Talk with the parents of Student 8Б 1", source="student")
    db.session.commit()
    login(school.user("admin"))
    report = _publish(client, school.year.id, "P-1")
    assert (report.status, report.version) == ("published", 1)
    assert re.fullmatch(r"[A-Za-z0-9_-]{16}", report.slug)

    anonymous = app.test_client()
    response = anonymous.get(f"/r/{report.slug}?lang=en")
    assert response.status_code == 200
    # Kept by a phone or a proxy only to be asked again (304 while the version stands).
    assert response.headers["Cache-Control"] == "public, no-cache" and response.headers["ETag"]
    first = _body(response.get_data(as_text=True))
    learning = _learning(first)
    # By hand, the school: 8 marks 5 4 3 2 5 4 5 2: pass rate 6/8 = 75 %, quality 5/8 = 62.5 %,
    # SOU (3·100 + 2·64 + 36 + 2·16) / 8 = 62 %, mean 30/8 = 3.75, over 8 students; every
    # percentage of the page with its one decimal (75.0 % beside 62.5 %, never 75 %).
    assert re.search(r"School</strong></td>\s*<td class=\"num\">8</td><td class=\"num\">75\.0 %</td>"
                     r"<td class=\"num\">62\.5 %</td><td class=\"num\">62\.0 %</td><td class=\"num\">3\.75</td>",
                     learning), learning
    # 8-Б rests on 2 students (< 5): withheld; 7-А too, else school minus 7-А would give 8-Б back.
    assert learning.count("too few to show") == 2
    assert "83.3 %" not in learning  # 7-А's own pass rate (5 of 6)
    assert "Second catering shift" in first and "Student 8Б 1" not in first  # no named measure
    assert "50.0 %" in first and "Hot meals" in first
    assert not re.search(r"(?<![\d.])\d+ %", first), re.findall(r".{40}(?<![\d.])\d+ %", first)  # one rule
    assert "No. P-1 of" in first and "version 1" in first and "Admin" not in first  # no names
    # Russian and Kyrgyz pages were stored too.
    ru = anonymous.get(f"/r/{report.slug}?lang=ru").get_data(as_text=True)
    assert "Результаты обучения" in ru and "Школа alpha" in ru
    ky = anonymous.get(f"/r/{report.slug}?lang=ky").get_data(as_text=True)
    assert "Окуу жыйынтыктары" in ky
    # A browser that has the page asks again with its ETag: 304, nothing sent.
    again = anonymous.get(f"/r/{report.slug}?lang=en", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304

    # Marks change: 8-Б's other four students get marks; the live preview moves, the public page does not.
    make_assessment(school, cls=c8, subject=school.subjects[1], marks=[4, 4, 4, 4, 4, 4])
    preview = client.get(f"/monitoring/public?year_id={school.year.id}").get_data(as_text=True)
    assert _learning(preview).count("too few to show") == 0
    assert _body(anonymous.get(f"/r/{report.slug}?lang=en").get_data(as_text=True)) == first

    # Published again: version 2 at the same address, with today's figures.
    report = _publish(client, school.year.id, "P-2")
    assert report.version == 2
    second = _body(anonymous.get(f"/r/{report.slug}?lang=en").get_data(as_text=True))
    assert second != first and "version 2" in second and "too few to show" not in _learning(second)
    docs = db.session.scalars(select(IssuedDocument).where(IssuedDocument.kind == "report")).all()
    assert sorted((d.subject, d.version) for d in docs) == sorted(
        (f"public:{lang}", v) for lang in ("ky", "ru", "en") for v in (1, 2))
    archive = client.get("/monitoring/issued/").get_data(as_text=True)
    assert "P-1" in archive and "P-2" in archive


def test_a_withdrawn_report_is_gone_and_an_unknown_address_is_not_found(app, client, login, school):
    login(school.user("deputy"))
    report = _publish(client, school.year.id, "P-1")
    anonymous = app.test_client()
    seen = anonymous.get(f"/r/{report.slug}?lang=en")  # a parent's phone keeps the page and its ETag
    assert seen.status_code == 200 and "no-cache" in seen.headers["Cache-Control"]
    page = client.get("/monitoring/public").get_data(as_text=True)
    assert f"/r/{report.slug}" in page and "<svg" in page  # the address and its QR code
    response = client.post("/monitoring/public/withdraw", data={"csrf_token": csrf_of(page.split(
        'action="/monitoring/public/withdraw')[1])})
    assert response.status_code == 303
    db.session.refresh(report)
    assert report.status == "withdrawn"
    for lang, words in (("en", "The school has withdrawn its public report"),
                        ("ru", "Школа отозвала свой публичный отчёт"),
                        ("ky", "Мектеп ачык отчетун кайтарып алды")):
        gone = anonymous.get(f"/r/{report.slug}?lang={lang}")
        assert gone.status_code == 410 and words in gone.get_data(as_text=True)
        assert gone.headers["Cache-Control"] == "no-store"  # no cache may keep the withdrawal either
    # The phone asks again with the ETag of the withdrawn version: the page is gone, not "not modified".
    again = anonymous.get(f"/r/{report.slug}?lang=en", headers={"If-None-Match": seen.headers["ETag"]})
    assert again.status_code == 410 and "withdrawn its public report" in again.get_data(as_text=True)
    assert anonymous.get("/r/no-such-report-x").status_code == 404
    actions = [a.action for a in db.session.scalars(select(AuditLog).where(AuditLog.entity == "public_report")
                                                    .order_by(AuditLog.id))]
    assert actions == ["publish", "withdraw"]
    # Published again: the same address shows the new version.
    report = _publish(client, school.year.id, "P-2")
    fresh = anonymous.get(f"/r/{report.slug}?lang=en", headers={"If-None-Match": seen.headers["ETag"]})
    assert fresh.status_code == 200 and "No. P-2 of" in fresh.get_data(as_text=True)
    assert fresh.headers["ETag"] != seen.headers["ETag"]


def test_the_public_page_is_rate_limited_per_address(app, school, login, client):
    login(school.user("admin"))
    report = _publish(client, school.year.id, "P-1")
    app.config["PUBLIC_REPORT_RATE_LIMIT"] = "3 per minute"
    try:
        anonymous = app.test_client()
        codes = [anonymous.get(f"/r/{report.slug}").status_code for _ in range(4)]
    finally:
        app.config.pop("PUBLIC_REPORT_RATE_LIMIT")
    assert codes == [200, 200, 200, 429]


def test_last_years_value_resting_on_a_small_group_is_withheld_too(app, client, login, school):
    """This year's pass rate rests on 6 students (7-А: 5 4 3 2 5 4, 83.3 %), last year's on 3
    (6-А of 2025-2026: 5 2 2, 33.3 %): the public report shows this year's value and withholds
    last year's (a dash), as it would withhold it in last year's own report."""
    from datetime import date

    from app.models import ClassGroup, Enrollment, Term
    from tests.factories import make_year

    prev = make_year(school)
    term = Term(school_id=school.school.id, year_id=prev.id, kind="quarter", number=4, name="Q4",
                starts_on=date(2026, 4, 1), ends_on=date(2026, 5, 25))
    c6 = ClassGroup(school_id=school.school.id, year_id=prev.id, grade=6, letter="А")
    db.session.add_all([term, c6])
    db.session.flush()
    three = school.students[school.classes[0].id][:3]
    db.session.add_all(Enrollment(school_id=school.school.id, student_id=s.id, class_id=c6.id, year_id=prev.id)
                       for s in three)
    school.students[c6.id] = three
    db.session.commit()
    make_assessment(school, c6, school.subjects[0], term, [5, 2, 2])
    make_assessment(school, marks=[5, 4, 3, 2, 5, 4])
    login(school.user("admin"))
    page = client.get(f"/monitoring/public?year_id={school.year.id}").get_data(as_text=True)
    row = re.search(r"<tr>\s*<td>Pass rate.*?</tr>", page, re.S)
    assert row, page[:3000]
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)]
    assert cells[1] == "83.3 %" and cells[3] == "—", cells
    assert "33.3" not in page
