"""Post/Redirect/Get: a form that was accepted answers 303 See Other, so that the page the user
lands on is fetched with GET and a reload never sends the form again. One form of each kind:
signing in, a register's save (the shared CRUD views), a parent's survey, signing out.
(tests/security/test_access_matrix.py posts to every POST route of every blueprint and
refuses any 302.)"""
from sqlalchemy import func, select

from app.extensions import db
from app.models.monitoring.registers import Incident
from app.models.surveys import Response
from tests.conftest import do_login
from tests.factories.surveys import make_campaign
from tests.surveys.test_surveys_campaigns import send


def test_accepted_forms_answer_see_other_and_the_next_page_is_a_plain_get(app, client, school):
    signed_in = do_login(client, school.user("deputy"))
    assert signed_in.status_code == 303 and "/login" not in signed_in.headers["Location"]

    saved = client.post("/registers/incidents/new", data={"kind": "injury", "on_date": "2026-10-01",
                                                          "class_id": str(school.classes[0].id),
                                                          "description": "Fell"})
    assert saved.status_code == 303
    shown = client.get(saved.headers["Location"])
    assert shown.status_code == 200 and "Fell" in shown.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Incident.id))) == 1

    signed_out = client.post("/logout")
    assert signed_out.status_code == 303 and client.get("/").status_code == 302  # GET redirects stay 302

    campaign = make_campaign(school)
    slug = campaign.targets[0].slug
    _fields, sent = send(app.test_client(), slug)
    assert sent.status_code == 303 and sent.headers["Location"].endswith(f"/s/{slug}/done")
    assert db.session.scalar(select(func.count(Response.id))) == 1


def test_a_refused_form_is_shown_again_not_redirected(client, school, login):
    login(school.user("deputy"))
    refused = client.post("/registers/incidents/new", data={"kind": "injury", "on_date": "2026-10-01",
                                                            "description": ""})
    assert refused.status_code == 200 and "This field is required." in refused.get_data(as_text=True)
