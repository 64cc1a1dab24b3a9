"""`flask --app wsgi instruments check|load|list|import-xlsform|export-xlsform`: validate and
publish instrument files, and exchange instruments with Excel (XLSForm)."""
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import select

from app.cli import fail as _fail
from app.cli import write_atomically
from app.extensions import db
from app.models import School
from app.security import Principal
from app.services.core import instruments
from app.services.core import xlsform as xlsform_service
from surveys import loader

instruments_cli = AppGroup("instruments", help="Questionnaires and observation protocols (surveys/instruments/*.yaml).")

LANGUAGE = click.Choice(["ky", "ru", "en"])


@instruments_cli.command("check")
@click.option("--dir", "directory", default=None, type=click.Path(file_okay=False),
              help="Directory of instrument files (default: surveys/instruments).")
def check_command(directory):
    """Validate every instrument file; print each problem with file, path and reason."""
    report = loader.load_all(directory)
    for error in report.errors:
        for line in error.lines():
            click.echo(line, err=True)
    if not report.instruments and not report.errors:
        _fail(_("No instrument files found."))
    if report.errors:
        _fail(_("%(bad)d of %(total)d instrument files have problems.", bad=len(report.errors),
                total=len(report.errors) + len(report.instruments)))
    for path, spec in report.instruments:
        click.echo(_("%(file)s: %(kind)s '%(key)s' version %(version)d, %(items)d items: valid.",
                     file=path.name, kind=spec.kind, key=spec.key, version=spec.version,
                     items=len(spec.answer_keys())))


@instruments_cli.command("load")
@click.option("--dir", "directory", default=None, type=click.Path(file_okay=False))
def load_command(directory):
    """Store every instrument file as an immutable version (a changed file becomes a new version)."""
    report = instruments.publish_all(directory)
    if report.errors:
        db.session.rollback()
        for error in report.errors:
            for line in error.lines():
                click.echo(line, err=True)
        _fail(_("Nothing was loaded: %(n)d instrument files have problems.", n=len(report.errors)))
    db.session.commit()
    for item in report.published:
        click.echo(xlsform_service.published_line(item))


@instruments_cli.command("list")
def list_command():
    """List the stored instrument versions."""
    for row in instruments.versions(latest_only=False):
        click.echo(f"{row.key:<28} v{row.version:<3} {row.kind:<12} {row.content_hash[:12]}  {row.title}")


@instruments_cli.command("import-xlsform")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--fallback", type=LANGUAGE, default=None,
              help="Copy texts missing in a language from this one (default: refuse the form).")
@click.option("--language", type=LANGUAGE, default=None,
              help="The language of columns that name none (label, hint), when settings has no default_language.")
@click.option("--key", default=None, help="The instrument key, when settings has no form_id (or to override it).")
@click.option("--title", default=None, help="The title in every language, when settings has no form_title.")
def import_xlsform_command(path, fallback, language, key, title):
    """Publish an XLSForm .xlsx as a new instrument version, or print every problem with its
    sheet, row and column on stderr and exit 1 (nothing is published)."""
    file = Path(path)
    if not file.is_file():
        _fail(_("File not found: %(path)s", path=path))
    school = db.session.scalar(select(School).order_by(School.id).limit(1))
    actor = Principal.system(school.id) if school is not None else None
    with file.open("rb") as stream:
        result = xlsform_service.import_xlsform(stream, file.name, actor=actor, fallback=fallback, language=language,
                                                key=key, title=title)
    if not result.ok:
        db.session.rollback()
        for problem in result.problems:
            click.echo(f"{file.name}: {xlsform_service.problem_line(problem)}", err=True)
        _fail(_("Nothing was published: %(n)d problems found.", n=len(result.problems)))
    db.session.commit()
    click.echo(xlsform_service.published_line(result.published))
    for note in result.notes:
        click.echo(_("Ignored: %(note)s", note=xlsform_service.translate(note)))


@instruments_cli.command("export-xlsform")
@click.argument("key")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The .xlsx to write.")
@click.option("--version", type=click.IntRange(min=1), default=None, help="A version (default: the latest).")
def export_xlsform_command(key, output, version):
    """Write a published instrument as an XLSForm .xlsx (survey, choices and settings sheets)."""
    row = instruments.get_version(key, version) if version else instruments.latest(key)
    if row is None:
        _fail(_("No published instrument %(key)s (version %(version)s).", key=key, version=version or "—")
              if version else _("No published instrument %(key)s.", key=key))
    try:
        write_atomically(output, lambda target: xlsform_service.export_xlsform(row, target))
    except xlsform_service.XLSFormExportError as error:
        _fail(str(error))
    click.echo(_("%(key)s version %(version)d written to %(path)s.", key=row.key, version=row.version, path=output))
