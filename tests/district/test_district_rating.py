"""The district's rating: the indicators and weights it chooses, each school's components with
their values, n and scores by hand, and no rating (not a low one) for a school lacking one."""
import re

from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, RatingWeight
from tests.conftest import csrf_of
from tests.district.support import join, marks

ONCE = re.compile(r'name="_once" value="([^"]+)"')


def _sections(page: str) -> list[str]:
    return re.findall(r'<section class="card rating-school">(.*?)</section>', page, re.S)


def test_rating_components_by_hand(client, login, school):
    bravo = join(school, "bravo", class_size=4)
    charlie = join(school, "charlie", class_size=5)
    join(school, "delta", class_size=2)  # no marks: lacks both components
    marks(school, [5, 4, 3, 2, 5, 4])  # pass 5/6 = 83.33, quality 4/6 = 66.67
    marks(bravo, [3, 3, 2, 5])  # pass 3/4 = 75.0, quality 1/4 = 25.0
    marks(charlie, [4, 4, 3, 2, 2])  # pass 3/5 = 60.0, quality 2/5 = 40.0
    login(school.user("district_specialist"))
    form = client.get("/district/rating/weights").get_data(as_text=True)
    sent = client.post("/district/rating/weights", data={"csrf_token": csrf_of(form), "w_pass_rate": "2",
                                                         "w_quality": "1", "_once": ONCE.search(form).group(1)})
    assert sent.status_code == 303
    assert {(w.indicator_key, w.weight) for w in db.session.scalars(select(RatingWeight))} == {
        ("pass_rate", 2.0), ("quality", 1.0)}
    assert db.session.scalar(select(AuditLog).where(AuditLog.entity == "district.rating")).after == {
        "pass_rate": 2.0, "quality": 1.0}

    page = client.get("/district/rating?year=2026-2027").get_data(as_text=True)
    sections = _sections(page)
    # Scores: pass rate over 60.0..83.33, quality over 25.0..66.67 (0 the lowest, 100 the best).
    #   alpha: pass 100, quality 100 -> 100.0
    #   bravo: pass (75 - 60) / 23.33 * 100 = 64.29, quality 0 -> (2 * 64.29 + 0) / 3 = 42.9
    #   charlie: pass 0, quality (40 - 25) / 41.67 * 100 = 36.0 -> (0 + 36.0) / 3 = 12.0
    heads = [re.sub(r"<[^>]+>", "", s[s.index("<h2>"):s.index("</h2>")]).strip() for s in sections]
    assert heads == ["School alpha: 100.0", "School bravo: 42.9", "School charlie: 12.0", "School delta: no rating"]
    bravo_rows = re.findall(r"<tr><td>(.*?)</td><td class=\"num\">(.*?)</td>\s*<td class=\"num\">(.*?)</td>"
                            r"<td class=\"num\">(.*?)</td><td class=\"num\">(.*?)</td></tr>", sections[1], re.S)
    assert [row[1:] for row in bravo_rows] == [("75.0 %", "4", "64.3", "2.0"), ("25.0 %", "4", "0.0", "1.0")]  # as the monitoring pages format them
    assert "No value for:" in sections[3]


def test_weights_out_of_range_are_refused_and_nothing_is_saved(client, login, school):
    login(school.user("district_admin"))
    for bad in ("0", "-1", "101", "x"):
        form = client.get("/district/rating/weights").get_data(as_text=True)
        page = client.post("/district/rating/weights", data={"csrf_token": csrf_of(form), "w_pass_rate": bad,
                                                             "_once": ONCE.search(form).group(1)})
        assert page.status_code == 422, bad
        assert "A weight is a number above 0 and at most 100." in page.get_data(as_text=True) or \
            "Number must be between 0 and 100." in page.get_data(as_text=True) or \
            "Not a valid decimal value." in page.get_data(as_text=True), bad
        assert db.session.scalar(select(RatingWeight.id)) is None


def test_two_stale_pages_of_the_weights_lose_nothing_and_a_clash_is_a_409(app, school):
    """Two district users open the weights page. The admin saves pass rate 2 and quality 1. The
    specialist's page, opened before, adds a third weight only: the admin's two are kept (the
    stale page's blanks used to delete them). Then a page that changes pass rate to 3 while
    someone else set it to 4 is refused with 409, showing 4, its own 3 kept in the field."""
    from tests.security.support import login_client

    def page_of(client):
        page = client.get("/district/rating/weights").get_data(as_text=True)
        originals = re.search(r'name="_orig" value="([^"]*)"', page).group(1).replace("&#34;", '"')
        return {"csrf_token": csrf_of(page), "_once": ONCE.search(page).group(1), "_orig": originals}

    def stored():
        db.session.expire_all()
        return {w.indicator_key: w.weight for w in db.session.scalars(select(RatingWeight))}

    admin, specialist = login_client(app, school.user("district_admin")), login_client(app, school.user("district_specialist"))
    admins, specialists = page_of(admin), page_of(specialist)
    assert admin.post("/district/rating/weights", data={**admins, "w_pass_rate": "2", "w_quality": "1"}).status_code == 303
    assert specialist.post("/district/rating/weights",
                           data={**specialists, "w_open_lessons": "5"}).status_code == 303
    assert stored() == {"pass_rate": 2.0, "quality": 1.0, "open_lessons": 5.0}

    admins, specialists = page_of(admin), page_of(specialist)
    assert admin.post("/district/rating/weights", data={**admins, "w_pass_rate": "4", "w_quality": "1",
                                                          "w_open_lessons": "5"}).status_code == 303
    refused = specialist.post("/district/rating/weights", data={**specialists, "w_pass_rate": "3", "w_quality": "1",
                                                                  "w_open_lessons": "5"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "changed meanwhile by another user" in body and "4.0" in body
    assert re.search(r'name="w_pass_rate"[^>]*value="3"', body)
    assert stored() == {"pass_rate": 4.0, "quality": 1.0, "open_lessons": 5.0}


def test_lower_is_better_reverses_the_score():
    from app.services.district.rating import _normalise

    assert _normalise({1: 0.0, 2: 3.0, 3: 1.5}, "lower") == {1: 100.0, 2: 0.0, 3: 50.0}
    assert _normalise({1: 2.0, 2: 2.0}, "higher") == {1: 100.0, 2: 100.0}
