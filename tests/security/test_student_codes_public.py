"""The students' page /d/<slug> under attack. Guessing a personal code: the slip's QR code opens
the page with ?code=, which greets a valid code's owner by name, so a wrong code counts toward
the round's wrong-code limit on GET as on POST (SURVEY_WRONG_CODE_LIMIT); a valid or a spent
code does not. A slug typed from paper keeps whatever query it came with."""
import pytest

from app.extensions import limiter
from tests.diagnostics.test_student_diagnostics import FIRST, _allow, _grade10, _send, _start_and_print


@pytest.fixture
def three_wrong(app):
    before = app.config["SURVEY_WRONG_CODE_LIMIT"]
    app.config["SURVEY_WRONG_CODE_LIMIT"] = "3 per 10 minutes"
    limiter.reset()
    yield
    app.config["SURVEY_WRONG_CODE_LIMIT"] = before
    limiter.reset()


def test_codes_guessed_through_the_address_are_limited(app, client, three_wrong):
    s, cls = _grade10(app)
    _allow(client, s)
    slug, codes = _start_and_print(client, s, cls)
    names = sorted(codes)
    guesser = app.test_client()
    # A valid code (greeted by name) and a spent one cost nothing.
    assert names[0] in guesser.get(f"/d/{slug}?code={codes[names[0]]}").text
    assert _send(guesser, slug, codes[names[1]], FIRST)[1].status_code == 303
    for _ in range(3):
        assert 'id="already-received"' in guesser.get(f"/d/{slug}?code={codes[names[1]]}").text
    # Three wrong codes in the address: the fourth try is refused, and no name is shown.
    for guess in ("AAAA-AAAA", "CCCC-CCCC", "DDDD-DDDD"):
        page = guesser.get(f"/d/{slug}?code={guess}")
        assert page.status_code == 200 and not any(name in page.text for name in names)
    refused = guesser.get(f"/d/{slug}?code={codes[names[2]]}")
    assert refused.status_code == 429 and names[2] not in refused.text


def test_a_slug_typed_with_spaces_or_look_alikes_keeps_any_query(app, client):
    """/d/<slug> typed from paper goes to the round's own address with the query as sent, even
    when the query names the address's own arguments (?slug=, ?_external=: a 500 once)."""
    s, cls = _grade10(app)
    _allow(client, s)
    slug, codes = _start_and_print(client, s, cls)
    code = next(iter(codes.values()))
    public = app.test_client()
    moved = public.get(f"/d/{slug}%20?slug=other&_external=1&_anchor=x&code={code}&lang=ru")
    assert moved.status_code == 308
    assert moved.headers["Location"] == f"/d/{slug}?slug=other&_external=1&_anchor=x&code={code}&lang=ru"
    page = public.get(moved.headers["Location"])
    assert page.status_code == 200 and "НЕ анонимная" in page.text
