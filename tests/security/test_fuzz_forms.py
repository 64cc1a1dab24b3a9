"""Bad input: hypothesis posts random and hostile values to every form in FUZZ_FORMS
(tests/security/tables.py): never a 5xx, and a form that is refused writes nothing.
Uploads: malformed, huge, password-protected and non-xlsx rosters, and sheets written cell by
cell by hypothesis, get a clear message."""
import io
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.support import (
    MISSING_ID,
    build_url,
    diff_tables,
    login_client,
    record_figure,
    routes,
    snapshot_tables,
)
from tests.security.tables import FUZZ_FORMS, PAYLOADS, URL_ARGS_BY_NAME

HOSTILE = list(PAYLOADS) + [
    "", " ", "\x00", "a\x00b", "\u202egnp.exe", "😀" * 50, "x" * 5000, "'; DROP TABLE \"user\"; --",
    "=HYPERLINK(\"http://x\")", "=cmd|' /C calc'!A0", "../../etc/passwd", "%s%s%n", "{{ 7*7 }}",
    "-1", "0", "9" * 40, "1e309", "NaN", "2026-02-30", "0000-00-00", "None", "null", "[]", "\r\n\r\nX: y",
]
EXAMPLES = {"count": 0}


def _strategy(kind: str, school, other_school):
    hostile = st.sampled_from(HOSTILE)
    if kind == "text":
        base = st.text(max_size=300)
    elif kind == "int":
        base = st.integers(-10**12, 10**12).map(str)
    elif kind == "date":
        base = st.dates().map(lambda d: d.isoformat())
    elif kind == "email":
        base = st.emails().map(lambda e: e[:300])
    elif kind == "uuid":
        base = st.uuids().map(str)
    elif kind.startswith("choice:"):
        base = st.sampled_from(kind[len("choice:"):].split(","))
    elif kind.startswith("id:"):
        filler = URL_ARGS_BY_NAME[kind[3:]]
        # Own ids, another school's ids (must never be accepted), ids that do not exist.
        base = st.sampled_from([str(filler(school)), str(filler(other_school)), str(MISSING_ID)])
    else:
        raise ValueError(f"unknown fuzz field kind {kind}")
    return st.one_of(base, base, hostile, st.none())


# Tables that count what was refused, on purpose: the audit log and the failed-login throttle.
COUNTERS = ("audit_log", "login_throttle")


def _route(app, endpoint):
    for route in routes(app):
        if route.endpoint == endpoint:
            return route
    pytest.skip(f"{endpoint} is not in this build")


@pytest.mark.parametrize("case", FUZZ_FORMS, ids=lambda c: f"{c.endpoint}-{'-'.join(list(c.fields)[:2])}")
def test_random_and_hostile_values_never_break_a_form(app, school, other_school, case):
    route = _route(app, case.endpoint)
    client = app.test_client() if case.role == "anonymous" else login_client(app, school.users[case.role])
    url = build_url(app, route, case.url_args(school))
    strategies = {name: _strategy(kind, school, other_school) for name, kind in case.fields.items()}

    @settings(max_examples=case.max_examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.fixed_dictionaries(strategies))
    def post(values):
        data = {k: v for k, v in values.items() if v is not None}
        if case.prepare is not None:
            data = case.prepare(app, school, data)
        before = snapshot_tables(skip=COUNTERS)
        response = client.post(url, data=data, environ_base={"REMOTE_ADDR": f"10.1.{EXAMPLES['count'] % 250}.1"})
        EXAMPLES["count"] += 1
        assert response.status_code < 500, f"POST {url} {data!r}: {response.status_code}"
        after = snapshot_tables(skip=COUNTERS)
        if response.status_code != 303:
            # Refused or shown again with messages: nothing may have been written (a redirect,
            # the Post/Redirect/Get 303, is the answer of a form that was accepted).
            changes = diff_tables(before, after)
            assert not changes, f"POST {url} {data!r} answered {response.status_code} but wrote {changes}"

    post()
    record_figure("fuzz_examples", EXAMPLES["count"])


def test_the_other_school_is_untouched_by_fuzzing(app, school, other_school):
    """Post every fuzz form with otherwise valid values but another school's ids: each is
    refused and nothing is written."""
    for case in FUZZ_FORMS:  # make the objects the forms refer to first
        case.url_args(school)
        for kind in case.fields.values():
            if kind.startswith("id:"):
                URL_ARGS_BY_NAME[kind[3:]](school), URL_ARGS_BY_NAME[kind[3:]](other_school)
    before = snapshot_tables(skip=COUNTERS)
    clients = {}
    for case in FUZZ_FORMS:
        if case.role == "anonymous":
            continue
        route = _route(app, case.endpoint)
        if case.role not in clients:
            clients[case.role] = login_client(app, school.users[case.role])
        client = clients[case.role]
        data = {}
        for name, kind in case.fields.items():
            if kind.startswith("id:"):
                data[name] = str(URL_ARGS_BY_NAME[kind[3:]](other_school))
            elif kind == "text":
                data[name] = "Fuzz"
            elif kind == "int":
                data[name] = "5"
            elif kind == "date":
                data[name] = "2026-10-01"
            elif kind == "email":
                data[name] = "fuzz@x.kg"
            elif kind.startswith("choice:"):
                data[name] = kind[len("choice:"):].split(",")[0]
        if not any(kind.startswith("id:") for kind in case.fields.values()):
            continue
        response = client.post(build_url(app, route, case.url_args(school)), data=data)
        assert response.status_code < 500
        changes = diff_tables(before, snapshot_tables(skip=COUNTERS))
        assert not changes, f"{case.endpoint} accepted another school's ids {data}: {changes}"


# --- uploads -----------------------------------------------------------------------------

def _upload(client, content: bytes, name="roster.xlsx", lang="ru"):
    return client.post("/admin/roster", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data", headers={"Accept-Language": lang})


@pytest.fixture
def director(app, school):
    user = school.users["admin"]
    user.locale = None
    from app.extensions import db

    db.session.commit()
    return login_client(app, user)


def test_bad_uploads_get_a_clear_message_and_write_nothing(app, school, director):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["class", "student_code", "full_name", "gender", "birth_date"])
    good = io.BytesIO()
    book.save(good)
    cases = {
        "csv renamed": b"class,student_code,full_name\n7A,1,X\n",
        "empty": b"",
        "old xls / password-protected": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(2000),
        "broken zip": b"PK\x03\x04" + os.urandom(3000),
        "truncated xlsx": good.getvalue()[: len(good.getvalue()) // 2],
        "zip without a workbook": _zip_with({"hello.txt": b"hi"}),
    }
    before = snapshot_tables(skip=COUNTERS)
    for label, content in cases.items():
        response = _upload(director, content)
        body = response.get_data(as_text=True)
        assert response.status_code < 500, label
        assert 'class="error"' in body or "flash error" in body or "error" in body, label
        assert "Traceback" not in body and "BadZipFile" not in body, label
    response = _upload(director, b"hello", name="roster.txt")
    assert response.status_code == 200 and "xlsx" in response.get_data(as_text=True)
    assert not diff_tables(before, snapshot_tables(skip=COUNTERS))


def _zip_with(files):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, content in files.items():
            z.writestr(name, content)
    return buffer.getvalue()


def test_uploads_over_ten_megabytes_get_a_translated_413(app, school, director):
    before = snapshot_tables(skip=COUNTERS)
    response = _upload(director, b"PK" + b"0" * (10 * 1024 * 1024 + 10), lang="ru")
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        from flask_babel import gettext

        assert gettext("The file is too large (more than 10 MB)") in body
    assert 'lang="ru"' in body
    assert not diff_tables(before, snapshot_tables(skip=COUNTERS))


def test_nul_characters_are_refused_with_400_on_both_databases(app, school):
    client = login_client(app, school.users["admin"])
    before = snapshot_tables(skip=COUNTERS)
    response = client.post("/admin/users/new", data={"full_name": "a\x00b", "email": "n@x.kg", "roles": "teacher",
                                                      "locale": "ky", "password": "long-enough-1"})
    # Refused on the field, the other fields kept (issue 16 §6): the form again, nothing written.
    assert response.status_code in (200, 400) and "a" + "b" in response.get_data(as_text=True)
    assert client.get("/security/audit?entity=%00").status_code == 400
    assert not diff_tables(before, snapshot_tables(skip=COUNTERS))


def _random_sheet():
    """Sheets of random cells: every cell type openpyxl knows and some it does not, values
    that do not fit their type, references that do not parse, formulas with and without a
    saved value, a declared dimension, and the three ways a member may be packed."""
    import zipfile

    from tests import xlsx_bombs as bombs

    kinds = st.sampled_from(["s", "n", "e", "str", "inlineStr", "b", "d", "x", None])
    values = st.one_of(st.text(max_size=20), st.integers(-10**20, 10**20).map(str), st.sampled_from(
        ["#N/A", "#DIV/0!", "1e400", "nan", "-0", "2026-13-45T99:00:00", "99999999", "", "&amp;", "<b/>"]))
    refs = st.one_of(st.builds(lambda c, r: f"{bombs.col(c)}{r}", st.integers(1, 16384), st.integers(1, 1048576)),
                     st.sampled_from(["", "A", "1", "ZZZZ1", "A0", "a1", "A-1"]))

    def cell(kind, value, ref, formula, saved):
        from xml.sax.saxutils import escape

        attrs = (f' r="{ref}"' if ref else "") + (f' t="{kind}"' if kind else "")
        inner = f"<f>{escape(formula)}</f>" if formula else ""
        if kind == "inlineStr":
            inner += f"<is><t>{escape(value)}</t></is>"
        elif saved:
            inner += f"<v>{escape(value)}</v>"
        return f"<c{attrs}>{inner}</c>"

    cells = st.builds(cell, kinds, values, refs, st.one_of(st.none(), st.sampled_from(["A1+1", "SUM(", "=="])),
                      st.booleans())
    rows = st.lists(st.builds(lambda r, cs: f'<row r="{r}">' + "".join(cs) + "</row>",
                              st.sampled_from(["2", "3", "1048576", "x", "0"]), st.lists(cells, max_size=6)),
                    max_size=5)
    dimension = st.sampled_from(["", "A1:XFD1048576", "A1:B2", "garbage"])
    method = st.sampled_from([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED, zipfile.ZIP_BZIP2])
    return st.builds(lambda rs, dim, m: bombs.package(bombs._sheet(bombs.header_row() + "".join(rs), dim), method=m),
                     rows, dimension, method)


def test_random_sheets_never_break_the_upload(app, school, director):
    """Hypothesis writes sheets cell by cell: every upload is answered below 500 and a refused
    one writes nothing."""
    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(_random_sheet())
    def upload(content):
        before = snapshot_tables(skip=COUNTERS)
        response = _upload(director, content, lang="en")
        assert response.status_code < 500, response.get_data(as_text=True)[-500:]
        if response.status_code != 303:
            assert not diff_tables(before, snapshot_tables(skip=COUNTERS))
        EXAMPLES["count"] += 1

    upload()
