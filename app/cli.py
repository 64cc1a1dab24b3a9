"""The `flask --app wsgi ...` commands. Messages go to stderr with a non-zero exit on failure."""
import os
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db, refresh_statistics
from app.models import ROLES, School


def fail(message: str, code: int = 1):
    click.echo(message, err=True)
    sys.exit(code)


def register_cli(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES),
                  help="Role; repeat the option for several roles.")
    @click.option("--school", "school_code", default=None, help="School code (default: the only/first school).")
    @click.option("--name", "full_name", default=None, help="Full name (default: the email's local part).")
    @click.option("--locale", default="ky", type=click.Choice(["ky", "ru", "en"]))
    def create_user_command(email, roles, school_code, full_name, locale):
        """Create a staff account. The password comes from SAPAT_PASSWORD or a prompt."""
        from app.services.core.accounts import AccountError, create_user

        school = _find_school(school_code)
        password = os.environ.get("SAPAT_PASSWORD") or click.prompt(
            _("Password"), hide_input=True, confirmation_prompt=True)
        try:
            user = create_user(email, roles=roles, full_name=full_name or email.split("@")[0],
                               password=password, school=school, locale=locale)
            db.session.commit()
        except AccountError as error:
            db.session.rollback()
            fail(str(error))
        click.echo(_("Created %(email)s (%(roles)s) in %(school)s.", email=user.email,
                     roles=", ".join(sorted(user.roles)), school=school.code))

    @app.cli.command("create-school")
    @click.argument("code")
    @click.argument("name")
    def create_school_command(code, name):
        """Create another school in this installation."""
        if db.session.scalar(select(School).where(School.code == code)):
            fail(_("A school with the code %(code)s already exists.", code=code))
        db.session.add(School(code=code, name=name))
        db.session.commit()
        click.echo(_("Created the school %(code)s.", code=code))

    @app.cli.command("demo")
    @click.option("--scale", type=click.Choice(["small", "large"]), default="small")
    @click.option("--seed", type=int, default=2026)
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database already has a school.")
    @click.option("--replace", is_flag=True, help="Delete an existing demo school first.")
    def demo_command(scale, seed, if_empty, replace):
        """Create the demo school (a Kyrgyz secondary school with realistic data)."""
        from app.services.core import demo

        if if_empty and db.session.scalar(select(func.count(School.id))):
            click.echo(_("The database already has a school; the demo was not loaded."))
            _print_logins()
            return
        if replace:
            demo.delete_demo()
        try:
            ctx = demo.build_demo(scale=scale, seed=seed)
            db.session.commit()
            refresh_statistics(db.session.connection())
            db.session.commit()
        except demo.DemoError:
            db.session.rollback()
            fail(_("The demo school already exists. Use --replace to build it again."))
        click.echo(_("Demo school created: %(classes)d classes this year, %(teachers)d teachers.",
                     classes=len(ctx.classes[ctx.current_year.id]), teachers=len(ctx.teachers)))
        _print_logins()

    @app.cli.command("import-roster")
    @click.argument("path", type=click.Path(dir_okay=False))
    @click.option("--school", "school_code", default=None)
    def import_roster_command(path, school_code):
        """Import classes and students of the current year from an .xlsx roster."""
        from app.services.core import roster as imports

        summary = run_import(path, school_code, imports.import_roster, "roster")
        click.echo(_("Roster imported: %(created)d new students, %(updated)d updated, %(classes)d new classes.",
                     **summary))

    for extra in CLI_EXTENSIONS:
        extra(app)
    app.cli.add_command(export_cli)


# Feature modules append functions that register their commands on the app, and add
# subcommands to the shared `export` group: `@export_cli.command("campaign")`.
CLI_EXTENSIONS: list = []
export_cli = AppGroup("export", help="Write a workbook (.xlsx) for experts and reports.")


def run_import(path: str, school_code, importer, entity: str) -> dict:
    """Run an all-or-nothing .xlsx import for the current year of a school from the CLI:
    problems go to stderr row by row with exit code 1 and nothing is written; on success the
    import is audited and committed, and its summary returned."""
    from app.services.core import school as school_service
    from app.services.core.audit import record
    from app.services.core.xlsx_input import refresh_statistics_after

    school = _find_school(school_code)
    year = school_service.current_year(school.id)
    if year is None:
        fail(_("The school has no academic year yet. Create one first."))
    file = Path(path)
    if not file.is_file():
        fail(_("File not found: %(path)s", path=path))
    with file.open("rb") as stream:
        report = importer(stream, school_id=school.id, year_id=year.id)
    if not report.ok:
        db.session.rollback()
        for error in report.errors:
            click.echo(str(error), err=True)
        fail(_("Nothing was imported: %(n)d problems found.", n=len(report.errors)))
    record("import", entity, None, school_id=school.id, user_id=None, after=report.summary())
    db.session.commit()
    refresh_statistics_after(report)
    return report.summary()


def _find_school(code):
    if code:
        school = db.session.scalar(select(School).where(School.code == code))
        if school is None:
            fail(_("No school with the code %(code)s.", code=code))
        return school
    school = db.session.scalar(select(School).order_by(School.id).limit(1))
    if school is None:
        fail(_("There is no school yet: run `flask --app wsgi demo` or `create-school` first."))
    return school


def _print_logins():
    from app.models import User
    from app.services.core.demo import DEMO_DOMAIN, DEMO_PASSWORD

    emails = ["director", "deputy", "mohead", "teacher", "classteacher", "psychologist", "expert"]
    users = {u.email: u for u in db.session.scalars(
        select(User).where(User.email.in_([f"{e}@{DEMO_DOMAIN}" for e in emails])))}
    if not users:
        return
    click.echo(_("Demo logins (password: %(password)s):", password=DEMO_PASSWORD))
    for e in emails:
        user = users.get(f"{e}@{DEMO_DOMAIN}")
        if user:
            click.echo(f"  {user.email:<32} {', '.join(sorted(user.roles))}")
