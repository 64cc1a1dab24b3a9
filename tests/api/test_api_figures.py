"""The read API's figures are the pages' figures: a district figure of two small schools computed
by hand (from all the marks, not an average of the schools' percentages) is the API's and the
district page's; a school token gets its school only; survey indices follow the minimum-group
rule as the results page does; lists are paged; the OpenAPI document validates."""
import re

from openapi_spec_validator import validate

from app.extensions import db
from app.security import Principal
from app.services.achievement.metrics import term_metrics
from tests.api.support import get, token_of
from tests.district.support import join, marks, rows
from tests.factories.surveys import answer, make_campaign

Q1 = "year=2026-2027&term=quarter-1"


def _two_schools(school):
    bravo = join(school, "bravo", class_size=4)
    marks(school, [5, 4, 3, 2, 5, 4])  # alpha 7-А maths: n 6, n5 2, n4 2, n3 1, n2 1
    marks(bravo, [3, 3, 2, 5])  # bravo 7-А maths: n 4, n5 1, n3 2, n2 1
    return bravo


def _row(items, school_id, group=None):
    return next(i for i in items if i["school_id"] == school_id and i["group"] == group)


def test_the_openapi_document_validates(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)  # openapi-spec-validator: raises on any error
    assert set(document["paths"]) == {f"/api/v1/{p}" for p in (
        "schools", "years", "indicators", "results", "campaigns", "survey-indices")}
    assert document["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    limit = next(p for p in document["paths"]["/api/v1/schools"]["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 200


def test_a_hand_computed_district_figure_is_the_apis_and_the_pages(client, login, school):
    bravo = _two_schools(school)
    token = token_of(school.user("district_specialist"))
    body = get(client, f"/api/v1/results?{Q1}", token).get_json()
    assert (body["year"], body["term"], body["by"], body["total"]) == ("2026-2027", "quarter-1", "school", 3)
    # District: n 10, n5 3, n4 2, n3 3, n2 2: pass 8/10 = 80.0, quality 5/10 = 50.0,
    # SOU (300 + 128 + 108 + 32)/10 = 56.8, mean 36/10 = 3.60. The mean of the schools' pass
    # rates (83.3 + 75.0)/2 = 79.2 is not it.
    district = _row(body["items"], None)
    assert {k: district[k] for k in ("n", "n5", "n4", "n3", "n2", "n1", "pass_rate", "quality", "sou", "mean")} == {
        "n": 10, "n5": 3, "n4": 2, "n3": 3, "n2": 2, "n1": 0, "pass_rate": 80.0, "quality": 50.0, "sou": 56.8,
        "mean": 3.6}
    alpha = _row(body["items"], school.school.id)
    assert (alpha["n"], alpha["pass_rate"], alpha["quality"], alpha["sou"], alpha["mean"]) == (6, 83.3, 66.7, 63.3, 3.83)
    b = _row(body["items"], bravo.school.id)
    assert (b["n"], b["pass_rate"], b["quality"], b["sou"], b["mean"]) == (4, 75.0, 25.0, 47.0, 3.25)

    # Each school's figure is the one its own results compute (achievement.metrics).
    for fixture in (school, bravo):
        own = term_metrics(Principal.system(fixture.school.id), fixture.terms[0].id, "school")[0]
        row = _row(body["items"], fixture.school.id)
        assert (row["n"], row["pass_rate"], row["quality"]) == (own.n, round(own.pass_rate, 1), round(own.quality, 1))

    # The district page shows the same figures.
    login(school.user("district_specialist"))
    table = rows(client.get(f"/district/results?{Q1}").get_data(as_text=True))
    assert table["District"] == ["10", "80.0 %", "50.0 %", "56.8 %", "3.60"]
    assert table["School alpha"][1].startswith("83.3 %") and table["School bravo"][1].startswith("75.0 %")

    # By subject and by grade: the same marks, one group each.
    for by, group in (("subject", "Математика"), ("grade", 7)):
        items = get(client, f"/api/v1/results?{Q1}&by={by}", token).get_json()["items"]
        assert _row(items, None, group)["pass_rate"] == 80.0 and _row(items, bravo.school.id, group)["n"] == 4
    # By class: each school's classes, no district row.
    items = get(client, f"/api/v1/results?{Q1}&by=class", token).get_json()["items"]
    assert [(i["school_id"], i["group"], i["n"], i["pass_rate"]) for i in items] == [
        (school.school.id, "7-А", 6, 83.3), (bravo.school.id, "7-А", 4, 75.0)]
    assert all(set(i) >= {"class_id", "grade"} for i in items)


def test_a_school_token_reads_its_school_only(client, school):
    bravo = _two_schools(school)
    token = token_of(school.user("deputy"))
    schools = get(client, "/api/v1/schools", token).get_json()
    assert [s["id"] for s in schools["items"]] == [school.school.id]
    items = get(client, f"/api/v1/results?{Q1}", token).get_json()["items"]
    assert [(i["school_id"], i["n"], i["pass_rate"]) for i in items] == [(school.school.id, 6, 83.3)]
    assert get(client, f"/api/v1/results?{Q1}&school_id={bravo.school.id}", token).status_code == 404
    years = get(client, "/api/v1/years", token).get_json()["items"]
    assert [(y["school_id"], y["name"], y["is_current"]) for y in years] == [(school.school.id, "2026-2027", True)]
    indicators = get(client, "/api/v1/indicators?year=2026-2027", token).get_json()
    assert indicators["year"] == "2026-2027" and {i["school_id"] for i in indicators["items"]} == {school.school.id}
    # The year's pass rate from every quarter mark of the year: 5 of 6 = 83.3 %, target 100, threshold 95.
    pass_rate = next(i for i in indicators["items"] if i["key"] == "pass_rate")
    assert round(pass_rate["value"], 1) == 83.3 and pass_rate["n"] == 6
    assert (pass_rate["target"], pass_rate["threshold"], pass_rate["unit"]) == (100, 95, "percent")
    assert pass_rate["status"] == "bad" and pass_rate["name"]  # 83.3 < the threshold 95


def test_no_student_level_data_leaves_through_the_api(client, school):
    _two_schools(school)
    campaign = make_campaign(school, status="open", min_group_size=1)
    answer(campaign, campaign.targets[0], {"a": "5", "b": "1", "kids": "no"})
    campaign.status = "closed"
    db.session.commit()
    token = token_of(school.user("admin"))
    names = [s.full_name for students in school.students.values() for s in students]
    codes = [s.code for students in school.students.values() for s in students]
    for path in ("schools", "years", "indicators", f"results?{Q1}&by=class", "campaigns",
                 f"survey-indices?campaign_id={campaign.id}"):
        text = get(client, f"/api/v1/{path}", token).get_data(as_text=True)
        assert not any(n in text for n in names) and not any(c in text for c in codes), path
        assert not re.search(r'"student[a-z_]*":', text) and campaign.code_salt not in text  # no student key
        assert all(t.slug not in text for t in campaign.targets)


def test_survey_indices_hide_small_groups_as_the_results_page_does(client, login, school):
    campaign = make_campaign(school, status="open", min_group_size=5)
    big, small = campaign.targets
    for _ in range(6):
        answer(campaign, big, {"a": "5", "b": "1", "kids": "no"})
    for _ in range(2):
        answer(campaign, small, {"a": "3", "b": "3", "kids": "no"})
    token = token_of(school.user("district_specialist"))
    url = f"/api/v1/survey-indices?campaign_id={campaign.id}"
    body = get(client, url, token).get_json()
    # Open: no index at all (disclosure rule 4).
    assert body["shown"] is False and body["respondents"] == 8
    assert all(s["index"] is None for s in body["scales"])
    assert all(s["index"] is None for c in body["classes"] for s in c["scales"])

    campaign.status = "closed"
    db.session.commit()
    body = get(client, url, token).get_json()
    # Closed, 8 respondents: (6*5 + 2*3)/8 = 4.5 -> (4.5-1)/4*100 = 87.5. The class of 2 is below
    # the minimum of 5 and the class of 6 is hidden too (8 - 6 would give the 2 back).
    assert body["shown"] is True and body["scales"] == [{"key": "sat", "index": 87.5, "mean": 4.5, "n": 8}]
    assert [(c["label"], c["suppressed"], c["responses"], c["scales"][0]["index"]) for c in body["classes"]] == [
        ("7-А", True, None, None), ("8-Б", True, None, None)]
    # The results page hides the same classes.
    login(school.user("admin"))
    page = client.get(f"/surveys/{campaign.id}/results").get_data(as_text=True)
    assert page.count('<span class="suppressed">') == 2
    listed = get(client, "/api/v1/campaigns", token).get_json()["items"]
    assert [(c["id"], c["released"], c["respondents"]) for c in listed] == [(campaign.id, True, 8)]
    assert not {"code_salt", "slug", "codes", "links"} & set(listed[0])


def test_lists_are_paged_with_a_maximum(client, school):
    bravo = join(school, "bravo")
    join(school, "charlie")
    token = token_of(school.user("district_admin"))
    first = get(client, "/api/v1/schools?limit=2", token).get_json()
    assert (first["total"], first["limit"], first["offset"]) == (3, 2, 0)
    assert [s["name"] for s in first["items"]] == ["School alpha", "School bravo"]
    rest = get(client, "/api/v1/schools?limit=2&offset=2", token).get_json()
    assert [s["name"] for s in rest["items"]] == ["School charlie"]
    assert get(client, "/api/v1/schools?offset=5", token).get_json()["items"] == []
    for bad in ("limit=201", "limit=0", "offset=-1", "limit=x"):
        response = get(client, f"/api/v1/schools?{bad}", token)
        assert response.status_code == 422, bad
        assert response.get_json()["errors"]["query"]
    assert get(client, f"/api/v1/years?school_id={bravo.school.id}", token).get_json()["total"] == 1


def test_the_api_takes_no_dates_and_a_year_no_school_has_is_a_json_4xx(client, school):
    """The read API names years (2026-2027), never dates: a year of the edges of the calendar is one no
    school has (404), a date where a year is asked is refused (422); JSON either way, nothing stored."""
    token = token_of(school.user("admin"))
    for query, status in (("year=0001-0002", 404), ("year=9999-9999", 404), ("year=9999-12-31", 422),
                          ("year=0001-01-01", 422)):
        for endpoint in ("indicators", "results"):
            response = get(client, f"/api/v1/{endpoint}?{query}", token)
            assert response.status_code == status, (endpoint, query, response.status_code)
            assert response.get_json()["code"] == status and response.get_json()["message"]
