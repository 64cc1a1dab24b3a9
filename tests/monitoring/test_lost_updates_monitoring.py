"""No lost updates in the registers and the cyclogram (issue 16 §4), with two clients: a save
from a stale page writes only the fields its user changed; a field both changed is refused
(409) with the other value; a save without originals (an old client) works as before."""
import html
from datetime import date

from app.extensions import db
from app.models.monitoring.planning import CyclogramItem
from app.models.monitoring.registers import Incident
from tests.factories.monitoring import make_cyclogram_item, make_register_row
from tests.form_pages import form_data
from tests.security.support import login_client


def _two(app, school):
    return login_client(app, school.user("admin")), login_client(app, school.user("deputy"))


def test_a_register_row_saved_from_a_stale_page_keeps_the_other_users_change(app, school):
    row = make_register_row(school, "incidents", description="Fell", measures="", on_date=date(2026, 10, 1))
    db.session.commit()
    director, deputy = _two(app, school)
    url = f"/registers/incidents/{row.id}"
    stale = form_data(deputy, url)
    mine = form_data(director, url)
    assert "_orig" in stale and "_once" in stale
    mine["measures"] = "Parents called"
    assert director.post(url, data=mine).status_code == 302
    stale["description"] = "Fell on the stairs"
    assert deputy.post(url, data=stale).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Incident, row.id)
    assert (saved.description, saved.measures) == ("Fell on the stairs", "Parents called")


def test_a_register_field_both_changed_is_refused_with_the_other_value(app, school):
    row = make_register_row(school, "incidents", description="Fell", measures="", on_date=date(2026, 10, 1))
    db.session.commit()
    director, deputy = _two(app, school)
    url = f"/registers/incidents/{row.id}"
    stale, mine = form_data(deputy, url), form_data(director, url)
    mine["measures"] = "Parents called"
    assert director.post(url, data=mine).status_code == 302
    stale["measures"] = "Talk with the class"
    refused = deputy.post(url, data=stale)
    text = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 409 and 'changed meanwhile by another user to "Parents called"' in text
    db.session.expire_all()
    assert db.session.get(Incident, row.id).measures == "Parents called"
    again = form_data(deputy, url)  # a fresh page: the deputy's change is then saved knowingly
    again["measures"] = "Talk with the class"
    assert deputy.post(url, data=again).status_code == 302
    db.session.expire_all()
    assert db.session.get(Incident, row.id).measures == "Talk with the class"


def test_a_cyclogram_item_saved_from_a_stale_page_keeps_the_other_change(app, school):
    item = make_cyclogram_item(school)
    db.session.commit()
    director, deputy = _two(app, school)
    url = f"/cyclogram/items/{item.id}"
    stale, mine = form_data(deputy, url), form_data(director, url)
    mine["due_on"] = "2026-10-25"
    assert director.post(url, data=mine).status_code == 302
    stale["document"] = "Order No 12"
    assert deputy.post(url, data=stale).status_code == 302
    db.session.expire_all()
    saved = db.session.get(CyclogramItem, item.id)
    assert (saved.due_on, saved.document) == (date(2026, 10, 25), "Order No 12")
    stale2 = form_data(deputy, url)
    mine2 = form_data(director, url)
    mine2["object"] = "Climate survey, parents"
    assert director.post(url, data=mine2).status_code == 302
    stale2["object"] = "Climate survey, pupils"
    refused = deputy.post(url, data=stale2)
    assert refused.status_code == 409
    assert 'to "Climate survey, parents"' in html.unescape(refused.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(CyclogramItem, item.id).object == "Climate survey, parents"


def test_an_indicator_value_entered_meanwhile_is_not_replaced_from_a_stale_page(app, school):
    from sqlalchemy import select

    from app.models.monitoring.indicators import IndicatorValue
    from tests.factories.monitoring import indicator

    ind = indicator(school)
    db.session.commit()
    director, deputy = _two(app, school)
    url = f"/monitoring/indicators/{ind.id}"
    stale, mine = form_data(deputy, url), form_data(director, url)
    assert "_orig" in stale
    mine.update(value="92.5", term_id="")
    assert director.post(url, data=mine).status_code == 302
    stale.update(value="80", term_id="")
    refused = deputy.post(url, data=stale)
    assert refused.status_code == 409 and 'to "92.5"' in html.unescape(refused.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.scalar(select(IndicatorValue.value)) == 92.5
    again = form_data(deputy, url)
    again.update(value="80", term_id="")
    assert deputy.post(url, data=again).status_code == 302  # seen, and corrected knowingly
    db.session.expire_all()
    assert db.session.scalar(select(IndicatorValue.value)) == 80
