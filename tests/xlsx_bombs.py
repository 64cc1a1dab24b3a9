"""Builders of hostile .xlsx files (all small on disk; sizes are parameters).

Each returns bytes. The members are those of a minimal valid workbook (content types,
rels, workbook, one sheet), so openpyxl opens them; the hostile part is in the sheet or
in how the members are compressed or declared.

    python -m tests.xlsx_bombs OUTDIR   writes one file of each kind (small sizes)
"""
import io
import sys
import zipfile

CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
      '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
      '</Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>')
WB = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
      '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
      '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>')
WB_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
           '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
           '</Relationships>')
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
ROSTER_HEADER = ["class", "student_code", "full_name", "gender", "birth_date"]


def col(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def inline(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def header_row(names=ROSTER_HEADER) -> str:
    return '<row r="1">' + "".join(inline(f"{col(i + 1)}1", h) for i, h in enumerate(names)) + "</row>"


def package(sheet_xml, *, method=zipfile.ZIP_DEFLATED, sheet_name="Sheet1", level=9) -> bytes:
    """A minimal workbook whose sheet1.xml is `sheet_xml` (str, bytes, or an iterable of
    byte chunks streamed into the member, so that huge members never sit in memory)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", CT, zipfile.ZIP_DEFLATED)
        z.writestr("_rels/.rels", RELS, zipfile.ZIP_DEFLATED)
        z.writestr("xl/workbook.xml", WB.format(name=sheet_name), zipfile.ZIP_DEFLATED)
        z.writestr("xl/_rels/workbook.xml.rels", WB_RELS, zipfile.ZIP_DEFLATED)
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = method
        if method in (zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2):
            info._compresslevel = level
        if isinstance(sheet_xml, str):
            sheet_xml = sheet_xml.encode()
        if isinstance(sheet_xml, bytes):
            z.writestr(info, sheet_xml)
        else:
            with z.open(info, "w", force_zip64=True) as out:
                for chunk in sheet_xml:
                    out.write(chunk)
    return buffer.getvalue()


def _sheet(rows_xml: str, dimension: str = "") -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}>{dim}<sheetData>{rows_xml}</sheetData></worksheet>'


# --- 1. decompression bombs: a huge text cell (bzip2 or deflate) --------------------------------

def huge_cell_chunks(megabytes: int):
    """sheet1.xml = header + one row whose full_name cell holds `megabytes` MB of 'A'."""
    yield (f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>{header_row()}'
           '<row r="2"><c r="A2" t="inlineStr"><is><t>7-А</t></is></c>'
           '<c r="B2" t="inlineStr"><is><t>S1</t></is></c><c r="C2" t="inlineStr"><is><t>').encode()
    block = b"A" * (1024 * 1024)
    for _ in range(megabytes):
        yield block
    yield b"</t></is></c></row></sheetData></worksheet>"


def huge_cell_bomb(megabytes=64, method=zipfile.ZIP_BZIP2, sheet_name="Sheet1") -> bytes:
    return package(huge_cell_chunks(megabytes), method=method, sheet_name=sheet_name)


def many_rows_chunks(rows: int):
    """Many identical valid-looking roster rows: compresses extremely well."""
    yield _sheet("", "").split("<sheetData>")[0].encode() + b"<sheetData>" + header_row().encode()
    for r in range(2, rows + 2):
        yield (f'<row r="{r}">' + inline(f"A{r}", "7-А") + inline(f"B{r}", f"S{r}") + inline(f"C{r}", "Name")
               + "</row>").encode()
    yield b"</sheetData></worksheet>"


def many_rows_bomb(rows=200_000, method=zipfile.ZIP_BZIP2) -> bytes:
    return package(many_rows_chunks(rows), method=method)


# --- 2. amplification inside openpyxl with honest, small members -------------------------------

def wide_rows(rows=2000, last_col="XFD", header=ROSTER_HEADER, sheet_name="Sheet1") -> bytes:
    """Every data row has one empty-valued cell in the last column (XFD = 16,384): openpyxl
    pads each row to that width, so a list of the rows holds rows x 16,384 slots."""
    body = header_row(header) + "".join(f'<row r="{r}"><c r="{last_col}{r}"/></row>' for r in range(2, rows + 2))
    return package(_sheet(body), sheet_name=sheet_name)


def dimension_gap(last_row=1_048_576, dimension="A1:XFD1048576", sheet_name="Sheet1") -> bytes:
    """A header, a declared dimension of the whole grid and one cell in the last row:
    openpyxl pads every row to the declared width and yields every missing row."""
    body = header_row() + f'<row r="{last_row}">' + inline(f"A{last_row}", "7-А") + "</row>"
    return package(_sheet(body, dimension), sheet_name=sheet_name)


# --- 3. XML attacks -------------------------------------------------------------------------------

def xxe(target="file:///etc/passwd", sheet_name="Sheet1") -> bytes:
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "{target}">]>'
             f'<worksheet {NS}><sheetData>{header_row()}<row r="2">{inline("A2", "7-А")}{inline("B2", "S1")}'
             f'<c r="C2" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>')
    return package(sheet, sheet_name=sheet_name)


def billion_laughs(levels=10, sheet_name="Sheet1") -> bytes:
    ents = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, levels))
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE worksheet [{ents}]>'
             f'<worksheet {NS}><sheetData>{header_row()}<row r="2">{inline("A2", "7-А")}{inline("B2", "S1")}'
             f'<c r="C2" t="inlineStr"><is><t>&lol{levels - 1};</t></is></c></row></sheetData></worksheet>')
    return package(sheet, sheet_name=sheet_name)


def xxe_in_workbook_xml(sheet_name="Sheet1") -> bytes:
    """The entity in xl/workbook.xml (parsed with fromstring at open, not iterparse)."""
    buffer = io.BytesIO()
    wb = WB.format(name="&e;").replace('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
                                       '<?xml version="1.0"?><!DOCTYPE workbook [<!ENTITY e SYSTEM "file:///etc/hostname">]>')
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", WB_RELS)
        z.writestr("xl/worksheets/sheet1.xml", _sheet(header_row()))
    return buffer.getvalue()


# --- 4. values that must not become data -------------------------------------------------------------

def error_values(header=ROSTER_HEADER) -> bytes:
    """Cells of type "e" (#DIV/0!, #N/A, #REF!) and a formula without a cached value."""
    rows = header_row(header)
    rows += ('<row r="2">' + inline("A2", "7-А") + inline("B2", "S1") + '<c r="C2" t="e"><v>#DIV/0!</v></c></row>')
    rows += ('<row r="3">' + inline("A3", "7-А") + inline("B3", "S2") + '<c r="C3" t="e"><v>#N/A</v></c></row>')
    rows += ('<row r="4">' + inline("A4", "7-А") + '<c r="B4" t="e"><v>#REF!</v></c>' + inline("C4", "Ok Name") + "</row>")
    rows += ('<row r="5">' + inline("A5", "7-А") + inline("B5", "S5") + '<c r="C5"><f>CONCAT("A","B")</f></c></row>')
    return package(_sheet(rows))


def bad_crc() -> bytes:
    """A sheet whose stored CRC is wrong: zipfile raises BadZipFile only while it is read."""
    data = bytearray(package(_sheet(header_row() + f'<row r="2">{inline("A2", "7-А")}{inline("B2", "S1")}'
                                                   f'{inline("C2", "Name")}</row>'), method=zipfile.ZIP_STORED))
    name = b"xl/worksheets/sheet1.xml"
    # patch the CRC in the central directory and the local header (both copies)
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo(name.decode())
    crc = info.CRC.to_bytes(4, "little")
    bad = ((info.CRC ^ 0xFFFF) & 0xFFFFFFFF).to_bytes(4, "little")
    return bytes(data).replace(crc, bad)


def huge_cell_lzma(megabytes=64, sheet_name="Sheet1") -> bytes:
    return package(huge_cell_chunks(megabytes), method=zipfile.ZIP_LZMA, sheet_name=sheet_name)


def many_bad_rows(rows=100_000) -> bytes:
    """Every row bad in several ways (unknown class, duplicate code, bad gender)."""
    body = [header_row()]
    for r in range(2, rows + 2):
        body.append(f'<row r="{r}">' + inline(f"A{r}", "77-ZZ") + inline(f"B{r}", "DUP") + inline(f"C{r}", "N")
                    + inline(f"D{r}", "x") + "</row>")
    return package(_sheet("".join(body)))


def raw_sheet(rows, sheet_name="Sheet1") -> bytes:
    """rows of cells: str -> inline string, int/float -> number, ("e", "#N/A") -> error value,
    ("f", "A1+1") -> formula without a cached value, ("f", "A1+1", 7) -> with cached 7, None -> no cell."""
    from xml.sax.saxutils import escape

    out = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, v in enumerate(row, start=1):
            ref = f"{col(c)}{r}"
            if v is None:
                continue
            if isinstance(v, tuple) and v[0] == "e":
                cells.append(f'<c r="{ref}" t="e"><v>{escape(v[1])}</v></c>')
            elif isinstance(v, tuple) and v[0] == "f":
                cached = f"<v>{v[2]}</v>" if len(v) > 2 else ""
                cells.append(f'<c r="{ref}"><f>{escape(v[1])}</f>{cached}</c>')
            elif isinstance(v, (int, float)):
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                cells.append(inline(ref, escape(str(v))))
        out.append(f'<row r="{r}">' + "".join(cells) + "</row>")
    return package(_sheet("".join(out)), sheet_name=sheet_name)


if __name__ == "__main__":
    import pathlib

    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/sapat-bombs")
    out.mkdir(parents=True, exist_ok=True)
    for name, data in {
        "bzip2-cell-64mb.xlsx": huge_cell_bomb(64),
        "deflate-cell-64mb.xlsx": huge_cell_bomb(64, zipfile.ZIP_DEFLATED),
        "bzip2-rows-200k.xlsx": many_rows_bomb(200_000),
        "wide-2000.xlsx": wide_rows(2000),
        "dimension-gap.xlsx": dimension_gap(),
        "xxe.xlsx": xxe(), "laughs.xlsx": billion_laughs(), "xxe-workbook.xlsx": xxe_in_workbook_xml(),
        "errors.xlsx": error_values(), "bad-crc.xlsx": bad_crc(),
    }.items():
        (out / name).write_bytes(data)
        print(f"{name}: {len(data):,} bytes")
