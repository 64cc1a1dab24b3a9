"""In a real browser (chromium): hostile names and answers never run a script on the
pages a director reads most, the audit log fits a 360-px phone, and the CSP reports no
violation (no inline script or style slipped into a template)."""
import pytest

from app.extensions import db
from tests.conftest import browser_login, screenshot
from tests.security.surveys import campaign
from tests.security.tables import XSS_SEEDERS

pytestmark = pytest.mark.browser


def test_hostile_text_stays_inert_and_the_audit_log_fits_a_phone(live_server, phone, school, client, login):
    for seeder in XSS_SEEDERS:
        seeder(school)
    db.session.commit()
    # Some audited changes with hostile values, made through the app.
    login(school.users["admin"])
    client.post(f"/admin/subjects/{school.subjects[1].id}",
                data={"name": '"><img src=x onerror=alert(2)>', "name_ru": "", "ma_id": ""})
    survey = campaign(school)

    dialogs, violations = [], []
    phone.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    phone.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    browser_login(phone, live_server, school.users["admin"])
    pages = ["/security/audit", "/admin/users/", f"/admin/class/{school.classes[0].id}", "/admin/subjects/",
             f"/surveys/{survey.id}", f"/surveys/{survey.id}/results"]
    for path in pages:
        phone.goto(live_server + path)
        phone.wait_for_load_state("load")
        wide = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 1, f"{path} scrolls sideways by {wide}px at 360 px"
    phone.goto(live_server + "/security/audit")
    assert phone.locator("table.audit tbody tr").count() >= 2
    assert phone.locator("del", has_text="Физика").count() >= 1
    screenshot(phone, "security-audit-log-phone")
    phone.select_option("#entity", "subject")
    phone.click("button.primary")
    phone.wait_for_load_state("load")
    assert "entity=subject" in phone.url
    screenshot(phone, "security-audit-log-filtered-phone")
    assert not dialogs, f"a script ran: {dialogs}"
    assert not violations, violations
