"""District campaigns: one campaign per chosen school in one step, a parent answering school A's
link counts for A, the district's satisfaction index computed by hand from every answer (not an
average of the schools'), a school below the minimum group withheld (and the district total never
giving it back), closing closes every part, and a school's director sees only their own part."""
import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, Campaign, DistrictCampaign, School
from tests.conftest import csrf_of, do_login
from tests.district.support import join, rows
from tests.factories import make_school
from tests.factories.surveys import answer, small_instrument

ONCE = re.compile(r'name="_once" value="([^"]+)"')


def _post(client, url, page_url, data):
    page = client.get(page_url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_of(page), "_once": ONCE.search(page).group(1), **data})


def _create(client, schools, min_group=3):
    instrument = small_instrument()
    db.session.commit()
    sent = _post(client, "/district/campaigns/new", "/district/campaigns/new", {
        "instrument_id": str(instrument.id), "title": "District parents' survey", "audience": "parents",
        "schools": [str(s.school.id) for s in schools], "min_group_size": str(min_group)})
    assert sent.status_code == 303, sent.get_data(as_text=True)[:2000]
    return db.session.scalar(select(DistrictCampaign).order_by(DistrictCampaign.id.desc()))


def _set(client, dc, status):
    current = db.session.get(DistrictCampaign, dc.id).status
    return _post(client, f"/district/campaigns/{dc.id}/status", f"/district/campaigns/{dc.id}",
                 {"status": status, "current": current})


def _part(dc, fixture) -> Campaign:
    return db.session.scalar(select(Campaign).where(Campaign.district_campaign_id == dc.id,
                                                    Campaign.school_id == fixture.school.id))


def _results(page: str) -> dict:
    """The results table (id district-campaign-results): row header -> cells."""
    return rows(page[page.rindex("<table", 0, page.index('id="district-campaign-results"')):])


def _answer_all(part, pairs):
    for a, b in pairs:
        answer(part, part.targets[0], {"a": str(a), "b": str(b), "kids": "no"})


def test_one_campaign_per_school_and_a_hand_computed_district_index(client, login, school):
    bravo = join(school, "bravo", class_size=4)
    login(school.user("district_specialist"))
    dc = _create(client, [school, bravo])
    parts = db.session.scalars(select(Campaign).where(Campaign.district_campaign_id == dc.id)).all()
    assert sorted(p.school_id for p in parts) == sorted([school.school.id, bravo.school.id])
    # Each part asks every class of its school (two classes each) and is the school's own draft.
    assert all(len(p.targets) == 2 and p.status == "draft" and p.min_group_size == 3 for p in parts)
    assert db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.entity == "campaign",
                                                                    AuditLog.action == "create")) == 2
    assert _set(client, dc, "open").status_code == 303
    alpha_part, bravo_part = _part(dc, school), _part(dc, bravo)
    assert alpha_part.status == bravo_part.status == "open"
    # Item b is reverse-scored (score = 6 - value). Respondents' means on the scale "sat":
    #   alpha: (5,1) -> 5; (4,2) -> 4; (3,3) -> 3                mean 4.0, index (4-1)/4 = 75.0
    #   bravo: (5,3) -> 4; (2,4) -> 2; (4,4) -> 3; (1,5) -> 1    mean 2.5, index 37.5
    #   district: (5+4+3+4+2+3+1)/7 = 22/7, index (22/7 - 1)/4 x 100 = 53.57
    #   (the average of the two schools' indices would be 56.25: not shown)
    _answer_all(alpha_part, [(5, 1), (4, 2), (3, 3)])
    _answer_all(bravo_part, [(5, 3), (2, 4), (4, 4), (1, 5)])
    open_page = client.get(f"/district/campaigns/{dc.id}").get_data(as_text=True)
    table = _results(open_page)
    assert table["School alpha"] == ["3", "—", "—"]  # open: counts only, no figure
    assert _set(client, dc, "closed").status_code == 303
    assert {p.status for p in db.session.scalars(select(Campaign).where(Campaign.district_campaign_id == dc.id))} \
        == {"closed"}
    page = client.get(f"/district/campaigns/{dc.id}").get_data(as_text=True)
    table = _results(page)
    assert table["School alpha"] == ["3", "75.0 (n 3)", "75.0"]
    assert table["School bravo"] == ["4", "37.5 (n 4)", "37.5"]
    assert table["District"] == ["7", "53.6 (n 7)", "53.6"]
    assert "56.2" not in page and "56.3" not in page
    # Each school's links and printable QR notices.
    assert alpha_part.targets[0].slug in page and bravo_part.targets[1].slug in page
    notices = client.get(f"/district/campaigns/{dc.id}/schools/{bravo.school.id}/notices").get_data(as_text=True)
    assert notices.count("<svg") == 4  # two classes, a ky and a ru half each and bravo_part.targets[0].slug in notices
    assert "Школа bravo" in notices or "School bravo" in notices


def test_a_school_below_the_minimum_is_withheld_and_cannot_be_subtracted(client, login, school):
    bravo = join(school, "bravo", class_size=4)
    charlie = join(school, "charlie", class_size=4)
    login(school.user("district_specialist"))
    dc = _create(client, [school, bravo, charlie])
    _set(client, dc, "open")
    _answer_all(_part(dc, school), [(5, 1), (4, 2), (3, 3), (4, 2)])
    _answer_all(_part(dc, bravo), [(5, 3), (2, 4), (4, 4)])
    _answer_all(_part(dc, charlie), [(1, 5)])  # one respondent: below the minimum group of 3
    _set(client, dc, "closed")
    page = client.get(f"/district/campaigns/{dc.id}").get_data(as_text=True)
    table = _results(page)
    assert table["School charlie"][0].startswith("withheld")
    # Withheld charlie alone (1 < 3) could be had as the district minus alpha and bravo: the smaller
    # shown school (bravo, 3) is withheld too, so only charlie + bravo together (4 >= 3) is derivable.
    assert table["School bravo"][0].startswith("withheld")
    assert table["School alpha"] == ["4", "75.0 (n 4)", "75.0"]
    # District: (5+4+3+4 + 4+2+3 + 1)/8 = 26/8 = 3.25 -> index 56.25
    assert table["District"][0] == "8" and table["District"][1].startswith("56.2")


def test_the_school_sees_its_own_part_only_and_cannot_move_it(app, client, login, school):
    bravo = join(school, "bravo", class_size=4)
    login(school.user("district_specialist"))
    dc = _create(client, [school, bravo])
    alpha_part, bravo_part = _part(dc, school), _part(dc, bravo)
    client = app.test_client()
    do_login(client, school.user("admin"))
    listing = client.get("/surveys/").get_data(as_text=True)
    assert "District parents&#39; survey" in listing and "The district's campaign" in listing
    own = client.get(f"/surveys/{alpha_part.id}")
    assert own.status_code == 200 and "The district's campaign" in own.get_data(as_text=True)
    assert 'name="status" value="open"' not in own.get_data(as_text=True)
    assert client.get(f"/surveys/{bravo_part.id}").status_code == 404
    assert client.get(f"/surveys/{bravo_part.id}/results").status_code == 404
    # The school cannot open its part on its own (it moves with the district's campaign).
    _post(client, f"/surveys/{alpha_part.id}/status", "/surveys/new", {"status": "open"})
    assert db.session.get(Campaign, alpha_part.id).status == "draft"
    # No district page for a school user.
    assert client.get(f"/district/campaigns/{dc.id}").status_code == 403


def test_a_stale_state_and_another_district_are_refused(app, client, login, school):
    login(school.user("district_specialist"))
    dc = _create(client, [school])
    page_url = f"/district/campaigns/{dc.id}"
    assert _post(client, f"{page_url}/status", page_url, {"status": "open", "current": "closed"}).status_code == 409
    assert db.session.get(DistrictCampaign, dc.id).status == "draft"
    assert client.get(f"{page_url}/schools/999999/notices").status_code == 404
    other = make_school("omega")
    client = app.test_client()
    do_login(client, other.user("district_specialist"))
    assert client.get(page_url).status_code == 404
    assert client.get(f"{page_url}/schools/{school.school.id}/notices").status_code == 404


def test_a_refused_campaign_or_change_of_state_keeps_nothing_and_says_why(client, login, school):
    """A chosen school without classes refuses the whole campaign: 422, the reason on the schools
    field, no campaign and no part kept. A change of state the campaign cannot make (a draft cannot
    be closed) is refused with a message and the state stays."""
    empty = School(code="empty", name="School without classes", district_id=school.extra["district"].id)
    db.session.add(empty)
    instrument = small_instrument()
    db.session.commit()
    login(school.user("district_specialist"))
    refused = _post(client, "/district/campaigns/new", "/district/campaigns/new", {
        "instrument_id": str(instrument.id), "title": "District parents' survey", "audience": "parents",
        "schools": [str(school.school.id), str(empty.id)], "min_group_size": "3"})
    assert refused.status_code == 422
    assert "The school School without classes has no classes this year." in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(DistrictCampaign)) == 0
    assert db.session.scalar(select(func.count()).select_from(Campaign)
                             .where(Campaign.district_campaign_id.is_not(None))) == 0
    dc = _create(client, [school])
    moved = _set(client, dc, "closed")
    assert moved.status_code == 303 and moved.location.endswith(f"/district/campaigns/{dc.id}")
    assert "This change of state is not possible." in client.get(moved.location).get_data(as_text=True)
    assert db.session.get(DistrictCampaign, dc.id).status == "draft"
    assert _part(dc, school).status == "draft"
