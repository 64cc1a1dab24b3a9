"""Once-only writes (issue 16 §3): every form whose repetition would change data again carries
a once-only token; the same POST sent twice (refresh, double click, Back and send) changes
nothing the second time and is redirected (303) with a message. A parent's one filling of a
questionnaire stores one response whatever the navigation (the browser cases are in
tests/surveys/test_browser_once.py)."""
import re
from pathlib import Path

from flask_login import login_user
from sqlalchemy import func, select

from app.extensions import db
from app.models import AccessCode, ExportJob, SpentToken
from app.web import once
from tests.conftest import _wait_for_export_threads
from tests.factories.surveys import make_campaign
from tests.security.support import build_url, diff_tables, login_client, routes, snapshot_tables, url_args, user_roles
from tests.security.tables import CSRF_SAMPLE_DATA, ROLES_UNDER_TEST
from tests.surveys.test_surveys_campaigns import send

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
ONCE = re.compile(r'name="_once" value="([^"]+)"')

# POST forms that carry no once-only token, and why repeating them changes nothing again.
NOT_ONCE = {
    "auth/login.html": "signing in twice is signing in",
    "auth/password.html": "the same new password twice",
    "base.html": "language and log out: the same state again",
    "surveys/public_survey.html": "the page's signed response UUID and the link's cookie (no session)",
    "achievement/grid.html#marks-form": "each cell carries its original value: a repeat changes no cell",
    "observations/checklist.html": "each score carries the observation's revision: a stale repeat is refused",
    "monitoring/planning/mine.html": "sets one status to a given value",
    "achievement/quarter/work.html#points-form": "each cell carries its original value: a repeat changes no cell",
    "achievement/quarter/work.html#tasks-form": "sets the work's tasks to the given list: a repeat sets the same",
    "diagnostics/public_fill.html": "the page's signed UUID and the student's single-use code, spent with the "
                                    "record in one transaction: a second send is refused (409)",
    "diagnostics/fill.html#diagnostic-form": "one record per student, instrument and year: sending again corrects it to the same values",
}

# The endpoints of those forms that create rows or would change data again.
ONCE_ENDPOINTS = {
    "surveys.new", "surveys.codes", "surveys.set_status", "observations.new", "observations.plan",
    "observations.acknowledge", "observations.amend", "planning.interviews", "planning.approve",
    "planning.create_default", "planning.copy", "planning.item_new", "planning.item_edit", "planning.item_delete",
    "monitoring.indicator", "monitoring.indicator_new", "monitoring.indicator_edit", "exports.start_annual",
    "exports.expert_import", "achievement.new_assessment", "achievement.record_action", "achievement.import_marks",
    "achievement.journal",
    "instruments.import_xlsform", "admin.user_new", "admin.user_edit", "admin.roster",
    "issued.issue_note", "issued.issue_report", "quarter.issue", "tasks.record_analysis",
    "public_report.publish", "public_report.withdraw", "district.school_new", "district.staff_page", "district.weights",
    "support.open_plan", "support.add_step", "support.add_contact", "support.step_done", "support.plan", "support.rules",
}


def test_every_post_form_carries_a_once_only_token_or_says_why_not():
    missing = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = str(path.relative_to(TEMPLATES))
        text = path.read_text()
        for match in re.finditer(r'<form\b[^>]*method="post"[^>]*>', text, re.I):
            tag = match.group(0)
            form_id = re.search(r'id="([^"]+)"', tag)
            key = f"{name}#{form_id.group(1)}" if form_id else name
            if key in NOT_ONCE or name in NOT_ONCE:
                continue
            if "once_field()" not in text[match.end():match.end() + 40]:
                missing.append(f"{key}: {tag[:80]}")
    assert not missing, "\n".join(missing)


def _token(app, user) -> str:
    with app.test_request_context():
        login_user(user)
        return once.new_token()


def _user_for(route, school):
    for role in ROLES_UNDER_TEST[1:]:
        user = school.users[role]
        if user_roles(user) & set(route.allowed_roles):
            return user
    raise AssertionError(route.endpoint)


def test_every_once_only_post_sent_twice_changes_nothing_the_second_time(app, school):
    checked, problems, clients = [], [], {}
    for route in routes(app):
        endpoint = route.endpoint
        if "POST" not in route.methods or (endpoint not in ONCE_ENDPOINTS and not endpoint.endswith(
                ("_new", "_edit", "_delete"))):
            continue
        user = _user_for(route, school)
        if user.id not in clients:
            clients[user.id] = login_client(app, user)
        client = clients[user.id]
        url = build_url(app, route, url_args(route, school))
        token = _token(app, user)
        sample = CSRF_SAMPLE_DATA.get(endpoint, lambda s: {})
        first = client.post(url, data={**sample(school), "_once": token})
        _wait_for_export_threads(app)  # a started job writes by itself (not a second POST)
        assert first.status_code != 303 or "already sent" not in client.get("/").get_data(as_text=True), url
        jobs = db.session.scalar(select(func.count(ExportJob.id)))
        before = snapshot_tables(skip=("spent_token", "export_job"))  # a started job moves on by itself
        again = client.post(url, data={**sample(school), "_once": token})  # files are read once: new data
        after = snapshot_tables(skip=("spent_token", "export_job"))
        client.get("/")  # read its "already sent" message here, not on the next form's check
        if db.session.scalar(select(func.count(ExportJob.id))) != jobs:
            problems.append(f"POST {url} twice started a second job")
        checked.append(endpoint)
        if again.status_code != 303:
            problems.append(f"POST {url} twice: expected 303, got {again.status_code}")
        changes = diff_tables(before, after)
        if changes:
            problems.append(f"POST {url} twice changed: {'; '.join(changes)}")
    assert not problems, "\n".join(problems)
    assert {"surveys.codes", "surveys.new", "observations.new", "achievement.new_assessment"} <= set(checked)


def test_a_forged_old_or_foreign_token_is_refused_like_a_spent_one(app, school):
    admin, deputy = school.user("admin"), school.user("deputy")
    campaign = make_campaign(school, mode="codes")
    client = login_client(app, admin)
    url = f"/surveys/{campaign.id}/codes"
    data = {"target_id": campaign.targets[0].id, "count": 5}
    for token in ("x", "a" * 24 + ".1.bad", _token(app, deputy)):
        response = client.post(url, data={**data, "_once": token})
        assert response.status_code == 303
    assert db.session.scalar(select(func.count(AccessCode.id))) == 0


def test_issuing_20_codes_twice_issues_20_and_all_20_slips_used_read_100_percent(app, client, school, login):
    """The issue's case: 20 codes, then a refresh (the same POST again): 20 codes, not 40; when all
    20 families answer, the class's response rate is 100.0 %, not 50.0 %."""
    campaign = make_campaign(school, mode="codes", classes=school.classes[:1], min_group_size=3)
    target = campaign.targets[0]
    admin = school.user("admin")
    login(admin)
    page = client.get(f"/surveys/{campaign.id}").get_data(as_text=True)
    data = {"target_id": target.id, "count": 20, "_once": ONCE.findall(page)[-1]}
    issued = client.post(f"/surveys/{campaign.id}/codes", data=data)
    again = client.post(f"/surveys/{campaign.id}/codes", data=data)
    assert issued.status_code == 303 and again.status_code == 303  # Post/Redirect/Get: the slips are a GET
    assert "already sent" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(func.count(AccessCode.id))) == 20
    sheet = client.get(issued.headers["Location"])
    reload = client.get(issued.headers["Location"])  # a reload shows the same slips and issues nothing
    assert sheet.status_code == 200 and sheet.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<strong>([^<]{4}-[^<]{4})</strong>", sheet.get_data(as_text=True))
    assert len(codes) == 20 and codes == re.findall(r"<strong>([^<]{4}-[^<]{4})</strong>", reload.get_data(as_text=True))
    assert db.session.scalar(select(func.count(AccessCode.id))) == 20
    other = login_client(app, school.user("deputy"))  # the codes are shown only to whoever issued them
    refused = other.get(issued.headers["Location"])
    shown = other.get(refused.headers["Location"]).get_data(as_text=True)
    assert refused.status_code == 302 and "can no longer be shown" in shown and codes[0] not in shown
    for code in codes:
        _fields, response = send(app.test_client(), target.slug, code=code)
        assert response.status_code == 303
    from app.services.surveys import results as results_service

    db.session.expire_all()
    row = results_service.results(db.session.get(type(campaign), campaign.id)).classes[0]
    assert (row["responses"], row["expected"], row["rate"]) == (20, 20, 100.0)
    assert db.session.scalar(select(func.count()).select_from(SpentToken)) >= 1
