"""The shared workbook core: user text can never become a formula; numbers stay numbers."""
import openpyxl

from app.services.exports.core import INT, MEAN, PCT, TEXT, Column, WorkbookWriter, new_temp_path

HOSTILE = ['=HYPERLINK("http://evil","x")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "http://x.kg", "00123"]


def test_user_text_is_written_as_strings_and_numbers_as_numbers(app):
    path = new_temp_path()
    with WorkbookWriter(path, school_name="School", period="2026-2027") as book:
        table = book.add_table("data", "Title", [Column("Text", TEXT), Column("N", INT), Column("%", PCT),
                                                 Column("Mean", MEAN)], "A test table")
        for text in HOSTILE:
            table.write_row([text, 3, 66.7, 4.25])
        table.write_row(["hidden", 1, 2.0, 3.0], suppressed=[1, 2, 3])
        table.finish()
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["data"]
    values = [row for row in sheet.iter_rows(min_row=8, values_only=True)]
    # Formula-like text gets a leading apostrophe (it survives a CSV re-save); the rest is as given.
    assert [v[0] for v in values[:len(HOSTILE)]] == ["'" + t if t[0] in "=+-@" else t for t in HOSTILE]
    for row in sheet.iter_rows(min_row=8):
        assert row[0].data_type == "s"  # a string, never a formula ("f")
    assert values[0][1:] == (3, 66.7, 4.25)
    assert values[-1][1:] == (None, None, None)
    assert sheet.freeze_panes == "A8"
    assert sheet.auto_filter.ref == "A7:D14"
    assert workbook.sheetnames[-1] == "Notes"
    assert workbook["Notes"]["B2"].value == "A test table"


def test_hostile_text_in_number_columns_and_empty_values(app):
    """A string in a number column stays a string; empty values leave the cell empty (and are
    not counted as written), while suppressed cells are written greyed."""
    path = new_temp_path()
    with WorkbookWriter(path, school_name="School", period="2026-2027") as book:
        table = book.add_table("data", "Title", [Column("Text", TEXT), Column("N", INT), Column("%", PCT)], "t")
        table.write_row([7, "=1+1", None])
        table.write_row(["", 2, 50.0], suppressed=[2])
        table.finish()
        assert book.cells == 2 + 2  # the empty text and the empty % are not written
    sheet = openpyxl.load_workbook(path)["data"]
    first, second = sheet[8], sheet[9]
    assert (first[0].value, first[0].data_type) == ("7", "s")
    assert (first[1].value, first[1].data_type) == ("'=1+1", "s")
    assert first[2].value is None and second[0].value is None
    assert second[1].value == 2 and second[2].value is None
    assert second[2].fill.fgColor.rgb.endswith("EEEEEE")
