"""Real browser: a deputy observes a lesson in Russian on a tablet and on a phone, loses the
connection mid-way, finishes it; the teacher acknowledges in Kyrgyz; the summary and the
workbook show it. And the checklist without JavaScript."""
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import Observation, ObservationScore
from tests.conftest import ARTIFACTS, PHONE, TABLET, browser_login, screenshot
from tests.factories.observations import observation_protocols

pytestmark = pytest.mark.browser


@pytest.fixture
def protocols(app):
    return observation_protocols()


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def start_lesson_observation(page, base):
    page.goto(f"{base}/observations/new")
    page.select_option("#instrument_id", label="Протокол посещения урока")
    # Picking the lesson from the timetable fills teacher, class and subject (JS).
    page.select_option("#assignment_id", index=1)
    assert page.input_value("#teacher_id") != ""
    assert page.input_value("#subject_id") != ""
    page.fill("#topic", "Дроби и проценты")
    page.select_option("#purpose", "open_district")
    page.click("#start-form button.primary")
    page.wait_for_selector("#checklist")
    return int(page.url.rstrip("/").split("/")[-1])


def viewport_shot(page, name):
    """What the observer sees on the screen (full-page shots of a long checklist are tall)."""
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=False)


def sync_status(page):
    return page.locator("#obs-sync").inner_text()


@pytest.mark.parametrize("size", ["tablet", "phone"])
def test_observer_completes_a_checklist_through_a_dropped_connection(live_server, browser, school, protocols, size):
    viewport = TABLET if size == "tablet" else PHONE
    context = browser.new_context(viewport=viewport, locale="ru", device_scale_factor=1)
    page = context.new_page()
    try:
        browser_login(page, live_server, school.user("deputy"))
        page.click("button[name=lang][value=ru]")
        page.wait_for_load_state()
        obs_id = start_lesson_observation(page, live_server)
        assert "Оценено 0 из 23" in page.content()
        assert no_sideways_scroll(page), "the checklist must not scroll sideways"

        # The first section online: saved in the background.
        page.click("label[for=s-goal_stated-2]")
        assert page.locator("fieldset[data-criterion=goal_stated] .chosen .desc-2").is_visible()  # shown on tap
        assert not page.locator("fieldset[data-criterion=goal_stated] .chosen .desc-1").is_visible()
        page.click("label[for=s-prior_knowledge-1]")
        page.locator("#obs-sync", has_text="Черновик сохранён").wait_for()
        screenshot(page, f"observation-checklist-{size}-ru")
        viewport_shot(page, f"observation-checklist-{size}-ru-screen")

        # The Wi-Fi drops: the rest is scored offline and kept on the device.
        context.set_offline(True)
        criteria = page.locator("fieldset[data-criterion]")
        for i in range(2, criteria.count()):
            key = criteria.nth(i).get_attribute("data-criterion")
            page.click(f"label[for=s-{key}-{1 if i % 3 == 0 else 2}]")
        page.locator("#section-time details").nth(3).locator("summary").click()  # the note of pacing
        page.fill("#note-pacing", "Соңунда шашылды")
        page.fill("#value-students_present", "23")
        page.fill("#value-strengths", "Хорошая групповая работа")
        page.fill("#value-recommendations", "Больше времени на рефлексию")
        page.locator("#obs-sync", has_text="Нет связи").wait_for()
        assert "Оценено 23 из 23" in page.locator("#obs-progress-text").inner_text()
        # Finishing offline is held back with a message; nothing is lost.
        page.click("button[name=action][value=finish]")
        assert "завершить наблюдение сейчас нельзя" in sync_status(page)
        assert page.url.endswith(f"/observations/{obs_id}")
        stored = page.evaluate(f"localStorage.getItem('sapat-observation-{obs_id}')")
        assert "score-time_on_task" in stored
        screenshot(page, f"observation-offline-{size}-ru")
        page.locator("#section-time").scroll_into_view_if_needed()
        viewport_shot(page, f"observation-offline-{size}-ru-screen")
        db.session.expire_all()
        assert db.session.scalar(select(func.count(ObservationScore.id)).where(
            ObservationScore.observation_id == obs_id)) == 2

        # Back online: the draft is sent by itself; then the observer finishes.
        context.set_offline(False)
        page.locator("#obs-sync", has_text="Черновик сохранён").wait_for(timeout=10000)
        db.session.expire_all()
        assert db.session.scalar(select(func.count(ObservationScore.id)).where(
            ObservationScore.observation_id == obs_id, ObservationScore.item_kind == "criterion")) == 23
        page.click("button[name=action][value=finish]")
        page.wait_for_selector("text=Наблюдение завершено")
        assert page.locator("#checklist").count() == 0
        assert "Соңунда шашылды" in page.content()
        assert no_sideways_scroll(page)
        screenshot(page, f"observation-final-{size}-ru")
        viewport_shot(page, f"observation-final-{size}-ru-screen")
        db.session.expire_all()
        obs = db.session.get(Observation, obs_id)
        assert obs.status == "final" and obs.strengths == "Хорошая групповая работа"
    finally:
        context.close()


def test_teacher_acknowledges_in_kyrgyz_and_summary_and_workbook_show_it(live_server, browser, school,
                                                                          protocols):
    from app.services.observations import records as svc
    from tests.factories.observations import criterion_answers, make_observation

    protocol = svc.protocol_of(protocols["lesson_observation"])
    data = criterion_answers(protocol, time_on_task=0)
    data["value-recommendations"] = "Убакытты туура бөлүштүрүү"
    obs = make_observation(school, protocols, teacher="teacher", scores=data)

    context = browser.new_context(viewport=PHONE, locale="ky", device_scale_factor=1)
    page = context.new_page()
    try:
        browser_login(page, live_server, school.user("teacher"))
        page.click("button[name=lang][value=ky]")
        page.wait_for_load_state()
        page.goto(f"{live_server}/observations/")
        assert "таанышууңузду күтүүдө" in page.content()
        page.click(f"a[href='/observations/{obs.id}']")
        page.wait_for_selector("#acknowledgement")
        assert "Убакытты туура бөлүштүрүү" in page.content()
        page.fill("#comment", "Рахмат, сунуштарды эске алам")
        page.click("#acknowledgement button.primary")
        page.wait_for_selector("text=Рахмат: сиз байкоо менен тааныштыңыз.")
        assert no_sideways_scroll(page)
        screenshot(page, "observation-acknowledged-phone-ky")
        viewport_shot(page, "observation-acknowledged-phone-ky-screen")
    finally:
        context.close()

    context = browser.new_context(viewport=PHONE, locale="ru", device_scale_factor=1)
    page = context.new_page()
    try:
        browser_login(page, live_server, school.user("deputy"))
        page.click("button[name=lang][value=ru]")
        page.wait_for_load_state()
        page.goto(f"{live_server}/observations/summary")
        first = page.locator("#criteria tbody tr").first.inner_text()
        assert "Большую часть урока учащиеся заняты учебной задачей" in first
        assert page.locator("#criteria svg").count() == 1
        assert no_sideways_scroll(page)
        screenshot(page, "observation-summary-phone-ru")
        viewport_shot(page, "observation-summary-phone-ru-screen")
        response = page.request.get(f"{live_server}/observations/export.xlsx")
        assert response.ok
        book = load_workbook(io.BytesIO(response.body()))
        comments = [c.value for c in book["Комментарии"]["E"]]
        assert "Рахмат, сунуштарды эске алам" in comments
        lesson = book["Урок"]
        assert lesson.cell(8, 1).value == school.user("teacher").full_name
    finally:
        context.close()


def test_checklist_works_without_javascript(live_server, phone_nojs, school, protocols):
    from tests.factories.observations import make_observation

    obs = make_observation(school, protocols, final=False, scores={})
    page = phone_nojs
    browser_login(page, live_server, school.user("deputy"))
    page.goto(f"{live_server}/observations/{obs.id}")
    page.click("label[for=s-goal_stated-2]")
    page.click("label[for=s-prior_knowledge-0]")
    page.click("#section-goals .section-save button")
    page.wait_for_url(f"**/observations/{obs.id}#section-goals")
    assert page.locator("#s-goal_stated-2").is_checked()
    criteria = page.locator("fieldset[data-criterion]")
    for i in range(criteria.count()):
        key = criteria.nth(i).get_attribute("data-criterion")
        page.click(f"label[for=s-{key}-1]")
    page.click("button[name=action][value=finish]")
    page.wait_for_selector("#acknowledgement")
    assert "50.0%" in page.content()
    screenshot(page, "observation-final-phone-nojs")


def test_not_applicable_on_a_phone(live_server, phone, school):
    """A criterion that allows it offers "not applicable" under its score buttons; choosing it
    shows what it means, counts as done, and the observation finishes with it."""
    import textwrap

    from app.services.core import instruments as instrument_service
    from surveys.loader import load_text
    from tests.observations.test_observations_na import PROTOCOL, observe

    protocol = instrument_service.publish(load_text(textwrap.dedent(PROTOCOL), "na_check.yaml")).row
    db.session.commit()
    obs = observe(school, protocol, {}, final=False)
    page = phone
    browser_login(page, live_server, school.user("deputy"))
    page.goto(f"{live_server}/observations/{obs.id}")
    assert page.locator("label[for=s-c2-na]").count() == 0
    page.click("label[for=s-c1-na]")
    assert page.locator("fieldset[data-criterion=c1] .chosen .desc-na").is_visible()
    assert page.locator("#obs-progress-text").inner_text() == "1 of 4 scored"
    assert no_sideways_scroll(page)
    viewport_shot(page, "observation-not-applicable-phone-screen")
    for key, score in (("c2", 2), ("c3", 1), ("c4", 0)):
        page.click(f"label[for=s-{key}-{score}]")
    page.click("button[name=action][value=finish]")
    page.wait_for_selector("#acknowledgement")
    assert "50.0%" in page.content()  # 2 + 1 + 0 of 6: c1 is left out
    screenshot(page, "observation-not-applicable-final-phone")


def test_every_item_type_syncs_from_the_checklist(live_server, phone, school):
    """A protocol with every item type: the browser's background sync sends radios, several
    checked boxes, numbers and texts, and the server stores what was chosen."""
    import textwrap
    from datetime import date

    from app.security import Principal
    from app.services.core import instruments as instrument_service
    from app.services.observations import records
    from surveys.loader import load_text
    from tests.surveys.test_instrument_engine import EVERY_TYPE

    row = instrument_service.publish(load_text(textwrap.dedent(EVERY_TYPE), "every.yaml")).row
    db.session.commit()
    obs = records.start_observation(Principal.of(school.user("deputy")), instrument_id=row.id,
                                    teacher_id=school.user("teacher").id, observed_on=date(2026, 10, 5),
                                    purpose="control", year_id=school.year.id)
    db.session.commit()
    page = phone
    browser_login(page, live_server, school.user("deputy"))
    page.goto(f"{live_server}/observations/{obs.id}")
    page.check("#value-many-0")
    page.check("#value-many-2")
    page.click("label[for='v-yn-yes']")
    page.click("label[for='s-crit-1']")
    page.fill("#value-share", "0.25")
    page.locator("#obs-sync", has_text="Draft saved").wait_for()
    page.wait_for_function("!JSON.parse(localStorage.getItem('sapat-observation-%d') || '{}').dirty" % obs.id)
    db.session.expire_all()
    stored = {r.item_key: (r.score, r.number, r.text) for r in db.session.scalars(
        select(ObservationScore).where(ObservationScore.observation_id == obs.id))}
    assert stored == {"many": (None, None, "a,c"), "yn": (1, None, None), "crit": (1, None, None),
                      "share": (None, 0.25, None)}
    assert no_sideways_scroll(page)
