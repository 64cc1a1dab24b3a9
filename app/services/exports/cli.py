"""Command-line exports: `flask --app wsgi export annual --year Y -o FILE.xlsx` (a progress bar
on stderr), `flask --app wsgi import-expert FILE.xlsx [FILE ...]` and `flask --app wsgi worker`
(the task queue's worker)."""
import logging
from pathlib import Path

import click
from flask import current_app
from flask_babel import gettext as _

from app.cli import LANG_OPTION, PROBLEMS_OPTION, fail, find_school, progress_bar, report_problems, write_atomically
from app.extensions import db
from app.services.exports import jobs, queue
from app.services.exports.core import in_language


@click.command("annual")
@click.option("--year", "year_spec", required=True, help="Academic year, e.g. 2025-2026 or 2025.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The .xlsx file to write.")
@click.option("--school", "school_code", default=None)
@LANG_OPTION
def export_annual(year_spec, output, school_code, lang):
    """The annual expert workbook of one academic year."""
    from app.services.exports import annual
    from app.services.exports.jobs import ExportError

    with in_language(lang):
        school = find_school(school_code)
        try:
            year = annual.year_named(school.id, year_spec)
        except ExportError as error:
            fail(str(error))
        figures = {}
        with progress_bar(_("Annual workbook")) as report:
            write_atomically(output, lambda path: figures.update(
                annual.build_annual(path, school.id, year, report, lang=lang)))
        click.echo(_("Wrote %(path)s: %(sheets)d sheets, %(charts)d charts.", path=output,
                     sheets=figures.get("sheets", 0), charts=figures.get("charts", 0)))


@click.command("import-expert")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--school", "school_code", default=None)
@PROBLEMS_OPTION
@LANG_OPTION
def import_expert(paths, school_code, problems_path, lang):
    """Read experts' filled assessment sheets back (all files or none)."""
    from app.services.core.audit import record
    from app.services.exports import expert
    from app.services.monitoring import annual

    with in_language(lang):
        school = find_school(school_code)
        missing = [p for p in paths if not Path(p).is_file()]
        if missing:
            fail(_("File not found: %(path)s", path=", ".join(missing)))
        known = annual.indicator_keys(school.id)
        streams = [open(p, "rb") for p in paths]
        try:
            report = expert.import_expert_files([(Path(p).name, s) for p, s in zip(paths, streams)],
                                                school_id=school.id, user_id=None, known_keys=known)
        finally:
            for s in streams:
                s.close()
        if not report.ok:
            db.session.rollback()
            report_problems([(f.filename, error) for f in report.files for error in f.errors], problems_path,
                            school)
            fail(_("Nothing was imported: %(n)d problems found.",
                   n=sum(len(f.errors) for f in report.files)))
        record("import", "expert_scores", None, school_id=school.id, user_id=None,
               after={"files": [f.filename for f in report.files], "scores": report.stored})
        db.session.commit()
        for f in report.files:
            click.echo(_("%(file)s: %(n)d scores by %(expert)s (%(year)s).", file=f.filename,
                         n=len(f.scores), expert=f.expert, year=f.year_name))



@click.command("worker")
@click.option("--threads", type=int, default=None,
              help="Jobs built at once by this process (default: QUEUE_WORKERS, 2).")
def worker(threads):
    """Build queued export jobs until stopped (SIGTERM or Ctrl+C lets running jobs finish).

    Run one or more on any machine that reaches the database and the queue (QUEUE_URL); jobs
    of a worker that died are queued again or failed after QUEUE_LEASE_SECONDS."""
    app = current_app._get_current_object()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    count = threads or int(app.config.get("QUEUE_WORKERS", 2))
    every = max(jobs.lease(app).total_seconds() / 3, 1.0)
    click.echo(f"Sapat worker: {count} threads on {queue.get(app).url.split('@')[-1]}", err=True)
    queue.run_worker(app, workers=count, maintenance=jobs.maintain, every=every)
