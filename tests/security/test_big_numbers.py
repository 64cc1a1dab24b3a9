"""Numbers beyond the databases' integers, wherever a request carries a number: in an address
(`<int:id>`), in a query (`?year_id=`), in a hidden field and in a form's number field. SQLite's
driver fails on an integer above 2**63 - 1 and PostgreSQL refuses to store one above
2**31 - 1 in an integer column: each was a 500. Now an address or a query with one is a 404 or
the page's default, and a form shows a translated message and stores nothing."""
import re

from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from app.extensions import db
from app.models import Observation
from tests.conftest import csrf_of
from tests.security.support import login_client

HUGE = str(2**64)
# Every name a view reads with request.args.get(name, type=int) (grep "type=int" app/).
INT_ARGS = ("year_id", "term_id", "teacher_id", "class_id", "subject_id", "indicator", "direction", "year", "page")


def _get_rules(app, *, with_int: bool):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        ints = [name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]
        if bool(ints) == with_int and (with_int or not rule.arguments):
            yield rule, ints


def test_an_id_beyond_the_database_in_an_address_is_not_found(app, school):
    client = login_client(app, school.users["admin"])
    statuses = {}
    for rule, ints in _get_rules(app, with_int=True):
        url = rule.rule
        for name in rule.arguments:
            value = HUGE if name in ints else "x"
            url = re.sub(rf"<(?:[^:<>]+:)?{name}>", value, url)
        statuses[url] = client.get(url).status_code
    assert statuses, "no route with an <int:...> argument"
    assert not [u for u, s in statuses.items() if s >= 500], statuses
    assert all(s == 404 for u, s in statuses.items()), {u: s for u, s in statuses.items() if s != 404}


def test_a_query_number_beyond_the_database_is_never_a_server_error(app, school):
    client = login_client(app, school.users["admin"])
    query = "&".join(f"{name}={HUGE}" for name in INT_ARGS)
    failures = {}
    for rule, _ints in _get_rules(app, with_int=False):
        response = client.get(f"{rule.rule}?{query}")
        if response.status_code >= 500:
            failures[rule.rule] = response.status_code
    assert failures == {}


def test_a_hidden_id_beyond_the_database_stores_nothing(app, school):
    """The fault named: POST /observations/new with joint_with_id=9223372036854775808 was a 500."""
    client = login_client(app, school.users["deputy"])
    page = client.get("/observations/new")
    assert page.status_code == 200
    response = client.post("/observations/new", data={
        "csrf_token": csrf_of(page.get_data(as_text=True)), "instrument_id": "1", "assignment_id": "0",
        "observed_on": "<script>alert(1)</script>", "topic": "", "joint_with_id": "9223372036854775808"})
    assert response.status_code < 500
    assert db.session.scalar(select(func.count()).select_from(Observation)) == 0


def test_a_form_number_beyond_the_database_is_refused_with_a_message(app, school):
    """A whole number a form would store, above PostgreSQL's integer (2,147,483,647)."""
    from wtforms import IntegerField

    from forms.base import SapatForm

    class Numbers(SapatForm):
        class Meta:
            csrf = False
        count = IntegerField()

    with app.test_request_context("/", method="POST", data={"count": "2147483648"},
                                  headers={"Accept-Language": "ru"}):
        form = Numbers()
        assert not form.validate()
        assert form.count.errors == ["Это число слишком велико."]
    with app.test_request_context("/", method="POST", data={"count": "2147483647"}):
        assert Numbers().validate()
