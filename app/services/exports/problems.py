"""The full list of an import's problems as a workbook, when there are more than a page shows.

A refused file with 100,000 bad rows once produced a 38 MB page (15.7 s). The page now lists
the first IMPORT_ERRORS_SHOWN problems and counts by column, and offers all of them as a
workbook (file, row, column, problem). Writing 300,000 problems takes XlsxWriter about 15 s,
so the refusal only saves the list (gzip JSON lines, about 0.5 s) in the database, where any
worker reads it, and starts an export job of its uploader that builds the workbook in the background: the same progress page,
one-download and 24-hour file as every other export. The CLI writes the workbook itself, to
the path given with --problems.
"""
import gzip
import json
import secrets
import tempfile
from pathlib import Path
from typing import Iterable, Optional

from flask_babel import gettext as _

from app.extensions import db
from app.models import School
from app.services.core.xlsx_input import RowError
from app.services.exports import storage
from app.services.exports.core import HEADER_ROW, INT, TEXT, Column, Progress, WorkbookWriter

KIND = "import_problems"


def write_problems(target, problems: Iterable[tuple[str, RowError]], *, school_name: str, title: str,
                   progress: Optional[Progress] = None) -> int:
    """Write (file name, problem) pairs as one table into `target` (a path or a binary
    buffer). Returns the number of problems written."""
    with WorkbookWriter(target, school_name=school_name, period=title) as book:
        sheet = book.add_table(_("Problems"), title, [
            Column(_("File"), TEXT, 24), Column(_("Row"), INT, 8), Column(_("Column"), TEXT, 16),
            Column(_("Problem"), TEXT, 90)],
            _("Every problem found in the file, row by row. Row 0 is a problem of the whole file."))
        for filename, error in problems:
            sheet.write_row((filename, error.row, error.column or "", error.message))
            if progress is not None:
                progress.advance()
        sheet.finish()
        return sheet.next_row - HEADER_ROW - 1


def start_problems_job(problems: list[tuple[str, RowError]], *, school_id: int, user_id: int,
                       locale: Optional[str], title: str):
    """Save the problems in the database (any worker may build them) and start the job that
    turns them into a workbook for their uploader. Returns the committed ExportJob."""
    from app.services.exports.jobs import start_job

    name = f"problems-{secrets.token_urlsafe(12)}.jsonl.gz"
    with tempfile.TemporaryFile() as packed:
        with gzip.open(packed, "wt", encoding="utf-8", compresslevel=1) as out:
            for filename, error in problems:
                out.write(json.dumps([filename, error.row, error.column, error.message], ensure_ascii=False) + "\n")
        packed.seek(0)
        storage.save_stream(name, packed)
    return start_job(school_id=school_id, user_id=user_id, kind=KIND, locale=locale or "ky",
                     params={"source": name, "title": title[:200], "problems": len(problems)})


def build_job(path: str, school_id: int, params: dict, progress) -> str:
    """The export job's builder: the saved problems into the workbook at `path`. The saved
    list is deleted once the workbook is built (or fails); a worker killed meanwhile leaves
    it for the job's next attempt."""
    from app.services.exports.jobs import ExportError, exports_dir

    name = Path(params["source"]).name  # never a path from elsewhere
    source = storage.write_to(name, exports_dir() / f"{name}-{secrets.token_hex(4)}")
    if source is None:
        raise ExportError(_("The list of problems is gone. Please upload the file again."))
    school = db.session.get(School, school_id)
    steps = Progress(progress, total=max(int(params.get("problems", 1)), 1))

    def problems():
        with gzip.open(source, "rt", encoding="utf-8") as lines:
            for line in lines:
                filename, row, column, message = json.loads(line)
                yield filename, RowError(row, column, message)

    try:
        write_problems(path, problems(), school_name=school.name if school else "",
                       title=params.get("title", ""), progress=steps)
    finally:
        source.unlink(missing_ok=True)
        storage.remove(name)
    steps.finish()
    return "sapat-problems.xlsx"
