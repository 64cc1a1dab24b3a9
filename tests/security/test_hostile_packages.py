"""Hostile packages signed with a registered school's own key (a tampered or broken installation):
numbers that are not numbers, control characters, a row given twice, a package dated in the
future. Each is refused with the page's message (422), writes nothing and never reaches the
database as a 500 (PostgreSQL refuses NaN in JSON and NUL in text). One key registers one school."""
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.district import PackageResult, RemoteSchool, SchoolPackage
from app.services.core import clock
from app.services.district import package_format as fmt
from app.services.district import packages
from tests.conftest import csrf_of

ONCE = re.compile(r'name="_once" value="([^"]+)"')
ROW = {"term_kind": "quarter", "term_number": 1, "grade": 7, "class_letter": "A", "subject": "Maths",
       "n": 2, "n5": 1, "n4": 1, "n3": 0, "n2": 0, "n1": 0, "absent": 0}


def _payload(days_ago=10, **changes):
    made = (clock.now() - timedelta(days=days_ago)).isoformat()
    payload = {"format": fmt.FORMAT, "version": fmt.VERSION, "made_at": made,
               "school": {"code": "bravo", "name": "School bravo", "name_ru": None}, "year": "2026-2027",
               "results": [ROW], "indicators": [], "surveys": []}
    return {**payload, **changes}


def _counts():
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (SchoolPackage, PackageResult))


@pytest.fixture
def upload(app, client, login, school):
    key = fmt.new_private_key()
    packages.register_school(school.extra["district"], code="bravo", name="School bravo", name_ru=None,
                             public_key=fmt.public_key_text(key), user_id=None)
    db.session.commit()
    login(school.user("district_admin"))

    def post(payload: dict):
        form = client.get("/district/packages").get_data(as_text=True)
        return client.post("/district/packages", data={
            "csrf_token": csrf_of(form), "_once": ONCE.search(form).group(1),
            "file": (io.BytesIO(fmt.sign(payload, key)), "bravo.json")}, content_type="multipart/form-data")
    post.key = key
    return post


HOSTILE = {
    "NaN as an indicator's value": (_payload(indicators=[{"key": "k", "value": float("nan")}]), "indicators.0.value"),
    "Infinity as a target": (_payload(indicators=[{"key": "k", "value": 1.0, "target": float("inf")}]),
                             "indicators.0.target"),
    "NUL in the school's name": (_payload(school={"code": "bravo", "name": "School\x00bravo", "name_ru": None}),
                                 "school.name"),
    "a control character in a subject": (_payload(results=[{**ROW, "subject": "Ma\x1bths"}]), "results.0.subject"),
    "a class's subject twice": (_payload(results=[ROW, ROW]), "results: a row given twice"),
    "an indicator twice": (_payload(indicators=[{"key": "k", "value": 1.0}] * 2), "indicators: a row given twice"),
    "a survey twice": (_payload(surveys=[{"key": "s", "closed": False}] * 2), "surveys: a row given twice"),
    "made in the year 2999": (_payload(made_at="2999-01-01T00:00:00+06:00"), "outside 01.01.1900-31.12.2199"),
    "made in the year 2100": (_payload(made_at="2100-01-01T00:00:00+06:00"), "later than now"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_signed_package_is_refused_and_writes_nothing(upload, case):
    payload, words = HOSTILE[case]
    answer = upload(payload)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and words in page and "Nothing was imported" in page, page[-2000:]
    assert _counts() == (0, 0)
    assert upload(_payload()).status_code == 303 and _counts() == (1, 1)  # the school's real package still goes in


def test_a_package_dated_tomorrow_locks_nothing_out(upload):
    """A package made a little later than the district's clock (clocks differ by hours) is taken;
    one dated years ahead would have made every real package after it "older" and refused."""
    assert upload(_payload(days_ago=-0.5)).status_code == 303
    assert _counts() == (1, 1)


def test_one_key_registers_one_school(upload, school):
    with pytest.raises(packages.PackageError, match="already registered for the school bravo"):
        packages.register_school(school.extra["district"], code="gamma", name="School gamma", name_ru=None,
                                 public_key=fmt.public_key_text(upload.key), user_id=None)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(RemoteSchool)) == 1
