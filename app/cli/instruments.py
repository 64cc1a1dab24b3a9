"""`flask --app wsgi instruments check|load|list`: validate and publish instrument files."""
import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.cli import fail as _fail

instruments_cli = AppGroup("instruments", help="Questionnaires and observation protocols (surveys/instruments/*.yaml).")


@instruments_cli.command("check")
@click.option("--dir", "directory", default=None, type=click.Path(file_okay=False),
              help="Directory of instrument files (default: surveys/instruments).")
def check_command(directory):
    """Validate every instrument file; print each problem with file, path and reason."""
    from surveys import loader

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
    from app.extensions import db
    from app.services.core import instruments

    report = instruments.publish_all(directory)
    if report.errors:
        db.session.rollback()
        for error in report.errors:
            for line in error.lines():
                click.echo(line, err=True)
        _fail(_("Nothing was loaded: %(n)d instrument files have problems.", n=len(report.errors)))
    db.session.commit()
    for item in report.published:
        row = item.row
        if not item.created:
            click.echo(_("%(key)s: unchanged (version %(version)d).", key=row.key, version=row.version))
        elif row.version != item.requested_version:
            click.echo(_("%(key)s: stored as version %(version)d (the file says %(asked)d, which is already "
                         "published with other content).", key=row.key, version=row.version,
                         asked=item.requested_version))
        else:
            click.echo(_("%(key)s: version %(version)d stored.", key=row.key, version=row.version))


@instruments_cli.command("list")
def list_command():
    """List the stored instrument versions."""
    from app.services.core import instruments

    for row in instruments.versions(latest_only=False):
        click.echo(f"{row.key:<28} v{row.version:<3} {row.kind:<12} {row.content_hash[:12]}  {row.title}")

