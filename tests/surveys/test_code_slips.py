"""Code slips shown again to whoever issued them: each batch's codes come from HMAC(secret key,
nonce), and the session keeps only the newest batches' nonces (app/web/slips.py). Two tabs' batches
both print; a copy of the cookie gives no code; a key change still shows the codes that work."""
import base64
import json
import re
import zlib

from app.models import Response
from app.services.surveys import public as service
from tests.factories.surveys import make_campaign
from tests.surveys.test_surveys_campaigns import count, send


def test_slips_of_batches_issued_in_two_tabs_can_both_be_printed(app, client, school, login):
    """Codes are stored only as hashes. Issuing in a second tab once replaced the first tab's batch
    in the session, so the first tab's 30 codes, counted as issued, could never be printed. Each
    batch now keeps its seed: both pages show their own codes, every one of which opens the survey,
    and the session cookie stays small even with eight batches of 200 codes."""
    campaign = make_campaign(school, mode="codes")
    first_class, second_class = campaign.targets[0], campaign.targets[1]
    login(school.user("admin"))
    first = client.post(f"/surveys/{campaign.id}/codes", data={"target_id": first_class.id, "count": 30})
    second = client.post(f"/surveys/{campaign.id}/codes", data={"target_id": second_class.id, "count": 30})
    assert first.status_code == second.status_code == 303

    def printed_on(location):
        page = client.get(location)
        assert page.status_code == 200
        return re.findall(r"<strong>([A-Z2-9]{4}-[A-Z2-9]{4})</strong>", page.get_data(as_text=True))

    first_codes, second_codes = printed_on(first.headers["Location"]), printed_on(second.headers["Location"])
    assert len(set(first_codes)) == len(set(second_codes)) == 30 and not set(first_codes) & set(second_codes)
    assert printed_on(first.headers["Location"]) == first_codes  # reloaded: the same slips
    assert service.codes_issued(campaign.id) == {first_class.id: (30, 0), second_class.id: (30, 0)}
    parent = app.test_client()
    assert send(parent, first_class.slug, code=first_codes[-1])[1].status_code == 303
    assert send(app.test_client(), second_class.slug, code=second_codes[0])[1].status_code == 303
    assert count(Response) == 2

    for _ in range(8):
        assert client.post(f"/surveys/{campaign.id}/codes",
                           data={"target_id": first_class.id, "count": 200}).status_code == 303
    jar = client.get_cookie("session")
    assert jar is not None and len(jar.value) < 3000, len(jar.value)
    # The oldest batches were let go (eight are kept): their page says so instead of failing.
    gone = client.get(first.headers["Location"], follow_redirects=True)
    assert gone.status_code == 200 and "can no longer be shown" in gone.get_data(as_text=True)


def test_a_batch_s_codes_come_again_only_from_its_seed():
    seed, other = service.new_seed(), service.new_seed()
    codes = service.derived_codes(seed, 200)
    assert len(set(codes)) == 200 and service.derived_codes(seed, 200) == codes
    assert all(len(c) == service.CODE_LENGTH and set(c) <= set(service.CODE_ALPHABET) for c in codes)
    assert not set(codes) & set(service.derived_codes(other, 200))
    assert [service.printed(c) for c in service.derived_codes(seed, 3)] == [f"{c[:4]}-{c[4:]}" for c in codes[:3]]


def _readable(cookie: str) -> dict:
    """A Flask session cookie as anyone holding it reads it: signed, not encrypted."""
    payload = cookie.lstrip(".").split(".")[0]
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return json.loads(zlib.decompress(data) if cookie.startswith(".") else data)


def test_a_copy_of_the_session_cookie_gives_no_code(app, client, school, login):
    """The session cookie is signed, not encrypted: whoever holds a copy reads it, also after the
    hour and after logout has ended the session it belonged to. What it keeps of a batch must not
    give the batch's codes without the server's secret key."""
    campaign = make_campaign(school, mode="codes")
    login(school.user("admin"))
    issued = client.post(f"/surveys/{campaign.id}/codes", data={"target_id": campaign.targets[0].id, "count": 5})
    shown = re.findall(r"<strong>([A-Z2-9]{4}-[A-Z2-9]{4})</strong>", client.get(issued.headers["Location"]).text)
    assert len(shown) == 5
    cookie = client.get_cookie("session").value
    kept = _readable(cookie)["slips"]["survey"]
    assert len(kept) == 1
    texts = [value for fields in kept.values() for value in fields.values() if isinstance(value, str)]
    assert texts and all([service.printed(c) for c in service.derived_codes(text, 5)] != shown for text in texts)
    assert not any(code.replace("-", "") in json.dumps(kept) for code in shown)


def test_slips_issued_before_a_key_change_are_shown_with_the_codes_that_work(app, client, school, login,
                                                                            monkeypatch):
    """A batch's codes come from its session nonce keyed with the secret key. After the key is
    changed (the old one kept in SECRET_KEY_FALLBACKS, so the session goes on), the page shows
    the batch's own codes again, not codes of the new key that the survey would not know."""
    campaign = make_campaign(school, mode="codes")
    target = campaign.targets[0]
    login(school.user("admin"))
    issued = client.post(f"/surveys/{campaign.id}/codes", data={"target_id": target.id, "count": 4})

    def shown():
        page = client.get(issued.headers["Location"])
        assert page.status_code == 200
        return re.findall(r"<strong>([A-Z2-9]{4}-[A-Z2-9]{4})</strong>", page.text)

    before = shown()
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [app.config["SECRET_KEY"]])
    monkeypatch.setitem(app.config, "SECRET_KEY", "a-new-key-for-this-test-" + "k" * 24)
    assert shown() == before and len(before) == 4
    assert send(app.test_client(), target.slug, code=before[0])[1].status_code == 303


def test_a_batch_kept_the_old_way_is_dropped_at_the_next_issue(client, school, login):
    """A session begun before batches had seeds kept its codes themselves (up to 200): with eight
    new batches beside them the cookie could pass the browsers' 4 KB and stop being saved."""
    campaign = make_campaign(school, mode="codes")
    login(school.user("admin"))
    with client.session_transaction() as session:
        session["code_slips"] = {"batch": "old", "campaign": campaign.id, "codes": ["ACDE-FHJK"] * 200}
    assert client.post(f"/surveys/{campaign.id}/codes",
                       data={"target_id": campaign.targets[0].id, "count": 5}).status_code == 303
    with client.session_transaction() as session:
        assert "code_slips" not in session and len(session["slips"]["survey"]) == 1
