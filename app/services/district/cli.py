"""The district's commands: `flask district create CODE NAME [--school CODE ...]`, `flask district
add-user EMAIL --district CODE --role district_admin|district_specialist`, and its part of `flask
demo`: `--district N` builds the demo district of N small schools (app/cli/core.py's demo command
calls `demo_district`)."""
import os

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import select

from app.cli import fail, find_school
from app.extensions import db
from app.models import DISTRICT_ROLES


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


district_cli = AppGroup("district", help="Districts: create one, put schools in it, add its staff.")


@district_cli.command("create")
@click.argument("code")
@click.argument("name")
@click.option("--name-ru", default=None)
@click.option("--school", "school_codes", multiple=True, help="A school of the district; repeat for several.")
def create_district_command(code, name, name_ru, school_codes):
    """Create a district (education department) and put existing schools in it."""
    from app.models import District
    from app.services.core.audit import record

    if db.session.scalar(select(District.id).where(District.code == code)):
        fail(_("A district with the code %(code)s already exists.", code=code))
    schools = [find_school(school_code) for school_code in school_codes]
    district = District(code=code, name=name, name_ru=name_ru)
    db.session.add(district)
    db.session.flush()
    for school in schools:
        school.district_id = district.id
        record("update", "school.district", school.id, school_id=school.id, user_id=None,
               after={"district": code})
    db.session.commit()
    click.echo(_("Created the district %(code)s with %(n)d schools.", code=code, n=len(schools)))


@district_cli.command("add-user")
@click.argument("email")
@click.option("--district", "district_code", required=True)
@click.option("--role", type=click.Choice(DISTRICT_ROLES), required=True)
@click.option("--name", "full_name", default=None, help="Full name (default: the email's local part).")
def add_district_user_command(email, district_code, role, full_name):
    """Create a district admin or specialist. The password comes from SAPAT_PASSWORD or a prompt."""
    from app.models import District
    from app.services.district import staff

    district = db.session.scalar(select(District).where(District.code == district_code))
    if district is None:
        fail(_("No district with the code %(code)s.", code=district_code))
    password = os.environ.get("SAPAT_PASSWORD") or click.prompt(
        _("Password"), hide_input=True, confirmation_prompt=True)
    try:
        user = staff.create_staff(district, email=email, full_name=full_name or email.split("@")[0], role=role,
                                  password=password, user_id=None)
        db.session.commit()
    except staff.StaffError as error:
        db.session.rollback()
        fail(str(error))
    click.echo(_("Created %(email)s (%(roles)s) in %(school)s.", email=user.email, roles=role, school=district.code))
