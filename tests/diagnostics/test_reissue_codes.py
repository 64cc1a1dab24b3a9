"""Printing a student round's slips twice does not void the first slips unless meant.

The case: a deputy opens the class sheet in two tabs (or a stale page, or sends twice) and
clicks "print slips" in both. Printing used to replace every unspent code, so the second click
voided the slips just printed for the first batch, silently. Now the form carries the number of
the batch its page saw (diagnostic_round.codes_version): a POST from a page rendered before codes
were issued meanwhile answers 409 with a translated message and changes nothing; new slips that
void unused printed ones are printed only from the current page with the box ticked, and are
audited; a student new in the class gets a slip without voiding anyone's."""
import html
import re

import pytest
from sqlalchemy import func, select, text

from app.extensions import db
from app.models import AuditLog, Diagnostic, DiagnosticCode, Enrollment, Student
from tests.conftest import do_login
from tests.diagnostics.test_student_diagnostics import FIRST, SECOND, _allow, _grade10, _send
from tests.form_pages import form_by_id
from tests.page_text import visible_texts
from tests.races import another_request_first

SHEET = "/diagnostics/class/{}?instrument=adaptation_grade10"
CHANGED = {
    "en": "Slips were printed for this class meanwhile",
    "ru": "Пока эта страница была открыта, для класса уже напечатали листочки",
    "ky": "Бул бет ачык турганда класс үчүн баракчалар басылып чыккан",
}


def _started(app, client):
    """A grade-10 class of 3 with an open round, its class teacher signed in (English pages)."""
    s, cls = _grade10(app)
    _allow(client, s)
    do_login(client, s.user("class_teacher"))
    sheet = client.get(SHEET.format(cls.id)).text
    url, form = form_by_id(sheet, "start-round")
    assert client.post(url, data=form).status_code == 303
    return s, cls


def _slips(client, response) -> dict:
    assert response.status_code == 303, response.text[:2000]
    page = client.get(response.headers["Location"]).text
    return dict(re.findall(r'<strong class="slip-name">([^<]+)</strong>.*?<strong>([A-Z0-9-]+)</strong>', page, re.S))


def _slug(cls_id: int) -> str:
    from app.models import DiagnosticRound
    return db.session.scalar(select(DiagnosticRound.slug).where(DiagnosticRound.class_id == cls_id))


def _codes() -> tuple[int, int]:
    """(codes kept, of them unused)."""
    kept = db.session.scalar(select(func.count(DiagnosticCode.id)))
    return kept, db.session.scalar(select(func.count(DiagnosticCode.id)).where(DiagnosticCode.used.is_(False)))


def _text(response) -> str:
    return html.unescape(" ".join(visible_texts(response.get_data(as_text=True))))


def test_the_second_tab_does_not_void_the_slips_of_the_first(app, client):
    s, cls = _started(app, client)
    students = s.students[cls.id]
    # Two tabs of the class sheet and a colleague's page (the deputy), opened before any slip
    # was printed.
    first_tab = client.get(SHEET.format(cls.id)).text
    second_tab = client.get(SHEET.format(cls.id)).text
    deputy = app.test_client()
    do_login(deputy, s.user("deputy"))
    deputy_page = deputy.get(SHEET.format(cls.id)).text
    url, first_form = form_by_id(first_tab, "issue-codes")
    first = _slips(client, client.post(url, data=first_form))
    assert set(first) == {st.full_name for st in students}

    # The second tab's click: 409, a message that says what happened, nothing voided.
    url, second_form = form_by_id(second_tab, "issue-codes")
    refused = client.post(url, data=second_form)
    assert refused.status_code == 409
    text = _text(refused)
    assert CHANGED["en"] in text and "the printed codes still work" in text
    assert _codes() == (3, 3)
    # The page shown again is the current one: it offers new slips only as a ticked choice.
    assert 'id="reissue-codes"' in refused.text and 'id="issue-codes"' not in refused.text
    assert "3 printed codes have not been used yet" in text

    # The first batch's codes still work: a student sends with one.
    public = app.test_client()
    _page, sent = _send(public, _slug(cls.id), first[students[0].full_name], FIRST)
    assert sent.status_code == 303
    assert db.session.scalar(select(func.count(Diagnostic.id))) == 1

    # The colleague's page is stale as well.
    url, form = form_by_id(deputy_page, "issue-codes")
    assert deputy.post(url, data=form).status_code == 409
    assert _codes() == (3, 2)
    logged = list(db.session.scalars(select(AuditLog.after).where(AuditLog.action == "issue_codes")))
    assert len(logged) == 1 and (logged[0]["codes"], logged[0]["voided"]) == (3, 0)


def test_new_slips_are_printed_deliberately_and_void_the_unused_ones(app, client):
    s, cls = _started(app, client)
    students = s.students[cls.id]
    url, form = form_by_id(client.get(SHEET.format(cls.id)).text, "issue-codes")
    first = _slips(client, client.post(url, data=form))
    public = app.test_client()
    assert _send(public, _slug(cls.id), first[students[0].full_name], FIRST)[1].status_code == 303

    current = client.get(SHEET.format(cls.id)).text
    url, reissue = form_by_id(current, "reissue-codes")
    assert "confirm" not in reissue  # the box is not ticked on the page
    # Without the box ticked: refused, with the reason, and the printed codes still work.
    unticked = client.post(url, data=reissue)
    assert unticked.status_code == 400 and "Tick the box to print new slips" in _text(unticked)
    assert _codes() == (3, 2)
    # Ticked on the current page: new slips for the two who have not answered. The same choice
    # ticked on a page opened at the same time (another tab) is then stale: 409.
    tab, other_tab = client.get(SHEET.format(cls.id)).text, client.get(SHEET.format(cls.id)).text
    url, meant = form_by_id(tab, "reissue-codes")
    second = _slips(client, client.post(url, data=meant | {"confirm": "y"}))
    assert set(second) == {students[1].full_name, students[2].full_name}  # the one who answered keeps out
    url, late = form_by_id(other_tab, "reissue-codes")
    assert client.post(url, data=late | {"confirm": "y"}).status_code == 409
    assert _codes() == (3, 2)

    # The deliberate reissue voided the first batch's unused codes: the old slip is refused,
    # the new one works.
    _page, old = _send(public, _slug(cls.id), first[students[1].full_name], SECOND)
    assert old.status_code == 400
    assert _send(public, _slug(cls.id), second[students[1].full_name], SECOND)[1].status_code == 303
    logged = sorted((row["codes"], row["voided"]) for row in db.session.scalars(
        select(AuditLog.after).where(AuditLog.action == "issue_codes")))
    assert logged == [(2, 2), (3, 0)]


def test_a_student_new_in_the_class_gets_a_slip_without_voiding_others(app, client):
    s, cls = _started(app, client)
    url, form = form_by_id(client.get(SHEET.format(cls.id)).text, "issue-codes")
    first = _slips(client, client.post(url, data=form))
    newcomer = Student(school=s.school, code="ten-new", full_name="Student New", gender="f")
    db.session.add(newcomer)
    db.session.flush()
    db.session.add(Enrollment(school=s.school, student_id=newcomer.id, class_id=cls.id, year_id=s.year.id))
    db.session.commit()

    sheet = client.get(SHEET.format(cls.id)).text
    assert "Print a slip for the 1 student without a code" in _text(client.get(SHEET.format(cls.id)))
    url, form = form_by_id(sheet, "issue-codes")
    assert _slips(client, client.post(url, data=form)).keys() == {"Student New"}
    assert _codes() == (4, 4)
    public = app.test_client()
    some = next(iter(first.values()))
    assert _send(public, _slug(cls.id), some, FIRST)[1].status_code == 303


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_the_stale_page_is_told_in_the_page_language(app, client, lang):
    s, cls = _started(app, client)
    client.post("/language", data={"lang": lang, "next": "/"})
    first_tab, second_tab = client.get(SHEET.format(cls.id)).text, client.get(SHEET.format(cls.id)).text
    url, form = form_by_id(first_tab, "issue-codes")
    assert client.post(url, data=form).status_code == 303
    refused = client.post(url, data=form_by_id(second_tab, "issue-codes")[1])
    assert refused.status_code == 409 and CHANGED[lang] in _text(refused)
    assert CHANGED["en"] not in refused.text
    assert _codes() == (3, 3)


def test_two_pages_of_the_same_moment_issue_once(app, client):
    """Both pages pass the check of the version they saw; another request's batch commits between
    this request's check and its update: the conditional UPDATE finds the version moved, so this
    one answers 409 and issues nothing (the database decides, not the check)."""
    s, cls = _started(app, client)
    url, form = form_by_id(client.get(SHEET.format(cls.id)).text, "issue-codes")

    def other_batch(other):
        other.execute(text("UPDATE diagnostic_round SET codes_version = codes_version + 1"))

    with another_request_first(r"\s*UPDATE diagnostic_round SET codes_version", other_batch) as fired:
        answer = client.post(url, data=form)
    assert fired and answer.status_code == 409 and CHANGED["en"] in _text(answer)
    assert _codes() == (0, 0)


def test_each_batch_of_slips_shows_again_and_never_a_voided_code(app, client):
    """Two batches (the class, then a newcomer): the first batch's page shows its three slips again,
    as before the second batch (the session once kept only the latest batch). After new slips void
    the unused codes, the old page shows none of them: the one student who answered has spent theirs,
    the others' were voided, and the page says the slips can no longer be shown."""
    s, cls = _started(app, client)
    students = s.students[cls.id]
    url, form = form_by_id(client.get(SHEET.format(cls.id)).text, "issue-codes")
    first = client.post(url, data=form)
    first_slips = _slips(client, first)
    newcomer = Student(school=s.school, code="ten-new", full_name="Student New", gender="f")
    db.session.add(newcomer)
    db.session.flush()
    db.session.add(Enrollment(school=s.school, student_id=newcomer.id, class_id=cls.id, year_id=s.year.id))
    db.session.commit()
    url, form = form_by_id(client.get(SHEET.format(cls.id)).text, "issue-codes")
    assert _slips(client, client.post(url, data=form)).keys() == {"Student New"}

    again = client.get(first.headers["Location"])
    assert again.status_code == 200
    assert dict(re.findall(r'<strong class="slip-name">([^<]+)</strong>.*?<strong>([A-Z0-9-]+)</strong>',
                           again.text, re.S)) == first_slips

    # New slips for everyone who has not answered void the unused codes: the first page no longer
    # shows them.
    public = app.test_client()
    assert _send(public, _slug(cls.id), first_slips[students[0].full_name], FIRST)[1].status_code == 303
    url, reissue = form_by_id(client.get(SHEET.format(cls.id)).text, "reissue-codes")
    assert client.post(url, data=reissue | {"confirm": "y"}).status_code == 303
    stale = client.get(first.headers["Location"])
    assert stale.status_code in (302, 303)
    assert "can no longer be shown" in _text(client.get(stale.headers["Location"]))


def test_the_slips_page_leaves_out_a_student_who_has_left_the_class(app, client):
    """A student moved to another class (a roster import) keeps their unused code of the round, but
    the form refuses it (the code is of a student not in the class). The batch's page shown again
    leaves their slip out instead of printing a code that no longer opens the form."""
    s, cls = _started(app, client)
    students = s.students[cls.id]
    url, form = form_by_id(client.get(SHEET.format(cls.id)).text, "issue-codes")
    first = client.post(url, data=form)
    printed = _slips(client, first)
    moved = students[1]
    enrollment = db.session.scalar(select(Enrollment).where(Enrollment.student_id == moved.id))
    enrollment.class_id = s.classes[1].id
    db.session.commit()

    public = app.test_client()
    assert _send(public, _slug(cls.id), printed[moved.full_name], SECOND)[1].status_code == 400
    again = client.get(first.headers["Location"])
    assert again.status_code == 200
    shown = dict(re.findall(r'<strong class="slip-name">([^<]+)</strong>.*?<strong>([A-Z0-9-]+)</strong>',
                            again.text, re.S))
    assert shown == {st.full_name: printed[st.full_name] for st in students if st is not moved}


def test_slips_printed_before_a_key_change_are_shown_again(app, client, monkeypatch):
    """The batch's codes come from its session nonce keyed with the secret key: after a key change
    (the old key kept in SECRET_KEY_FALLBACKS) the page shows the same slips, whose codes work."""
    s, cls = _started(app, client)
    url, form = form_by_id(client.get(SHEET.format(cls.id)).text, "issue-codes")
    first = client.post(url, data=form)
    printed = _slips(client, first)
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [app.config["SECRET_KEY"]])
    monkeypatch.setitem(app.config, "SECRET_KEY", "a-new-key-for-this-test-" + "k" * 24)
    again = client.get(first.headers["Location"])
    assert again.status_code == 200
    assert dict(re.findall(r'<strong class="slip-name">([^<]+)</strong>.*?<strong>([A-Z0-9-]+)</strong>',
                           again.text, re.S)) == printed and len(printed) == 3
    assert _send(app.test_client(), _slug(cls.id), next(iter(printed.values())), FIRST)[1].status_code == 303
