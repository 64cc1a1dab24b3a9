"""Campaigns for staff, and answering on the public pages: resume, idempotent submit by UUID,
single-use codes, closed campaigns, anonymity, page weight, Kyrgyz and Russian."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, inspect, select

from app.extensions import db
from app.models import AccessCode, Answer, AuditLog, Campaign, Response
from app.services import surveys as service
from tests.surveys_helpers import answer, make_campaign, small_instrument


def count(model, **where):
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.scalar(query)


def uuid_of(page: str) -> str:
    return re.search(r'name="client_uuid" type="hidden" value="([0-9a-f-]+)"', page).group(1)


def start(client, slug, **extra):
    page = client.get(f"/s/{slug}").get_data(as_text=True)
    uuid = uuid_of(page)
    response = client.post(f"/s/{slug}", data={"client_uuid": uuid, **extra})
    return uuid, response


def test_deputy_creates_a_campaign_for_two_classes_and_it_is_audited(client, school, login):
    instrument = small_instrument()
    db.session.commit()
    login(school.user("deputy"))
    page = client.get("/surveys/new")
    assert page.status_code == 200 and "Small survey" in page.get_data(as_text=True)
    response = client.post("/surveys/new", data={
        "instrument_id": instrument.id, "title": "Autumn", "audience": "parents", "whole_school": "no",
        "classes": [c.id for c in school.classes], "access_mode": "link", "min_group_size": 5})
    assert response.status_code == 302
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


def test_a_parent_answers_in_kyrgyz_with_resume_and_a_repeated_submit(app, client, school):
    campaign = make_campaign(school)
    slug = campaign.targets[0].slug
    client.set_cookie("lang", "ky")
    first = client.get(f"/s/{slug}").get_data(as_text=True)
    assert 'lang="ky"' in first and "Кичине сурамжылоо" in first and "Баштоо" in first
    uuid, response = start(client, slug)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/s/{slug}/0")
    page = client.get(f"/s/{slug}/0").get_data(as_text=True)
    assert "1-барак / 2" in page or "2 барактын 1-барагы" in page
    assert "Мектеп жагабы?" in page
    # Required items and a bad number give messages in Kyrgyz.
    bad = client.post(f"/s/{slug}/0", data={"client_uuid": uuid, "a": "4", "kids": "yes", "howmany": "99"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Бул суроого жооп бериңиз." in text
    assert count(Answer) == 0
    ok = client.post(f"/s/{slug}/0", data={"client_uuid": uuid, "a": "4", "b": "2", "kids": "yes", "howmany": "2"})
    assert ok.status_code == 302 and ok.headers["Location"].endswith(f"/s/{slug}/1")
    assert count(Answer) == 4  # saved after the first section
    # Resume: the same device (cookie) comes back later and lands on page 2 with answers kept.
    again = client.get(f"/s/{slug}")
    assert again.headers["Location"].endswith(f"/s/{slug}/1")
    back = client.get(f"/s/{slug}/0").get_data(as_text=True)
    assert re.search(r'value="4"[^>]*checked|checked[^>]*value="4"', back)
    done = client.post(f"/s/{slug}/1", data={"client_uuid": uuid, "note": "Жакшы мектеп"})
    assert done.headers["Location"].endswith(f"/s/{slug}/done")
    assert count(Response, status="complete") == 1 and count(Answer) == 5
    # Posting the same final page again (network retry): thank-you, nothing new stored.
    repeat = client.post(f"/s/{slug}/1", data={"client_uuid": uuid, "note": "changed"})
    assert repeat.headers["Location"].endswith(f"/s/{slug}/done")
    assert count(Answer) == 5 and db.session.scalar(select(Answer.text).where(Answer.item_key == "note")) == "Жакшы мектеп"
    # Posting the start form with the same UUID from another device creates nothing either.
    other = app.test_client()
    other.get(f"/s/{slug}")
    repeat_start = other.post(f"/s/{slug}", data={"client_uuid": uuid})
    assert repeat_start.headers["Location"].endswith(f"/s/{slug}/done")
    assert count(Response) == 1
    thanks = client.get(f"/s/{slug}/done").get_data(as_text=True)
    assert "Рахмат" in thanks


def test_duplicate_uuid_is_decided_by_the_unique_constraint(school):
    campaign = make_campaign(school)
    target = campaign.targets[0]
    uuid = service.new_client_uuid()
    first = service.start_response(target, uuid, date.today())
    second = service.start_response(target, uuid, date.today())
    db.session.commit()
    assert first.token and second.duplicate and second.token and second.token != first.token
    assert second.response.id == first.response.id and count(Response) == 1
    # The retry's token replaces the first one: only the latest cookie resumes the draft.
    assert service.response_by_token(target, first.token) is None
    assert service.response_by_token(target, second.token).id == first.response.id
    with pytest.raises(Exception):
        db.session.add(Response(campaign_id=campaign.id, target_id=target.id, client_uuid=uuid, status="draft",
                                next_section=0, started_on=date.today()))
        db.session.flush()
    db.session.rollback()


def test_a_retried_start_whose_answer_was_lost_can_go_on(app, school):
    """On a slow connection the first start POST can reach the server while its answer (with
    the resume cookie) is lost; tapping again sends the same UUID. In code mode the code is
    already spent, so without a fresh cookie the parent would be locked out."""
    campaign = make_campaign(school, mode="codes")
    target = campaign.targets[0]
    code = service.issue_codes(campaign, target, 1)[0]
    db.session.commit()
    slug = target.slug
    lost = app.test_client()
    uuid = re.search(r'name="client_uuid"[^>]*value="([^"]+)"', lost.get(f"/s/{slug}").get_data(as_text=True)).group(1)
    first = lost.post(f"/s/{slug}", data={"client_uuid": uuid, "code": code})
    assert first.status_code == 302 and count(Response) == 1
    retry_client = app.test_client()  # the same page, but the first answer's cookie never arrived
    retry = retry_client.post(f"/s/{slug}", data={"client_uuid": uuid, "code": code})
    assert retry.status_code == 302 and retry.headers["Location"].endswith(f"/s/{slug}/0")
    page = retry_client.get(f"/s/{slug}/0")
    assert page.status_code == 200 and 'name="a"' in page.get_data(as_text=True)
    saved = retry_client.post(f"/s/{slug}/0", data={"client_uuid": uuid, "a": "4", "b": "2", "kids": "no"})
    assert saved.status_code == 302 and count(Response) == 1 and count(Answer) >= 2
    # The same code on a different page load (another UUID) is still refused.
    other = app.test_client()
    other_uuid = re.search(r'name="client_uuid"[^>]*value="([^"]+)"',
                           other.get(f"/s/{slug}").get_data(as_text=True)).group(1)
    refused = other.post(f"/s/{slug}", data={"client_uuid": other_uuid, "code": code})
    assert refused.status_code == 400 and count(Response) == 1


def test_show_if_hides_the_number_when_the_answer_is_no(client, school):
    campaign = make_campaign(school)
    slug = campaign.targets[0].slug
    uuid, _r = start(client, slug)
    ok = client.post(f"/s/{slug}/0", data={"client_uuid": uuid, "a": "4", "b": "2", "kids": "no", "howmany": "99"})
    assert ok.status_code == 302
    assert count(Answer, item_key="howmany") == 0


def test_closed_campaign_refuses_answers(client, school):
    campaign = make_campaign(school)
    slug = campaign.targets[0].slug
    uuid, _r = start(client, slug)
    campaign = db.session.get(Campaign, campaign.id)
    campaign.status = "closed"
    db.session.commit()
    response = client.post(f"/s/{slug}/0", data={"client_uuid": uuid, "a": "4", "b": "2", "kids": "no"})
    assert response.status_code == 403 and count(Answer) == 0
    fresh = client.get(f"/s/{slug}", headers={"Cookie": ""})
    draft = make_campaign(school, status="draft", title="Draft")
    assert client.get(f"/s/{draft.targets[0].slug}").status_code == 403
    late = make_campaign(school, title="Late")
    late.closes_on = date.today() - timedelta(days=1)
    db.session.commit()
    assert client.get(f"/s/{late.targets[0].slug}").status_code == 403
    assert fresh.status_code in (302, 403)


def test_single_use_codes(app, client, school, login):
    campaign = make_campaign(school, mode="codes")
    target = campaign.targets[0]
    login(school.user("admin"))
    sheet = client.post(f"/surveys/{campaign.id}/codes", data={"target_id": target.id, "count": 3})
    codes = re.findall(r"<strong>([A-Z2-9]{4}-[A-Z2-9]{4})</strong>", sheet.get_data(as_text=True))
    assert len(codes) == 3
    stored = list(db.session.scalars(select(AccessCode.code_hash)))
    assert len(stored) == 3 and not any(c.replace("-", "") in h for c in codes for h in stored)
    parent = app.test_client()
    parent.set_cookie("lang", "ru")
    _uuid, missing = start(parent, target.slug)
    assert missing.status_code == 400 and "Введите код доступа" in missing.get_data(as_text=True)
    _uuid, response = start(parent, target.slug, code=codes[0].lower())
    assert response.status_code == 302
    assert count(AccessCode, used=True) == 1
    second = app.test_client()
    second.set_cookie("lang", "ru")
    _uuid, reuse = start(second, target.slug, code=codes[0])
    assert reuse.status_code == 400 and "уже использован" in reuse.get_data(as_text=True)
    _uuid, wrong = start(second, target.slug, code="AAAA-AAAA")
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
    assert row.submitted_on == date.today() and not hasattr(row.submitted_on, "hour")
    assert row.resume_hash is None  # the resume token is forgotten once the response is complete


def test_survey_page_weight_is_at_most_30_kb(client, school):
    campaign = make_campaign(school)
    slug = campaign.targets[0].slug
    uuid, _r = start(client, slug)
    page = client.get(f"/s/{slug}/0")
    html = page.get_data()
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html.decode())
    sizes = [len(html)] + [len(client.get(a).get_data()) for a in assets]
    assert any(a.endswith(".css") for a in assets)
    assert sum(sizes) <= 30 * 1024, (sizes, assets)


def test_russian_rendering(client, school):
    campaign = make_campaign(school)
    slug = campaign.targets[0].slug
    client.set_cookie("lang", "ru")
    page = client.get(f"/s/{slug}").get_data(as_text=True)
    assert 'lang="ru"' in page and "Малая анкета" in page and "Начать" in page
    uuid, _r = start(client, slug)
    page = client.get(f"/s/{slug}/0").get_data(as_text=True)
    assert "Нравится ли школа?" in page and "Далее" in page
    bad = client.post(f"/s/{slug}/0", data={"client_uuid": uuid}).get_data(as_text=True)
    assert "Пожалуйста, ответьте на этот вопрос." in bad


def test_public_submit_is_rate_limited(client, school):
    campaign = make_campaign(school)
    slug = campaign.targets[0].slug
    codes = [client.post(f"/s/{slug}", data={"client_uuid": "x"}).status_code for _ in range(61)]
    assert codes[-2] != 429 and codes[-1] == 429


@pytest.mark.parametrize("key", ["parent_satisfaction", "student_lessons", "psychological_climate",
                                 "teacher_survey"])
def test_every_page_of_the_shipped_questionnaires_renders_in_kyrgyz_and_russian(client, school, key):
    from app.services import instruments

    campaign = make_campaign(school)
    campaign.instrument_id = instruments.ensure_published(key).id
    db.session.commit()
    spec = db.session.get(Campaign, campaign.id).instrument.spec
    slug = campaign.targets[0].slug
    uuid, _r = start(client, slug)
    response = db.session.scalar(select(Response))
    for lang in ("ky", "ru"):
        client.set_cookie("lang", lang)
        for n, section in enumerate(spec.sections):
            response.next_section = n
            db.session.commit()
            page = client.get(f"/s/{slug}/{n}")
            text = page.get_data(as_text=True)
            assert page.status_code == 200 or section.show_if is not None, (key, n, page.status_code)
            if page.status_code == 200:
                assert section.title.pick(lang) in text
                for item in section.items:
                    if item.text is not None:
                        assert item.text.pick(lang).replace("'", "&#39;").replace('"', "&#34;") in text, item.key


@pytest.mark.slow
def test_concurrent_submits_of_one_uuid_store_one_response(live_server, school):
    """Ten simultaneous posts of the same start form (a phone retrying): one response row."""
    import threading
    import urllib.parse
    import urllib.request

    campaign = make_campaign(school)
    slug = campaign.targets[0].slug
    uuid = service.new_client_uuid()
    body = urllib.parse.urlencode({"client_uuid": uuid}).encode()
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
    assert statuses == [302] * 10
    assert count(Response) == 1
