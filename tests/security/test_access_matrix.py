"""Every route of app.url_map x every role and anonymous, with the expected outcome.

Expected outcomes come from the view's @role_required / @public markers (app/security.py)
and the OVERRIDES table in tests/security/tables.py; a route with neither fails as
unclassified, so a new route cannot escape this test. Ids of another school give 404, and
anonymous visitors get the same redirect to the login page for existing, foreign and
missing ids, so they cannot enumerate private objects.
"""
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog
from tests.security.support import (
    MISSING_ID,
    UnmappedArgument,
    build_url,
    expected_status,
    id_arguments,
    login_client,
    outcome_matches,
    record_figure,
    routes,
    url_args,
    user_roles,
)
from tests.security.tables import (
    ID_ARGUMENTS,
    POST_SKIP_ALLOWED,
    ROLES_UNDER_TEST,
    URL_ARGS_BY_NAME,
)

# Filled by the tests below and printed at the end of the session by conftest's summary.
COVERED: set[tuple[str, str, str]] = set()


def test_every_route_is_classified(app):
    unclassified = [f"{r.rule.rule} ({r.endpoint})" for r in routes(app) if not r.classified]
    assert not unclassified, (
        "routes without @role_required(...) or @public (app/security.py): " + ", ".join(unclassified))


def test_every_url_argument_can_be_filled(app, school):
    problems = []
    for route in routes(app):
        try:
            url_args(route, school)
        except UnmappedArgument as error:
            problems.append(str(error))
    assert not problems, "\n".join(problems)


def _request(client, method, url):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={})


@pytest.mark.parametrize("role", ROLES_UNDER_TEST)
def test_access_matrix(app, school, other_school, role):
    user = None if role == "anonymous" else school.users[role]
    roles = set() if user is None else user_roles(user)
    client = app.test_client() if user is None else login_client(app, user)
    audit_before = _audit_rows()
    failures = []
    requests_sent = 0

    all_routes = [r for r in routes(app) if r.endpoint != "static"]
    # GETs first, then POSTs, so that a POST cannot hide a later GET's answer.
    plan = [(r, "GET") for r in all_routes if "GET" in r.methods]
    plan += [(r, "POST") for r in all_routes if "POST" in r.methods]
    for route, method in plan:
        # Routes serving both GET and POST are posted only by roles that must be refused;
        # for allowed roles the GET row already shows access (and the fuzz test posts).
        expected = expected_status(route, role, roles, method)
        if method == "POST" and "GET" in route.methods and expected not in ("login", 403):
            continue
        if method == "POST" and route.endpoint in POST_SKIP_ALLOWED and expected not in ("login", 403):
            continue
        url = build_url(app, route, url_args(route, school))
        response = _request(client, method, url)
        requests_sent += 1
        COVERED.add((route.endpoint, method, role))
        if not outcome_matches(expected, response):
            failures.append(f"{method} {url} as {role}: expected {expected}, got {response.status_code} "
                            f"{response.headers.get('Location', '')}")
        if method == "POST" and response.status_code == 302:  # Post/Redirect/Get: See Other, always
            failures.append(f"POST {url} as {role}: a redirect after a POST must be 303, got 302")

        ids = id_arguments(route)
        if not ids or route.public:
            continue
        # The same route with another school's ids, and with ids that do not exist.
        foreign = url_args(route, other_school)
        for label, args in (("other school's", {**url_args(route, school), **{k: foreign[k] for k in ids}}),
                            ("missing", {**url_args(route, school), **{k: MISSING_ID for k in ids}})):
            url = build_url(app, route, args)
            response = _request(client, method, url)
            requests_sent += 1
            if expected == "login":
                ok = outcome_matches("login", response)  # the same answer: nothing to enumerate
            elif expected == 403:
                ok = response.status_code in (403, 404)
            else:
                ok = response.status_code == 404
            if not ok:
                failures.append(f"{method} {url} ({label} ids) as {role}: got {response.status_code}")

    assert not failures, f"{len(failures)} unexpected answers:\n" + "\n".join(failures)
    record_figure(f"access_matrix:{role}", {"route_methods": len({(e, m) for e, m, r in COVERED if r == role}),
                                            "requests": requests_sent})
    # No route changed or removed an existing audit row.
    after = _audit_rows()
    assert {k: v for k, v in after.items() if k in audit_before} == audit_before


def _audit_rows():
    db.session.expire_all()
    return {row.id: (row.action, row.entity, row.entity_id, row.before, row.after, row.user_id)
            for row in db.session.scalars(select(AuditLog))}


def test_anonymous_answers_do_not_depend_on_the_id(app, school, other_school):
    """For every private route with ids, an anonymous visitor gets byte-identical
    answers (apart from the id itself in the `next` parameter) for an existing, a foreign and a missing id."""
    client = app.test_client()
    for route in routes(app):
        ids = id_arguments(route)
        if not ids or route.public or "GET" not in route.methods:
            continue
        answers = set()
        for source in (school, other_school, None):
            args = url_args(route, school)
            args.update({k: (MISSING_ID if source is None else url_args(route, source)[k]) for k in ids})
            response = client.get(build_url(app, route, args))
            location = response.headers.get("Location", "")
            answers.add((response.status_code, re.sub(r"\d+", "N", location),
                         re.sub(r"\d+", "N", response.get_data(as_text=True))))
        assert len(answers) == 1, f"{route.rule.rule}: anonymous answers differ {answers}"


def test_id_mappings_point_to_the_schools_own_objects(school, other_school):
    for name, filler in URL_ARGS_BY_NAME.items():
        if name not in ID_ARGUMENTS:
            continue
        assert filler(school) != filler(other_school), name


def test_public_links_are_random_not_counters(app, school):
    """The only ids anonymous visitors see are the survey links: random, at least 48 bits."""
    from tests.security.surveys import campaign

    slugs = [t.slug for t in campaign(school).targets]
    assert len(set(slugs)) == len(slugs)
    for slug in slugs:
        assert re.fullmatch(r"[A-Za-z0-9_-]{8,}", slug) and not slug.isdigit()
    client = app.test_client()
    assert client.get(f"/s/{slugs[0][:-1]}x" if not slugs[0].endswith("x") else f"/s/{slugs[0][:-1]}y").status_code == 404
