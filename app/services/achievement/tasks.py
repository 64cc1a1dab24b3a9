"""Per-task analysis of a control work (элементный анализ, monitoring regulation §2.12, §4.4).

A control work (or a test) may have tasks with their maximum points; each student who wrote
it gets points per task (no row: did not write it). Per task, in SQL, the share of those
with points who solved it fully (points = maximum), partly (between) or not at all (0), so
the teacher sees which topic failed. The teacher records the analysis and the planned
correction beside it; the correction is a measure of the register (source "control_work",
responsible: the teacher, the quarter of the work).
"""
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Optional

from flask_babel import gettext as _
from sqlalchemy import Float, case, cast, func, select

from app.extensions import db
from app.i18n import localized_name
from app.models import Assessment, AssessmentTask, ControlWorkAnalysis, Enrollment, Student, TaskScore
from app.models.monitoring.measures import Measure
from app.security import Principal
from app.services.achievement.access import visible
from app.services.achievement.grid import ABSENT_WORDS, CellError

TASK_KINDS = ("control", "test")  # the works that may have tasks
MAX_TASKS = 40


def tasks_of(assessment_id: int) -> list[AssessmentTask]:
    return list(db.session.scalars(select(AssessmentTask).where(AssessmentTask.assessment_id == assessment_id)
                                   .order_by(AssessmentTask.number)))


def set_tasks(assessment: Assessment, rows: list[tuple[Optional[str], float]]) -> dict:
    """The work's tasks become `rows` (topic, maximum points), numbered 1, 2 ...: tasks kept
    keep their points; tasks beyond the new count are deleted with their points. A maximum
    below points already given is refused (ValueError with the message)."""
    existing = {t.number: t for t in tasks_of(assessment.id)}
    before = {n: {"topic": t.topic, "max_points": t.max_points} for n, t in existing.items()}
    for number, (topic, top) in enumerate(rows, start=1):
        task = existing.get(number)
        if task is None:
            db.session.add(AssessmentTask(school_id=assessment.school_id, assessment_id=assessment.id, number=number,
                                          topic=topic, max_points=top))
            continue
        highest = db.session.scalar(select(func.max(TaskScore.points)).where(TaskScore.task_id == task.id))
        if highest is not None and highest > top:
            raise ValueError(_("Task %(n)d: a student already has %(points)s points, more than the maximum %(max)s.",
                               n=number, points=f"{highest:g}", max=f"{top:g}"))
        task.topic, task.max_points = topic, top
    for number, task in existing.items():
        if number > len(rows):
            db.session.delete(task)
    db.session.flush()
    after = {n: {"topic": topic, "max_points": top} for n, (topic, top) in enumerate(rows, start=1)}
    return {"before": before, "after": after}


def parse_points(raw: Any, top: float) -> Optional[float]:
    """A typed cell -> points (None: blank or н, did not write). Raises CellError."""
    text_value = "" if raw is None else str(raw).strip()
    if text_value == "" or text_value.lower() in ABSENT_WORDS:
        return None
    try:
        points = float(text_value.replace(",", "."))
    except ValueError:
        raise CellError(_("'%(value)s' is not a number of points", value=text_value[:20])) from None
    if not 0 <= points <= top:
        raise CellError(_("the points %(value)s are outside 0-%(max)s", value=f"{points:g}", max=f"{top:g}"))
    return points


def scores_of(tasks: list[AssessmentTask]) -> dict[tuple[int, int], TaskScore]:
    if not tasks:
        return {}
    return {(s.task_id, s.student_id): s for s in db.session.scalars(
        select(TaskScore).where(TaskScore.task_id.in_([t.id for t in tasks])))}


def _meaning(raw: Any, top: float):
    try:
        return parse_points(raw, top)
    except CellError:
        return str(raw).strip()


def save_points(school_id: int, tasks: list[AssessmentTask], student_ids: list[int],
                cells: dict[tuple[int, int], Any], originals: Optional[dict[tuple[int, int], Any]] = None
                ) -> tuple[dict, dict]:
    """Check every sent cell ((task id, student id) -> text); write nothing if one is wrong,
    else upsert (a blank cell deletes the points). Returns (errors, changes).

    With `originals` (each cell's value when the page was served), as in the marks grid, only
    cells whose typed value differs from their original are written, and a cell someone else
    changed meanwhile to another value is a conflict: nothing is saved."""
    by_id = {t.id: t for t in tasks}
    current = scores_of(tasks)
    errors, parsed = {}, {}
    for (task_id, student_id), raw in cells.items():
        if task_id not in by_id or student_id not in student_ids:
            continue
        top = by_id[task_id].max_points
        stored = current.get((task_id, student_id))
        stored = stored.points if stored is not None else None
        if originals is not None:
            original = _meaning(originals.get((task_id, student_id), ""), top)
            if _meaning(raw, top) == original:
                continue
            if stored != original and stored != _meaning(raw, top):
                errors[(task_id, student_id)] = _('changed meanwhile by another user to "%(value)s": check it and '
                                                  'save again', value="-" if stored is None else f"{stored:g}")
                continue
        try:
            parsed[(task_id, student_id)] = parse_points(raw, top)
        except CellError as error:
            errors[(task_id, student_id)] = str(error)
    if errors:
        return errors, {}
    changes = {"before": {}, "after": {}}
    for (task_id, student_id), points in parsed.items():
        score = current.get((task_id, student_id))
        old = score.points if score is not None else None
        if old == points:
            continue
        if points is None:
            db.session.delete(score)
        elif score is None:
            db.session.add(TaskScore(school_id=school_id, task_id=task_id, student_id=student_id, points=points))
        else:
            score.points = points
        cell = f"{by_id[task_id].number}:{student_id}"
        changes["before"][cell], changes["after"][cell] = old, points
    db.session.flush()
    return {}, changes


@dataclass
class TaskShare:
    """One task's results: of `n` students with points, `full` solved it fully, `partly`
    partly, `none` not at all; the shares in percent (None when n = 0)."""

    task: AssessmentTask
    n: int
    full: int
    partly: int
    none: int

    def share(self, count: int) -> Optional[float]:
        return round(100 * count / self.n, 1) if self.n else None

    @property
    def full_pct(self):
        return self.share(self.full)

    @property
    def partly_pct(self):
        return self.share(self.partly)

    @property
    def none_pct(self):
        return self.share(self.none)

    @property
    def mean_pct(self) -> Optional[float]:  # the mean points as a share of the maximum (Р, %)
        return None if self.mean is None else round(100 * self.mean / self.task.max_points, 1)

    mean: Optional[float] = None


def shares(assessment_ids: Iterable[int]) -> dict[int, list[TaskShare]]:
    """Per work, its tasks' shares (one SQL statement over the points)."""
    ids = list(assessment_ids)
    if not ids:
        return {}
    tasks = {t.id: t for t in db.session.scalars(select(AssessmentTask).where(AssessmentTask.assessment_id.in_(ids)))}
    if not tasks:
        return {}
    stmt = (select(AssessmentTask.id, func.count(TaskScore.id),
                   func.coalesce(func.sum(case((TaskScore.points >= AssessmentTask.max_points, 1), else_=0)), 0),
                   func.coalesce(func.sum(case((TaskScore.points == 0, 1), else_=0)), 0),
                   cast(func.avg(TaskScore.points), Float))
            .select_from(AssessmentTask).outerjoin(TaskScore, TaskScore.task_id == AssessmentTask.id)
            .where(AssessmentTask.id.in_(list(tasks))).group_by(AssessmentTask.id))
    out: dict[int, list[TaskShare]] = {}
    for task_id, n, full, none, mean in db.session.execute(stmt):
        n, full, none = int(n), int(full), int(none)
        task = tasks[task_id]
        out.setdefault(task.assessment_id, []).append(TaskShare(task, n, full, n - full - none, none, mean))
    for rows in out.values():
        rows.sort(key=lambda r: r.task.number)
    return out


def analysis_of(assessment_id: int) -> Optional[ControlWorkAnalysis]:
    return db.session.scalar(select(ControlWorkAnalysis).where(ControlWorkAnalysis.assessment_id == assessment_id))


def work_title(assessment: Assessment) -> str:
    """"7-А, Математика, control work 15.10.2026: Fractions" (a measure's "what exactly")."""
    text = _("%(cls)s, %(subject)s, control work of %(date)s", cls=assessment.class_group.name,
             subject=localized_name(assessment.subject), date=assessment.date.strftime("%d.%m.%Y"))
    return (f"{text}: {assessment.topic}" if assessment.topic else text)[:300]


def assessment_of_measure(measure_id: int) -> Optional[Assessment]:
    """The control work whose analysis made the measure (its page names the work in the
    reader's language: the measure stores no text of it)."""
    return db.session.scalar(select(Assessment).join(ControlWorkAnalysis, ControlWorkAnalysis.assessment_id == Assessment.id)
                             .where(ControlWorkAnalysis.measure_id == measure_id))


def save_analysis(assessment: Assessment, *, user_id: int, analysis: str, correction: str,
                  due_on: date) -> tuple[ControlWorkAnalysis, Measure, Optional[dict]]:
    """Record the analysis and the correction; the correction is the measure of the register
    (created the first time, its action and deadline kept in step after). Returns the
    analysis, the measure and the measure's values before (None: created)."""
    row = analysis_of(assessment.id)
    if row is None:
        row = ControlWorkAnalysis(school_id=assessment.school_id, assessment_id=assessment.id, created_by_id=user_id,
                                  analysis=analysis, correction=correction)
        db.session.add(row)
    row.analysis, row.correction = analysis, correction
    measure = row.measure
    before = None
    if measure is None:
        measure = Measure(school_id=assessment.school_id, year_id=assessment.term.year_id, term_id=assessment.term_id,
                          source="control_work", action=correction,
                          responsible_id=user_id, due_on=due_on, status="planned", created_by_id=user_id)
        db.session.add(measure)
        db.session.flush()
        row.measure_id = measure.id
        row.measure = measure
    else:
        before = {"action": measure.action, "due_on": measure.due_on.isoformat()}
        measure.action, measure.due_on = correction, due_on
    db.session.flush()
    return row, measure, before


@dataclass
class WorkAnalysis:
    assessment: Assessment
    shares: list[TaskShare]
    analysis: Optional[ControlWorkAnalysis]


def term_works(principal: Principal, term_id: int, class_ids: Optional[list[int]] = None) -> list[WorkAnalysis]:
    """The term's control works and tests with tasks that the principal sees (of the classes
    given), each with its per-task shares and analysis."""
    stmt = (select(Assessment).where(
        Assessment.school_id == principal.school_id, Assessment.term_id == term_id, Assessment.kind.in_(TASK_KINDS),
        Assessment.id.in_(select(AssessmentTask.assessment_id)),
        visible(principal, Assessment.class_id, Assessment.subject_id)).order_by(Assessment.class_id, Assessment.date))
    if class_ids is not None:
        stmt = stmt.where(Assessment.class_id.in_(class_ids))
    works = list(db.session.scalars(stmt))
    found = shares([w.id for w in works])
    analyses = {a.assessment_id: a for a in db.session.scalars(select(ControlWorkAnalysis).where(
        ControlWorkAnalysis.assessment_id.in_([w.id for w in works])))} if works else {}
    return [WorkAnalysis(w, found.get(w.id, []), analyses.get(w.id)) for w in works]


def students_of(assessment: Assessment) -> list[Student]:
    """The students of the work's class (as in its marks grid), by name."""
    return list(db.session.scalars(
        select(Student).join(Enrollment, Enrollment.student_id == Student.id)
        .where(Enrollment.class_id == assessment.class_id, Student.school_id == assessment.school_id)
        .order_by(Student.full_name)))


def parse_task_cell(raw: Any) -> list[tuple[float, Optional[float]]]:
    """An import's "tasks" cell -> [(points, maximum or None)]: "2; 1; 0" or "2/2; 1/3; 0/1"
    (points / maximum points). Raises CellError."""
    out = []
    for part in str(raw).replace("\n", ";").split(";"):
        if not part.strip():
            continue
        points, _sep, top = part.partition("/")
        try:
            value = float(points.strip().replace(",", "."))
            maximum = float(top.strip().replace(",", ".")) if top.strip() else None
        except ValueError:
            raise CellError(_("'%(value)s' is not points per task: write them as 2; 1; 0 or 2/2; 1/3; 0/1",
                              value=str(raw)[:30])) from None
        if value < 0 or (maximum is not None and not 0 < maximum <= 100) or (maximum is not None and value > maximum):
            raise CellError(_("'%(value)s': points must be between 0 and the task's maximum", value=part.strip()[:20]))
        out.append((value, maximum))
    if len(out) > MAX_TASKS:
        raise CellError(_("At most %(n)d tasks.", n=MAX_TASKS))
    return out


def import_points(school_id: int, rows: list[tuple[int, Assessment, int, list]], report) -> None:
    """Write imported points per task ((row number, work, student id, cells) each), checked
    against the work's tasks: a work without tasks gets them from the maxima written in its
    rows (which must agree); errors go to `report` and nothing is written then."""
    by_work: dict[int, list] = {}
    for row in rows:
        by_work.setdefault(row[1].id, []).append(row)
    plans = {}
    for work_id, work_rows in by_work.items():
        existing = tasks_of(work_id)
        maxima = [t.max_points for t in existing]
        for number, _work, _sid, cells in work_rows:
            written = [top for _points, top in cells]
            if not maxima:
                if any(top is None for top in written):
                    report.add(number, "tasks", _("the work has no tasks yet: write each task's points with its "
                                                  "maximum, e.g. 2/2; 1/3"))
                    continue
                maxima = written
            if len(cells) != len(maxima) or any(top is not None and top != m for top, m in zip(written, maxima)):
                report.add(number, "tasks", _("the work's tasks have the maxima %(maxima)s",
                                              maxima="; ".join(f"{m:g}" for m in maxima)))
            elif any(points > m for (points, _top), m in zip(cells, maxima)):
                report.add(number, "tasks", _("points above a task's maximum (%(maxima)s)",
                                              maxima="; ".join(f"{m:g}" for m in maxima)))
        plans[work_id] = (existing, maxima, work_rows)
    if report.errors:
        return
    for work_id, (existing, maxima, work_rows) in plans.items():
        work = work_rows[0][1]
        if not existing:
            set_tasks(work, [(None, m) for m in maxima])
            existing = tasks_of(work_id)
        cells = {(task.id, sid): points for _n, _w, sid, values in work_rows
                 for task, (points, _top) in zip(existing, values)}
        save_points(school_id, existing, [sid for _n, _w, sid, _v in work_rows], cells)
