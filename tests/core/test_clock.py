"""Issue 16 §5, the school's clock: a UTC server, frozen at 00:30 of 01.12 in Bishkek (18:30 UTC
of 30.11), decides and shows every date on the school's wall clock."""
import io
import os
import re
import time
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, Observation
from app.services.core import audit_log, clock
from app.services.monitoring import planning
from tests.factories.monitoring import make_cyclogram_item
from tests.factories.observations import make_observation, observation_protocols
from tests.factories.surveys import make_campaign

# 01.12.2026 00:30 in Bishkek (UTC+6) is 30.11.2026 18:30 UTC.
AFTER_MIDNIGHT = datetime(2026, 11, 30, 18, 30, tzinfo=timezone.utc)


@pytest.fixture
def utc_process():
    """The server's own zone is UTC, like most hosts (date.today() would say 30.11)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture
def after_midnight(utc_process):
    with time_machine.travel(AFTER_MIDNIGHT, tick=False):
        assert date.today() == date(2026, 11, 30)  # the server's day: not the school's
        yield


def test_today_is_the_schools_day(after_midnight, school):
    assert clock.today(school.school) == date(2026, 12, 1)
    assert clock.local_now(school.school).strftime("%H:%M") == "00:30"
    school.school.timezone = "UTC"
    assert clock.today(school.school) == date(2026, 11, 30)
    assert clock.zone("No/Such_Zone").key == "Asia/Bishkek"


def _campaign_page(client, campaign):
    return client.get(f"/s/{campaign.targets[0].slug}")


def test_campaign_that_closed_yesterday_refuses_and_one_opening_today_accepts(after_midnight, school, client):
    closed = make_campaign(school, title="Closed on 30.11")
    closed.closes_on = date(2026, 11, 30)
    opening = make_campaign(school, title="Opens on 01.12")
    opening.opens_on = date(2026, 12, 1)
    db.session.commit()
    assert _campaign_page(client, closed).status_code == 403
    assert _campaign_page(client, opening).status_code == 200


def test_new_observation_defaults_to_the_schools_today(after_midnight, school, login):
    client = login(school.user("deputy"))
    page = client.get("/observations/new").get_data(as_text=True)
    assert re.search(r'name="observed_on"[^>]*value="2026-12-01"', page), page[:200]


def test_acknowledgement_shows_the_same_time_in_history_and_audit_log(utc_process, school, login, client):
    protocols = observation_protocols()
    obs = make_observation(school, protocols, teacher="teacher")
    with time_machine.travel(datetime(2026, 11, 30, 17, 54, tzinfo=timezone.utc), tick=False):
        login(school.user("teacher"))
        assert client.post(f"/observations/{obs.id}/acknowledge", data={"comment": "ok"}).status_code == 303
    stored = db.session.get(Observation, obs.id).acknowledged_at
    assert stored.tzinfo is not None and stored == datetime(2026, 11, 30, 17, 54, tzinfo=timezone.utc)
    row = db.session.scalar(select(AuditLog).where(AuditLog.action == "acknowledge"))
    assert row.created_at.tzinfo is not None
    client.post("/logout")
    login(school.user("deputy"))
    history = client.get(f"/observations/{obs.id}").get_data(as_text=True)
    assert "30.11.2026 23:54" in history and "17:54" not in history
    client.post("/logout")
    login(school.user("admin"))
    audit = client.get("/security/audit?entity=observation").get_data(as_text=True)
    assert "30.11.2026 23:54" in audit and "17:54" not in audit  # the audit log's dates as on every page


def test_audit_log_day_filter_is_the_schools_day(school):
    for moment in (datetime(2026, 11, 30, 17, 59, tzinfo=timezone.utc), AFTER_MIDNIGHT):
        db.session.add(AuditLog(school_id=school.school.id, action="create", entity="note", created_at=moment))
    db.session.commit()
    found = audit_log.search(school.school.id, audit_log.AuditFilter(date_from=date(2026, 12, 1),
                                                                    date_to=date(2026, 12, 1)))
    assert [e.row.created_at for e in found.entries] == [AFTER_MIDNIGHT]


def test_item_due_yesterday_is_overdue_after_midnight(after_midnight, school):
    item = make_cyclogram_item(school, due_on=date(2026, 11, 30), status="planned")
    db.session.commit()
    assert planning.effective_status(item) == "overdue"
    assert [v.item.id for v in planning.overdue(school.school.id, school.year.id)] == [item.id]
    planning.mark_status(item, "done")
    assert item.done_on == date(2026, 12, 1)


def test_workbook_generated_at_is_the_schools_time(after_midnight, school):
    from app.services.exports.core import WorkbookWriter
    out = io.BytesIO()
    with WorkbookWriter(out, school=school.school, school_name="S", period="P") as book:
        assert book.generated_at.strftime("%d.%m.%Y %H:%M") == "01.12.2026 00:30"


def test_stored_datetimes_come_back_aware_in_utc(school):
    row = AuditLog(school_id=school.school.id, action="x", entity="y",
                   created_at=datetime(2026, 12, 1, 0, 30, tzinfo=clock.zone("Asia/Bishkek")))
    db.session.add(row)
    db.session.commit()
    db.session.expire_all()
    back = db.session.get(AuditLog, row.id).created_at
    assert back == datetime(2026, 11, 30, 18, 30, tzinfo=timezone.utc) and back.utcoffset() == timedelta(0)


def test_nothing_reads_the_system_clock_but_the_clock_module():
    """The whole kind: no date.today(), datetime.now() or utcnow() outside the clock."""
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    allowed = {"app/models/base.py"}
    found = []
    for path in list((root / "app").rglob("*.py")) + list((root / "forms").rglob("*.py")):
        rel = str(path.relative_to(root))
        text = path.read_text(encoding="utf-8")
        if rel not in allowed and re.search(r"date\.today\(|datetime\.now\(|datetime\.utcnow\(|func\.now\(", text):
            found.append(rel)
    assert found == []


def test_no_test_compares_with_the_servers_day():
    """Tests read "today" from the clock too: at 18:00-24:00 UTC it is already tomorrow in
    Bishkek, and a test comparing a stored day with date.today() failed every evening."""
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    found = [str(path.relative_to(root)) for path in (root / "tests").rglob("*.py")
             if path.name != "test_clock.py"
             and re.search(r"date\.today\(|datetime\.now\(\)|datetime\.utcnow\(", path.read_text(encoding="utf-8"))]
    assert found == []
