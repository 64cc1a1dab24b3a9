"""No lost updates in the registers and the cyclogram (issue 16 §4), with two clients: a save
from a stale page writes only the fields its user changed; a field both changed is refused
(409) with the other value; a save without originals (an old client) works as before."""
import html
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models.monitoring.indicators import IndicatorValue
from app.models.monitoring.planning import CyclogramItem
from app.models.monitoring.registers import Incident
from tests.factories.monitoring import indicator, make_cyclogram_item, make_register_row
from tests.form_pages import form_data, refused_with, save_from_stale_page, save_knowingly
from tests.security.support import login_client


def _two(app, school):
    return login_client(app, school.user("admin")), login_client(app, school.user("deputy"))


def _get(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def _incident(school):
    row = make_register_row(school, "incidents", description="Fell", measures="", on_date=date(2026, 10, 1))
    db.session.commit()
    return row.id, f"/registers/incidents/{row.id}"


def test_a_register_row_saved_from_a_stale_page_keeps_the_other_users_change(app, school):
    row_id, url = _incident(school)
    director, deputy = _two(app, school)
    assert "_once" in form_data(deputy, url)
    saved = save_from_stale_page(director, deputy, url, {"measures": "Parents called"},
                                 {"description": "Fell on the stairs"})
    assert saved.status_code == 303
    row = _get(Incident, row_id)
    assert (row.description, row.measures) == ("Fell on the stairs", "Parents called")


def test_a_register_field_both_changed_is_refused_with_the_other_value(app, school):
    row_id, url = _incident(school)
    director, deputy = _two(app, school)
    refused = save_from_stale_page(director, deputy, url, {"measures": "Parents called"},
                                   {"measures": "Talk with the class"})
    assert refused_with(refused, "Parents called")
    assert _get(Incident, row_id).measures == "Parents called"
    # a fresh page: the deputy's change is then saved knowingly
    assert save_knowingly(deputy, url, {"measures": "Talk with the class"}) == 303
    assert _get(Incident, row_id).measures == "Talk with the class"


def test_a_cyclogram_item_saved_from_a_stale_page_keeps_the_other_change(app, school):
    item = make_cyclogram_item(school)
    db.session.commit()
    director, deputy = _two(app, school)
    url = f"/cyclogram/items/{item.id}"
    assert save_from_stale_page(director, deputy, url, {"due_on": "2026-10-25"},
                                {"document": "Order No 12"}).status_code == 303
    saved = _get(CyclogramItem, item.id)
    assert (saved.due_on, saved.document) == (date(2026, 10, 25), "Order No 12")
    refused = save_from_stale_page(director, deputy, url, {"object": "Climate survey, parents"},
                                   {"object": "Climate survey, pupils"})
    assert refused_with(refused, "Climate survey, parents")
    assert _get(CyclogramItem, item.id).object == "Climate survey, parents"


def test_an_indicator_value_entered_meanwhile_is_not_replaced_from_a_stale_page(app, school):
    ind = indicator(school)
    db.session.commit()
    director, deputy = _two(app, school)
    url = f"/monitoring/indicators/{ind.id}"
    refused = save_from_stale_page(director, deputy, url, {"value": "92.5", "term_id": ""},
                                   {"value": "80", "term_id": ""})
    assert refused.status_code == 409 and 'to "92.5"' in html.unescape(refused.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.scalar(select(IndicatorValue.value)) == 92.5
    assert save_knowingly(deputy, url, {"value": "80", "term_id": ""}) == 303  # seen, corrected knowingly
    db.session.expire_all()
    assert db.session.scalar(select(IndicatorValue.value)) == 80
