"""Command-line tools of the achievement area: import-marks and `export achievement`."""

import click
from flask_babel import gettext as _

from app.cli import PROBLEMS_OPTION, fail, find_school, run_import
from app.security import Principal


@click.command("import-marks")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--school", "school_code", default=None)
@PROBLEMS_OPTION
def import_marks_command(path, school_code, problems_path):
    """Import marks and external results of the current year from an .xlsx file."""
    from app.services.achievement import imports

    summary = run_import(path, school_code, imports.import_marks, "marks", problems_path)
    click.echo(_("Marks imported: %(created)d new, %(updated)d changed, %(unchanged)d unchanged.",
                 **summary))


@click.command("achievement")
@click.option("--term", "term_id", required=True, type=int, help="Term id (see the results page).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@click.option("--basis", type=click.Choice(["term", "control"]), default="term",
              help="term: term marks (default); control: control works and tests.")
@click.option("--school", "school_code", default=None)
def export_achievement_command(term_id, output, basis, school_code):
    """The learning-results workbook of a term."""
    from app.services.achievement import analysis
    from app.services.achievement.workbook import build_achievement_workbook

    school = find_school(school_code)
    term = analysis.term_or_none(school.id, term_id)
    if term is None:
        fail(_("No term with the id %(id)s in this school.", id=term_id))
    try:
        build_achievement_workbook(Principal.system(school.id), term, output, basis=basis)
    except OSError as error:
        fail(_("Could not write %(path)s: %(error)s", path=output, error=error.strerror or error))
    click.echo(_("Written %(path)s.", path=output))
