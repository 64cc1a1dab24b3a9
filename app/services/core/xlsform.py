"""Instruments authored in Excel: an XLSForm upload published as an instrument version, and any
published version written as an XLSForm (surveys/xlsform/ converts; this module stores).

    import_xlsform(source, filename, *, actor=None, fallback=None, language=None, key=None,
                   title=None) -> XLSFormImport
    export_xlsform(row, target) -> None          raises XLSFormExportError
    download_name(row) -> 'key_vN.xlsx'
    published_line(published) -> str             what happened to the version, in the reader's language
    problem_line(problem) -> str                 one refusal: sheet, row, column, reason (translated)
    translate(text) -> str                       a reason or note of surveys.xlsform, translated

An import is all or nothing: a form with any problem publishes nothing and its problems are
returned (every one, with sheet, row and column); a valid form becomes a new version unless the
same content is already published (instruments.publish: versioning as for the YAML files).
The caller commits. An import made by a person (`actor`) is audited.
"""
from dataclasses import dataclass, field
from typing import Optional

from flask_babel import gettext as _

from app.security import Principal
from app.services.core import audit, instruments
from app.services.core.instruments import Published
from surveys.loader import validate_data
from surveys.schema import Instrument as Spec
from surveys.xlsform import XLSFormError, XLSFormProblem, read_xlsform, translated, write_xlsform


@dataclass
class XLSFormImport:
    """The outcome of one upload: `published` (None when refused), every problem, every note."""

    filename: str
    published: Optional[Published] = None
    problems: list[XLSFormProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.published is not None


class XLSFormExportError(Exception):
    """An instrument that XLSForm cannot hold (a text over 32,767 characters, a condition value
    with both kinds of quotes); str() is the reason in the reader's language."""


def translate(text) -> str:
    """A reason or note of surveys.xlsform (an English Message) in the reader's language."""
    return translated(text, _)


def import_xlsform(source, filename: str, *, actor: Optional[Principal] = None, fallback: Optional[str] = None,
                   language: Optional[str] = None, key: Optional[str] = None,
                   title: Optional[str] = None) -> XLSFormImport:
    """Read the XLSForm `source` (path, bytes or binary stream) and publish it.

    fallback   ky | ru | en: copy missing languages from it (None: refuse a missing language)
    language   ky | ru | en: the language of columns without one (`label`, `hint`)
    key, title the instrument's key and title where the settings sheet has no form_id / form_title
               (they override it when given)
    """
    notes: list[str] = []
    try:
        data = read_xlsform(source, key=key or None, title=title or None, fallback=fallback or None,
                            default_language=language or None, notes=notes, filename=filename)
    except XLSFormError as error:
        return XLSFormImport(filename, None, list(error.problems), notes)
    spec: Spec = validate_data(data, filename)  # read_xlsform has checked it: this cannot fail
    published = instruments.publish(spec, source_file=filename[:200])
    if actor is not None and published.created:
        row = published.row
        audit.record("import", "instrument", row.id, school_id=actor.school_id, user_id=actor.user_id,
                     remote_addr=actor.remote_addr,
                     after={"key": row.key, "version": row.version, "kind": row.kind, "source_file": row.source_file,
                            "content_hash": row.content_hash, "format": "xlsform"})
    return XLSFormImport(filename, published, [], notes)


def export_xlsform(row, target) -> None:
    """Write the published version `row` (app.models.Instrument) as an XLSForm to `target`
    (a path or a writable binary stream). Importing it again gives the same content hash."""
    try:
        write_xlsform(row.spec, target)
    except ValueError as error:
        raise XLSFormExportError(translate(error.args[0] if error.args else str(error))) from None


def download_name(row) -> str:
    return f"{row.key}_v{row.version}.xlsx"


def published_line(published: Published) -> str:
    """`key: version N stored.`, `key: unchanged (version N).` or the version actually used."""
    row = published.row
    if not published.created:
        return _("%(key)s: unchanged (version %(version)d).", key=row.key, version=row.version)
    if row.version != published.requested_version:
        return _("%(key)s: stored as version %(version)d (the file says %(asked)d, which is already published "
                 "with other content).", key=row.key, version=row.version, asked=published.requested_version)
    return _("%(key)s: version %(version)d stored.", key=row.key, version=row.version)


def problem_line(problem: XLSFormProblem) -> str:
    """`survey row 12, relevant: reason` in the reader's language (sheet and column as written)."""
    reason = translate(problem.reason)
    sheet, row, column = problem.sheet, getattr(problem, "row", None), getattr(problem, "column", None)
    if row and column:
        return _("%(sheet)s, row %(row)d, %(column)s: %(reason)s", sheet=sheet, row=row, column=column, reason=reason)
    if row:
        return _("%(sheet)s, row %(row)d: %(reason)s", sheet=sheet, row=row, reason=reason)
    if column:
        return _("%(sheet)s, %(column)s: %(reason)s", sheet=sheet, column=column, reason=reason)
    return _("%(sheet)s: %(reason)s", sheet=sheet, reason=reason)
