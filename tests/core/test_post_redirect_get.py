"""Post/Redirect/Get on every POST of the app (issue 16 §3): each POST endpoint of url_map is
sent its sample data (tests/security/<domain>.py) by a user who may use it; a POST that changed
any table must answer a redirect, so a refresh of the page after it never sends it again. The
few endpoints that answer a file or JSON instead are listed below with the reason; a POST that
answers a page (a refused form shown again with its messages) must have changed nothing."""
from flask_login import login_user

from app.extensions import db
from app.web import once
from tests.conftest import _wait_for_export_threads
from tests.factories.surveys import make_campaign
from tests.security.support import build_url, diff_tables, login_client, routes, snapshot_tables, url_args, user_roles
from tests.security.tables import CSRF_SAMPLE_DATA, ROLES_UNDER_TEST
from tests.xlsx_helpers import make_xlsx

# POST endpoints that answer something other than a redirect, and why.
NOT_REDIRECT = {
    "observations.sync": ("application/json", "the offline queue of the observer's phone: a script reads the "
                                              "answer (stored values, revision, conflicts); no page to refresh"),
}
SKIP = {"static"}


def _codes_campaign(s):
    campaign = make_campaign(s, mode="codes", title="Codes PRG")
    return {"campaign_id": campaign.id}, {"target_id": campaign.targets[0].id, "count": 3}


def _roster(s):
    return None, {"file": (make_xlsx([["class", "student_code", "full_name"], ["7-А", "PRG-1", "Prg Pupil"]]),
                           "roster.xlsx")}


def _marks(s):
    pupil = s.students[s.classes[0].id][0]
    return None, {"file": (make_xlsx([["class", "student_code", "subject", "term", "mark"],
                                      ["7-А", pupil.code, "Математика", "1", 5]]), "marks.xlsx")}


# Sample data that makes these POSTs succeed (the security tables' samples need not).
SUCCEEDING = {
    "surveys.codes": _codes_campaign,
    "surveys.set_status": lambda s: (None, {"status": "closed"}),
    "surveys.new": lambda s: (None, {"instrument_id": str(make_campaign(s, title="Template").instrument_id),
                                     "title": "PRG campaign", "audience": "parents", "classes": str(s.classes[0].id),
                                     "whole_school": "no", "access_mode": "link", "min_group_size": "5"}),
    "admin.roster": _roster,
    "achievement.upload": _marks,
}
SKIPPED_TABLES = ("spent_token", "export_job", "login_attempt", "audit_log", "login_throttle")


def _user_for(route, school):
    for role in ROLES_UNDER_TEST[1:]:
        user = school.users[role]
        if user_roles(user) & set(route.allowed_roles or ()):
            return user
    return None


def _token(app, user) -> str:
    with app.test_request_context():
        login_user(user)
        return once.new_token()


def test_every_post_that_changes_data_answers_a_redirect(app, school):
    problems, changed, clients = [], [], {}
    posts = [r for r in routes(app) if "POST" in r.methods and r.endpoint not in SKIP]
    for route in sorted(posts, key=lambda r: r.endpoint.startswith("auth.")):  # signing out and passwords last
        user = None if route.public else _user_for(route, school)
        if user is None and not route.public:
            continue
        if user is not None and (user.id not in clients or route.endpoint.startswith("auth.")):
            clients[user.id] = login_client(app, user)
        client = clients[user.id] if user is not None else app.test_client()
        args, data = url_args(route, school), dict(CSRF_SAMPLE_DATA.get(route.endpoint, lambda s: {})(school))
        if route.endpoint in SUCCEEDING:
            more_args, data = SUCCEEDING[route.endpoint](school)
            args.update(more_args or {})
            db.session.commit()
        url = build_url(app, route, args)
        if user is not None:
            data["_once"] = _token(app, user)
        before = snapshot_tables(skip=SKIPPED_TABLES)
        response = client.post(url, data=data, content_type="multipart/form-data" if "file" in data else None)
        _wait_for_export_threads(app)
        after = snapshot_tables(skip=SKIPPED_TABLES)
        changes = diff_tables(before, after)
        if changes:
            changed.append(route.endpoint)
        if 300 <= response.status_code < 400:
            continue
        if route.endpoint in NOT_REDIRECT:
            kind = NOT_REDIRECT[route.endpoint][0]
            if changes and kind not in response.content_type:
                problems.append(f"POST {url}: expected {kind}, got {response.status_code} {response.content_type}")
            continue
        if changes:
            problems.append(f"POST {url} changed {'; '.join(changes)[:200]} and answered {response.status_code} "
                            f"{response.content_type} instead of a redirect")
    assert not problems, "\n".join(problems)
    # The sample data reach the writing code: these, at least, changed data (and redirected).
    assert {*SUCCEEDING, "admin.user_edit", "achievement.grid", "registers.register_edit", "planning.item_edit",
            "monitoring.indicator", "diagnostics.fill", "measures.measure_edit", "observations.new"} <= set(changed), \
        sorted(set(r.endpoint for r in posts) - set(changed))
