"""The registers' counts of the district's schools side by side (issue 21 §2): students' olympiad,
competition and project results by level (entries, and winners or prize-winners among them),
teachers' achievements by kind, incidents by kind; counts only, never a name.

`counts(school_ids, year_name)` -> list of `Section` (title, rows); each row is a label and
{school id: count} over the records of the school's academic year of that name. Counted in SQL,
one grouped query per register. A register is a list of events, not a sample, so no minimum group
applies: a count says how many records a school keeps, and a school with none shows 0.
"""
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from app.extensions import db
from app.models import AcademicYear
from app.models.monitoring.registers import (
    INCIDENT_KINDS,
    LEVELS,
    TEACHER_ACHIEVEMENT_KINDS,
    Incident,
    StudentAchievement,
    TeacherAchievement,
)
from app.services.monitoring.labels import INCIDENT_LABELS, LEVEL_LABELS, TEACHER_KIND_LABELS


@dataclass
class Row:
    label: str
    schools: dict[int, int] = field(default_factory=dict)  # school id -> count (absent: 0)

    def total(self) -> int:
        return sum(self.schools.values())


@dataclass
class Section:
    title: str
    rows: list[Row]


def _grouped(model, key, school_ids: list[int], year_name: str, *extra) -> dict[tuple, int]:
    """(school id, key value[, extra...]) -> count of the model's rows in the year named `year_name`."""
    query = (select(model.school_id, key, *extra, func.count(model.id))
             .join(AcademicYear, model.year_id == AcademicYear.id)
             .where(model.school_id.in_(school_ids), AcademicYear.name == year_name)
             .group_by(model.school_id, key, *extra))
    return {tuple(row[:-1]): row[-1] for row in db.session.execute(query)}


def counts(school_ids: list[int], year_name: str) -> list[Section]:
    """The three registers' counts per school for the year named `year_name` (e.g. "2026-2027")."""
    if not school_ids or not year_name:
        return []
    won = case((StudentAchievement.result.in_(("winner", "prize_winner")), 1), else_=0)
    students = _grouped(StudentAchievement, StudentAchievement.level, school_ids, year_name, won)
    student_rows = []
    for level in LEVELS:
        entries = Row(str(_l("Students' results, %(level)s level: entries", level=LEVEL_LABELS[level])))
        winners = Row(str(_l("of them winners and prize-winners")))
        for (school_id, lvl, is_won), n in students.items():
            if lvl == level:
                entries.schools[school_id] = entries.schools.get(school_id, 0) + n
                if is_won:
                    winners.schools[school_id] = winners.schools.get(school_id, 0) + n
        if entries.schools:
            student_rows += [entries, winners]
    teachers = _grouped(TeacherAchievement, TeacherAchievement.kind, school_ids, year_name)
    teacher_rows = [Row(str(TEACHER_KIND_LABELS[kind]), {s: n for (s, k), n in teachers.items() if k == kind})
                    for kind in TEACHER_ACHIEVEMENT_KINDS]
    incidents = _grouped(Incident, Incident.kind, school_ids, year_name)
    incident_rows = [Row(str(INCIDENT_LABELS[kind]), {s: n for (s, k), n in incidents.items() if k == kind})
                     for kind in INCIDENT_KINDS]
    return [Section(str(_l("Olympiads, competitions and projects")), student_rows),
            Section(str(_l("Teachers' achievements")), [r for r in teacher_rows if r.schools]),
            Section(str(_l("Injuries and offences")), incident_rows)]
