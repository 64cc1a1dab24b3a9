"""What every `flask --app wsgi ...` command shares: failing with a message, finding the school,
running an all-or-nothing import, a progress bar and writing a file atomically.

Messages go to stderr with a non-zero exit on failure. The core commands are in
`app/cli/core.py` and `app/cli/instruments.py`; each domain keeps its own in
`app/services/<domain>/cli.py`, and its feature (app/features/) installs them.
"""
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import click
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import School
from app.services.core.files import private_file

PROBLEMS_OPTION = click.option(
    "--problems", "problems_path", type=click.Path(dir_okay=False), default=None,
    help="When the file is refused, write every problem to this .xlsx (the terminal lists the first 50).")
LANG_OPTION = click.option("--lang", type=click.Choice(["ky", "ru", "en"]), default=None,
                           help="Language of the workbook's headers (default: SAPAT_LANG or LANG).")


def fail(message: str, code: int = 1):
    """Print `message` on stderr and exit with `code` (1 by default)."""
    click.echo(message, err=True)
    sys.exit(code)


def find_school(code):
    """The school with this code, or the installation's first school when no code is given."""
    if code:
        school = db.session.scalar(select(School).where(School.code == code))
        if school is None:
            fail(_("No school with the code %(code)s.", code=code))
        return school
    school = db.session.scalar(select(School).order_by(School.id).limit(1))
    if school is None:
        fail(_("There is no school yet: run `flask --app wsgi demo` or `create-school` first."))
    return school


def report_problems(problems: list, problems_path: Optional[str], school: School) -> None:
    """Print the first IMPORT_ERRORS_SHOWN problems ((file name, RowError) pairs) on stderr,
    then, when there are more, the counts by column; write them all to `problems_path` (an
    .xlsx, mode 0600) when given."""
    from app.services.core.xlsx_input import error_groups, errors_shown
    from app.services.exports.problems import write_problems

    shown = errors_shown()
    for filename, error in problems[:shown]:
        click.echo(f"{filename}: {error}" if filename else str(error), err=True)
    if len(problems) > shown:
        click.echo(_("… and %(n)d more problems.", n=len(problems) - shown), err=True)
        for column, n, first in error_groups([error for _name, error in problems]):
            click.echo(f"  {column or _('whole file')}: {n} ({first})", err=True)
    if problems_path:
        write_atomically(problems_path, lambda partial: write_problems(
            partial, problems, school_name=school.name, title=_("Problems found")))
        click.echo(_("All %(n)d problems are in %(path)s.", n=len(problems), path=problems_path), err=True)
    elif len(problems) > shown:
        click.echo(_("Add --problems FILE.xlsx to get all of them in a workbook."), err=True)


def run_import(path: str, school_code, importer, entity: str, problems_path: Optional[str] = None) -> dict:
    """Run an all-or-nothing .xlsx import for the current year of a school from the CLI:
    problems go to stderr (the first ones; all of them to `problems_path`) with exit code 1
    and nothing is written; on success the import is audited and committed, and its summary
    returned."""
    from app.services.core import school as school_service
    from app.services.core.audit import record
    from app.services.core.xlsx_input import refresh_statistics_after

    school = find_school(school_code)
    year = school_service.current_year(school.id)
    if year is None:
        fail(_("The school has no academic year yet. Create one first."))
    file = Path(path)
    if not file.is_file():
        fail(_("File not found: %(path)s", path=path))
    with file.open("rb") as stream:
        report = importer(stream, school_id=school.id, year_id=year.id)
    if report.sheet:
        click.echo(_("Sheet read: “%(sheet)s” (chosen by its header row; hidden sheets are read only when no "
                     "visible sheet has the columns).", sheet=report.sheet), err=True)
    if not report.ok:
        db.session.rollback()
        report_problems([("", error) for error in report.errors], problems_path, school)
        fail(_("Nothing was imported: %(n)d problems found.", n=len(report.errors)))
    record("import", entity, None, school_id=school.id, user_id=None, after=report.summary())
    db.session.commit()
    refresh_statistics_after(report)
    return report.summary()


@contextmanager
def progress_bar(label: str):
    """A click progress bar on stderr (on a terminal), else a line per 10 %; yields a
    callback taking a percentage."""
    state = {"pct": 0}
    if sys.stderr.isatty():
        with click.progressbar(length=100, label=label, file=sys.stderr, show_eta=False) as bar:
            def report(pct: int) -> None:
                pct = max(0, min(100, int(pct)))
                if pct > state["pct"]:
                    bar.update(pct - state["pct"])
                    state["pct"] = pct

            yield report
            report(100)
        return

    def report_lines(pct: int) -> None:
        pct = max(0, min(100, int(pct)))
        if pct >= state["pct"] + 10 or (pct == 100 and state["pct"] < 100):
            state["pct"] = pct
            click.echo(f"{label}: {pct}%", err=True)

    yield report_lines
    report_lines(100)


def write_atomically(output: str, build) -> None:
    """Build into a temporary file next to `output`, then move it into place (no half file)."""
    target = Path(output)
    if target.parent and not target.parent.exists():
        fail(_("The folder %(path)s does not exist.", path=str(target.parent)))
    partial = target.with_name(f".{target.name}.part")
    try:
        private_file(partial)
        build(str(partial))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
