"""Internal vs external results of the district's schools: per school, external test (ORT, NTS,
other) and subject, for the students who have both, the mean of their term marks of the year
against their external result on the 5-point scale, with n (students) and the mean raw score.

The formula is the school's own (achievement.analysis.compare_external): a student's external
result on the 5-point scale is 2 + 3 * score / max_score (max_score 100 when the assessment has
none), the mean of their external results of the year in the subject; their internal result is
the mean of their term marks of the year in the subject; a group's figure is the mean over its
students. A difference beyond `analysis.DEFAULT_THRESHOLD` (0.5 of a mark) is flagged, as on the
school's page. Computed in SQL over every school of the district at once; subjects matched by
name. A district reader sees the whole school (access.reader), so no class is left out."""
from dataclasses import dataclass
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, and_, cast, func, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import AcademicYear, Assessment, Mark, Subject, Term
from app.models.achievement import EXTERNAL_KINDS
from app.services.achievement.analysis import DEFAULT_THRESHOLD

KIND_LABELS = {"ort": _l("ORT"), "nts": _l("NTS"), "external": _l("Other external tests")}


@dataclass
class Comparison:
    n: int  # students with both an external result and term marks
    internal: float  # mean term mark
    external: float  # mean external result on the 5-point scale
    raw: float  # mean external score as written

    @property
    def diff(self) -> float:
        return self.internal - self.external

    @property
    def flagged(self) -> bool:
        return abs(self.diff) > DEFAULT_THRESHOLD


def comparisons(school_ids: list[int], year_name: Optional[str]) -> dict[tuple[str, str], dict[int, Comparison]]:
    """(external kind, subject name) -> school id -> Comparison, ordered by kind then subject."""
    if not school_ids or not year_name:
        return {}
    ext_a, ext_m = aliased(Assessment), aliased(Mark)
    external = (
        select(ext_m.student_id.label("student_id"), ext_a.subject_id.label("subject_id"), ext_a.kind.label("kind"),
               func.avg(2 + 3 * ext_m.score / func.coalesce(ext_a.max_score, 100.0)).label("ext"),
               func.avg(ext_m.score).label("raw"))
        .join(ext_a, ext_m.assessment_id == ext_a.id).join(Term, Term.id == ext_a.term_id)
        .join(AcademicYear, AcademicYear.id == Term.year_id)
        .where(ext_a.school_id.in_(school_ids), AcademicYear.name == year_name, ext_a.kind.in_(EXTERNAL_KINDS),
               ext_m.score.is_not(None))
        .group_by(ext_m.student_id, ext_a.subject_id, ext_a.kind).subquery())
    internal = (
        select(Mark.student_id.label("student_id"), Assessment.subject_id.label("subject_id"),
               func.avg(Mark.value).label("internal"))
        .join(Assessment, Mark.assessment_id == Assessment.id).join(Term, Term.id == Assessment.term_id)
        .join(AcademicYear, AcademicYear.id == Term.year_id)
        .where(Assessment.school_id.in_(school_ids), AcademicYear.name == year_name, Assessment.kind == "term",
               Mark.value.is_not(None), Mark.student_id.in_(select(external.c.student_id)))
        .group_by(Mark.student_id, Assessment.subject_id).subquery())
    stmt = (
        select(Subject.school_id, external.c.kind, Subject.name, func.count(),
               cast(func.avg(internal.c.internal), Float), cast(func.avg(external.c.ext), Float),
               cast(func.avg(external.c.raw), Float))
        .select_from(external)
        .join(internal, and_(internal.c.student_id == external.c.student_id,
                             internal.c.subject_id == external.c.subject_id))
        .join(Subject, Subject.id == external.c.subject_id)
        .group_by(Subject.school_id, external.c.kind, Subject.name))
    out: dict[tuple[str, str], dict[int, Comparison]] = {}
    for school_id, kind, subject, n, internal_mean, external_mean, raw in sorted(
            db.session.execute(stmt).all(), key=lambda r: (EXTERNAL_KINDS.index(r[1]), r[2], r[0])):
        out.setdefault((kind, subject), {})[school_id] = Comparison(n, internal_mean, external_mean, raw)
    return out
