"""What Python's readers take and the rest of Sapat cannot: JSON nested deeper than Python's
stack ("[[[[...": json.loads raises RecursionError, not ValueError) in the originals of a
stale-page check (every edit form's hidden `_orig`) and in an XLSForm's sapat::show_if cell,
read as no value / a refused cell; and YAML's .nan and .inf in a questionnaire, refused by the
loader (PostgreSQL refuses them in the stored definition). Never a 500 or a traceback."""
import io
import re

import openpyxl
import pytest

from app.extensions import db
from app.models.monitoring.associations import AssociationYear
from surveys.loader import validate_data
from surveys.xlsform import XLSFormError, read_xlsform, write_xlsform
from tests.conftest import csrf_of
from tests.surveys.test_xlsform_export import EDGE_SURVEY
from tests.surveys.xlsform_support import problems

DEEP = "[" * 5000


def test_deep_originals_on_a_stale_page_check_save_as_without_originals(client, login, school):
    login(school.user("mo_head"))
    url = f"/monitoring/associations/{school.ma.id}/proposals"
    page = client.get(url).get_data(as_text=True)
    answer = client.post(url, data={"csrf_token": csrf_of(page), "proposals": "More lab work", "_orig": DEEP})
    assert answer.status_code in (302, 303), answer.get_data(as_text=True)[-800:]
    assert db.session.query(AssociationYear.proposals).scalar() == "More lab work"


def test_a_deep_show_if_cell_of_an_xlsform_is_refused_as_not_json():
    buffer = io.BytesIO()
    write_xlsform(validate_data(EDGE_SURVEY, "edge"), buffer)
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = book["survey"]
    column = [c.value for c in sheet[1]].index("sapat::show_if") + 1
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, column).value)
    sheet.cell(row, column).value = DEEP
    hostile = io.BytesIO()
    book.save(hostile)
    with pytest.raises(XLSFormError) as refused:
        read_xlsform(io.BytesIO(hostile.getvalue()))
    assert any(re.search("not valid JSON", p) for p in problems(refused.value))


def test_a_questionnaire_with_an_infinite_or_nan_bound_is_refused_not_stored(app, tmp_path):
    """YAML's .nan and .inf (and 1e400) are floats to Python, no questionnaire's number, and
    PostgreSQL refuses them in the stored definition (JSON): a traceback once; now the loader
    refuses the file with its path inside it, the command exits 1 and nothing is stored."""
    from pathlib import Path

    from app.models import Instrument

    source = (Path(__file__).parents[2] / "surveys/instruments/extracurricular_event.yaml").read_text()
    assert "        max: 1000\n" in source
    for bad in (".nan", ".inf", "1e400"):
        folder = tmp_path / bad.strip(".")
        folder.mkdir()
        (folder / "extracurricular_event.yaml").write_text(source.replace("        max: 1000\n", f"        max: {bad}\n", 1))
        done = app.test_cli_runner().invoke(args=["instruments", "load", "--dir", str(folder)])
        assert done.exit_code == 1 and "max" in done.output and "finite" in done.output, done.output
        assert "Traceback" not in done.output
    assert db.session.query(Instrument).filter(Instrument.key == "extracurricular_event").count() == 0
