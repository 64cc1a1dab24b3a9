"""The survey page of every shipped questionnaire at 360 px, with JavaScript on and off (issue 23):
question numbers run without gaps over the items shown; without JavaScript a page that applies
only to some parents says so ("Answer only if ..."), with the number of the question it reads;
the introduction promises a draft on this phone only where one is kept."""
import pytest

from app.extensions import db
from app.services.core import instruments as instrument_service
from app.services.surveys import campaigns
from surveys.loader import instrument_files, load_file
from tests.conftest import screenshot

pytestmark = pytest.mark.browser

SHIPPED = [p for p in instrument_files() if load_file(p).kind == "survey"]
KEPT = "You can stop and continue later in this browser on this phone"
NOT_KEPT = "Your answers are kept only once you send them"


def _open(school, path) -> str:
    spec = load_file(path)
    instrument = instrument_service.publish(spec).row
    campaign = campaigns.create_campaign(
        school_id=school.school.id, instrument=instrument, title="T", audience=spec.audience[0],
        class_ids=[c.id for c in school.classes], year_id=school.year.id, whole_school=spec.audience[0] != "parents")
    campaign.status = "open"
    db.session.commit()
    return campaign.targets[0].slug


def _shown_numbers(page) -> dict[str, list[str]]:
    """{page id: the question numbers of its items the answers show}, for every page the
    answers show (JavaScript on: a conditional page shows once its condition holds, which
    `data-show-if` pages do not before any answer)."""
    return dict(page.evaluate("""() => Array.from(document.querySelectorAll("section.part"))
        .filter((p) => !p.dataset.showIf || p.dataset.shownForTest === "1")
        .map((p) => [p.id, Array.from(p.querySelectorAll(".q:not([hidden]) > legend .qn"))
                             .map((q) => q.textContent.trim())])"""))


def _consecutive(numbers: list[str]) -> bool:
    return numbers == [f"{n}." for n in range(1, len(numbers) + 1)]


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_without_javascript_numbers_run_on_and_conditional_pages_say_to_whom(live_server, phone_nojs, school, path):
    page = phone_nojs
    page.goto(f"{live_server}/s/{_open(school, path)}?lang=en")
    numbers = page.locator(".q > legend .qn").all_inner_texts()
    assert _consecutive([n.strip() for n in numbers]), numbers
    assert page.get_by_text(NOT_KEPT).is_visible() and not page.get_by_text(KEPT).is_visible()
    spec = load_file(path)
    conditional = [s for s in spec.sections if s.show_if is not None]
    assert page.locator("[data-cond-hint]").count() == len(conditional) + sum(
        1 for s in spec.sections for i in s.items if i.show_if is not None)
    for section in conditional:
        hint = page.locator(f"#part-{section.key} .cond-hint")
        assert hint.is_visible()
        item = section.show_if.item
        asked = page.locator(f"#q-{item} .qn").inner_text().strip(".")
        assert hint.inner_text().strip() == f"Answer only if you answered “Yes” to question {asked}."
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    if conditional:  # the conditional page as a parent sees it, for people to look at
        shot = screenshot(page, f"survey-nojs-{path.stem}")
        page.locator(f"#part-{conditional[0].key}").screenshot(path=str(shot.with_name(f"survey-nojs-{section.key}.png")))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_with_javascript_numbers_count_only_what_the_answers_show(live_server, phone, school, path):
    page = phone
    page.goto(f"{live_server}/s/{_open(school, path)}?lang=en")
    # Before any answer no conditional page shows.
    assert _consecutive([n for numbers in _shown_numbers(page).values() for n in numbers])
    assert page.locator("[data-cond-hint]:visible").count() == 0
    assert page.get_by_text(KEPT).is_visible() and not page.get_by_text(NOT_KEPT).is_visible()


def test_the_canteen_page_numbers_follow_the_answer(live_server, phone, school):
    """parent_satisfaction: the catering page (3 items) shows only after "yes" to the canteen
    question; the numbers of the pages after it move with it, without a gap."""
    path = next(p for p in SHIPPED if p.stem == "parent_satisfaction")
    page = phone
    page.goto(f"{live_server}/s/{_open(school, path)}?lang=en")

    def numbers():
        page.evaluate("""() => document.querySelector("#part-catering").dataset.shownForTest =
                         document.querySelector("#eats_canteen-0").checked ? "1" : "0" """)
        found = _shown_numbers(page)
        assert _consecutive([n for numbers in found.values() for n in numbers]), found
        return found

    no_canteen = numbers()
    first_after = no_canteen["part-communication"][0]
    page.locator('label[for="eats_canteen-0"]').click()  # "yes"
    with_canteen = numbers()
    assert with_canteen["part-catering"] == [f"{int(no_canteen['part-safety'][-1].strip('.')) + n}." for n in (1, 2, 3)]
    assert int(with_canteen["part-communication"][0].strip(".")) == int(first_after.strip(".")) + 3
    page.locator('label[for="eats_canteen-1"]').click()  # "no" again
    assert numbers()["part-communication"][0] == first_after
    screenshot(page, "survey-js-first-page")
