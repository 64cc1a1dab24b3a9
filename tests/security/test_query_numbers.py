"""Numbers in addresses and forms that str.isdigit() takes and int() or the database does not:
"²" and "①" (digits to Python's isdigit, not to int: a 500 on nearly every page through
?year_id=), more digits than the database's integers hold, and dates at the calendar's edges
(9999-12-31: the day after it is no date). Every page a director, an MO head
and a district's admin may open answers below 500 with any of them in any of its parameters;
the one reader of typed whole numbers (services.core.text.whole) says what it takes."""
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import DistrictAverage
from app.security import Principal
from app.services.core.text import whole
from app.services.district import averages
from app.services.district.periods import TermSpec
from app.services.observations.joint import joinable
from tests.security.support import build_url, login_client, routes, url_args
from tests.xlsx_helpers import make_xlsx

PARAMS = sorted(set("""term direction year indicator version class_id year_id threshold term_id teacher_id status page
    lesson joint instrument basis subject_id student_id kind by grade ma_id campaign_id key school_id from to date month
    q limit offset next code action active assignment_id category class_teacher_id count date_from date_to entity
    entity_id head_id indicator_id indicator_keys instrument_id item_id last_n level member_ids mentor_id month_from
    month_to number on_date participants responsible_id role source_year_id target target_id token_id user_id
    value""".split()))
VALUES = ["²", "①", "99999999999999999999", "²-1", "quarter-²", "9999-12-31", "0001-01-01"]


def test_no_page_fails_on_numbers_that_are_not_numbers(app, school):
    failed = []
    for role in ("admin", "mo_head", "district_admin"):
        client = login_client(app, school.users[role])
        for route in routes(app):
            if "GET" not in route.methods or route.rule.rule.startswith(("/static", "/logout")):
                continue
            base = build_url(app, route, url_args(route, school))
            for value in VALUES:
                url = base + "?" + urlencode({p: value for p in PARAMS})
                if client.get(url).status_code >= 500:
                    failed.append((role, route.endpoint, value))
    assert not failed


@pytest.mark.parametrize("typed, read", [("7", 7), (" 12 ", 12), ("０７", 7), ("", None), ("²", None), ("①", None),
                                         ("١", None), ("-1", None), ("1.5", None), ("9" * 18, 10**18 - 1),
                                         ("9" * 19, None), (None, None), (7, None)])
def test_whole_reads_only_digits_0_to_9(typed, read):
    assert whole(typed) == read


def test_terms_and_joined_observations_of_odd_digits_are_none(app, school):
    assert TermSpec.parse("quarter-²") is None and TermSpec.parse("quarter-2") == TermSpec("quarter", 2)
    principal = Principal.system(school.school.id)
    assert joinable(principal, "²") is None and joinable(principal, "9" * 20) is None


def test_district_averages_refuse_odd_grades_and_counts_with_a_message(app, school):
    rows = [["Academic year", "Level", "Measure", "Subject", "Grade", "Value", "n", "Source"],
            ["2026-2027", "region", "quality", "Maths", "²", "50", "10", "x"],
            ["2026-2027", "region", "quality", "Physics", "7", "50", "99999999999", "x"]]
    report = averages.import_averages(make_xlsx(rows), district_id=school.extra["district"].id, user_id=None)
    said = " ".join(e.message for e in report.errors)
    assert not report.ok and "the grade is 1-11 or empty" in said and "n is a whole number" in said, said
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(DistrictAverage)) == 0
