"""Command-line tools of the surveys area: `flask --app wsgi export campaign ID -o FILE.xlsx`."""
import click
from flask_babel import gettext as _

from app.cli import fail
from app.extensions import db
from app.models import Campaign
from app.services.surveys.workbook import write_campaign_workbook


@click.command("campaign")
@click.argument("campaign_id", type=int)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
def export_campaign_command(campaign_id, output):
    """Write the results of a survey campaign to an .xlsx workbook."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        fail(_("No campaign with the id %(id)d.", id=campaign_id))
    try:
        write_campaign_workbook(campaign, output)
    except OSError as error:
        fail(_("Cannot write %(path)s: %(error)s", path=output, error=error))
    click.echo(_("Workbook written: %(path)s", path=output))
