"""The methodical association (MO) level (monitoring regulation §2.3, §2.15, §2.17, §3.3):
indicators roll up from the teacher to the association to the school. One association's
page and annual report gather, for a year or one of its quarters:

- learning results of its subjects and of the teachers who teach them, in SQL from the marks
  (achievement.metrics: pass rate = (n5 + n4 + n3) / n · 100, quality = (n5 + n4) / n · 100,
  SOU = (100 n5 + 64 n4 + 36 n3 + 16 n2 + 7 n1) / n, mean; n = students' marks counted).
  Which marks count is the school dashboard's rule (achievement.monitoring.mark_conditions):
  a quarter's term marks; for a year its annual marks, else every quarter mark of the year.
  Only marks of subjects whose `ma_id` is the association's count; the association's total is
  computed from the marks, never as an average of its subjects' percentages;
- the change since the previous period (the quarter before, or the year before);
- its observations (observations.aggregates.by_teacher, kept to the association's teachers,
  and by_ma: the lessons of its subjects), as far as the reader may see them;
- its teachers' achievements and refresher courses of the year (the teachers' register);
- its own variable indicators (Indicator.ma_id, §2.17) with their targets and values;
- its proposals to the school's development programme (AssociationYear).

Who: the director and the deputies see every association, an MO head the associations they
head (`may_see`); those write the proposals and the association's indicators, and issue its
report (`may_write`). Another school's association is a 404 (the views' get_scoped_or_404).
"""
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import func, select

from app.extensions import db
from app.models import AcademicYear, Assessment, MethodicalAssociation, Subject, TeachingAssignment, Term, User
from app.models.monitoring.associations import AssociationYear
from app.models.monitoring.indicators import Indicator
from app.models.monitoring.measures import IssuedDocument
from app.models.monitoring.registers import TeacherAchievement
from app.security import Principal
from app.services.achievement import metrics
from app.services.achievement.access import visible
from app.services.achievement.monitoring import mark_conditions
from app.services.core import clock
from app.services.core import school as school_service
from app.services.core.audit import record as audit_record
from app.services.core.audit import snapshot
from app.services.monitoring import indicators as ind_service
from app.services.monitoring.calculators import Period
from app.services.monitoring.issued import Comparison
from app.services.observations import aggregates

MANAGERS = ("admin", "deputy")  # every association of the school
READERS = ("admin", "deputy", "mo_head")  # an MO head: the associations they head
KIND = "mo"  # IssuedDocument.kind of the association's annual report


def may_see(principal: Principal, ma: MethodicalAssociation) -> bool:
    """The director and deputies see every association of their school; an MO head the ones they head."""
    if ma.school_id != principal.school_id:
        return False
    return principal.has_role(*MANAGERS) or (principal.has_role("mo_head") and ma.head_id == principal.user_id)


may_write = may_see  # the same people write its proposals and indicators and issue its report


def may_see_indicator(principal: Principal, indicator: Indicator) -> bool:
    """A school indicator: True (its readers are the dashboard's); an association's own one: for
    the whole-school roles (director, deputies, experts) and that association's head."""
    if indicator.ma_id is None or principal.everything:
        return True
    ma = db.session.get(MethodicalAssociation, indicator.ma_id)
    return ma is not None and may_see(principal, ma)


def visible_associations(principal: Principal) -> list[MethodicalAssociation]:
    return [ma for ma in school_service.methodical_associations(principal.school_id) if may_see(principal, ma)]


def subject_ids(ma: MethodicalAssociation):
    """SELECT of the ids of the association's subjects."""
    return select(Subject.id).where(Subject.ma_id == ma.id)


def teachers(ma: MethodicalAssociation, year_id: int) -> list[User]:
    """The teachers who teach one of the association's subjects in the year, by name."""
    return list(db.session.scalars(select(User).where(User.id.in_(
        select(TeachingAssignment.teacher_id).where(TeachingAssignment.year_id == year_id,
                                                    TeachingAssignment.subject_id.in_(subject_ids(ma)))))
        .order_by(User.full_name)))


# --- periods ------------------------------------------------------------------------------

@dataclass
class Span:
    """What a page shows: a year, or one of its quarters (term)."""

    year: AcademicYear
    term: Optional[Term] = None

    @property
    def period(self) -> Period:
        return Period.of_term(self.term) if self.term else Period.of_year(self.year)

    @property
    def label(self) -> str:
        return f"{self.term.name} {self.year.name}" if self.term else self.year.name


def previous(span: Span) -> Optional[Span]:
    """The quarter before a quarter (in the same or the previous year), the year before a year."""
    if span.term is None:
        prev = school_service.previous_year(span.year)
        return Span(prev) if prev else None
    term = db.session.scalar(select(Term).where(Term.school_id == span.year.school_id, Term.kind == "quarter",
                                                Term.starts_on < span.term.starts_on)
                             .order_by(Term.starts_on.desc()).limit(1))
    return Span(term.year, term) if term else None


# --- learning results ---------------------------------------------------------------------

@dataclass
class Results:
    """The association's figures for a span: `total` (None: no marks), per subject and per
    teacher [(object, Metrics)], and the previous span's by the same keys (for the change)."""

    total: Optional[metrics.Metrics]
    subjects: list = field(default_factory=list)
    teachers: list = field(default_factory=list)
    before_total: Optional[metrics.Metrics] = None
    before_subjects: dict = field(default_factory=dict)
    before_teachers: dict = field(default_factory=dict)
    previous_label: str = ""


def _metrics(principal: Principal, ma: MethodicalAssociation, span: Span, grouping: str) -> list[metrics.Metrics]:
    keys, joins = {"total": lambda: ({}, []), "subject": metrics.GROUPINGS["subject"],
                   "teacher": metrics.GROUPINGS["teacher"]}[grouping]()
    stmt = metrics.metrics_select(keys, *mark_conditions(ma.school_id, span.period),
                                  Assessment.subject_id.in_(subject_ids(ma)),
                                  visible(principal, Assessment.class_id, Assessment.subject_id),
                                  schools=ma.school_id, joins=joins)
    return [m for m in metrics.run_metrics(stmt, keys) if m.n or m.absent]


def results(principal: Principal, ma: MethodicalAssociation, span: Span) -> Results:
    """Pass rate, quality, SOU, mean and n of the association, its subjects and its teachers."""
    def grouped(s: Span):
        total = _metrics(principal, ma, s, "total")
        return ((total[0] if total and total[0].n else None), {m.subject_id: m for m in _metrics(principal, ma, s, "subject")},
                {m.teacher_id: m for m in _metrics(principal, ma, s, "teacher")})

    total, by_subject, by_teacher = grouped(span)
    subjects = db.session.scalars(select(Subject).where(Subject.id.in_(list(by_subject))).order_by(Subject.name)).all()
    people = db.session.scalars(select(User).where(User.id.in_(list(by_teacher))).order_by(User.full_name)).all()
    out = Results(total, [(s, by_subject[s.id]) for s in subjects], [(u, by_teacher[u.id]) for u in people])
    before = previous(span)
    if before is not None:
        out.before_total, out.before_subjects, out.before_teachers = grouped(before)
        out.previous_label = before.label
    return out


def change(now: Optional[metrics.Metrics], before: Optional[metrics.Metrics], name: str) -> Optional[float]:
    """now - before of one figure, each rounded as shown (1 decimal; the mean 2); None without both."""
    if now is None or before is None or getattr(now, name) is None or getattr(before, name) is None:
        return None
    digits = 2 if name == "mean" else 1
    return round(round(getattr(now, name), digits) - round(getattr(before, name), digits), digits) + 0.0


# --- observations, achievements, indicators, proposals ------------------------------------

def observations(principal: Principal, ma: MethodicalAssociation, year_id: int) -> dict:
    """{"total": by_ma's row of the association (lessons of its subjects) or None, "teachers":
    by_teacher's rows of its teachers}: lessons observed and % of the protocols' maximum."""
    ids = {u.id for u in teachers(ma, year_id)}
    total = next((r for r in aggregates.by_ma(principal, year_id) if r["ma_id"] == ma.id), None)
    return {"total": total, "teachers": [r for r in aggregates.by_teacher(principal, year_id) if r["teacher_id"] in ids]}


def achievements(ma: MethodicalAssociation, year_id: int) -> tuple[list[TeacherAchievement], list[TeacherAchievement]]:
    """(achievements, refresher courses) of the year recorded for the association's teachers."""
    ids = [u.id for u in teachers(ma, year_id)]
    rows = list(db.session.scalars(select(TeacherAchievement).where(
        TeacherAchievement.school_id == ma.school_id, TeacherAchievement.year_id == year_id,
        TeacherAchievement.teacher_id.in_(ids)).order_by(TeacherAchievement.on_date, TeacherAchievement.id)))
    return [r for r in rows if r.kind != "refresher_course"], [r for r in rows if r.kind == "refresher_course"]


def own_indicators(ma: MethodicalAssociation, active_only: bool = False) -> list[Indicator]:
    stmt = select(Indicator).where(Indicator.school_id == ma.school_id, Indicator.ma_id == ma.id)
    if active_only:
        stmt = stmt.where(Indicator.active.is_(True))
    return list(db.session.scalars(stmt.order_by(Indicator.position, Indicator.id)))


def indicator_rows(ma: MethodicalAssociation, span: Span) -> list[ind_service.Row]:
    """The association's active indicators with their value, last year's value and status."""
    items = own_indicators(ma, active_only=True)
    return ind_service.evaluate(ma.school_id, span.year, term=span.term, items=items) if items else []


def new_key(ma: MethodicalAssociation) -> str:
    """A key for a new indicator of the association: ma<id>_<n>, unique in the school."""
    taken = set(db.session.scalars(select(Indicator.key).where(Indicator.school_id == ma.school_id)))
    n = (db.session.scalar(select(func.count(Indicator.id)).where(Indicator.ma_id == ma.id)) or 0) + 1
    while f"ma{ma.id}_{n}" in taken:
        n += 1
    return f"ma{ma.id}_{n}"


def proposals(ma: MethodicalAssociation, year_id: int) -> Optional[AssociationYear]:
    return db.session.scalar(select(AssociationYear).where(AssociationYear.ma_id == ma.id,
                                                           AssociationYear.year_id == year_id))


def set_proposals(ma: MethodicalAssociation, year_id: int, text: Optional[str], user_id: int,
                  remote_addr: Optional[str] = None) -> AssociationYear:
    """Write the association's proposals for the year, audited in the same transaction."""
    row = proposals(ma, year_id)
    before = snapshot(row) if row else None
    if row is None:
        row = AssociationYear(school_id=ma.school_id, ma_id=ma.id, year_id=year_id)
        db.session.add(row)
    row.proposals, row.updated_by_id, row.updated_at = (text or None), user_id, clock.now()
    db.session.flush()
    audit_record("update" if before else "create", "association_year", row.id, school_id=ma.school_id,
                 user_id=user_id, before=before, after=snapshot(row), remote_addr=remote_addr)
    return row


# --- the issued report --------------------------------------------------------------------

def subject_of(ma: MethodicalAssociation) -> str:
    return f"ma:{ma.id}"


def document_ma_id(doc: IssuedDocument) -> Optional[int]:
    if doc.kind != KIND or not doc.subject.startswith("ma:"):
        return None
    return int(doc.subject[3:])


def may_see_document(principal: Principal, doc: IssuedDocument) -> bool:
    """An association's issued report is for those who see the association; other documents: True."""
    ma_id = document_ma_id(doc)
    if ma_id is None:
        return doc.kind != KIND
    ma = db.session.get(MethodicalAssociation, ma_id)
    return ma is not None and may_see(principal, ma)


FIGURES = ("n", "pass_rate", "quality", "sou", "mean")


def figures(found: Results) -> list[dict]:
    """The report's learning figures as stored when issued: {section: total | subject | teacher,
    id, label, n, pass_rate, quality, sou, mean} (unrounded, as computed)."""
    def row(section, ident, label, m):
        return {"section": section, "id": ident, "label": label, **{k: getattr(m, k) for k in FIGURES}}

    out = [row("total", None, "", found.total)] if found.total else []
    out += [row("subject", s.id, s.name, m) for s, m in found.subjects]
    out += [row("teacher", u.id, u.full_name, m) for u, m in found.teachers]
    return out


UNITS = {"n": "count", "pass_rate": "percent", "quality": "percent", "sou": "percent", "mean": "mean"}


def compare(doc: IssuedDocument, names: dict) -> list[Comparison]:
    """An issued MO report's figures beside today's for the same association and year, for the
    whole school's view; `names` gives each figure key's label (n, pass_rate ...)."""
    ma_id = document_ma_id(doc)
    ma = db.session.get(MethodicalAssociation, ma_id) if ma_id else None
    if ma is None or ma.school_id != doc.school_id:
        return []
    now = figures(results(Principal.system(doc.school_id), ma, Span(doc.year)))
    today = {(f["section"], f["id"]): f for f in now}
    return [Comparison(f"{f['label'] or ma.name}: {names[key]}", UNITS[key], f.get(key),
                       today.get((f["section"], f["id"]), {}).get(key)) for f in doc.figures for key in FIGURES]
