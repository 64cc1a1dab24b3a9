"""The district's commands: `flask district create CODE NAME [--school CODE ...]`, `flask district
add-user EMAIL --district CODE --role district_admin|district_specialist`, and its part of `flask
demo`: `--district N` builds the demo district of N small schools (app/cli/core.py's demo command
calls `demo_district`). Packages between installations: on the school's, `make-key --school CODE`
and `export-package --school CODE --year Y -o FILE`; on the district's, `register-school CODE NAME
--district D --public-key KEY` and `import-package FILE [--district D]`."""
import os

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import select

from app.cli import fail, find_school
from app.extensions import db
from app.models import DISTRICT_ROLES


def demo_district(count: int, seed: int, school_codes: list[str] | None = None) -> None:
    """Build the demo district, commit, and print its logins: `count` small schools of its own,
    or, with `school_codes` (`demo --scale district`), the demo schools just built."""
    from app.models import School
    from app.services.district import demo

    try:
        if school_codes is None:
            built = demo.build_district(count, seed=seed)
        else:
            built = demo.new_district(list(db.session.scalars(
                select(School).where(School.code.in_(school_codes)).order_by(School.code))))
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


# --- packages passed upward between installations ---------------------------------------------

def _key_path(school_code: str, given) -> str:
    from flask import current_app

    return given or os.path.join(current_app.instance_path, "keys", f"package-{school_code}.pem")


@district_cli.command("make-key")
@click.option("--school", "school_code", required=True)
@click.option("--key", "key_path", default=None, help="Where the private key goes (default: instance/keys/).")
def make_key_command(school_code, key_path):
    """On the school's installation: make the school's signing key pair; print the public key for the district."""
    from app.services.district import package_format

    school = find_school(school_code)
    path = _key_path(school.code, key_path)
    if os.path.exists(path):
        fail(_("A key already exists at %(path)s: it was not replaced.", path=path))
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    pem = package_format.new_private_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    click.echo(_("Private key written to %(path)s (keep it on this machine). Give the district this public key:",
                 path=path))
    click.echo(package_format.public_key_text(pem))


@district_cli.command("export-package")
@click.option("--school", "school_code", required=True)
@click.option("--year", "year_name", required=True, help="The academic year's name, e.g. 2026-2027.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--key", "key_path", default=None, help="The private key (default: the one make-key wrote).")
def export_package_command(school_code, year_name, output, key_path):
    """On the school's installation: write the school's signed package of figures for a year."""
    from app.services.district import packages

    school = find_school(school_code)
    path = _key_path(school.code, key_path)
    if not os.path.exists(path):
        fail(_("No key at %(path)s: run `flask district make-key --school %(code)s` first.", path=path,
               code=school.code))
    with open(path, "rb") as source:
        pem = source.read()
    try:
        data = packages.export_package(school, year_name, pem)
    except (packages.PackageError, ValueError) as error:
        db.session.rollback()
        fail(str(error))
    with open(output, "wb") as out:
        out.write(data)
    db.session.commit()
    click.echo(_("Package written: %(path)s (%(kb)d kB).", path=output, kb=max(1, len(data) // 1024)))


@district_cli.command("register-school")
@click.argument("code")
@click.argument("name")
@click.option("--district", "district_code", required=True)
@click.option("--name-ru", default=None)
@click.option("--public-key", required=True, help="The school's public key as `make-key` printed it.")
def register_school_command(code, name, district_code, name_ru, public_key):
    """On the district's installation: register a school of another installation by its public key."""
    from app.services.district import packages

    district = _find_district(district_code)
    try:
        packages.register_school(district, code=code, name=name, name_ru=name_ru, public_key=public_key, user_id=None)
    except packages.PackageError as error:
        db.session.rollback()
        fail(str(error))
    db.session.commit()
    click.echo(_("The school %(code)s is registered in the district %(district)s.", code=code, district=district.code))


@district_cli.command("import-package")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--district", "district_code", default=None, help="The district (default: the only one).")
def import_package_command(path, district_code):
    """On the district's installation: verify and import a school's signed package."""
    from app.services.district import packages

    district = _find_district(district_code)
    with open(path, "rb") as source:
        data = source.read(packages.fmt.MAX_BYTES + 1)
    try:
        done = packages.import_package(district, data, user_id=None)
    except packages.PackageError as error:
        db.session.rollback()
        fail(str(error))
    db.session.commit()
    click.echo(packages.message(done))


def _find_district(code):
    from app.models import District

    if code:
        district = db.session.scalar(select(District).where(District.code == code))
    else:
        found = list(db.session.scalars(select(District).limit(2)))
        district = found[0] if len(found) == 1 else None
        if len(found) > 1:
            fail(_("This installation has several districts: name one with --district."))
    if district is None:
        fail(_("No district with the code %(code)s.", code=code or "-"))
    return district
