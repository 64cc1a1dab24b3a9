"""The district's part of `flask demo`: `--district N` builds the demo district of N small schools
(app/cli/core.py's demo command calls `demo_district`)."""
import click
from flask_babel import gettext as _

from app.cli import fail
from app.extensions import db


def demo_district(count: int, seed: int) -> None:
    """Build the demo district, commit, and print its logins."""
    from app.services.district import demo

    try:
        built = demo.build_district(count, seed=seed)
        db.session.commit()
    except demo.DemoDistrictError:
        db.session.rollback()
        fail(_("The demo district already exists."))
    click.echo(_("Demo district created: %(n)d schools.", n=len(built.schools)))
    for role, email in built.logins:
        click.echo(f"  {email:40} {role}")
    click.echo(_("Password: %(password)s", password=demo.PASSWORD))
