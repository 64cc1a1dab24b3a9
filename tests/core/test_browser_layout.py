"""Layout on a phone (issue 23): the menu takes one line, and no tile, heading or cell text
runs out of its box in Kyrgyz at 360 px."""
import pytest

from tests.conftest import browser_login, screenshot

pytestmark = pytest.mark.browser

OVERFLOWING = """() => [...document.querySelectorAll('.tile, h1, h2, th, td, .card p, label')]
  .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible')
  .map(e => e.textContent.trim().slice(0, 40))"""


def test_director_home_on_a_phone_in_kyrgyz(live_server, phone, school):
    page = phone
    browser_login(page, live_server, school.user("admin"))
    page.goto(f"{live_server}/")
    screenshot(page, "layout-home-phone-ky")
    menu = page.locator("nav.nav").bounding_box()
    assert menu["height"] < 60, menu  # one scrolling line, not a block of links
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate(OVERFLOWING) == []
    page.goto(f"{live_server}/admin/")
    assert page.evaluate(OVERFLOWING) == []


# A word that starts on one line and ends on the next: the box is too narrow for the word.
CUT_WORDS = """(selector) => { const out = [];
  for (const box of document.querySelectorAll(selector)) {
    if (box.offsetParent === null) continue;
    const walk = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    while (walk.nextNode()) { const node = walk.currentNode, re = /[^\\s\\-–—\\/·,.:;()]{4,}/g; let m;
      while ((m = re.exec(node.textContent))) { const r = document.createRange();
        r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length);
        if (new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top))).size > 1) out.push(m[0]); } } }
  return out; }"""


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_no_word_of_a_tile_or_a_figure_card_is_cut_in_two_on_a_phone(live_server, phone, school, lang):
    """Two columns of tiles at 360 px cut "кызматкерлерди" into "кызматкерле / рди"; a campaign's
    questionnaire title was set in the figures' size and cut the same way."""
    from app.extensions import db
    from app.services.core import instruments as instrument_service
    from app.services.surveys import campaigns
    from surveys.loader import load_file

    instrument = instrument_service.publish(load_file("surveys/instruments/parent_satisfaction.yaml")).row
    campaign = campaigns.create_campaign(
        school_id=school.school.id, instrument=instrument, title="Ата-энелердин сурамжылоосу", audience="parents",
        class_ids=[c.id for c in school.classes], access_mode="link", min_group_size=5, year_id=school.year.id)
    db.session.commit()
    page = phone
    browser_login(page, live_server, school.user("admin"))
    page.locator(f"form.lang button[value={lang}]").click()
    for path in ("/", "/admin/", "/registers/", f"/surveys/{campaign.id}"):
        page.goto(f"{live_server}{path}")
        assert page.evaluate(CUT_WORDS, ".tile, .stats li") == [], path
    screenshot(page, f"layout-campaign-phone-{lang}")


def test_a_table_wider_than_the_phone_shows_that_it_scrolls(live_server, phone, school):
    """A table that scrolls sideways at 360 px has a shadow at its right edge (the box's own
    background, under a transparent table); without it the cut column looked like the end."""
    page = phone
    browser_login(page, live_server, school.user("admin"))
    page.goto(f"{live_server}/admin/users/")
    box = page.locator(".scroll").first
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")
    assert "radial-gradient" in box.evaluate("e => getComputedStyle(e).backgroundImage")
    assert box.evaluate("e => getComputedStyle(e.querySelector('table')).backgroundColor") == "rgba(0, 0, 0, 0)"
    screenshot(page, "layout-scrolling-table-phone-ky")


def test_a_tables_row_headers_wrap_on_a_phone(live_server, phone, school):
    """The summary of the teachers' achievements by level: its row headers ("педкеңешке, семинарда
    же тегерек столдо чыгып сүйлөө") kept to one line at 360 px, so the table ran off the screen
    before its first figure. On a phone a row header wraps; a column header stays on one line."""
    from tests.factories.monitoring import make_register_rows

    make_register_rows(school)
    page = phone
    browser_login(page, live_server, school.user("admin"))
    page.goto(f"{live_server}/registers/teachers/")
    screenshot(page, "layout-register-summary-phone-ky")
    summary = page.locator("section.card table.table").first
    assert summary.locator("tbody th").count() > 3
    widest = page.evaluate("""() => Math.max(...[...document.querySelectorAll('section.card table.table tbody th')]
      .map(th => th.getBoundingClientRect().width))""")
    assert widest < 200, widest
    first_figure = summary.locator("tbody td.num").first.bounding_box()
    assert first_figure["x"] + first_figure["width"] <= 360, first_figure


def test_every_choice_of_a_staff_form_is_a_finger_sized_target_on_a_phone(live_server, phone, school):
    """The director's switch for students' own diagnostics showed two bare 13 px radio buttons;
    the forms' choice lists (a survey's audience, access) had 22 px boxes on lines of 30 px. Each
    choice is now a 22 px box on a line at least 40 px high, the whole line its label."""
    page = phone
    browser_login(page, live_server, school.user("admin"))
    for path in ("/diagnostics/rule", "/surveys/new"):
        page.goto(f"{live_server}{path}")
        choices = page.locator("main input[type=radio]")
        assert choices.count() >= 2, path
        for i in range(choices.count()):
            box = choices.nth(i).bounding_box()
            line = choices.nth(i).locator("xpath=ancestor::label[1]").bounding_box()
            assert box["width"] >= 22 and box["height"] >= 22, (path, i, box)
            assert line["height"] >= 40 and line["width"] > 200, (path, i, line)
    screenshot(page, "layout-choices-phone")
