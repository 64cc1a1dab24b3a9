"""Hostile uploads: every role that may upload (deputy: roster, teacher: marks, expert: scores)
sends files made in the test to look like .xlsx workbooks and gets a message, never a 500 or
a worker pinned for minutes, and nothing is written.

Decompression bombs (bzip2/LZMA members, deflate at ratio 1,024), amplification inside the
parser (a declared <dimension> of the whole grid with one cell in row 1,048,576, rows with one
cell in column XFD), XML attacks (external entities, billion laughs), malformed cells, Excel
error values and formulas without a saved value, and a file whose 100,000 rows are all bad.
"""
import io
import resource
import time
import tracemalloc
import zipfile

import pytest

from app.extensions import db
from tests import xlsx_bombs as bombs
from tests.security.support import login_client, record_figure
from tests.security.upload_helpers import UPLOADS, cached, for_kind, post_file, stored_rows

BOMBS = {
    "bzip2": cached(lambda sheet_name="Sheet1": bombs.huge_cell_bomb(64, zipfile.ZIP_BZIP2, sheet_name)),
    "lzma": cached(lambda sheet_name="Sheet1": bombs.huge_cell_lzma(64, sheet_name)),
    "deflate_ratio": cached(lambda sheet_name="Sheet1": bombs.huge_cell_bomb(64, zipfile.ZIP_DEFLATED, sheet_name)),
}
REASONS = {"bzip2": "compression method 12", "lzma": "compression method 14", "deflate_ratio": "compressed 1"}


@pytest.mark.parametrize("kind", list(UPLOADS))
@pytest.mark.parametrize("bomb", list(BOMBS))
def test_zip_bombs_are_refused_before_parsing(app, school, kind, bomb):
    data = for_kind(kind, BOMBS[bomb])
    assert len(data) < 70_000  # 64 MB of text inside
    client = login_client(app, school.users[UPLOADS[kind][2]])
    before = stored_rows()
    start = time.perf_counter()
    response = post_file(client, kind, data)
    seconds = time.perf_counter() - start
    body = response.get_data(as_text=True)
    assert response.status_code == 422, body[-2000:]
    assert "packed in an unusual way" in body and REASONS[bomb] in body
    assert seconds < 15, seconds  # refused up front: a parse of it took minutes
    assert stored_rows() == before
    record_figure(f"upload_bomb:{bomb}:{kind}", {"file_bytes": len(data), "inflates_to_mb": 64,
                                                 "seconds": round(seconds, 3), "status": 422})


@pytest.mark.parametrize("limit,value,reason", [
    ("XLSX_MAX_MEMBER_BYTES", 1024 * 1024, "a part of 2 MB"),
    ("XLSX_MAX_UNCOMPRESSED_BYTES", 1024 * 1024, "2 MB unpacked"),
    ("XLSX_MAX_MEMBERS", 4, "5 parts"),
])
def test_package_limits_name_what_was_too_big(app, school, limit, value, reason):
    """A 2 MB sheet of varied text (ratio about 3) passes the ratio check; the member, total
    and member-count limits still apply (lowered here so that the file stays small)."""
    import random

    rng = random.Random(7)
    words = " ".join(rng.choice(["alma", "тоо", "суу", "kitep", "мектеп"]) + str(rng.randint(0, 99999))
                     for _ in range(200_000))[: 2 * 1024 * 1024 + 10]
    data = bombs.package(bombs._sheet(bombs.header_row() + f'<row r="2">{bombs.inline("A2", words)}</row>'))
    client = login_client(app, school.users["deputy"])
    old = app.config[limit]
    app.config[limit] = value
    try:
        response = post_file(client, "roster", data)
    finally:
        app.config[limit] = old
    assert response.status_code == 422 and reason in response.get_data(as_text=True)


@pytest.mark.parametrize("bomb", ["bzip2", "deflate_ratio", "dimension_gap", "wide_rows"])
def test_bombs_cost_the_worker_no_memory(app, school, bomb):
    """In-process (no child): the refusal or the bounded parse keeps Python's allocations small."""
    from app.services.core import roster

    data = {"dimension_gap": lambda: bombs.dimension_gap(), "wide_rows": lambda: bombs.wide_rows(5000)}.get(
        bomb, lambda: BOMBS[bomb]())()
    app.config["XLSX_PARSE_ISOLATION"] = False
    tracemalloc.start()
    try:
        start = time.perf_counter()
        report = roster.import_roster(io.BytesIO(data), school_id=school.school.id, year_id=school.year.id)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        app.config["XLSX_PARSE_ISOLATION"] = True
        db.session.rollback()
    assert not report.ok
    assert peak < 50 * 2**20, peak
    assert seconds < 15, seconds


@pytest.mark.parametrize("kind", list(UPLOADS))
def test_a_declared_grid_with_one_cell_in_the_last_row_costs_nothing(app, school, kind):
    """1.6 KB, <dimension ref="A1:XFD1048576"> and one cell in row 1,048,576: openpyxl padded
    a million rows to 16,384 columns (minutes of CPU); the bounded parser reads two rows."""
    data = for_kind(kind, bombs.dimension_gap)
    assert len(data) < 2_000
    client = login_client(app, school.users[UPLOADS[kind][2]])
    start = time.perf_counter()
    response = post_file(client, kind, data)
    assert time.perf_counter() - start < 3
    assert response.status_code == 422
    assert "has no expert-assessment sheet" not in response.get_data(as_text=True)  # the sheet was read
    if kind == "roster":
        assert "row 1048576" in response.get_data(as_text=True)


@pytest.mark.parametrize("kind", list(UPLOADS))
def test_rows_with_a_cell_in_column_xfd_cost_nothing(app, school, kind):
    data = for_kind(kind, bombs.wide_rows, 5000)
    client = login_client(app, school.users[UPLOADS[kind][2]])
    start = time.perf_counter()
    response = post_file(client, kind, data)
    assert time.perf_counter() - start < 3
    assert response.status_code == 422  # a header and no data: refused with a message
    assert "has no expert-assessment sheet" not in response.get_data(as_text=True)


def test_parse_limits_stop_what_passes_the_package_checks(app, school):
    """With the ratio check lifted, a 64 MB cell reaches the parser: the child hits its memory
    limit (set low here) and the upload is refused, while the worker's memory stays put."""
    data = BOMBS["deflate_ratio"]()
    client = login_client(app, school.users["deputy"])
    saved = {k: app.config.get(k) for k in ("XLSX_MAX_RATIO", "XLSX_PARSE_MEMORY_MB")}
    app.config.update(XLSX_MAX_RATIO=10**6, XLSX_PARSE_MEMORY_MB=16)  # far below the 64 MB cell
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        start = time.perf_counter()
        response = post_file(client, "roster", data)
        seconds = time.perf_counter() - start
    finally:
        app.config.update(saved)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "too much memory or time" in body
    assert seconds < 30  # the limits stop it long before the 100 s the parse took
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before < 40 * 1024  # KB


def test_the_wall_clock_stops_a_slow_parse(app, school):
    rows = [bombs.ROSTER_HEADER] + [["7-А", f"S{i}", f"Name {i}"] for i in range(20_000)]
    data = bombs.raw_sheet(rows)
    client = login_client(app, school.users["deputy"])
    app.config["XLSX_PARSE_WALL_SECONDS"] = 0.2
    try:
        start = time.perf_counter()
        response = post_file(client, "roster", data)
        seconds = time.perf_counter() - start
    finally:
        app.config["XLSX_PARSE_WALL_SECONDS"] = 60
    assert response.status_code == 422 and "too much memory or time" in response.get_data(as_text=True)
    assert seconds < 15  # the wall limit (0.2 s) stops a 20,000-row parse


XML_ATTACKS = ["xxe", "billion_laughs", "xxe_in_workbook_xml"]


@pytest.mark.parametrize("kind", list(UPLOADS))
@pytest.mark.parametrize("attack", XML_ATTACKS)
def test_xml_attacks_get_a_message_not_a_500(app, school, kind, attack):
    client = login_client(app, school.users[UPLOADS[kind][2]])
    data = for_kind(kind, getattr(bombs, attack))
    response = post_file(client, kind, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422, body[-1500:]
    assert "could not be read" in body
    assert "root:" not in body  # /etc/passwd was not read


MALFORMED = {
    "abc_in_a_number": bombs.package(bombs._sheet(bombs.header_row() + '<row r="2"><c r="A2"><v>abc</v></c></row>')),
    "shared_string_index": bombs.package(bombs._sheet(bombs.header_row()
                                                      + '<row r="2"><c r="A2" t="s"><v>99</v></c></row>')),
    "bad_reference": bombs.package(bombs._sheet(bombs.header_row() + '<row r="2"><c r="A"><v>1</v></c></row>')),
    "bad_crc": bombs.bad_crc(),
    "not_a_zip": b"PK\x03\x04 this is not a zip at all",
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_workbooks_get_a_message(app, school, case):
    client = login_client(app, school.users["deputy"])
    response = post_file(client, "roster", MALFORMED[case])
    assert response.status_code == 422, response.get_data(as_text=True)[-1500:]
    assert "could not be read" in response.get_data(as_text=True)
