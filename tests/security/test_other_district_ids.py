"""Another district's ids: the district campaign, its schools' notices and the issued report of
district gamma are a 404 to alpha's district admin and specialist, on every route that takes
them, GET and POST alike; gamma's own staff open them (the ids are real)."""
import re

import pytest

from tests.conftest import csrf_of
from tests.security.district import _third_district, district_campaign, district_report
from tests.security.support import login_client


@pytest.fixture
def gamma(app, school):
    other = _third_district(school)
    return other, district_campaign(other), district_report(other)


@pytest.mark.parametrize("role", ["district_admin", "district_specialist"])
def test_another_districts_campaign_and_report_are_not_found(app, school, gamma, role):
    other, dc, doc = gamma
    urls = [f"/district/campaigns/{dc.id}", f"/district/campaigns/{dc.id}/schools/{other.school.id}/notices",
            f"/district/reports/{doc.id}"]
    theirs = login_client(app, other.users["district_specialist"])
    assert [theirs.get(url).status_code for url in urls] == [200, 200, 200]
    ours = login_client(app, school.users[role])
    assert [ours.get(url).status_code for url in urls] == [404, 404, 404]
    # The own district's school under another district's campaign, and a POST with a real form.
    assert ours.get(f"/district/campaigns/{dc.id}/schools/{school.school.id}/notices").status_code == 404
    page = ours.get("/district/").get_data(as_text=True)
    posted = ours.post(f"/district/campaigns/{dc.id}/status", data={"csrf_token": csrf_of(page), "status": "open",
                                                                   "current": "draft"})
    assert posted.status_code in (403, 404)  # the specialist: not found; the admin: not a runner at all
    assert re.search(r"District survey|District report", ours.get("/district/campaigns/").get_data(as_text=True)
                     + ours.get("/district/reports/").get_data(as_text=True)) is None
