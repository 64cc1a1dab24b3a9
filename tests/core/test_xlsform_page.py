"""XLSForm import and export through the instruments page and the command line: a real public
form (tests/data/xlsform) is published, answered on the public page in ky and ru, exported and
imported again unchanged; a form with problems is refused row by row in the reader's language."""
import io

import pytest
from flask_babel import force_locale, gettext, refresh
from markupsafe import escape
from sqlalchemy import func, select

from app.extensions import db
from app.models import Answer, AuditLog, Instrument, Response
from app.services.core import instruments
from app.services.surveys import campaigns
from surveys.answers import FORM
from surveys.loader import validate_data
from surveys.xlsform import read_xlsform
from tests.surveys.test_surveys_campaigns import send
from tests.surveys.xlsform_support import DATA

pytestmark = pytest.mark.filterwarnings("ignore:Workbook contains no default style")

REAL_FORM = DATA / "yes_or_no_question.xlsx"  # pyxform's example: one select_one over a yes/no list
QUESTION = "have you had a good day today?"
OPTIONS = {"fallback": "en", "key": "good_day", "title": "Good day"}


def count(model, **where):
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.scalar(query)


def upload(client, content: bytes, name: str, **fields):
    return client.post("/instruments/import", data={"file": (io.BytesIO(content), name), **fields},
                       content_type="multipart/form-data")


def cli(app, *args, lang="en"):
    refresh()  # the test's app context keeps the language it found first; the command reads SAPAT_LANG
    return app.test_cli_runner().invoke(args=["instruments", *args], env={"SAPAT_LANG": lang})


def answered_on_the_public_page(client, school, row) -> None:
    """A parents' campaign of the published version: its page in ky and ru, one answer stored."""
    campaign = campaigns.create_campaign(school_id=school.school.id, instrument=row, title="Good day",
                                         audience="parents", class_ids=[school.classes[0].id], year_id=school.year.id)
    campaign.status = "open"
    db.session.commit()
    slug = campaign.targets[0].slug
    kyrgyz = client.get(f"/s/{slug}?lang=ky").get_data(as_text=True)
    russian = client.get(f"/s/{slug}?lang=ru").get_data(as_text=True)
    assert 'lang="ky"' in kyrgyz and QUESTION in kyrgyz and ">Ооба<" in kyrgyz and ">Жок<" in kyrgyz
    assert 'lang="ru"' in russian and QUESTION in russian and ">Да<" in russian and ">Нет<" in russian
    (item,) = row.spec.items()
    _fields, response = send(client, slug, {FORM.answer(item, item.key): "yes"})
    assert response.status_code == 303
    assert count(Response, campaign_id=campaign.id) == 1
    stored = db.session.scalar(select(Answer).where(Answer.campaign_id == campaign.id))
    assert (stored.item_key, stored.value) == ("good_day", 1)


def test_a_real_form_goes_through_the_page_to_the_public_page_and_back(client, login, school):
    deputy = school.user("deputy")
    login(deputy)
    page = client.get("/instruments/")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.get_data(as_text=True)
    response = upload(client, REAL_FORM.read_bytes(), "yes_or_no_question.xlsx", **OPTIONS)
    assert response.status_code == 303 and response.headers["Location"].endswith("/instruments/good_day/1")
    row = db.session.scalar(select(Instrument).where(Instrument.key == "good_day"))
    assert (row.version, row.kind, row.source_file) == (1, "survey", "yes_or_no_question.xlsx")
    audit = db.session.scalar(select(AuditLog).where(AuditLog.entity == "instrument"))
    assert (audit.action, audit.user_id, audit.entity_id, audit.after["format"]) == ("import", deputy.id, str(row.id),
                                                                                    "xlsform")
    shown = client.get("/instruments/good_day/1").get_data(as_text=True)
    assert "good_day: version 1 stored." in shown  # the flash
    assert "Ignored: survey: label::Kyrgyz (ky) texts missing: copied from en" in shown
    assert QUESTION in shown and "yes / no" in shown and "Good day" in shown
    assert "/instruments/good_day/1/xlsform" in client.get("/instruments/").get_data(as_text=True)

    answered_on_the_public_page(client, school, row)

    exported = client.get("/instruments/good_day/1/xlsform")
    assert exported.status_code == 200 and exported.mimetype.endswith("spreadsheetml.sheet")
    assert "good_day_v1.xlsx" in exported.headers["Content-Disposition"]
    back = validate_data(read_xlsform(io.BytesIO(exported.data)), "good_day_v1.xlsx")
    assert back == row.spec and back.content_hash() == row.content_hash
    again = upload(client, exported.data, "good_day_v1.xlsx")  # no options: the export says everything
    assert again.status_code == 303
    assert "good_day: unchanged (version 1)." in client.get(again.headers["Location"]).get_data(as_text=True)
    assert count(Instrument, key="good_day") == 1 and count(AuditLog, entity="instrument") == 1


def test_a_real_form_goes_through_the_command_line_and_back(app, client, school, tmp_path):
    result = cli(app, "import-xlsform", str(REAL_FORM), "--fallback", "en", "--key", "good_day",
                 "--title", "Good day")
    assert result.exit_code == 0, result.output
    assert "good_day: version 1 stored." in result.output
    assert "Ignored: survey: label::Kyrgyz (ky) texts missing: copied from en" in result.output
    row = db.session.scalar(select(Instrument).where(Instrument.key == "good_day"))
    assert row.spec.title.ru == "Good day" and row.source_file == "yes_or_no_question.xlsx"
    assert db.session.scalar(select(AuditLog).where(AuditLog.entity == "instrument")).school_id == school.school.id

    answered_on_the_public_page(client, school, row)

    target = tmp_path / "good_day.xlsx"
    exported = cli(app, "export-xlsform", "good_day", "-o", str(target))
    assert exported.exit_code == 0 and target.is_file() and "good_day version 1 written to" in exported.output
    again = cli(app, "import-xlsform", str(target))
    assert again.exit_code == 0 and "good_day: unchanged (version 1)." in again.output
    assert count(Instrument, key="good_day") == 1
    assert validate_data(read_xlsform(target), target.name).content_hash() == row.content_hash


def test_a_changed_form_becomes_the_next_version(app, tmp_path):
    assert cli(app, "import-xlsform", str(REAL_FORM), "--fallback", "en", "--key", "good_day",
               "--title", "Good day").exit_code == 0
    changed = cli(app, "import-xlsform", str(REAL_FORM), "--fallback", "en", "--key", "good_day",
                  "--title", "A good day")
    assert changed.exit_code == 0  # the form says version 1 (no settings sheet), which is taken
    assert "good_day: stored as version 2 (the file says 1, which is already published with other content)." \
        in changed.output
    target = tmp_path / "first.xlsx"
    assert cli(app, "export-xlsform", "good_day", "--version", "1", "-o", str(target)).exit_code == 0
    assert validate_data(read_xlsform(target), "first").title.en == "Good day"
    assert cli(app, "export-xlsform", "good_day", "-o", str(target)).exit_code == 0
    assert validate_data(read_xlsform(target), "latest").title.en == "A good day"


TUTORIAL = {"fallback": "en", "language": "en", "key": "tutorial", "title": "Tutorial"}


@pytest.mark.parametrize("lang", ["ru", "ky", "en"])
def test_a_form_with_problems_is_refused_row_by_row_in_the_readers_language(client, login, school, lang):
    deputy = school.user("deputy")
    deputy.locale = lang
    db.session.commit()
    login(deputy)
    response = upload(client, (DATA / "tutorial.xlsx").read_bytes(), "tutorial.xlsx", **TUTORIAL)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    with force_locale(lang):
        photo = gettext("'%(type)s' has no Sapat item type (single, multi, likert, matrix, number, text, yes_no, "
                        "criterion)") % {"type": "photo"}
        imei = gettext("the metadata '%(type)s' is not recorded by Sapat") % {"type": "imei"}
        start = gettext("survey row %(row)s: %(type)s ignored (Sapat records when answers start and are "
                        "submitted)") % {"row": 14, "type": "start"}
        heading = gettext("Sheet")
    if lang != "en":
        assert "Sapat item type" not in photo  # translated, not the English text
    for row, column, reason in ((5, "type", photo), (17, "type", imei)):
        assert f'<td>survey</td><td class="num">{row}</td><td>{column}</td><td>{escape(reason)}</td>' in page, reason
    assert escape(start) in page and heading in page
    assert page.count('<tr><td>survey</td>') == 7
    assert count(Instrument) == 0 and count(AuditLog, entity="instrument") == 0


def test_the_command_line_refuses_with_sheet_row_column_and_reason(app, school):
    result = cli(app, "import-xlsform", str(DATA / "tutorial.xlsx"), "--fallback", "en", "--language", "en",
                 "--key", "tutorial", "--title", "Tutorial")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == ("tutorial.xlsx: survey, row 5, type: 'photo' has no Sapat item type (single, multi, "
                        "likert, matrix, number, text, yes_no, criterion)")
    assert "tutorial.xlsx: survey, row 17, type: the metadata 'imei' is not recorded by Sapat" in lines
    assert lines[-1] == "Nothing was published: 7 problems found."
    russian = cli(app, "import-xlsform", str(DATA / "tutorial.xlsx"), "--fallback", "en", "--language", "en",
                  "--key", "tutorial", "--title", "Tutorial", lang="ru")
    assert russian.exit_code == 1 and "Ничего не опубликовано: найдено проблем: 7." in russian.stderr
    assert "tutorial.xlsx: survey, строка 5, type:" in russian.stderr
    assert count(Instrument) == 0


def test_the_command_line_refuses_what_is_not_there(app, tmp_path):
    missing = cli(app, "import-xlsform", str(tmp_path / "none.xlsx"))
    assert missing.exit_code == 1 and "File not found" in missing.stderr
    garbage = tmp_path / "form.xlsx"
    garbage.write_bytes(b"type,name\ntext,a\n")
    bad = cli(app, "import-xlsform", str(garbage))
    assert bad.exit_code == 1 and "form.xlsx: workbook: not an .xlsx workbook" in bad.stderr
    target = tmp_path / "out.xlsx"
    unknown = cli(app, "export-xlsform", "nothing", "-o", str(target))
    assert unknown.exit_code == 1 and "No published instrument nothing." in unknown.stderr
    assert not target.exists() and "Traceback" not in unknown.output + unknown.stderr


def test_bad_uploads_get_a_message_and_write_nothing(client, login, school):
    login(school.user("admin"))
    for content, name in ((b"", "empty.xlsx"), (b"PK\x03\x04broken", "broken.xlsx"), (b"x", "form.csv")):
        response = upload(client, content, name)
        page = response.get_data(as_text=True)
        assert response.status_code in (200, 422) and "Traceback" not in page, name
        assert 'class="error"' in page, name
    assert upload(client, REAL_FORM.read_bytes(), "a.xlsx", key="Bad Key").status_code == 200
    assert count(Instrument) == 0 and count(AuditLog, entity="instrument") == 0
    assert client.get("/instruments/nothing/1").status_code == 404
    assert client.get("/instruments/nothing/1/xlsform").status_code == 404


def test_a_shipped_protocol_downloads_and_imports_unchanged(client, login, school):
    """An observation protocol too: its export goes back through the page without a new version."""
    row = instruments.ensure_published("lesson_observation")
    db.session.commit()
    login(school.user("admin"))
    exported = client.get(f"/instruments/lesson_observation/{row.version}/xlsform")
    assert exported.status_code == 200
    again = upload(client, exported.data, "lesson_observation.xlsx")
    assert again.status_code == 303
    assert count(Instrument, key="lesson_observation") == 1
    page = client.get(f"/instruments/lesson_observation/{row.version}").get_data(as_text=True)
    assert "criterion with score levels" in page
