"""Command-line tools of the observations area: `flask --app wsgi export observations`."""
from pathlib import Path

import click
from flask_babel import gettext as _

from app.cli import fail, find_school
from app.security import Principal
from app.services.core import school as school_service
from app.services.observations.workbook import build_workbook


@click.command("observations")
@click.option("--year", "year_name", required=True, help="Academic year, e.g. 2025-2026 (or its first year, 2025).")
@click.option("--school", "school_code", default=None, help="School code (default: the first school).")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False))
def export_observations_command(year_name, school_code, output):
    """Write the observations workbook of a year."""
    school = find_school(school_code)
    year = school_service.find_year(school.id, year_name)
    if year is None:
        names = ", ".join(y.name for y in school_service.years(school.id))
        fail(_("No academic year %(year)s in %(school)s (years: %(names)s).", year=year_name, school=school.code,
               names=names or "—"))
    target = Path(output)
    if not target.parent.exists():
        fail(_("The folder %(folder)s does not exist.", folder=str(target.parent)))
    counts = build_workbook(str(target), actor=Principal.system(school.id), year_id=year.id)
    click.echo(_("Wrote %(path)s: %(n)d observations.", path=str(target), n=counts["observations"]))
