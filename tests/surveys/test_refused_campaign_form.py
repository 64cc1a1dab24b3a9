"""A refused form marks its fields: a new campaign with no class chosen says so at the classes."""
import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import Campaign
from tests.factories.surveys import small_instrument


def test_new_campaign_without_a_class_marks_the_classes_field(client, school, login):
    instrument = small_instrument()
    db.session.commit()
    login(school.user("deputy"))
    client.post("/language", data={"lang": "en", "next": "/"})
    response = client.post("/surveys/new", data={
        "instrument_id": instrument.id, "title": "Spring", "audience": "parents", "whole_school": "no",
        "access_mode": "link", "min_group_size": "5"})
    page = response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Campaign.id))) == 0
    classes = re.search(r'<div class="field has-error"><fieldset><legend>Classes</legend>.*?</div>', page, re.S)
    assert classes and "Choose at least one class." in classes.group(0)


def test_a_field_with_an_error_is_marked_invalid(client, school, login):
    instrument = small_instrument()
    db.session.commit()
    login(school.user("deputy"))
    client.post("/language", data={"lang": "en", "next": "/"})
    page = client.post("/surveys/new", data={
        "instrument_id": instrument.id, "title": "", "audience": "parents", "whole_school": "no",
        "classes": [c.id for c in school.classes], "access_mode": "link", "min_group_size": "5",
        "opens_on": "2026-05-01", "closes_on": "2026-04-01"}).get_data(as_text=True)
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*name="title"', page) or \
        re.search(r'<input[^>]*name="title"[^>]*aria-invalid="true"', page)
    assert re.search(r'aria-invalid="true"[^>]*name="closes_on"|name="closes_on"[^>]*aria-invalid="true"', page)
    assert "The closing date is before the opening date." in page
