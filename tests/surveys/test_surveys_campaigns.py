"""Campaigns for staff, and answering on the public page: one page, signed UUID, idempotent
submit, single-use codes, closed campaigns, anonymity, page weight, Kyrgyz and Russian."""
import gzip
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import AccessCode, Answer, AuditLog, Campaign, Response
from app.services.core import clock
from app.services.surveys import public as service
from tests.factories.surveys import answer, make_campaign, small_instrument


def count(model, **where):
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.scalar(query)


FIELDS = re.compile(r'name="client_uuid" value="([0-9a-f-]+)"><input type="hidden" name="signature" value="([0-9a-f]+)"')
ANSWERS = {"a": "4", "b": "2", "kids": "yes", "howmany": "2", "note": "Жакшы мектеп"}


def signed_uuid(client, slug) -> dict:
    """The UUID and its signature from a freshly loaded survey page."""
    uuid, signature = FIELDS.search(client.get(f"/s/{slug}").get_data(as_text=True)).groups()
    return {"client_uuid": uuid, "signature": signature}


def send(client, slug, answers=None, **extra):
    """Load the page and send it: (the signed UUID fields, the response)."""
    fields = signed_uuid(client, slug)
    return fields, client.post(f"/s/{slug}", data={**fields, **(ANSWERS if answers is None else answers), **extra})


def test_deputy_creates_a_campaign_for_two_classes_and_it_is_audited(client, school, login):
    instrument = small_instrument()
    db.session.commit()
    login(school.user("deputy"))
    page = client.get("/surveys/new")
    assert page.status_code == 200 and "Small survey" in page.get_data(as_text=True)
    response = client.post("/surveys/new", data={
        "instrument_id": instrument.id, "title": "Autumn", "audience": "parents", "whole_school": "no",
        "classes": [c.id for c in school.classes], "access_mode": "link", "min_group_size": 5})
    assert response.status_code == 303
    campaign = db.session.scalar(select(Campaign))
    assert campaign.status == "draft" and [t.label for t in campaign.targets] == ["7-А", "8-Б"]
    assert [t.expected for t in campaign.targets] == [6, 6]
    assert count(AuditLog, entity="campaign", action="create") == 1
    client.post(f"/surveys/{campaign.id}/status", data={"status": "open"})
    assert db.session.get(Campaign, campaign.id).status == "open"
    assert count(AuditLog, entity="campaign", action="status") == 1
    detail = client.get(f"/surveys/{campaign.id}").get_data(as_text=True)
    assert f"/s/{campaign.targets[0].slug}" in detail
    notice = client.get(f"/surveys/{campaign.id}/notice/{campaign.targets[0].id}")
    text = notice.get_data(as_text=True)
    assert notice.status_code == 200 and "<svg" in text and "Урматтуу ата-энелер" in text and "Уважаемые родители" in text


def test_campaign_form_refuses_no_classes_and_bad_dates(client, school, login):
    instrument = small_instrument()
    db.session.commit()
    login(school.user("psychologist"))
    response = client.post("/surveys/new", data={
        "instrument_id": instrument.id, "title": "X", "audience": "parents", "whole_school": "no",
        "access_mode": "link", "min_group_size": 5, "opens_on": "2026-10-10", "closes_on": "2026-10-01"})
    assert response.status_code == 200 and count(Campaign) == 0


def test_roles_and_other_schools(client, school, other_school, login):
    campaign = make_campaign(school)
    login(school.user("teacher"))
    assert client.get("/surveys/").status_code == 403
    assert client.get("/surveys/new").status_code == 403
    client.post("/logout")
    login(other_school.user("admin"))
    assert client.get(f"/surveys/{campaign.id}").status_code == 404
    assert client.get(f"/surveys/{campaign.id}/results").status_code == 404
    assert client.get(f"/surveys/{campaign.id}/export").status_code == 404
    assert client.post(f"/surveys/{campaign.id}/status", data={"status": "closed"}).status_code == 404


def test_a_parent_answers_in_kyrgyz_on_one_page_and_a_repeated_submit_stores_nothing(app, client, school):
    campaign = make_campaign(school)
    slug = campaign.targets[0].slug
    client.set_cookie("lang", "ky")
    page = client.get(f"/s/{slug}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'lang="ky"' in text and "Кичине сурамжылоо" in text
    # Both sections are on the one page, each with its place in the questionnaire.
    assert "Мектеп жагабы?" in text and "Экинчи бет" in text and "Жоопторду жөнөтүү" in text
    assert text.count('<section class="part"') == 2
    assert "Set-Cookie" not in page.headers  # no session: nothing is stored about the visitor
    # Required items and a bad number give messages in Kyrgyz; nothing is stored.
    fields = signed_uuid(client, slug)
    bad = client.post(f"/s/{slug}", data={**fields, "a": "4", "kids": "yes", "howmany": "99"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Бул суроого жооп бериңиз." in text
    assert re.search(r'value="4"[^>]*checked|checked[^>]*value="4"', text)  # the answers come back
    assert fields["client_uuid"] in text and count(Response) == 0 and count(Answer) == 0
    ok = client.post(f"/s/{slug}", data={**fields, **ANSWERS})
    assert ok.status_code == 303 and ok.headers["Location"].endswith(f"/s/{slug}/done")
    response = db.session.scalar(select(Response))
    assert response.status == "complete" and response.language == "ky" and count(Answer) == 5
    # The same page sent again (a network retry, or from another device): thank-you, nothing new.
    repeat = app.test_client().post(f"/s/{slug}", data={**fields, **ANSWERS, "note": "changed"})
    assert repeat.status_code == 303 and repeat.headers["Location"].endswith(f"/s/{slug}/done")
    assert count(Response) == 1 and count(Answer) == 5
    assert db.session.scalar(select(Answer.text).where(Answer.item_key == "note")) == "Жакшы мектеп"
    thanks = client.get(f"/s/{slug}/done").get_data(as_text=True)
    assert "Рахмат" in thanks and "data-draft-sent" in thanks


def test_a_submit_needs_a_uuid_signed_for_its_link(app, client, school):
    """The page's own token: a made-up UUID, a UUID of another link or no signature is refused
    with 400, nothing is stored, and the page comes back with a fresh signed UUID and the answers."""
    campaign = make_campaign(school, classes=school.classes[:2])
    slug, other_slug = campaign.targets[0].slug, campaign.targets[1].slug
    fields = signed_uuid(client, slug)
    other = signed_uuid(client, other_slug)
    for data in ({"client_uuid": service.new_client_uuid(), "signature": fields["signature"]},
                 {"client_uuid": fields["client_uuid"]}, other, {}):
        refused = client.post(f"/s/{slug}", data={**data, **ANSWERS})
        text = refused.get_data(as_text=True)
        assert refused.status_code == 400 and "flash-error" in text
        assert FIELDS.search(text) and "Жакшы мектеп" in text
    assert count(Response) == 0 and count(Answer) == 0
    fresh = dict(zip(("client_uuid", "signature"), FIELDS.search(text).groups()))
    assert client.post(f"/s/{slug}", data={**fresh, **ANSWERS}).status_code == 303 and count(Response) == 1


def test_duplicate_uuid_is_decided_by_the_unique_constraint(school):
    campaign = make_campaign(school)
    link = service.public_link(campaign.targets[0].slug)
    spec = service.link_spec(link)
    uuid = service.new_client_uuid()
    assert service.submit_response(link, spec, uuid, {"a": "5", "b": "1", "kids": "no"}, clock.today())
    db.session.commit()
    assert not service.submit_response(link, spec, uuid, {"a": "1", "b": "5", "kids": "no"}, clock.today())
    db.session.commit()
    assert count(Response) == 1 and db.session.scalar(select(Answer.value).where(Answer.item_key == "a")) == 5
    with pytest.raises(IntegrityError):
        db.session.add(Response(campaign_id=campaign.id, target_id=link.target_id, client_uuid=uuid,
                                status="complete", started_on=clock.today()))
        db.session.flush()
    db.session.rollback()


def test_a_retried_send_with_a_code_stores_one_response_and_spends_one_code(app, school):
    """On a slow connection the send can reach the server while its answer is lost; the phone
    sends the same page again (same UUID). That is the thank-you page, not "code used"."""
    campaign = make_campaign(school, mode="codes")
    target = campaign.targets[0]
    code = service.issue_codes(campaign, target, 1)[0]
    db.session.commit()
    slug = target.slug
    fields, first = send(app.test_client(), slug, code=code)
    assert first.status_code == 303 and count(Response) == 1 and count(AccessCode, used=True) == 1
    retry = app.test_client().post(f"/s/{slug}", data={**fields, **ANSWERS, "code": code})
    assert retry.status_code == 303 and retry.headers["Location"].endswith(f"/s/{slug}/done")
    assert count(Response) == 1 and count(Answer) == 5
    # The same code on another page load (another UUID) is refused, and nothing is stored.
    _fields, refused = send(app.test_client(), slug, code=code)
    assert refused.status_code == 400 and count(Response) == 1 and count(Answer) == 5


def test_a_refused_code_stores_nothing_and_keeps_the_code_unspent(app, school):
    campaign = make_campaign(school, mode="codes", classes=school.classes[:2])
    first, second = campaign.targets[0], campaign.targets[1]
    code = service.issue_codes(campaign, second, 1)[0]
    db.session.commit()
    _fields, wrong_class = send(app.test_client(), first.slug, code=code)
    assert wrong_class.status_code == 400 and count(Response) == 0 and count(AccessCode, used=True) == 0
    _fields, ok = send(app.test_client(), second.slug, code=code)
    assert ok.status_code == 303 and count(Response) == 1


def test_show_if_hides_the_number_when_the_answer_is_no(client, school):
    campaign = make_campaign(school)
    slug = campaign.targets[0].slug
    _fields, ok = send(client, slug, {**ANSWERS, "kids": "no", "howmany": "99"})
    assert ok.status_code == 303
    assert count(Answer, item_key="howmany") == 0 and count(Answer) == 4


def test_a_conditional_section_is_skipped_and_its_answers_dropped(client, school):
    from app.services.core import instruments

    campaign = make_campaign(school)
    campaign.instrument_id = instruments.ensure_published("parent_satisfaction").id
    db.session.commit()
    spec = db.session.get(Campaign, campaign.id).instrument.spec
    section = next(s for s in spec.sections if s.show_if is not None)
    condition = section.show_if if not isinstance(section.show_if, list) else section.show_if[0]
    slug = campaign.targets[0].slug
    text = client.get(f"/s/{slug}").get_data(as_text=True)
    assert f'id="part-{section.key}" data-show-if=' in text
    # Answer every required item, say "no" to the condition, and answer the hidden section too.
    data = {}
    for item in spec.items():
        if getattr(item, "options", None):
            data[item.key.replace(".", "__")] = item.options[0].key
        for key in item.answer_keys():
            if item.type in ("likert", "matrix"):
                data[key.replace(".", "__")] = "3"
            elif item.type == "yes_no":
                data[key] = "yes"
    data[condition.item] = "no" if str(condition.equals).lower() in ("yes", "true") else "yes"
    _fields, ok = send(client, slug, data)
    assert ok.status_code == 303, re.findall(r'class="error">([^<]+)', ok.get_data(as_text=True))
    hidden_keys = [k for item in section.items for k in item.answer_keys()]
    assert count(Response) == 1 and count(Answer) > 0
    assert db.session.scalar(select(func.count()).select_from(Answer).where(Answer.item_key.in_(hidden_keys))) == 0


def test_closed_campaign_refuses_answers(client, school):
    campaign = make_campaign(school)
    slug = campaign.targets[0].slug
    fields = signed_uuid(client, slug)
    campaign = db.session.get(Campaign, campaign.id)
    campaign.status = "closed"
    db.session.commit()
    response = client.post(f"/s/{slug}", data={**fields, **ANSWERS})
    assert response.status_code == 403 and count(Answer) == 0 and count(Response) == 0
    assert client.get(f"/s/{slug}").status_code == 403
    draft = make_campaign(school, status="draft", title="Draft")
    assert client.get(f"/s/{draft.targets[0].slug}").status_code == 403
    late = make_campaign(school, title="Late")
    late.closes_on = clock.today() - timedelta(days=1)
    db.session.commit()
    assert client.get(f"/s/{late.targets[0].slug}").status_code == 403


def test_single_use_codes(app, client, school, login):
    campaign = make_campaign(school, mode="codes")
    target = campaign.targets[0]
    login(school.user("admin"))
    sheet = client.post(f"/surveys/{campaign.id}/codes", data={"target_id": target.id, "count": 3},
                        follow_redirects=True)
    codes = re.findall(r"<strong>([A-Z2-9]{4}-[A-Z2-9]{4})</strong>", sheet.get_data(as_text=True))
    assert len(codes) == 3
    stored = list(db.session.scalars(select(AccessCode.code_hash)))
    assert len(stored) == 3 and not any(c.replace("-", "") in h for c in codes for h in stored)
    parent = app.test_client()
    parent.set_cookie("lang", "ru")
    _fields, missing = send(parent, target.slug)
    assert missing.status_code == 400 and "Введите код доступа" in missing.get_data(as_text=True)
    assert count(Response) == 0
    _fields, response = send(parent, target.slug, code=codes[0].lower())
    assert response.status_code == 303
    assert count(AccessCode, used=True) == 1
    second = app.test_client()
    second.set_cookie("lang", "ru")
    _fields, reuse = send(second, target.slug, code=codes[0])
    assert reuse.status_code == 400 and "уже использован" in reuse.get_data(as_text=True)
    _fields, wrong = send(second, target.slug, code="AAAA-AAAA")
    assert wrong.status_code == 400 and count(Response) == 1
    # Nothing links a code to a response: no column for it.
    assert not {"code", "code_hash", "access_code_id", "ip", "user_agent", "remote_addr"} & \
        {c.key for c in inspect(Response).mapper.column_attrs}
    assert {c.key for c in inspect(AccessCode).mapper.column_attrs} == {"id", "campaign_id", "target_id",
                                                                        "code_hash", "used"}


def test_response_stores_only_the_day(school):
    campaign = make_campaign(school)
    response = answer(campaign, campaign.targets[0], {"a": "5", "b": "1", "kids": "no"})
    row = db.session.get(Response, response.id)
    assert row.submitted_on == clock.today() and not hasattr(row.submitted_on, "hour")


@pytest.mark.parametrize("key", [None, "parent_satisfaction", "psychological_climate"])
def test_survey_page_weight_is_at_most_30_kb(client, school, key):
    """The whole questionnaire with its CSS and script, as a phone downloads it."""
    from app.services.core import instruments

    campaign = make_campaign(school)
    if key:
        campaign.instrument_id = instruments.ensure_published(key).id
        db.session.commit()
    slug = campaign.targets[0].slug
    headers = {"Accept-Encoding": "gzip"}
    page = client.get(f"/s/{slug}", headers=headers)
    html = page.get_data()
    text = gzip.decompress(html).decode() if page.headers.get("Content-Encoding") == "gzip" else html.decode()
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', text)
    sizes = [len(html)] + [len(client.get(a, headers=headers).get_data()) for a in assets]
    paths = [a.split("?")[0] for a in assets]  # versioned URLs: /static/css/sapat.css?v=<hash>
    assert any(p.endswith(".css") for p in paths) and any(p.endswith("surveys.js") for p in paths)
    assert sum(sizes) <= 30 * 1024, (sizes, assets)


def test_russian_rendering(client, school):
    campaign = make_campaign(school)
    slug = campaign.targets[0].slug
    client.set_cookie("lang", "ru")
    page = client.get(f"/s/{slug}").get_data(as_text=True)
    assert 'lang="ru"' in page and "Малая анкета" in page and "Отправить ответы" in page
    assert "Нравится ли школа?" in page and "Далее" in page and "Страница 2 из 2" in page
    bad = client.post(f"/s/{slug}", data=signed_uuid(client, slug)).get_data(as_text=True)
    assert "Пожалуйста, ответьте на этот вопрос." in bad


def test_public_submit_is_rate_limited(client, school):
    """Sends of one response UUID are limited (SURVEY_UUID_LIMIT, 10 a minute); the other
    limits are in tests/security/test_proxy_and_host.py."""
    campaign = make_campaign(school)
    slug = campaign.targets[0].slug
    codes = [client.post(f"/s/{slug}", data={"client_uuid": "x"}).status_code for _ in range(11)]
    assert codes[-2] != 429 and codes[-1] == 429


@pytest.mark.parametrize("key", ["parent_satisfaction", "student_lessons", "psychological_climate",
                                 "teacher_survey"])
def test_every_question_of_the_shipped_questionnaires_renders_in_kyrgyz_and_russian(client, school, key):
    from app.services.core import instruments

    campaign = make_campaign(school)
    campaign.instrument_id = instruments.ensure_published(key).id
    db.session.commit()
    spec = db.session.get(Campaign, campaign.id).instrument.spec
    slug = campaign.targets[0].slug
    for lang in ("ky", "ru"):
        client.set_cookie("lang", lang)
        page = client.get(f"/s/{slug}")
        text = page.get_data(as_text=True)
        assert page.status_code == 200
        for section in spec.sections:
            assert section.title.pick(lang) in text
            for item in section.items:
                if item.text is not None:
                    assert item.text.pick(lang).replace("'", "&#39;").replace('"', "&#34;") in text, item.key


@pytest.mark.slow
def test_concurrent_submits_of_one_uuid_store_one_response(live_server, client, school):
    """Ten simultaneous sends of the same page (a phone retrying): one response row."""
    import threading
    import urllib.parse
    import urllib.request

    campaign = make_campaign(school)
    slug = campaign.targets[0].slug
    fields = signed_uuid(client, slug)
    body = urllib.parse.urlencode({**fields, **ANSWERS}).encode()
    statuses = []

    def post():
        request = urllib.request.Request(f"{live_server}/s/{slug}", data=body, method="POST")
        opener = urllib.request.build_opener(type("NoRedirect", (urllib.request.HTTPRedirectHandler,),
                                                  {"redirect_request": lambda *a, **k: None}))
        try:
            statuses.append(opener.open(request, timeout=20).status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)

    threads = [threading.Thread(target=post) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [303] * 10
    assert count(Response) == 1
