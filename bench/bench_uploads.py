"""Hostile and legitimate uploads through the upload readers, each in a child process with
hard limits (RLIMIT_AS, RLIMIT_CPU) so that a bomb cannot exhaust the machine: time, peak
memory (the child and any process it forks) and the outcome, one JSON object per line.

    python -m bench uploads
    BENCH_UPLOADS_TREE=/path/to/an/older/checkout python -m bench uploads   # the same files through
        # that checkout's readers as well ("before"), with its own .venv-less imports

Readers: roster and marks (xlsx_input.read_rows with the importer's columns; the first step
of both upload pages) and expert (expert.read_expert_file: the expert-scores page). The
legitimate files are marks files of 10,000 and 100,000 rows written by XlsxWriter.
"""
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_MB = int(os.environ.get("BENCH_UPLOADS_AS_MB", "4000"))
CPU_SECONDS = int(os.environ.get("BENCH_UPLOADS_CPU", "120"))

CHILD = r'''
import io, json, resource, sys, time
as_mb, cpu, repeat = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
from app import create_app
from app.extensions import db
from config import TestingConfig
app = create_app(type("B", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": "sqlite://"}))
with open("/proc/self/status") as f:
    vm = int([l for l in f if l.startswith("VmSize")][0].split()[1]) * 1024
resource.setrlimit(resource.RLIMIT_AS, (vm + as_mb * 2**20,) * 2)
resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
data = open(sys.argv[1], "rb").read()
kind = sys.argv[2]
with open("/proc/self/status") as f:
    base = int([l for l in f if l.startswith("VmRSS")][0].split()[1]) // 1024
out = {"reader": kind, "base_rss_mb": base}


def read_once():
    if kind in ("roster", "marks"):
        from app.services.core import xlsx_input
        if kind == "roster":
            from app.services.core import roster as module
            cols, req = module.ROSTER_COLUMNS, module.ROSTER_REQUIRED
        else:
            from app.services.achievement import imports as module
            cols, req = module.MARK_COLUMNS, module.MARK_REQUIRED
        try:
            if "report" in xlsx_input.read_rows.__code__.co_varnames:  # this checkout's reader
                report = xlsx_input.ImportReport()
                rows = xlsx_input.read_rows(io.BytesIO(data), cols, req, report)
                out["refused_cells"] = len(report.errors)
            else:
                rows = list(xlsx_input.read_rows(io.BytesIO(data), cols, req))
            out["outcome"] = f"{len(rows)} rows read"
            out["longest_value"] = max((len(str(v)) for _n, r in rows for v in r.values() if v is not None),
                                       default=0)
        except xlsx_input.SpreadsheetError as error:
            out["outcome"] = "refused: " + str(error)[:90]
    else:
        from app.services.exports import expert
        result = expert.read_expert_file(io.BytesIO(data), "x.xlsx", school_id=1)
        out["outcome"] = ("refused: " + str(result.errors[0])[:90]) if result.errors else "read"


times = []
start = time.perf_counter()
try:
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "en"}):
        db.create_all()
        for _ in range(repeat):
            start = time.perf_counter()
            read_once()
            times.append(time.perf_counter() - start)
except BaseException as error:  # what the page would turn into a 500, or the limits
    out["outcome"] = f"500: {type(error).__name__}: {str(error)[:80]}"
out["seconds"] = round(min(times), 3) if times else round(time.perf_counter() - start, 2)
if len(times) > 1:
    out["runs"] = [round(t, 3) for t in times]
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
forked = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
out["peak_rss_mb"] = round(max(own, forked) / 1024)
print(json.dumps(out, ensure_ascii=False))
'''


def marks_file(rows: int) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("marks")
    sheet.write_row(0, 0, ["class", "student_code", "subject", "term", "kind", "date", "mark"])
    for r in range(1, rows + 1):
        sheet.write_row(r, 0, [f"{5 + r % 7}-{'АБВГ'[r % 4]}", f"S-{r:06d}",
                               ("Математика", "Физика", "История")[r % 3], str(r % 4 + 1), "control",
                               f"{1 + r % 28:02d}.10.2026", 2 + r % 4])
    book.close()
    return buffer.getvalue()


def files() -> list[tuple[str, str, bytes]]:
    """(name, reader, bytes) of every file measured."""
    sys.path.insert(0, str(ROOT))
    from tests import xlsx_bombs as bombs

    expert = "Expert assessment"
    return [
        ("bzip2 cell 64 MB", "roster", bombs.huge_cell_bomb(64, zipfile.ZIP_BZIP2)),
        ("bzip2 cell 256 MB", "roster", bombs.huge_cell_bomb(256, zipfile.ZIP_BZIP2)),
        ("bzip2 cell 1 GB", "roster", bombs.huge_cell_bomb(1024, zipfile.ZIP_BZIP2)),
        ("deflate cell 64 MB", "roster", bombs.huge_cell_bomb(64, zipfile.ZIP_DEFLATED)),
        ("lzma cell 64 MB", "roster", bombs.huge_cell_lzma(64)),
        ("bzip2 200,000 rows", "roster", bombs.many_rows_bomb(200_000)),
        ("rows with a cell in XFD (2,000)", "roster", bombs.wide_rows(2000)),
        ("expert sheet, 6,000 rows with a cell in XFD", "expert", bombs.wide_rows(6000, sheet_name=expert)),
        ("declared A1:XFD1048576, one cell in the last row", "roster", bombs.dimension_gap()),
        ("external entity (XXE)", "roster", bombs.xxe()),
        ("billion laughs", "roster", bombs.billion_laughs()),
        ("XXE in workbook.xml", "roster", bombs.xxe_in_workbook_xml()),
        ("100,000 bad rows", "roster", bombs.many_bad_rows(100_000)),
        ("legitimate marks, 10,000 rows", "marks", marks_file(10_000)),
        ("legitimate marks, 100,000 rows", "marks", marks_file(100_000)),
    ]


def measure(tree: Path, path: str, reader: str, repeat: int = 1) -> dict:
    start = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(tree), "SAPAT_LANG": "en"}
    try:
        proc = subprocess.run([sys.executable, "-c", CHILD, path, reader, str(AS_MB), str(CPU_SECONDS), str(repeat)],
                              cwd=str(tree), env=env, capture_output=True, text=True, timeout=CPU_SECONDS + 120)
    except subprocess.TimeoutExpired:
        return {"outcome": "killed: wall clock", "seconds": round(time.perf_counter() - start, 1)}
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if lines:
        return json.loads(lines[-1])
    signal = -proc.returncode if proc.returncode < 0 else None
    return {"outcome": f"child died (signal {signal}, e.g. SIGXCPU=24, SIGKILL=9)" if signal else
            f"child failed: {proc.stderr.strip().splitlines()[-1][:120] if proc.stderr.strip() else proc.returncode}",
            "seconds": round(time.perf_counter() - start, 1)}


def main() -> int:
    trees = [("after", ROOT)]
    if os.environ.get("BENCH_UPLOADS_TREE"):
        trees.insert(0, ("before", Path(os.environ["BENCH_UPLOADS_TREE"]).resolve()))
    only = os.environ.get("BENCH_UPLOADS_ONLY")
    with tempfile.TemporaryDirectory(prefix="sapat-bench-uploads-") as tmp:
        for name, reader, data in files():
            if only and only not in name:
                continue
            path = Path(tmp) / "file.xlsx"
            path.write_bytes(data)
            for label, tree in trees:
                record = {"name": f"upload: {name}", "file_bytes": len(data), "code": label,
                          "limits": f"RLIMIT_AS +{AS_MB} MB, RLIMIT_CPU {CPU_SECONDS} s",
                          **measure(tree, str(path), reader, 5 if name.startswith("legitimate") else 1)}
                print(json.dumps(record, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
