"""The dashboard, справки (analytic notes) and the annual public report, as plain data."""
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import select

from app.extensions import db
from app.models import AcademicYear, Student, Subject
from app.models.monitoring.registers import StudentAchievement
from app.services.monitoring.calculators import DISTRICT_AND_ABOVE
from app.services.monitoring.indicators import MIN_GROUP, Row, evaluate
from app.services.surveys import disclosure


@dataclass
class DirectionBlock:
    direction: int
    rows: list[Row]
    counts: dict[str, int] = field(default_factory=dict)


def dashboard(school_id: int, year: AcademicYear, direction: Optional[int] = None) -> list[DirectionBlock]:
    rows = evaluate(school_id, year, direction)
    blocks = []
    for d in ([direction] if direction else range(1, 8)):
        mine = [r for r in rows if r.indicator.direction == d]
        counts = {k: sum(1 for r in mine if r.status == k) for k in ("ok", "warn", "bad", "none")}
        blocks.append(DirectionBlock(d, mine, counts))
    return blocks


def suppress(row: Row, min_group: int = MIN_GROUP) -> bool:
    """True when the value rests on a group smaller than the minimum group size (the rule of
    `app.services.surveys.disclosure`)."""
    return disclosure.below_minimum(row.n, min_group)


def public_rows(rows: list[Row], min_group: int = MIN_GROUP) -> list[tuple[Row, bool]]:
    return [(r, suppress(r, min_group)) for r in rows]


def winners(school_id: int, year_id: int):
    """Named winners and prize-winners at district level and above (staff version only)."""
    return db.session.execute(
        select(Student.full_name, StudentAchievement.kind, StudentAchievement.level, StudentAchievement.result,
               StudentAchievement.title, Subject.name, Subject.name_ru)
        .join(Student, StudentAchievement.student_id == Student.id)
        .outerjoin(Subject, StudentAchievement.subject_id == Subject.id)
        .where(StudentAchievement.school_id == school_id, StudentAchievement.year_id == year_id,
               StudentAchievement.result.in_(("winner", "prize_winner")),
               StudentAchievement.level.in_(DISTRICT_AND_ABOVE))
        .order_by(StudentAchievement.on_date)).all()
