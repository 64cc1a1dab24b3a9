"""The audit log page: who, what, when, which object, before/after; filters; read-only."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, select, update

from app.extensions import db
from app.models import AuditLog
from app.services.core.audit import record
from app.services.core.audit_log import AuditLogIsAppendOnly
from tests.security.support import routes


def _rename_subject(client, school, name):
    subject = school.subjects[1]
    response = client.post(f"/admin/subjects/{subject.id}", data={"name": name, "name_ru": "", "ma_id": ""})
    assert response.status_code == 303


def test_changes_made_in_the_app_appear_with_before_and_after(client, school, login):
    login(school.users["admin"])
    _rename_subject(client, school, "Химия")
    client.post("/admin/users/new", data={"full_name": "Nurlan Asanov", "email": "nurlan@x.kg", "roles": "teacher",
                                          "locale": "ky", "active": "y", "password": "long-enough-1"})
    html = client.get("/security/audit").get_data(as_text=True)
    assert "Физика" in html and "Химия" in html  # before -> after
    assert "Nurlan Asanov" in html and school.users["admin"].full_name in html
    assert "<del>Физика</del>" in html and "<ins>Химия</ins>" in html
    assert "password_hash" not in html and "pbkdf2" not in html and "scrypt" not in html


def test_filters_by_object_action_user_id_and_date(client, school, login):
    login(school.users["admin"])
    _rename_subject(client, school, "Химия")
    teacher = school.users["teacher"]
    now = datetime.now(timezone.utc)
    record("update", "mark", 77, school_id=school.school.id, user_id=teacher.id, before={"value": 3},
           after={"value": 5})
    old = record("delete", "observation", 5, school_id=school.school.id, user_id=teacher.id, before={"x": 1})
    old.created_at = now - timedelta(days=40)
    db.session.commit()

    def rows(**args):
        html = client.get("/security/audit", query_string=args).get_data(as_text=True)
        return max(0, html.count("<tr>") - 1)  # minus the header row

    assert rows() == 4  # with the login
    assert rows(entity="mark") == 1
    assert rows(action="update") == 2
    assert rows(user_id=teacher.id) == 2
    assert rows(entity_id="77") == 1
    day = (now - timedelta(days=40)).astimezone(timezone(timedelta(hours=6))).date()
    assert rows(date_from=day.isoformat(), date_to=day.isoformat()) == 1
    assert rows(date_from=(now + timedelta(days=2)).date().isoformat()) == 0
    # Nonsense in the query is ignored or refused with a message, never a 500.
    for junk in ({"date_from": "yesterday"}, {"user_id": "x"}, {"page": "-3"}, {"page": "99999999999"},
                 {"entity": "<script>"}):
        assert client.get("/security/audit", query_string=junk).status_code == 200


def test_other_schools_rows_are_not_shown(client, school, other_school, login):
    record("update", "mark", 1, school_id=other_school.school.id, user_id=other_school.users["teacher"].id,
           after={"secret": "other-school-secret"})
    db.session.commit()
    login(school.users["admin"])
    html = client.get("/security/audit").get_data(as_text=True)
    assert "other-school-secret" not in html
    assert other_school.users["teacher"].full_name not in html or \
        other_school.users["teacher"].full_name == school.users["teacher"].full_name


def test_only_the_director_reads_the_log(client, school, login):
    login(school.users["deputy"])
    assert client.get("/security/audit").status_code == 403


def test_pages_of_fifty(client, school, login):
    for i in range(60):
        record("update", "mark", i, school_id=school.school.id, user_id=None, after={"v": i})
    db.session.commit()
    login(school.users["admin"])
    first = client.get("/security/audit").get_data(as_text=True)
    second = client.get("/security/audit?page=2").get_data(as_text=True)
    assert first.count("<tr>") - 1 == 50 and second.count("<tr>") - 1 == 11  # 60 and the login


def test_no_route_can_change_audit_rows(app):
    """The log's own routes only read; every other route is covered by the access matrix,
    which checks that existing audit rows are unchanged after every request."""
    for route in routes(app):
        if "audit" in route.rule.rule or route.endpoint.startswith("security."):
            assert set(route.methods) <= {"GET"}, route.rule.rule


def test_the_orm_refuses_to_change_or_delete_audit_rows(school):
    row = record("create", "subject", 1, school_id=school.school.id, user_id=None, after={"name": "x"})
    db.session.commit()
    row.after = {"name": "forged"}
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditLog, row.id))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.execute(update(AuditLog).values(action="x"))
    db.session.rollback()
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.execute(delete(AuditLog))
    db.session.rollback()
    assert db.session.scalars(select(AuditLog.after)).all() == [{"name": "x"}]


def test_the_pages_links_carry_the_filter_and_nothing_else(client, school, login):
    """The links to the next and previous page repeat the filter; any other name of the address
    never reaches them (?_scheme=javascript&_external=1 made them javascript: links, ?endpoint=
    a 500), and ?page=² is the first page."""
    for i in range(60):
        record("update", "mark", i, school_id=school.school.id, user_id=None, after={"v": i})
    db.session.commit()
    login(school.users["admin"])
    page = client.get("/security/audit?action=update&_external=1&_scheme=javascript&endpoint=x&note=%0Aalert(1)"
                      "&page=%C2%B2")
    text = page.get_data(as_text=True)
    links = re.findall(r'<a href="([^"]*)">', text)
    assert page.status_code == 200 and "javascript:" not in text
    assert [link for link in links if "page=" in link] == ["/security/audit?page=2&amp;action=update"]


@pytest.mark.parametrize("query", ["date_to=9999-12-31", "date_from=0001-01-01", "date_from=2026-01-01&date_to=9999-12-31"])
def test_a_date_at_the_calendars_edge_is_refused_with_a_message(client, school, login, query):
    """9999-12-31 is a date, the day after it is not (a 500 once); 0001-01-01 at midnight in
    Bishkek is no date in UTC. Every form's dates lie within 1900-2199 (forms/base.py)."""
    login(school.users["admin"])
    page = client.get(f"/security/audit?{query}")
    assert page.status_code == 200 and "Date must be between 1900-01-01 and 2199-12-31." in page.get_data(as_text=True)
