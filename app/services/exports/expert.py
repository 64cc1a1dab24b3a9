"""The expert-assessment sheet: written into the annual workbook, filled in by experts
(score 1-5 and a comment per indicator) and read back, several experts' files at once.

Layout (1-based rows as Excel shows them): B2 the expert's name (to fill in; an expert
uploading from their own account may leave it empty, and may not name anyone else), B3 the
academic year, row 7 the header, data from row 8 with the columns below. The sheet is
found by its name in any of the three languages, so a file written in Kyrgyz imports on
a Russian screen.
"""
import re
from dataclasses import dataclass, field
from typing import IO, Iterable, Optional, Sequence

from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, select

from app.extensions import db
from app.models import ExpertScore, User
from app.services.core import school as school_service
from app.services.core.xlsx_input import ProblemList, RowError, SpreadsheetError, text
from app.services.core.xlsx_safety import BadCell, read_sheet, read_upload

SHEET_NAMES = {"en": "Expert assessment", "ru": "Экспертная оценка", "ky": "Эксперттик баалоо"}
NAME_ROW, YEAR_ROW, HEADER_ROW = 1, 2, 6  # 0-based
COL_KEY, COL_DIRECTION, COL_NAME, COL_VALUE, COL_TARGET, COL_STATUS, COL_SCORE, COL_COMMENT = range(8)
SCORES = (1, 2, 3, 4, 5)


@dataclass
class ExpertRow:
    """One indicator as the sheet shows it."""

    key: str
    direction: str
    name: str
    value: Optional[float]
    target: Optional[str]
    status: str
    unit_kind: str = "number"  # core column kind for the value


def sheet_name(lang: str) -> str:
    return SHEET_NAMES.get(lang, SHEET_NAMES["en"])


def write_expert_sheet(book, rows: Sequence[ExpertRow], *, lang: str, year_name: str) -> None:
    """Add the expert-assessment sheet to a WorkbookWriter (rows in order: constant_memory)."""
    from app.services.exports.core import _safe_sheet_name

    wb, f = book.workbook, book.formats
    sheet = wb.add_worksheet(_safe_sheet_name(sheet_name(lang), book.sheet_names))
    book.notes.append((sheet.get_name(), _(
        "For experts: write your full name in B2, then a score from 1 (very weak) to 5 (excellent) "
        "and a comment for each indicator. Send the saved file back; Sapat reads it with "
        "`import-expert` or on the expert scores page.")))
    fill = wb.add_format({"bg_color": "#FFF2CC", "border": 1, "locked": False})
    fill_wrap = wb.add_format({"bg_color": "#FFF2CC", "border": 1, "locked": False, "text_wrap": True,
                               "valign": "top"})
    widths = [16, 22, 48, 10, 10, 14, 10, 48]
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.write_string(0, 0, _("Expert assessment of the school's indicators"), f.title)
    sheet.write_string(NAME_ROW, 0, _("Expert (full name)"), f.bold)
    sheet.write_blank(NAME_ROW, 1, None, fill)
    sheet.write_string(YEAR_ROW, 0, _("Academic year"), f.bold)
    sheet.write_string(YEAR_ROW, 1, year_name)
    sheet.write_string(3, 0, _("Score: 1 very weak, 2 weak, 3 satisfactory, 4 good, 5 excellent."), f.meta)
    sheet.write_string(4, 0, book.school_name, f.meta)
    headers = [_("Key"), _("Direction"), _("Indicator"), _("Value"), _("Target"), _("Status"),
               _("Score (1-5)"), _("Comment")]
    for col, header in enumerate(headers):
        sheet.write_string(HEADER_ROW, col, header, f.header)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    row = HEADER_ROW
    for row, item in enumerate(rows, start=HEADER_ROW + 1):
        sheet.write_string(row, COL_KEY, item.key)
        sheet.write_string(row, COL_DIRECTION, item.direction, f.wrap)
        sheet.write_string(row, COL_NAME, item.name, f.wrap)
        if isinstance(item.value, (int, float)) and not isinstance(item.value, bool):
            sheet.write_number(row, COL_VALUE, float(item.value), f.for_kind(item.unit_kind))
        else:
            sheet.write_blank(row, COL_VALUE, None)
        sheet.write_string(row, COL_TARGET, item.target or "")
        sheet.write_string(row, COL_STATUS, item.status or "")
        sheet.write_blank(row, COL_SCORE, None, fill)
        sheet.write_blank(row, COL_COMMENT, None, fill_wrap)
    if rows:
        sheet.data_validation(HEADER_ROW + 1, COL_SCORE, row, COL_SCORE, {
            "validate": "list", "source": [str(s) for s in SCORES],
            "input_title": _("Score"), "input_message": _("1 very weak ... 5 excellent"),
            "error_title": _("Score"), "error_message": _("Choose a score from 1 to 5."),
        })
        sheet.autofilter(HEADER_ROW, 0, row, COL_COMMENT)
    book.cells += len(rows) * 8


# --- reading the filled sheets back --------------------------------------------------

@dataclass
class ExpertFile:
    filename: str
    expert: str = ""
    year_id: Optional[int] = None
    year_name: str = ""
    scores: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    problems_url: Optional[str] = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def problems(self) -> ProblemList:
        return ProblemList(self.errors, self.problems_url)


@dataclass
class ExpertImport:
    files: list[ExpertFile] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.files) and all(f.ok for f in self.files)

    @property
    def stored(self) -> int:
        return sum(len(f.scores) for f in self.files)


def _parse_score(value) -> Optional[int]:
    """1-5 as a whole number (5, 5.0 or "5"); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() and int(value) in SCORES else None
    raw = text(value)
    return int(raw) if re.fullmatch(r"[1-5](\.0+)?", raw) else None


EXPERT_MAX_ROWS = 5000  # the sheet has one row per indicator (about 60)


def read_expert_file(stream: IO[bytes], filename: str, *, school_id: int,
                     known_keys: Optional[Iterable[str]] = None) -> ExpertFile:
    """Read one filled expert sheet; every problem is reported with its row."""
    result = ExpertFile(filename=filename)
    try:
        _read(stream, result, school_id, set(known_keys or ()))
    except SpreadsheetError as error:
        result.errors.insert(0, RowError(0, None, str(error)))
    return result


def _read(stream, result: ExpertFile, school_id: int, known: set) -> None:
    sheet = read_sheet(read_upload(stream), sheet_names=tuple(SHEET_NAMES.values()), max_col=COL_COMMENT + 1,
                       max_rows=EXPERT_MAX_ROWS)
    if sheet is None:
        raise SpreadsheetError(_("The workbook has no expert-assessment sheet (%(names)s). Use the sheet "
                                 "of the annual workbook.", names=", ".join(SHEET_NAMES.values())))
    rows = dict(sheet.rows)  # 1-based row number -> values

    def cell(r, c):
        """The value at 0-based (r, c); an error value or a formula without a saved value is
        reported with its address and read as empty."""
        values = rows.get(r + 1, ())
        value = values[c] if c < len(values) else None
        if isinstance(value, BadCell):
            result.errors.append(RowError(r + 1, "ABCDEFGH"[c], value.message()))
            return None
        return value

    result.expert = " ".join(text(cell(NAME_ROW, 1)).split())[:200]
    result.year_name = text(cell(YEAR_ROW, 1))
    year = school_service.find_year(school_id, result.year_name)
    if year is None:
        result.errors.append(RowError(YEAR_ROW + 1, "B", _("Unknown academic year “%(year)s”.",
                                                            year=result.year_name)))
    else:
        result.year_id = year.id
    seen: set[str] = set()
    for number in sorted(r for r in rows if r > HEADER_ROW + 1):
        index, problems = number - 1, len(result.errors)
        key = text(cell(index, COL_KEY))
        score_cell, comment = cell(index, COL_SCORE), text(cell(index, COL_COMMENT))
        name = text(cell(index, COL_NAME))
        if len(result.errors) > problems:  # an error value or an unsaved formula in this row
            continue
        if not key:
            if score_cell not in (None, "") or comment:
                result.errors.append(RowError(number, "A", _("The indicator key is missing.")))
            continue
        if (known and key not in known) or len(key) > 80:
            result.errors.append(RowError(number, "A", _("Unknown indicator “%(key)s”.", key=key[:80])))
            continue
        if key in seen:
            result.errors.append(RowError(number, "A", _("The indicator “%(key)s” appears twice.", key=key)))
            continue
        seen.add(key)
        if score_cell in (None, "") or text(score_cell) == "":
            if comment:
                result.errors.append(RowError(number, "G", _("Give a score from 1 to 5 for this comment.")))
            continue
        score = _parse_score(score_cell)
        if score is None:
            result.errors.append(RowError(number, "G", _("The score must be a whole number from 1 to 5, "
                                                          "not “%(value)s”.", value=text(score_cell)[:20])))
            continue
        result.scores.append({"indicator_key": key, "indicator_name": name[:300],
                              "score": score, "comment": comment[:4000]})
    if not result.scores and not result.errors:
        result.errors.append(RowError(0, None, _("The sheet has no scores. Fill in column G (1-5).")))


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _settle_identity(f: ExpertFile, school_id: int, uploader: Optional[User]) -> Optional[int]:
    """Whose scores a valid file holds: the account's own when an expert uploads (B2 empty or
    their own name, else an error), or the expert named in B2 when a director or deputy (or
    the CLI) uploads the sheet of an expert without an account, who may not replace scores
    that an expert sent from their own account. Returns the owner's user id or None."""
    if uploader is not None and not uploader.has_role("admin", "deputy"):
        if f.expert and not _same_name(f.expert, uploader.full_name):
            f.errors.append(RowError(NAME_ROW + 1, "B", _(
                "The sheet names “%(name)s”, but you are signed in as %(me)s: an expert uploads only their own "
                "scores. Write your own name in B2 or leave it empty.", name=f.expert, me=uploader.full_name)))
            return None
        f.expert = uploader.full_name[:200]
        return uploader.id
    if not f.expert:
        f.errors.append(RowError(NAME_ROW + 1, "B", _("Write the expert's full name in cell B2.")))
        return None
    owned = db.session.scalars(select(ExpertScore.expert_name).where(
        ExpertScore.school_id == school_id, ExpertScore.year_id == f.year_id,
        ExpertScore.expert_user_id.is_not(None)).distinct()).all()
    if any(_same_name(f.expert, name) for name in owned):
        f.errors.append(RowError(NAME_ROW + 1, "B", _(
            "The expert “%(name)s” sent their scores from their own account; only they can replace them.",
            name=f.expert)))
    return None


def import_expert_files(files: Sequence[tuple[str, IO[bytes]]], *, school_id: int, user_id: Optional[int],
                        known_keys: Optional[Iterable[str]] = None) -> ExpertImport:
    """Read every file; store all of them only if every file is valid (nothing otherwise).

    The uploader (`user_id`; None for the CLI) decides whose scores a file holds (see
    _settle_identity). A file replaces the earlier scores of the same expert for the same
    year: an account's own rows, or the rows without an account under the same name. The
    caller commits.
    """
    known = set(known_keys or ())
    uploader = db.session.get(User, user_id) if user_id is not None else None
    report = ExpertImport([read_expert_file(stream, name, school_id=school_id, known_keys=known)
                           for name, stream in files])
    experts: dict[tuple, str] = {}
    owners: dict[str, Optional[int]] = {}
    for f in report.files:
        if f.ok:
            owners[f.filename] = _settle_identity(f, school_id, uploader)
        if f.ok:
            ident = (f.year_id, f.expert.casefold())
            if ident in experts:
                f.errors.append(RowError(NAME_ROW + 1, "B", _("The expert “%(name)s” is also in %(file)s.",
                                                               name=f.expert, file=experts[ident])))
            experts[ident] = f.filename
    if not report.ok:
        return report
    for f in report.files:
        owner = owners[f.filename]
        # The name matches exactly: SQLite's lower() ignores Cyrillic.
        unowned = (ExpertScore.expert_name == f.expert) & ExpertScore.expert_user_id.is_(None)
        whose = unowned if owner is None else (ExpertScore.expert_user_id == owner) | unowned
        db.session.execute(delete(ExpertScore).where(
            ExpertScore.school_id == school_id, ExpertScore.year_id == f.year_id, whose))
        db.session.execute(insert(ExpertScore), [
            {**s, "school_id": school_id, "year_id": f.year_id, "expert_name": f.expert,
             "expert_user_id": owner, "source_file": f.filename[:255], "imported_by_id": user_id}
            for s in f.scores])
    db.session.flush()
    return report


@dataclass
class IndicatorScores:
    key: str
    name: str
    experts: int
    mean: float
    low: int
    high: int

    @property
    def spread(self) -> int:
        return self.high - self.low


def score_summary(school_id: int, year_id: int) -> list[IndicatorScores]:
    """Per indicator: number of experts, mean score, lowest, highest (spread = high - low)."""
    stmt = (select(ExpertScore.indicator_key, func.max(ExpertScore.indicator_name),
                   func.count(ExpertScore.id), func.avg(ExpertScore.score),
                   func.min(ExpertScore.score), func.max(ExpertScore.score))
            .where(ExpertScore.school_id == school_id, ExpertScore.year_id == year_id)
            .group_by(ExpertScore.indicator_key).order_by(ExpertScore.indicator_key))
    return [IndicatorScores(key, name or key, n, round(float(mean), 2), low, high)
            for key, name, n, mean, low, high in db.session.execute(stmt)]


def experts_of_year(school_id: int, year_id: int) -> list[tuple[str, int, str]]:
    """(expert, number of scores, source file) for the year."""
    stmt = (select(ExpertScore.expert_name, func.count(ExpertScore.id), func.max(ExpertScore.source_file))
            .where(ExpertScore.school_id == school_id, ExpertScore.year_id == year_id)
            .group_by(ExpertScore.expert_name).order_by(ExpertScore.expert_name))
    return [tuple(row) for row in db.session.execute(stmt)]


def comments(school_id: int, year_id: int, key: Optional[str] = None) -> list[ExpertScore]:
    stmt = (select(ExpertScore).where(ExpertScore.school_id == school_id, ExpertScore.year_id == year_id,
                                      ExpertScore.comment != "")
            .order_by(ExpertScore.indicator_key, ExpertScore.expert_name))
    if key:
        stmt = stmt.where(ExpertScore.indicator_key == key)
    return list(db.session.scalars(stmt))
