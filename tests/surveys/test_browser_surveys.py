"""The issue's journey in a real browser: an admin creates a campaign for two classes and prints the
QR notice; a parent answers in Kyrgyz on a 360-px phone with JavaScript on and with it off; the
admin sees the results and downloads the workbook, whose numbers equal the screen."""
import io
import re

import openpyxl
import pytest

from app.extensions import db
from app.models import Campaign, Response
from app.services.core import instruments as instrument_service
from tests.conftest import browser_login, screenshot
from tests.factories.surveys import answer

pytestmark = pytest.mark.browser


def answer_page(page, choice="4"):
    """Answer every visible radio group (the given point where it exists, else the first option)."""
    names = []
    for radio in page.locator("input[type=radio]:visible").all():
        name = radio.get_attribute("name")
        if name not in names:
            names.append(name)
    for name in names:
        wanted = page.locator(f'input[name="{name}"][value="{choice}"]')
        if name == "eats_canteen":
            wanted = page.locator(f'input[name="{name}"][value="no"]')
        target = wanted if wanted.count() else page.locator(f'input[name="{name}"]').first
        page.locator(f'label[for="{target.get_attribute("id")}"]').click()


def answer_survey(page, base, slug, tag, java_script):
    page.goto(f"{base}/s/{slug}")
    assert page.locator("html").get_attribute("lang") == "ky"
    assert "Ата-энелердин мектептин ишине канааттануусу" in page.content()
    sections = page.locator("section.part").count()
    assert sections >= 3
    screenshot(page, f"survey-start-{tag}")
    if java_script:
        answer_with_javascript(page, tag)
    else:
        answer_without_javascript(page, tag, sections)
    assert "/done" in page.url and "Рахмат!" in page.content()
    screenshot(page, f"survey-done-{tag}")


def answer_with_javascript(page, tag):
    """One section at a time; the draft survives a reload; nothing reaches the server before the end."""
    assert page.locator("section.part:visible").count() == 1
    page.click("[data-next]")  # nothing answered: the section stays, with the message in Kyrgyz
    assert page.locator(".js-check").is_visible() and page.locator(".q.has-error").count() > 0
    screenshot(page, f"survey-errors-{tag}")
    answer_page(page)
    page.click("[data-next]")
    second = page.locator("section.part:visible").get_attribute("id")
    assert not page.locator(".intro").is_visible()  # the introduction belongs to the first part
    page.reload()  # the phone closes the page and comes back: answers and place are kept
    assert page.locator("section.part:visible").get_attribute("id") == second
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('sapat-draft:')).length") == 1
    for step in range(10):
        if page.locator("[data-send]").is_visible():
            break
        answer_page(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, "no sideways scrolling"
        if step == 0:
            screenshot(page, f"survey-page-{tag}")
        page.click("[data-next]")
    answer_page(page)
    page.click("[data-send]")
    page.wait_for_url(re.compile(r".*/done"))
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('sapat-draft:')).length") == 0


def answer_without_javascript(page, tag, sections):
    """Every section on one page and one button."""
    assert page.locator("section.part:visible").count() == sections
    page.click("[data-send]")  # nothing answered: the page comes back with messages in Kyrgyz
    assert "Бул суроого жооп бериңиз." in page.content()
    screenshot(page, f"survey-errors-{tag}")
    answer_page(page)
    screenshot(page, f"survey-page-{tag}")
    page.click("[data-send]")
    page.wait_for_load_state()


def test_campaign_journey(live_server, tablet, browser, school):
    instrument = instrument_service.ensure_published("parent_satisfaction")
    db.session.commit()
    admin = school.user("admin")
    browser_login(tablet, live_server, admin)
    tablet.goto(f"{live_server}/surveys/new")
    tablet.select_option("#instrument_id", str(instrument.id))
    tablet.fill("#title", "Autumn parents' survey")
    for cls in school.classes:
        tablet.check(f'input[name="classes"][value="{cls.id}"]')
    tablet.fill("#min_group_size", "3")
    tablet.click("button.primary")
    tablet.wait_for_url(re.compile(r".*/surveys/\d+$"))
    tablet.click("button.primary")  # open for answers
    campaign = db.session.scalar(db.select(Campaign))
    assert campaign.status == "open" and len(campaign.targets) == 2
    slug = campaign.targets[0].slug
    tablet.goto(f"{live_server}/surveys/{campaign.id}/notice/{campaign.targets[0].id}")
    assert tablet.locator(".qr svg").count() == 2
    screenshot(tablet, "survey-qr-notice")

    for tag, java_script in (("phone-ky-js", True), ("phone-ky-nojs", False)):
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ky",
                                      java_script_enabled=java_script)
        page = context.new_page()
        answer_survey(page, live_server, slug, tag, java_script)
        context.close()
    assert db.session.scalar(db.select(db.func.count(Response.id)).where(Response.status == "complete")) == 2

    answer(db.session.get(Campaign, campaign.id), campaign.targets[0], {"eats_canteen": "yes", "r1": "5", "c1": "2"})
    db.session.get(Campaign, campaign.id).status = "closed"  # figures are shown once the campaign is closed
    db.session.commit()
    tablet.goto(f"{live_server}/surveys/{campaign.id}/results")
    assert tablet.locator("#respondents").inner_text() == "3"
    screenshot(tablet, "survey-results")
    row = tablet.locator('tr[data-key="r1"] td.num').all_inner_texts()
    with tablet.expect_download() as download:
        tablet.goto(f"{live_server}/surveys/{campaign.id}")
        tablet.click("text=Download workbook (.xlsx)")
    book = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    rows = list(book["Summary"].iter_rows(min_row=7, values_only=True))
    header = rows[0]
    r1 = dict(zip(header, next(r for r in rows if r[0] == "r1")))
    assert [str(r1["n"]), f'{r1["Mean"]:.2f}', f'{r1["Index 0-100"]:.1f}', f'{r1["Top-2, % of n"]:.1f}'] == row


@pytest.mark.parametrize("key, section", [("psychological_climate", 1), ("student_lessons", 1)])
def test_matrix_pages_fit_a_phone(live_server, phone, school, key, section):
    from tests.factories.surveys import make_campaign

    campaign = make_campaign(school)
    campaign.instrument_id = instrument_service.ensure_published(key).id
    db.session.commit()
    slug = campaign.targets[0].slug
    phone.goto(f"{live_server}/s/{slug}")
    # Show the matrix section alone, as the Next button would.
    phone.evaluate(f"document.querySelectorAll('section.part').forEach((p, i) => p.hidden = i !== {section})")
    screenshot(phone, f"survey-matrix-{key}")
    wide = phone.evaluate("""[...document.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > 360)
                             .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right)""")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360, wide
