"""An optional item left empty is an unanswered item, for every item type of every shipped
questionnaire: the page is sent as a browser sends it (empty text and number fields as `name=`,
unchosen radios and boxes not at all), with only the required items answered."""
import re
from html import unescape

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import Response
from app.services.core import instruments as instrument_service
from app.services.surveys import campaigns
from surveys.loader import instrument_files, load_file

SHIPPED = [p for p in instrument_files() if load_file(p).kind == "survey"]
INPUT = re.compile(r"<(input|textarea|select)\b([^>]*)>", re.S)
ATTR = re.compile(r'([\w-]+)(?:="([^"]*)")?')


def browser_fields(page: str) -> list[tuple[str, str]]:
    """What a browser sends for the form with nothing chosen: hidden and typed fields with their
    (empty) values, plus one answer for each required choice (its last option, which in the
    shipped files is the "no" that keeps conditional pages hidden)."""
    data, chosen = [], {}
    for tag, attrs in INPUT.findall(page):
        a = {k: unescape(v or "") for k, v in ATTR.findall(attrs)}
        name = a.get("name")
        if not name or "disabled" in a:
            continue
        kind = a.get("type", "text") if tag == "input" else tag
        if kind in ("radio", "checkbox"):
            if "required" in a:
                chosen[name] = a.get("value", "on")
        elif kind in ("submit", "button"):
            continue
        elif "required" in a:  # a required typed answer: the smallest allowed
            data.append((name, a.get("min", "1")))
        else:
            data.append((name, a.get("value", "")))
    return data + list(chosen.items())


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_instrument_accepts_all_optional_items_blank(client, school, path):
    instrument = instrument_service.publish(load_file(path)).row
    spec = load_file(path)
    campaign = campaigns.create_campaign(
        school_id=school.school.id, instrument=instrument, title="T", audience=spec.audience[0],
        class_ids=[c.id for c in school.classes], year_id=school.year.id, whole_school=spec.audience[0] != "parents")
    campaign.status = "open"
    db.session.commit()
    slug = campaign.targets[0].slug
    page = client.get(f"/s/{slug}").get_data(as_text=True)
    form = next(f for f in page.split("<form")[1:] if "client_uuid" in f).split("</form>")[0]
    data = MultiDict(browser_fields(form))
    assert "" in data.values(), "the page has no optional typed field"
    response = client.post(f"/s/{slug}", data=data)
    assert response.status_code == 303, re.findall(r'class="error[^"]*"[^>]*>([^<]+)', response.get_data(as_text=True))
    assert db.session.scalar(select(func.count(Response.id))) == 1
