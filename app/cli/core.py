"""The core commands: create-user, create-school, demo, import-roster, backup and restore."""
import os
from pathlib import Path

import click
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.cli import PROBLEMS_OPTION, fail, find_school, run_import
from app.extensions import db, refresh_statistics
from app.models import ROLES, School


@click.command("create-user")
@click.argument("email")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES),
              help="Role; repeat the option for several roles.")
@click.option("--school", "school_code", default=None, help="School code (default: the only/first school).")
@click.option("--name", "full_name", default=None, help="Full name (default: the email's local part).")
@click.option("--locale", default="ky", type=click.Choice(["ky", "ru", "en"]))
def create_user_command(email, roles, school_code, full_name, locale):
    """Create a staff account. The password comes from SAPAT_PASSWORD or a prompt."""
    from app.services.core.accounts import AccountError, create_user

    school = find_school(school_code)
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


@click.command("create-school")
@click.argument("code")
@click.argument("name")
def create_school_command(code, name):
    """Create another school in this installation."""
    if db.session.scalar(select(School).where(School.code == code)):
        fail(_("A school with the code %(code)s already exists.", code=code))
    db.session.add(School(code=code, name=name))
    db.session.commit()
    click.echo(_("Created the school %(code)s.", code=code))


@click.command("demo")
@click.option("--scale", type=click.Choice(["small", "large", "district"]), default="small",
              help="small: one school of 154 students; large: one school of 2,000; district: --schools "
                   "schools of about 1,000 students each.")
@click.option("--schools", type=click.IntRange(1, 99), default=None,
              help="With --scale district: how many schools (20 by default).")
@click.option("--seed", type=int, default=2026)
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has a school.")
@click.option("--replace", is_flag=True, help="Delete an existing demo school first.")
@click.option("--district", "district", type=click.IntRange(1, 30), default=None,
              help="Build instead a small demo district: N schools of three classes, its admin and specialist "
                   "(--scale district builds full-size schools in the same district).")
def demo_command(scale, schools, seed, if_empty, replace, district):
    """Create the demo school (a Kyrgyz secondary school with realistic data), or a district of them."""
    from app.services.core import demo
    from app.services.district.cli import demo_district
    from app.services.district.demo import delete_demo_district

    if schools is not None and scale != "district":
        fail(_("--schools goes with --scale district."))
    if district:
        demo_district(district, seed)
        return
    if if_empty and db.session.scalar(select(func.count(School.id))):
        click.echo(_("The database already has a school; the demo was not loaded."))
        _print_logins()
        return
    if replace:
        demo.delete_demo()
        delete_demo_district()
        db.session.commit()
    count = (schools or demo.DISTRICT_SCHOOLS) if scale == "district" else 1
    codes = []
    for number in range(1, count + 1):
        try:
            ctx = demo.build_demo(scale=scale, seed=seed + number - 1, who=demo.district_school(number))
            db.session.commit()
        except demo.DemoError:
            db.session.rollback()
            fail(_("The demo school already exists. Use --replace to build it again."))
        click.echo(_("Demo school created: %(classes)d classes this year, %(teachers)d teachers.",
                     classes=len(ctx.classes[ctx.current_year.id]), teachers=len(ctx.teachers))
                   + (f" ({number}/{count}: {ctx.school.code})" if count > 1 else ""))
        codes.append(ctx.school.code)
        db.session.expunge_all()
    refresh_statistics(db.session.connection())
    db.session.commit()
    _print_logins()
    if scale == "district":  # the schools make one district, with its district's logins
        demo_district(count, seed, school_codes=codes)
    if count > 1:
        click.echo(_("The other schools have the same logins at sNN.%(domain)s (s02 ... s%(last)02d).",
                     domain=demo.DEMO_DOMAIN, last=count))


@click.command("import-roster")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--school", "school_code", default=None)
@PROBLEMS_OPTION
def import_roster_command(path, school_code, problems_path):
    """Import classes and students of the current year from an .xlsx roster."""
    from app.services.core import roster

    summary = run_import(path, school_code, roster.import_roster, "roster", problems_path)
    click.echo(_("Roster imported: %(created)d new students, %(updated)d updated, %(classes)d new classes.",
                 **summary))


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--format", "fmt", type=click.Choice(["auto", "sqlite", "jsonl"]), default="auto",
              help="auto: a SQLite copy for SQLite, a portable JSON-lines dump (gzip) for PostgreSQL.")
def backup_command(path, fmt):
    """Write a consistent snapshot of the database to PATH (safe while the app is serving)."""
    from app.services.core.backup import BackupError, backup

    try:
        counts = backup(db.engine, Path(path), fmt)
    except (BackupError, OSError) as error:
        fail(_("Backup failed: %(error)s", error=str(error)))
    click.echo(_("Backup written to %(path)s: %(rows)d rows in %(tables)d tables.",
                 path=path, rows=sum(counts.values()), tables=len(counts)))


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Delete everything in the database before restoring.")
def restore_command(path, force):
    """Restore a backup made by `backup` into an empty database (SQLite or PostgreSQL)."""
    from app.services.core.backup import BackupError, restore

    try:
        counts = restore(db.engine, Path(path), force=force)
    except BackupError as error:
        fail(str(error))
    except Exception as error:  # a damaged file: nothing was written (one transaction)
        fail(_("Nothing was restored: %(error)s", error=type(error).__name__))
    click.echo(_("Restored %(rows)d rows in %(tables)d tables from %(path)s.",
                 rows=sum(counts.values()), tables=len(counts), path=path))


COMMANDS = (create_user_command, create_school_command, demo_command, import_roster_command,
            backup_command, restore_command)


def _print_logins():
    from app.models import User
    from app.services.core.demo import DEMO_DOMAIN, DEMO_PASSWORD

    emails = ["director", "deputy", "mohead", "teacher", "classteacher", "psychologist", "nurse", "expert"]
    users = {u.email: u for u in db.session.scalars(
        select(User).where(User.email.in_([f"{e}@{DEMO_DOMAIN}" for e in emails])))}
    if not users:
        return
    click.echo(_("Demo logins (password: %(password)s):", password=DEMO_PASSWORD))
    for e in emails:
        user = users.get(f"{e}@{DEMO_DOMAIN}")
        if user:
            click.echo(f"  {user.email:<32} {', '.join(sorted(user.roles))}")
    link = demo_survey_link()
    if link:
        click.echo(_("The open demo survey (no login): %(link)s", link=link))


def demo_survey_link() -> str | None:
    """The public link of the demo school's first open campaign without access codes, on
    PUBLIC_BASE_URL or http://HOST:PORT/ (the address `make run` serves on)."""
    import os

    from app.models import Campaign, CampaignClass

    slug = db.session.scalar(
        select(CampaignClass.slug).join(Campaign, Campaign.id == CampaignClass.campaign_id)
        .where(Campaign.status == "open", Campaign.access_mode == "link")
        .order_by(CampaignClass.class_id.is_(None), Campaign.id, CampaignClass.id).limit(1))
    if slug is None:
        return None
    base = os.environ.get("PUBLIC_BASE_URL") or \
        f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
    return f"{base.rstrip('/')}/s/{slug}"
